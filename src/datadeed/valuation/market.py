"""Market approach: V = Σ w_j × P_j × Π_f c_{j,f} ÷ Σ w_j.

P_j is comparable j's transaction price; each adjustment coefficient c_{j,f} is
subject ÷ comparable for the factor f ∈ {quality, supply and demand, date, volume,
other}. The quality coefficient is Q_subject ÷ Q_comparable when the comparable's
quality score is known (the quality→value mapping).
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from datadeed.errors import InvalidInput
from datadeed.valuation.steps import Step, fen, rate

__all__ = ["Comparable", "Factor", "MarketInputs", "MarketResult", "Ratio", "market_value"]


class Factor(StrEnum):
    QUALITY = "quality"
    SUPPLY_DEMAND = "supply_demand"
    DATE = "date"
    VOLUME = "volume"
    OTHER = "other"


class Ratio(BaseModel):
    """A coefficient stated as the subject's and the comparable's measure."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    subject: Decimal = Field(gt=0)
    comparable: Decimal = Field(gt=0)

    @property
    def coefficient(self) -> Decimal:
        return self.subject / self.comparable


class Comparable(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    price: Decimal = Field(gt=0, max_digits=16, decimal_places=2)
    weight: Decimal = Field(default=Decimal(1), gt=0)
    quality_score: Decimal | None = Field(default=None, gt=0, le=100)
    adjustments: dict[Factor, Decimal | Ratio] = Field(default_factory=dict)
    source: str = Field(default="entered", max_length=200)


class MarketInputs(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    comparables: list[Comparable] = Field(min_length=1, max_length=100)


class AdjustedComparable(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    price: Decimal
    weight: Decimal
    coefficients: dict[str, Decimal]
    adjusted_price: Decimal


class MarketResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    value: Decimal
    comparables: list[AdjustedComparable]
    steps: list[Step]


def _coefficients(c: Comparable, subject_score: Decimal | None) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for factor in Factor:
        given = c.adjustments.get(factor)
        if given is not None:
            out[factor] = given.coefficient if isinstance(given, Ratio) else given
        elif factor is Factor.QUALITY and c.quality_score is not None:
            if subject_score is None:
                raise InvalidInput(f"comparable {c.name!r} has a quality score, the subject none")
            out[factor] = subject_score / c.quality_score
        else:
            out[factor] = Decimal(1)
        if out[factor] <= 0:
            raise InvalidInput(f"comparable {c.name!r}: the {factor} coefficient must be positive")
    return out


def _adjust(c: Comparable, subject_score: Decimal | None) -> AdjustedComparable:
    coefs = _coefficients(c, subject_score)
    product = Decimal(1)
    for value in coefs.values():
        product *= value
    return AdjustedComparable(
        name=c.name,
        price=c.price,
        weight=c.weight,
        coefficients={k: rate(v) for k, v in coefs.items()},
        adjusted_price=c.price * product,
    )


def market_value(inputs: MarketInputs, subject_score: Decimal | None) -> MarketResult:
    """Value by the market approach; ``subject_score`` is the subject's quality score."""
    adjusted = [_adjust(c, subject_score) for c in inputs.comparables]
    total_w = sum((a.weight for a in adjusted), Decimal(0))
    value = fen(sum((a.weight * a.adjusted_price for a in adjusted), Decimal(0)) / total_w)
    steps = [
        Step(
            symbol=f"P'_{j}",
            formula="P × c_quality × c_supply_demand × c_date × c_volume × c_other",
            substituted=f"{a.price} × " + " × ".join(str(v) for v in a.coefficients.values()),
            value=fen(a.adjusted_price),
        )
        for j, a in enumerate(adjusted, start=1)
    ]
    steps.append(
        Step(
            symbol="V",
            formula="Σ w_j P'_j ÷ Σ w_j",
            substituted=f"({' + '.join(f'{a.weight} × {fen(a.adjusted_price)}' for a in adjusted)})"
            f" ÷ {total_w}",
            value=value,
        )
    )
    return MarketResult(
        value=value,
        comparables=[
            a.model_copy(update={"adjusted_price": fen(a.adjusted_price)}) for a in adjusted
        ],
        steps=steps,
    )
