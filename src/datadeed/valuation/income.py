"""Income approach: V = Σ_{t=1..n} F_t / (1 + i)^t.

F_t, the income the data earns in year t, by one of three methods:

- royalty / split:       F_t = K × revenue_t
- excess earnings:       F_t = earnings_t − contributory charges_t  (multi-period)
- incremental income:    F_t = income with the data_t − income without it_t

n = min(legal term, economic life, years projected), in whole years.
i = risk-free rate + Σ risk premiums + quality premium (from the quality→value table).
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from datadeed.errors import InvalidInput
from datadeed.valuation.steps import Step, fen, rate

__all__ = ["IncomeInputs", "IncomeMethod", "IncomeResult", "discount_rate", "income_value"]

Amount = Decimal


class IncomeMethod(StrEnum):
    ROYALTY = "royalty"
    EXCESS_EARNINGS = "excess_earnings"
    INCREMENTAL = "incremental"


class IncomeInputs(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    method: IncomeMethod
    # royalty: revenue; excess earnings: earnings; incremental: income with the data.
    cash_flows: list[Amount] = Field(min_length=1, max_length=50)
    share_rate: Decimal | None = Field(default=None, gt=0, le=1)
    # excess earnings: contributory asset charges; incremental: income without the data.
    deductions: list[Amount] | None = None
    legal_term_years: int = Field(ge=1, le=50)
    economic_life_years: int = Field(ge=1, le=50)
    risk_free_rate: Decimal = Field(ge=0, lt=1)
    premiums: dict[str, Decimal] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> IncomeInputs:
        if self.method is IncomeMethod.ROYALTY and self.share_rate is None:
            raise ValueError("the royalty method needs share_rate")
        if self.method is not IncomeMethod.ROYALTY and (
            self.deductions is None or len(self.deductions) != len(self.cash_flows)
        ):
            raise ValueError(f"{self.method} needs one deduction per cash flow")
        if any(p < 0 or p >= 1 for p in self.premiums.values()):
            raise ValueError("risk premiums must be in [0, 1)")
        return self


class IncomeResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    value: Decimal
    period_years: int
    discount_rate: Decimal
    incomes: list[Decimal]
    present_values: list[Decimal]
    steps: list[Step]


def discount_rate(inputs: IncomeInputs, quality_premium: Decimal) -> Decimal:
    """i = risk-free + Σ premiums + quality premium."""
    return inputs.risk_free_rate + sum(inputs.premiums.values(), Decimal(0)) + quality_premium


def _incomes(inputs: IncomeInputs, n: int) -> list[Decimal]:
    flows = inputs.cash_flows[:n]
    if inputs.method is IncomeMethod.ROYALTY:
        assert inputs.share_rate is not None  # checked by the validator
        return [inputs.share_rate * f for f in flows]
    assert inputs.deductions is not None
    return [f - d for f, d in zip(flows, inputs.deductions[:n], strict=True)]


def income_value(inputs: IncomeInputs, quality_premium: Decimal) -> IncomeResult:
    """Value by the income approach."""
    n = min(inputs.legal_term_years, inputs.economic_life_years, len(inputs.cash_flows))
    i = discount_rate(inputs, quality_premium)
    if i <= 0:
        raise InvalidInput("the discount rate must be positive")
    incomes = _incomes(inputs, n)
    pvs = [f / (1 + i) ** t for t, f in enumerate(incomes, start=1)]
    value = fen(sum(pvs, Decimal(0)))
    premiums = " + ".join(str(p) for p in inputs.premiums.values()) or "0"
    steps = [
        Step(
            symbol="n",
            formula="min(legal term, economic life, years projected)",
            substituted=f"min({inputs.legal_term_years}, {inputs.economic_life_years}, "
            f"{len(inputs.cash_flows)})",
            value=Decimal(n),
        ),
        Step(
            symbol="i",
            formula="r_f + Σ premiums + quality premium",
            substituted=f"{inputs.risk_free_rate} + {premiums} + {quality_premium}",
            value=rate(i),
        ),
        Step(
            symbol="V",
            formula="Σ F_t ÷ (1 + i)^t",
            substituted=" + ".join(
                f"{fen(f)} ÷ {1 + rate(i)}^{t}" for t, f in enumerate(incomes, start=1)
            ),
            value=value,
        ),
    ]
    return IncomeResult(
        value=value,
        period_years=n,
        discount_rate=rate(i),
        incomes=[fen(f) for f in incomes],
        present_values=[fen(p) for p in pvs],
        steps=steps,
    )
