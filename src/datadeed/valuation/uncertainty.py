"""Monte Carlo uncertainty and tornado sensitivity over a case's uncertain inputs.

Each uncertain input has a distribution (uniform, triangular or normal). The model is
evaluated once, vectorised over all draws, from a seeded PCG64 generator, so the same
seed gives the same percentiles. The tornado moves one input at a time to its 5th and
95th percentiles with the others at their base values.

Inputs that can be uncertain (``PARAMETERS``; ``income.premium.<name>`` for each named
premium): multipliers are 1 at base.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from statistics import NormalDist

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, model_validator

from datadeed.errors import InvalidInput
from datadeed.valuation.cost import CostInputs
from datadeed.valuation.income import IncomeInputs, IncomeMethod

__all__ = [
    "PARAMETERS",
    "Distribution",
    "MonteCarloResult",
    "TornadoBar",
    "ValueModel",
    "monte_carlo",
    "tornado",
]

Vector = npt.NDArray[np.float64]
PARAMETERS = (
    "cost.cost_factor",
    "cost.return_rate",
    "cost.depreciation_rate",
    "cost.obsolescence_rate",
    "cost.risk_discount",
    "cost.scenario_factor",
    "income.cash_flow_factor",
    "income.share_rate",
    "income.risk_free_rate",
    "market.price_factor",
)
MAX_DRAWS = 2_000_000


class DistributionKind(StrEnum):
    UNIFORM = "uniform"
    TRIANGULAR = "triangular"
    NORMAL = "normal"


class Distribution(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: DistributionKind
    low: float | None = None
    mode: float | None = None
    high: float | None = None
    mean: float | None = None
    sd: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _check(self) -> Distribution:
        if self.kind is DistributionKind.NORMAL:
            if self.mean is None or self.sd is None:
                raise ValueError("a normal distribution needs mean and sd")
            return self
        if self.low is None or self.high is None or not self.low < self.high:
            raise ValueError(f"a {self.kind} distribution needs low < high")
        if self.kind is DistributionKind.TRIANGULAR and (
            self.mode is None or not self.low <= self.mode <= self.high
        ):
            raise ValueError("a triangular distribution needs low <= mode <= high")
        return self

    def _params(self) -> tuple[float, float, float]:
        """(low, mode, high) or, for a normal, (mean, sd, 0): validated above."""
        if self.kind is DistributionKind.NORMAL:
            return float(self.mean or 0), float(self.sd or 0), 0.0
        return float(self.low or 0), float(self.mode or 0), float(self.high or 0)

    def sample(self, rng: np.random.Generator, n: int) -> Vector:
        a, b, c = self._params()
        if self.kind is DistributionKind.NORMAL:
            return rng.normal(a, b, n)
        if self.kind is DistributionKind.UNIFORM:
            return rng.uniform(a, c, n)
        return rng.triangular(a, b, c, n)

    def quantile(self, p: float) -> float:
        """Inverse CDF."""
        lo, mode, hi = self._params()
        if self.kind is DistributionKind.NORMAL:
            return NormalDist(lo, mode).inv_cdf(p)
        if self.kind is DistributionKind.UNIFORM:
            return lo + p * (hi - lo)
        if p < (mode - lo) / (hi - lo):
            return float(lo + ((hi - lo) * (mode - lo) * p) ** 0.5)
        return float(hi - ((hi - lo) * (hi - mode) * (1 - p)) ** 0.5)


@dataclass(frozen=True)
class ValueModel:
    """A case's approaches as float formulas vectorised over draws (same as the Decimal ones)."""

    weights: dict[str, float]
    cost: CostInputs | None = None
    cost_quality_utility: float = 1.0
    income: IncomeInputs | None = None
    income_quality_premium: float = 0.0
    market_base: float | None = None
    base: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.base.update(_base_parameters(self))

    def evaluate(self, params: Mapping[str, Vector | float]) -> dict[str, Vector]:
        """Value of each approach and the reconciled value for every draw."""
        p = {**self.base, **params}
        out: dict[str, Vector] = {}
        if self.cost is not None:
            out["cost"] = _cost_vector(self, p)
        if self.income is not None:
            out["income"] = _income_vector(self.income, self.income_quality_premium, p)
        if self.market_base is not None:
            out["market"] = np.asarray(self.market_base * np.asarray(p["market.price_factor"]))
        out["reconciled"] = sum((self.weights[a] * out[a] for a in self.weights), np.zeros(1))
        return out


def _base_parameters(model: ValueModel) -> dict[str, float]:
    base = {"cost.cost_factor": 1.0, "income.cash_flow_factor": 1.0, "market.price_factor": 1.0}
    if model.cost is not None:
        for name in ("return_rate", "depreciation_rate", "obsolescence_rate", "risk_discount"):
            base[f"cost.{name}"] = float(getattr(model.cost, name))
        base["cost.scenario_factor"] = float(model.cost.scenario_factor)
    if model.income is not None:
        base["income.share_rate"] = float(model.income.share_rate or 0)
        base["income.risk_free_rate"] = float(model.income.risk_free_rate)
        for name, value in model.income.premiums.items():
            base[f"income.premium.{name}"] = float(value)
    return base


