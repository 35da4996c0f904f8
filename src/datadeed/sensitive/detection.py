"""Column-level decisions: from per-recognizer counts over a whole column to the column's
PI types, confidence and proposed grade. Pure logic; the counts come from ``scan.py``.

A column holds a PI type when the type's share of the column's non-null values is at
least :data:`MIN_SHARE`, and the shares of all its types together reach
:data:`MIN_RATE` (:data:`MIN_RATE_HINTED` when the column name hints at one of them).
Name-only recognizers (health, religion, biometrics) rest on the column name alone and
get a fixed, lower confidence. Confidence is the matched share, discounted for
recognizers without a validation and raised a little by a hinting name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from datadeed.sensitive.grading import ColumnGrade, grade_column
from datadeed.sensitive.recognizers import by_type, hint_matches

__all__ = [
    "MIN_RATE",
    "MIN_RATE_HINTED",
    "MIN_SHARE",
    "ColumnCounts",
    "ColumnFinding",
    "decide",
]

MIN_SHARE = 0.05
MIN_RATE = 0.5
MIN_RATE_HINTED = 0.2
NAME_ONLY_CONFIDENCE = 0.6
UNVALIDATED_DISCOUNT = 0.85
HINT_BONUS = 0.1
# A column shaped like UnionPay cards whose Luhn check mostly fails: legacy BINs exist
# (DOMAIN.md §9.3), so warn instead of detecting.
CARD_SHAPE_WARN = 0.5


@dataclass(frozen=True)
class ColumnCounts:
    """What the engine counted in one column."""

    name: str
    type: str
    non_null: int
    matches: dict[str, int]
    card_shaped: int = 0
    minors: int = 0


@dataclass(frozen=True)
class ColumnFinding:
    name: str
    type: str
    non_null: int
    pi_types: tuple[str, ...]
    confidence: float
    match_count: int
    grade: ColumnGrade
    warnings: tuple[str, ...] = ()
    samples: tuple[str, ...] = field(default=())

    @property
    def sensitive(self) -> bool:
        return self.grade.sensitive

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "pi_types": list(self.pi_types),
            "confidence": self.confidence,
            "match_count": self.match_count,
            "non_null": self.non_null,
            "sensitive": self.sensitive,
            "categories": list(self.grade.categories),
            "sensitive_grounds": list(self.grade.sensitive_grounds),
            "grade": self.grade.grade,
            "warnings": list(self.warnings),
            "samples": list(self.samples),
        }


def _shares(counts: ColumnCounts) -> dict[str, float]:
    if counts.non_null == 0:
        return {}
    shares = {t: n / counts.non_null for t, n in counts.matches.items()}
    return {t: s for t, s in shares.items() if s >= MIN_SHARE}


def _selected(counts: ColumnCounts) -> tuple[list[str], bool]:
    """The PI types the column holds, most frequent first, and whether the name hints."""
    shares = _shares(counts)
    ordered = sorted(shares, key=lambda t: (-shares[t], t))
    hinted = any(hint_matches(by_type(t), counts.name) for t in ordered)
    name_only = [t for t in ordered if by_type(t).kind == "name_only"]
    if name_only:
        return name_only, True
    needed = MIN_RATE_HINTED if hinted else MIN_RATE
    if sum(shares.values()) < needed:
        return [], hinted
    return ordered, hinted


def _confidence(counts: ColumnCounts, types: list[str], hinted: bool) -> float:
    if any(by_type(t).kind == "name_only" for t in types):
        return NAME_ONLY_CONFIDENCE
    score = 0.0
    for t in types:
        share = counts.matches[t] / counts.non_null
        score += share if by_type(t).validated else share * UNVALIDATED_DISCOUNT
    return round(min(1.0, score + (HINT_BONUS if hinted else 0.0)), 3)


def _warnings(counts: ColumnCounts, types: list[str]) -> tuple[str, ...]:
    if not counts.non_null or "bank_card" in types:
        return ()
    if counts.card_shaped / counts.non_null >= CARD_SHAPE_WARN:
        return ("bank_card_luhn_failed",)
    return ()


def decide(counts: ColumnCounts) -> ColumnFinding:
    """The finding for one column."""
    types, hinted = _selected(counts)
    match_count = sum(counts.matches[t] for t in types)
    confidence = _confidence(counts, types, hinted) if types else 0.0
    minors = "birth_date" in types and counts.minors > 0
    return ColumnFinding(
        name=counts.name,
        type=counts.type,
        non_null=counts.non_null,
        pi_types=tuple(types),
        confidence=confidence,
        match_count=min(match_count, counts.non_null),
        grade=grade_column(types, minors=minors),
        warnings=_warnings(counts, types),
    )
