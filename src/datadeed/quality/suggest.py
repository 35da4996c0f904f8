"""Propose a rule set from a column profile (``datadeed rules suggest PATH``).

Suggestions describe the data as it is, so an assessment of the same data with them
passes (except approximate uniqueness, which the rule then checks exactly). A person
reviews them before they become the dataset's declared rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from datadeed.quality.report import ColumnProfile, QualityReport
from datadeed.quality.rules import (
    EnumRule,
    IdentifierRule,
    LengthRule,
    NotNullRule,
    RangeRule,
    RegexRule,
    RuleSet,
    UniqueRule,
    ruleset_to_yaml,
)

__all__ = ["SuggestOptions", "suggest_rules", "suggest_rules_yaml"]

_RANGED = frozenset({"integer", "float", "decimal", "date", "timestamp"})
_ENUM_TYPES = frozenset({"string", "integer", "boolean"})


@dataclass(frozen=True)
class SuggestOptions:
    enum_max_values: int = 10
    identifier_min_rate: float = 0.95
    approximate_unique_ratio: float = 0.98


def suggest_rules(profile: QualityReport, options: SuggestOptions | None = None) -> RuleSet:
    """Rules that the profiled data satisfies: not-null, unique, identifier, enum, range, regex."""
    options = options or SuggestOptions()
    rules: list[Any] = []
    for column in profile.columns:
        rules.extend(_for_column(column, profile.row_count, options))
    return RuleSet(version="suggested/1", name="suggested from profile", rules=rules)


def suggest_rules_yaml(profile: QualityReport, options: SuggestOptions | None = None) -> str:
    return ruleset_to_yaml(suggest_rules(profile, options))


def _for_column(c: ColumnProfile, rows: int, options: SuggestOptions) -> Iterator[Any]:
    if rows == 0:
        return
    if c.null_count == 0:
        yield NotNullRule(type="not_null", column=c.name)
    yield from _unique(c, rows, options)
    kind = _identifier_kind(c, options)
    if kind is not None:
        yield IdentifierRule(type="identifier", column=c.name, kind=kind)
        return
    enum = _enum(c, rows, options)
    if enum is not None:
        yield enum
        return
    if c.type in _RANGED and c.min is not None and c.max is not None:
        yield RangeRule(type="range", column=c.name, min=c.min, max=c.max)
    elif c.type == "string":
        yield from _text_shape(c)


def _unique(c: ColumnProfile, rows: int, options: SuggestOptions) -> Iterator[UniqueRule]:
    if c.null_count or c.distinct_count is None or rows < 2:
        return
    if not c.distinct_approximate and c.distinct_count == rows:
        yield UniqueRule(type="unique", columns_=[c.name])
    elif c.distinct_approximate and c.distinct_count >= options.approximate_unique_ratio * rows:
        note = "suggested from an approximate distinct count; the rule checks it exactly"
        yield UniqueRule(type="unique", columns_=[c.name], description=note)


def _identifier_kind(c: ColumnProfile, options: SuggestOptions) -> str | None:
    if not c.identifier_rates:
        return None
    kind = max(c.identifier_rates, key=lambda k: c.identifier_rates[k])
    return kind if c.identifier_rates[kind] >= options.identifier_min_rate else None


def _enum(c: ColumnProfile, rows: int, options: SuggestOptions) -> EnumRule | None:
    if c.type not in _ENUM_TYPES or c.masked_as is not None or c.distinct_approximate:
        return None
    n = c.distinct_count or 0
    if not 0 < n <= options.enum_max_values or len(c.top_values) != n or 2 * n > rows:
        return None
    values = sorted((v.value for v in c.top_values if v.value is not None), key=str)
    return EnumRule(type="enum", column=c.name, values=values)


_SHAPES = (
    ("digits", "[0-9]"),
    ("letters", "[A-Za-z]"),
    ("cjk", "[\u4e00-\u9fff]"),
)


def _text_shape(c: ColumnProfile) -> Iterator[RegexRule | LengthRule]:
    """A regex when every value is of one character class, else a length rule."""
    p = c.patterns
    if p is None or c.min_length is None or c.max_length is None:
        return
    non_null = p.blank + p.digits + p.letters + p.alnum_mixed + p.cjk + p.other
    repeat = _repeat(c.min_length, c.max_length)
    for name, cls in _SHAPES:
        if non_null and getattr(p, name) == non_null:
            yield RegexRule(type="regex", column=c.name, pattern=f"{cls}{repeat}")
            return
    if non_null and p.digits + p.letters + p.alnum_mixed == non_null:
        yield RegexRule(type="regex", column=c.name, pattern=f"[A-Za-z0-9]{repeat}")
        return
    yield LengthRule(type="length", column=c.name, min=c.min_length, max=c.max_length)


def _repeat(low: int, high: int) -> str:
    return f"{{{low}}}" if low == high else f"{{{max(low, 1)},{high}}}"
