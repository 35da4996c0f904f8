"""De-identification check: k-anonymity and l-diversity over declared quasi-identifiers,
with re-identification risk figures, counted over the full data by a quality engine.

- equivalence class: the rows sharing one combination of quasi-identifier values;
- k: the size of the smallest class (every row hides among at least k);
- l: the fewest distinct values of the sensitive attribute within a class;
- prosecutor risk: the highest re-identification probability is 1/k, the average is
  classes/rows; ``rows_at_risk`` counts rows in classes smaller than ``k_min``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlglot import exp

from datadeed.quality.checks import col
from datadeed.quality.engines import get_engine
from datadeed.sensitive.errors import UnknownColumn

__all__ = ["AnonymityResult", "check_anonymity"]

SOURCE = "dd_source"


@dataclass(frozen=True)
class AnonymityResult:
    quasi_identifiers: tuple[str, ...]
    sensitive_attribute: str | None
    rows: int
    classes: int
    k: int
    l_diversity: int | None
    rows_at_risk: int
    k_min: int
    l_min: int

    @property
    def max_risk(self) -> float:
        return round(1 / self.k, 6) if self.k else 1.0

    @property
    def average_risk(self) -> float:
        return round(self.classes / self.rows, 6) if self.rows else 1.0

    @property
    def passed(self) -> bool:
        if self.rows == 0 or self.k < self.k_min:
            return False
        return self.l_diversity is None or self.l_diversity >= self.l_min

    def as_dict(self) -> dict[str, Any]:
        return {
            "quasi_identifiers": list(self.quasi_identifiers),
            "sensitive_attribute": self.sensitive_attribute,
            "rows": self.rows,
            "classes": self.classes,
            "k": self.k,
            "l": self.l_diversity,
            "rows_at_risk": self.rows_at_risk,
            "max_risk": self.max_risk,
            "average_risk": self.average_risk,
            "k_min": self.k_min,
            "l_min": self.l_min,
            "passed": self.passed,
        }


def anonymity_query(
    quasi_identifiers: Sequence[str], sensitive: str | None, k_min: int
) -> exp.Select:
    """One query: rows, classes, k, l and rows in classes smaller than ``k_min``."""
    keys = [col(q) for q in quasi_identifiers]
    inner = exp.select(exp.alias_(exp.Count(this=exp.Star()), "dd_size", quoted=True, copy=False))
    if sensitive is not None:
        distinct = exp.Count(this=exp.Distinct(expressions=[col(sensitive)]))
        inner = inner.select(exp.alias_(distinct, "dd_l", quoted=True, copy=False))
    inner = inner.from_(SOURCE).group_by(*keys)
    size = col("dd_size")
    small = exp.Case(
        ifs=[exp.If(this=exp.LT(this=size, expression=exp.Literal.number(k_min)), true=size)]
    )
    outer = exp.select(
        exp.Sum(this=size),
        exp.Count(this=exp.Star()),
        exp.Min(this=size),
        exp.Min(this=col("dd_l")) if sensitive is not None else exp.Null(),
        exp.Sum(this=small),
    )
    return outer.from_(exp.alias_(exp.Paren(this=inner), "dd_classes", table=True, copy=False))


def check_anonymity(
    path: Path,
    quasi_identifiers: Sequence[str],
    sensitive_attribute: str | None = None,
    *,
    k_min: int = 5,
    l_min: int = 2,
    engine: str = "duckdb",
    engine_options: dict[str, Any] | None = None,
) -> AnonymityResult:
    """k-anonymity and l-diversity of the (canonical Parquet) file at ``path``."""
    if not quasi_identifiers:
        raise UnknownColumn("declare at least one quasi-identifier")
    with get_engine(engine, **(engine_options or {})).executor() as executor:
        names = {c.name for c in executor.attach(SOURCE, path)}
        wanted = [*quasi_identifiers, *([sensitive_attribute] if sensitive_attribute else [])]
        missing = [n for n in wanted if n not in names]
        if missing:
            raise UnknownColumn(f"the dataset has no column {missing[0]!r}")
        if sensitive_attribute in quasi_identifiers:
            raise UnknownColumn("the sensitive attribute cannot also be a quasi-identifier")
        row = executor.fetch(anonymity_query(quasi_identifiers, sensitive_attribute, k_min))[0]
    rows, classes, k, l_div, at_risk = row
    return AnonymityResult(
        tuple(quasi_identifiers),
        sensitive_attribute,
        int(rows or 0),
        int(classes or 0) if rows else 0,
        int(k or 0),
        int(l_div) if l_div is not None else None,
        int(at_risk or 0),
        k_min,
        l_min,
    )