def _cost_vector(model: ValueModel, p: Mapping[str, Vector | float]) -> Vector:
    assert model.cost is not None
    tc = float(sum((i.amount for i in model.cost.items), Decimal(0)))
    u = model.cost_quality_utility * (1 - np.asarray(p["cost.risk_discount"]))
    u = u * np.asarray(p["cost.scenario_factor"])
    keep = (1 - np.asarray(p["cost.depreciation_rate"])) * (
        1 - np.asarray(p["cost.obsolescence_rate"])
    )
    factor = np.asarray(p["cost.cost_factor"])
    return np.asarray(tc * factor * (1 + np.asarray(p["cost.return_rate"])) * keep * u)


def _income_vector(inputs: IncomeInputs, premium: float, p: Mapping[str, Vector | float]) -> Vector:
    n = min(inputs.legal_term_years, inputs.economic_life_years, len(inputs.cash_flows))
    flows = np.array([float(f) for f in inputs.cash_flows[:n]])
    if inputs.method is IncomeMethod.ROYALTY:
        incomes = np.multiply.outer(np.asarray(p["income.share_rate"]), flows)
    else:
        assert inputs.deductions is not None
        incomes = flows - np.array([float(d) for d in inputs.deductions[:n]])
    incomes = incomes * np.asarray(p["income.cash_flow_factor"])[..., None]
    rate = np.asarray(p["income.risk_free_rate"]) + premium
    for name in inputs.premiums:
        rate = rate + np.asarray(p[f"income.premium.{name}"])
    years = np.arange(1, n + 1, dtype=np.float64)
    discount = (1 + np.asarray(rate))[..., None] ** years
    return np.asarray((incomes / discount).sum(axis=-1))


class MonteCarloResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    seed: int
    draws: int
    seconds: float
    p5: Decimal
    p50: Decimal
    p95: Decimal
    mean: Decimal
    histogram_counts: list[int]
    histogram_edges: list[float]


class TornadoBar(BaseModel):
    model_config = ConfigDict(frozen=True)

    parameter: str
    low_input: float
    high_input: float
    low_value: Decimal
    high_value: Decimal


def _check_names(model: ValueModel, inputs: Mapping[str, Distribution]) -> None:
    unknown = sorted(set(inputs) - set(model.base))
    if unknown:
        raise InvalidInput(
            f"unknown or unused uncertain inputs: {', '.join(unknown)} "
            f"(usable here: {', '.join(sorted(model.base))})"
        )


def _money(x: float) -> Decimal:
    return Decimal(str(round(float(x), 2))).quantize(Decimal("0.01"))


def monte_carlo(
    model: ValueModel, inputs: Mapping[str, Distribution], draws: int, seed: int
) -> MonteCarloResult:
    """P5/P50/P95 of the reconciled value over ``draws`` seeded draws."""
    _check_names(model, inputs)
    if not 1 <= draws <= MAX_DRAWS:
        raise InvalidInput(f"draws must be between 1 and {MAX_DRAWS:,}")
    start = time.perf_counter()
    rng = np.random.Generator(np.random.PCG64(seed))
    params = {name: inputs[name].sample(rng, draws) for name in sorted(inputs)}
    values = np.broadcast_to(model.evaluate(params)["reconciled"], (draws,))
    p5, p50, p95 = np.percentile(values, [5, 50, 95])
    counts, edges = np.histogram(values, bins=30)
    seconds = time.perf_counter() - start
    return MonteCarloResult(
        seed=seed,
        draws=draws,
        seconds=round(seconds, 4),
        p5=_money(p5),
        p50=_money(p50),
        p95=_money(p95),
        mean=_money(values.mean()),
        histogram_counts=[int(c) for c in counts],
        histogram_edges=[round(float(e), 2) for e in edges],
    )


def tornado(model: ValueModel, inputs: Mapping[str, Distribution]) -> list[TornadoBar]:
    """One bar per uncertain input: the reconciled value at its P5 and P95, widest first."""
    _check_names(model, inputs)
    bars = []
    for name, dist in inputs.items():
        lo, hi = dist.quantile(0.05), dist.quantile(0.95)
        values = model.evaluate({name: np.array([lo, hi])})["reconciled"]
        values = np.broadcast_to(values, (2,))
        bars.append(
            TornadoBar(
                parameter=name,
                low_input=round(lo, 6),
                high_input=round(hi, 6),
                low_value=_money(values[0]),
                high_value=_money(values[1]),
            )
        )
    return sorted(bars, key=lambda b: abs(b.high_value - b.low_value), reverse=True)
