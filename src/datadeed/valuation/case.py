"""The valuation case file (CASE.yaml) and its result.

A case names its purpose, base date and value type, the quality it relies on (a quality
report file from ``datadeed assess`` or an entered score and grade), the inputs of each
approach used, the reconciliation weights with reasons, and the uncertain inputs.
``run_case`` turns it into the value, each approach's value with its working, the
P5/P50/P95 range and the tornado. See docs/valuation.md for a complete example.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from datadeed.errors import InvalidInput
from datadeed.valuation.accounting import AccountingFacts, Classification, classify
from datadeed.valuation.cost import CostInputs, CostResult, cost_value
from datadeed.valuation.income import IncomeInputs, IncomeResult, income_value
from datadeed.valuation.market import MarketInputs, MarketResult, market_value
from datadeed.valuation.quality_map import (
    DEFAULT_TABLE,
    QualityCoefficients,
    QualityInput,
    coefficients_for,
    quality_from_report,
)
from datadeed.valuation.reconcile import Reconciliation, ReconciliationInputs, reconcile
from datadeed.valuation.uncertainty import (
    Distribution,
    MonteCarloResult,
    TornadoBar,
    ValueModel,
    monte_carlo,
    tornado,
)

__all__ = [
    "CaseInputs",
    "CaseResult",
    "Purpose",
    "UncertaintyInputs",
    "ValueType",
    "load_case_file",
    "run_case",
]


class Purpose(StrEnum):
    BALANCE_SHEET = "balance_sheet"  # 入表
    PLEDGE = "pledge"  # 质押
    TRADE = "trade"  # 交易
    CAPITAL_CONTRIBUTION = "capital_contribution"  # 出资


class ValueType(StrEnum):
    MARKET_VALUE = "market_value"  # 市场价值
    INVESTMENT_VALUE = "investment_value"  # 投资价值
    VALUE_IN_USE = "value_in_use"  # 在用价值
    LIQUIDATION_VALUE = "liquidation_value"  # 清算价值


class UncertaintyInputs(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    seed: int = Field(default=20240101, ge=0, lt=2**63)
    draws: int = Field(default=100_000, ge=1_000, le=2_000_000)
    inputs: dict[str, Distribution] = Field(default_factory=dict)


class CaseInputs(BaseModel):
    """Everything a valuation needs except where the quality came from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    purpose: Purpose
    base_date: dt.date
    value_type: ValueType = ValueType.MARKET_VALUE
    quality: QualityInput | None = None
    coefficient_table: str = DEFAULT_TABLE.version
    cost: CostInputs | None = None
    income: IncomeInputs | None = None
    market: MarketInputs | None = None
    reconciliation: ReconciliationInputs
    uncertainty: UncertaintyInputs = Field(default_factory=UncertaintyInputs)
    accounting: AccountingFacts | None = None

    @model_validator(mode="after")
    def _check(self) -> CaseInputs:
        if not self.approaches():
            raise ValueError("a case needs at least one of cost, income, market")
        return self

    def approaches(self) -> list[str]:
        return [a for a in ("cost", "income", "market") if getattr(self, a) is not None]


class CaseResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    value: Decimal
    approaches: dict[str, Decimal]
    range: dict[str, Decimal]
    coefficients: QualityCoefficients
    cost: CostResult | None
    income: IncomeResult | None
    market: MarketResult | None
    reconciliation: Reconciliation
    monte_carlo: MonteCarloResult
    tornado: list[TornadoBar]
    accounting: Classification | None


def _results(case: CaseInputs, coef: QualityCoefficients) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if case.cost is not None:
        out["cost"] = cost_value(case.cost, coef.cost_utility)
    if case.income is not None:
        out["income"] = income_value(case.income, coef.income_premium)
    if case.market is not None:
        out["market"] = market_value(case.market, coef.score)
    return out


def run_case(case: CaseInputs) -> CaseResult:
    """Value the case: approaches, reconciliation, Monte Carlo range and tornado."""
    if case.quality is None:
        raise InvalidInput("the case has no quality score: give a quality report or score")
    coef = coefficients_for(case.quality, case.coefficient_table)
    results = _results(case, coef)
    values = {name: r.value for name, r in results.items()}
    recon = reconcile(values, case.reconciliation)
    model = ValueModel(
        weights={a: float(w) for a, w in recon.weights.items()},
        cost=case.cost,
        cost_quality_utility=float(coef.cost_utility),
        income=case.income,
        income_quality_premium=float(coef.income_premium),
        market_base=float(values["market"]) if "market" in values else None,
    )
    mc = monte_carlo(model, case.uncertainty.inputs, case.uncertainty.draws, case.uncertainty.seed)
    return CaseResult(
        value=recon.value,
        approaches=values,
        range={"p5": mc.p5, "p50": mc.p50, "p95": mc.p95},
        coefficients=coef,
        cost=results.get("cost"),
        income=results.get("income"),
        market=results.get("market"),
        reconciliation=recon,
        monte_carlo=mc,
        tornado=tornado(model, case.uncertainty.inputs),
        accounting=classify(case.accounting) if case.accounting is not None else None,
    )


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


def _read_report(base: Path, raw: dict[str, Any]) -> None:
    """Replace ``quality_report: path`` by the report's score, grade and digest."""
    path = raw.pop("quality_report", None)
    if path is None:
        return
    if "quality" in raw:
        raise InvalidInput("give either quality_report or quality, not both")
    file = base / str(path)
    try:
        report = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"cannot read the quality report {file}: {_one_line(exc)}") from None
    if not isinstance(report, dict):
        raise InvalidInput(f"the quality report {file} is not a JSON object")
    raw["quality"] = quality_from_report(report).model_dump()


COMPARABLE_COLUMNS = ("name", "price", "weight", "quality_score", "source")
FACTOR_COLUMNS = ("quality", "supply_demand", "date", "volume", "other")


def _comparable_row(row: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {k: row[k] for k in COMPARABLE_COLUMNS if (row.get(k) or "").strip()}
    adjustments = {f: row[f] for f in FACTOR_COLUMNS if (row.get(f) or "").strip()}
    return out | ({"adjustments": adjustments} if adjustments else {})


def _read_comparables(base: Path, raw: dict[str, Any]) -> None:
    """Replace ``market.comparables_file: comps.csv`` (UTF-8 CSV, one comparable a row:
    name, price, weight, quality_score, source and the factor coefficients) by its rows."""
    market = raw.get("market")
    if not isinstance(market, dict) or "comparables_file" not in market:
        return
    file = base / str(market.pop("comparables_file"))
    try:
        with file.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InvalidInput(f"cannot read the comparables {file}: {_one_line(exc)}") from None
    if not rows or "price" not in rows[0]:
        raise InvalidInput(f"{file} needs a header with at least name and price, and rows")
    market["comparables"] = list(market.get("comparables") or []) + [
        _comparable_row(r) for r in rows
    ]


def load_case_file(path: Path) -> CaseInputs:
    """Parse CASE.yaml; ``quality_report`` and ``market.comparables_file`` paths are read
    relative to the file."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InvalidInput(f"cannot read the case file {path}: {_one_line(exc)}") from None
    if not isinstance(raw, dict):
        raise InvalidInput(f"the case file {path} is not a mapping")
    _read_report(path.parent, raw)
    _read_comparables(path.parent, raw)
    return parse_case(raw)


def parse_case(raw: dict[str, Any]) -> CaseInputs:
    """Validate a case mapping; errors become one InvalidInput naming the field."""
    try:
        return CaseInputs.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "case"
        raise InvalidInput(f"{where}: {first['msg']}", errors=len(exc.errors())) from None
