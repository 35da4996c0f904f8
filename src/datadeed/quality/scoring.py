"""Rule A/B → second-level indicator → dimension → overall score 0–100 → grade.

Pure functions. Aggregation (DOMAIN.md §3):

- a *contribution* is one (A, B) pair: a declared rule, or a built-in measure
  (element completeness, record completeness, duplication rate). Its ratio is A/B; a
  contribution with B = 0 has nothing to evaluate and is left out;
- indicator score = 100 × weighted mean of its contributions' ratios (rule ``weight``);
- dimension score = weighted mean of its assessed indicators (profile ``indicators``);
- overall score = weighted mean of the assessed dimensions (profile ``dimensions``).

Weights are re-normalised over what was assessed at every level. Something with
nothing to evaluate is *not assessed* (``None``), never 100; a weight of 0 leaves a
dimension or indicator out of the mean. The grade comes from the rounded score.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field, model_validator

from datadeed.quality.indicators import Dimension, Indicator, indicators_of

__all__ = [
    "DEFAULT_WEIGHT_PROFILE",
    "Contribution",
    "DimensionScore",
    "Eligibility",
    "GradeBand",
    "IndicatorScore",
    "Scorecard",
    "WeightProfile",
    "grade_for",
    "high_quality_eligibility",
    "score_contributions",
]

SCORE_DIGITS = 4


class GradeBand(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    grade: str = Field(min_length=1, max_length=8)
    min_score: float = Field(ge=0, le=100)


class WeightProfile(BaseModel):
    """A versioned set of weights, grade bands and the high-quality threshold."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = "gbt36344-equal/1"
    dimensions: dict[Dimension, float] = Field(
        default_factory=lambda: dict.fromkeys(Dimension, 1.0)
    )
    indicators: dict[Indicator, float] = Field(default_factory=dict)
    grade_bands: list[GradeBand] = Field(
        default_factory=lambda: [
            GradeBand(grade=g, min_score=s) for g, s in (("A", 90), ("B", 80), ("C", 70), ("D", 60))
        ]
    )
    lowest_grade: str = "E"
    high_quality_threshold: float = Field(80.0, ge=0, le=100)
    builtin_indicators: bool = True

    @model_validator(mode="after")
    def _check(self) -> WeightProfile:
        if any(w < 0 for w in [*self.dimensions.values(), *self.indicators.values()]):
            raise ValueError("weights must not be negative")
        scores = [b.min_score for b in self.grade_bands]
        if scores != sorted(scores, reverse=True) or len(set(scores)) != len(scores):
            raise ValueError("grade bands must have strictly decreasing min_score")
        return self

    def dimension_weight(self, dimension: Dimension) -> float:
        return self.dimensions.get(dimension, 0.0)

    def indicator_weight(self, indicator: Indicator) -> float:
        return self.indicators.get(indicator, 1.0)


DEFAULT_WEIGHT_PROFILE = WeightProfile()


@dataclass(frozen=True)
class Contribution:
    """One A/B pair feeding an indicator."""

    indicator: Indicator
    source: str
    a: int
    b: int
    weight: float = 1.0

    def __post_init__(self) -> None:
        if not 0 <= self.a <= self.b:
            raise ValueError(f"{self.source}: need 0 <= A <= B, got A={self.a} B={self.b}")
        if self.weight < 0:
            raise ValueError(f"{self.source}: weight must not be negative")

    @property
    def ratio(self) -> float | None:
        """A/B, or None when nothing was evaluated."""
        return self.a / self.b if self.b else None


@dataclass(frozen=True)
class IndicatorScore:
    indicator: Indicator
    score: float | None
    weight: float
    contributions: list[Contribution]


@dataclass(frozen=True)
class DimensionScore:
    dimension: Dimension
    score: float | None
    weight: float
    indicators: dict[Indicator, IndicatorScore]


@dataclass(frozen=True)
class Scorecard:
    dimensions: dict[Dimension, DimensionScore]
    score: float | None
    grade: str | None
    profile_version: str
    contributions: list[Contribution] = field(default_factory=list)


def _weighted_mean(pairs: Iterable[tuple[float | None, float]]) -> float | None:
    """Mean of the non-None values, weights re-normalised over them; None if none count."""
    assessed = [(v, w) for v, w in pairs if v is not None and w > 0]
    total = sum(w for _, w in assessed)
    if not assessed or total <= 0:
        return None
    mean = sum(v * w for v, w in assessed) / total
    return min(max(mean, 0.0), 100.0)  # clamp float noise at the ends


def _indicator(indicator: Indicator, items: list[Contribution], weight: float) -> IndicatorScore:
    ratios = [(None if c.ratio is None else 100.0 * c.ratio, c.weight) for c in items]
    return IndicatorScore(indicator, _round(_weighted_mean(ratios)), weight, items)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, SCORE_DIGITS)


def score_contributions(
    contributions: Iterable[Contribution], profile: WeightProfile = DEFAULT_WEIGHT_PROFILE
) -> Scorecard:
    """Aggregate contributions into indicator, dimension and overall scores and a grade."""
    items = list(contributions)
    by_indicator: dict[Indicator, list[Contribution]] = {}
    for c in items:
        by_indicator.setdefault(c.indicator, []).append(c)
    dimensions: dict[Dimension, DimensionScore] = {}
    for dimension in Dimension:
        scores = {
            i: _indicator(i, by_indicator.get(i, []), profile.indicator_weight(i))
            for i in indicators_of(dimension)
        }
        value = _weighted_mean((s.score, s.weight) for s in scores.values())
        weight = profile.dimension_weight(dimension)
        dimensions[dimension] = DimensionScore(dimension, _round(value), weight, scores)
    overall = _round(_weighted_mean((d.score, d.weight) for d in dimensions.values()))
    return Scorecard(dimensions, overall, grade_for(overall, profile), profile.version, items)


def grade_for(score: float | None, profile: WeightProfile = DEFAULT_WEIGHT_PROFILE) -> str | None:
    """The first band whose minimum the score reaches; the lowest grade below all bands."""
    if score is None:
        return None
    for band in profile.grade_bands:
        if score >= band.min_score:
            return band.grade
    return profile.lowest_grade


@dataclass(frozen=True)
class Eligibility:
    """The "high-quality dataset" predicate behind the 10% dataset reward (DOMAIN.md §5)."""

    eligible: bool
    threshold: float
    reasons: list[str]


def high_quality_eligibility(
    scorecard: Scorecard, profile: WeightProfile = DEFAULT_WEIGHT_PROFILE
) -> Eligibility:
    """Eligible when the overall score reaches the threshold and no security rule failed."""
    threshold = profile.high_quality_threshold
    reasons = []
    if scorecard.score is None:
        reasons.append("no quality dimension could be assessed")
    elif scorecard.score < threshold:
        reasons.append(f"overall score {scorecard.score:g} is below {threshold:g}")
    failed = [
        c.source for c in scorecard.contributions if c.indicator is Indicator.SECURITY and c.a < c.b
    ]
    if failed:
        reasons.append("security rules failed: " + ", ".join(sorted(failed)))
    return Eligibility(not reasons, threshold, reasons)


def dimension_scores(scorecard: Scorecard) -> Mapping[str, float | None]:
    """``{dimension: score}``, the compact view used in listings."""
    return {d.value: s.score for d, s in scorecard.dimensions.items()}
