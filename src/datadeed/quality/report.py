"""The quality report: a JSON document with its own digest.

``digest`` is the SHA-256 of the RFC 8785 canonical JSON of the report without the
``digest`` field (``datadeed.canonical``). The caller fills ``fingerprint`` (the dataset
fingerprint from intake) with :meth:`QualityReport.with_fingerprint`, which re-seals
the digest, so the digest always covers the fingerprint the report carries. A stored
report is also bound to its subject and issue time (:meth:`QualityReport.issued_for`).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from datadeed.canonical import canonical_json, sha256_hex
from datadeed.quality.indicators import Dimension, Indicator
from datadeed.quality.rules import MaskKind
from datadeed.quality.scoring import Eligibility, Scorecard
from datadeed.quality.values import JSONValue

__all__ = [
    "REPORT_FORMAT",
    "ColumnProfile",
    "ContributionReport",
    "DimensionReport",
    "EligibilityReport",
    "IndicatorReport",
    "PatternCounts",
    "QualityReport",
    "RuleResult",
    "RuleSample",
    "TopValue",
    "dimensions_from_scorecard",
]

REPORT_FORMAT = "datadeed-quality-report/1"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TopValue(_Model):
    value: JSONValue
    count: int


class PatternCounts(_Model):
    """How many non-null text values are wholly of each character class."""

    blank: int
    digits: int
    letters: int
    alnum_mixed: int
    cjk: int
    other: int


class ColumnProfile(_Model):
    name: str
    type: str
    null_count: int
    distinct_count: int | None
    distinct_approximate: bool
    min: JSONValue = None
    max: JSONValue = None
    min_length: int | None = None
    max_length: int | None = None
    mean_length: float | None = None
    patterns: PatternCounts | None = None
    top_values: list[TopValue] = Field(default_factory=list)
    masked_as: MaskKind | None = None
    identifier_rates: dict[str, float] = Field(default_factory=dict)


class RuleSample(_Model):
    """One failing value (or key, or group), masked where the column is an identifier."""

    values: dict[str, JSONValue]
    count: int | None = None
    previous: JSONValue = None


class RuleResult(_Model):
    id: str
    type: str
    columns: list[str]
    indicator: Indicator
    dimension: Dimension
    db31_code: str | None
    weight: float
    a: int
    b: int
    failed: int
    pass_rate: float | None
    samples: list[RuleSample]
    samples_masked: bool


class ContributionReport(_Model):
    source: str
    a: int
    b: int
    weight: float


class IndicatorReport(_Model):
    name_zh: str
    db31_code: str | None
    score: float | None
    weight: float
    contributions: list[ContributionReport]


class DimensionReport(_Model):
    score: float | None
    weight: float
    indicators: dict[str, IndicatorReport]


class EligibilityReport(_Model):
    eligible: bool
    threshold: float
    reasons: list[str]


class QualityReport(_Model):
    format: str = REPORT_FORMAT
    engine: str
    source_format: str
    row_count: int
    column_count: int
    duplicate_rows: int | None
    columns: list[ColumnProfile]
    rules: list[RuleResult]
    dimensions: dict[str, DimensionReport]
    score: float | None
    grade: str | None
    high_quality: EligibilityReport
    ruleset_name: str | None
    ruleset_version: str | None
    weight_profile_version: str
    reference_time: str | None
    options: dict[str, int | float]
    fingerprint: dict[str, Any] | None = None
    subject: str | None = None
    issued_at: str | None = None
    digest: str = ""

    def compute_digest(self) -> str:
        """SHA-256 hex of the canonical JSON of everything but ``digest``."""
        return sha256_hex(canonical_json(self.model_dump(mode="json", exclude={"digest"})))

    def sealed(self) -> QualityReport:
        """This report with ``digest`` set."""
        return self.model_copy(update={"digest": self.compute_digest()})

    def with_fingerprint(self, fingerprint: dict[str, Any] | None) -> QualityReport:
        """Attach the dataset fingerprint and re-seal."""
        return self.model_copy(update={"fingerprint": fingerprint}).sealed()

    def issued_for(self, subject: str, issued_at: str) -> QualityReport:
        """Bind the report to what it assesses (e.g. ``dataset:7/v2#1``) and when, and
        re-seal: two reports of the same bytes for two subjects get two digests."""
        return self.model_copy(update={"subject": subject, "issued_at": issued_at}).sealed()

    def digest_is_valid(self) -> bool:
        return self.digest == self.compute_digest()

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.model_dump(mode="json"), ensure_ascii=False, indent=indent)

    def column(self, name: str) -> ColumnProfile:
        return next(c for c in self.columns if c.name == name)

    def rule(self, rule_id: str) -> RuleResult:
        return next(r for r in self.rules if r.id == rule_id)


def dimensions_from_scorecard(card: Scorecard) -> dict[str, DimensionReport]:
    """The report's ``dimensions`` object, all six keys present."""
    out = {}
    for dimension, d in card.dimensions.items():
        indicators = {
            i.value.split(".", 1)[1]: IndicatorReport(
                name_zh=i.info.name_zh,
                db31_code=i.info.db31_code,
                score=s.score,
                weight=s.weight,
                contributions=[
                    ContributionReport(source=c.source, a=c.a, b=c.b, weight=c.weight)
                    for c in s.contributions
                ],
            )
            for i, s in d.indicators.items()
        }
        out[dimension.value] = DimensionReport(
            score=d.score, weight=d.weight, indicators=indicators
        )
    return out


def eligibility_report(e: Eligibility) -> EligibilityReport:
    return EligibilityReport(eligible=e.eligible, threshold=e.threshold, reasons=e.reasons)
