"""Quality → value: a versioned coefficient table turns a quality report into the
coefficients each approach uses, and says where each one came from.

Default table (DOMAIN.md §12, an [I] proposal kept as configuration):

- cost approach, utility coefficient from the grade: A 1.00, B 0.90, C 0.80, D 0.65,
  E not eligible;
- income approach, a quality premium added to the discount rate:
  ``premium = slope × (1 − Q)`` with ``Q = score / 100`` and slope 0.10;
- market approach, ``quality adjustment = Q_subject ÷ Q_comparable``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from datadeed.errors import InvalidInput
from datadeed.valuation.steps import rate

__all__ = [
    "DEFAULT_TABLE",
    "TABLES",
    "CoefficientTable",
    "NotEligibleForValuation",
    "QualityCoefficients",
    "QualityInput",
    "coefficients_for",
    "quality_from_report",
]


class NotEligibleForValuation(InvalidInput):
    """The quality grade maps to no coefficient (grade E in the default table)."""

    code = "not_eligible_for_valuation"
    status = 422
    title = "Quality too low to value"


class CoefficientTable(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str
    cost_by_grade: dict[str, Decimal | None]
    income_premium_slope: Decimal = Field(ge=0)


DEFAULT_TABLE = CoefficientTable(
    version="datadeed-qv/2026.1",
    cost_by_grade={
        "A": Decimal("1.00"),
        "B": Decimal("0.90"),
        "C": Decimal("0.80"),
        "D": Decimal("0.65"),
        "E": None,
    },
    income_premium_slope=Decimal("0.10"),
)
TABLES: dict[str, CoefficientTable] = {DEFAULT_TABLE.version: DEFAULT_TABLE}


class QualityInput(BaseModel):
    """The part of a quality report valuation uses (score 0–100, grade, digest)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    score: Decimal = Field(ge=0, le=100)
    grade: str = Field(min_length=1, max_length=8)
    digest: str | None = None
    weight_profile_version: str | None = None


class QualityCoefficients(BaseModel):
    model_config = ConfigDict(frozen=True)

    table_version: str
    score: Decimal
    q: Decimal
    grade: str
    report_digest: str | None
    cost_utility: Decimal
    income_premium: Decimal
    provenance: dict[str, str]


def quality_from_report(report: Mapping[str, Any]) -> QualityInput:
    """Read score, grade and digest from a ``datadeed assess`` report (JSON mapping)."""
    score, grade = report.get("score"), report.get("grade")
    if score is None or grade is None:
        raise InvalidInput("the quality report has no overall score and grade")
    return QualityInput(
        score=Decimal(str(score)),
        grade=str(grade),
        digest=report.get("digest") or None,
        weight_profile_version=report.get("weight_profile_version"),
    )


def _table(version: str) -> CoefficientTable:
    try:
        return TABLES[version]
    except KeyError:
        known = ", ".join(sorted(TABLES))
        raise InvalidInput(f"unknown coefficient table {version!r} (known: {known})") from None


def coefficients_for(
    quality: QualityInput, version: str = DEFAULT_TABLE.version
) -> QualityCoefficients:
    """The coefficients of ``quality`` under table ``version``, each with its provenance."""
    table = _table(version)
    if quality.grade not in table.cost_by_grade:
        raise InvalidInput(f"grade {quality.grade!r} is not in table {table.version}")
    cost_u = table.cost_by_grade[quality.grade]
    if cost_u is None:
        raise NotEligibleForValuation(
            f"quality grade {quality.grade} is not eligible for valuation under {table.version}"
        )
    q = quality.score / Decimal(100)
    premium = rate(table.income_premium_slope * (Decimal(1) - q))
    source = f"quality report {quality.digest[:12]}" if quality.digest else "entered quality"
    return QualityCoefficients(
        table_version=table.version,
        score=quality.score,
        q=q,
        grade=quality.grade,
        report_digest=quality.digest,
        cost_utility=cost_u,
        income_premium=premium,
        provenance={
            "q": f"Q = score ÷ 100 = {quality.score} ÷ 100 ({source})",
            "cost_utility": f"grade {quality.grade} → {cost_u} ({table.version}, cost_by_grade)",
            "income_premium": (
                f"{table.income_premium_slope} × (1 − {q}) = {premium} "
                f"({table.version}, income_premium_slope)"
            ),
            "market_quality": "Q_subject ÷ Q_comparable per comparable",
        },
    )
