"""The metric plan: every quality metric, defined once as a sqlglot expression tree.

The plan builds dialect-neutral ``SELECT`` trees over a placeholder table
(:data:`SOURCE`, and ``dd_reference_<n>`` for lookup datasets). An engine only
renames those tables, renders the tree in its dialect (``tree.sql("duckdb")``,
``tree.sql("spark")``) and returns rows; the plan reads the rows back. So a metric
is written once here, and both engines compute it from the same tree.

Queries, in the order an assessment runs them:

1. ``profile_query`` — one scan: row count, per column null count, approximate
   distinct count, min, max, text length min/max/mean, character-pattern classes,
   rows without nulls, and A and B of every row rule.
2. ``distinct_query`` — for columns whose approximate distinct count is at most
   ``exact_distinct_limit``: the exact distinct count and the top-k values, all
   columns in one ``GROUPING SETS`` query.
3. ``probe_query`` — the first ``identifier_probe_rows`` rows of text columns shaped
   like identifiers, checked in Python to spot ID/USCC/bank-card/mobile columns.
4. ``duplicate_query`` — rows minus distinct rows.
5. each set rule's ``counts`` query, then ``sample_query`` for rules that failed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlglot import exp

from datadeed.quality.checks import (
    COUNT,
    ColumnInfo,
    RowCheck,
    RuleCompiler,
    SetCheck,
    col,
    count_if,
    full_match,
    not_null,
    ordered,
)
from datadeed.quality.rules import RuleSet

__all__ = ["PATTERN_CLASSES", "SOURCE", "AssessOptions", "MetricPlan", "reference_table"]

SOURCE = "dd_source"
# Character classes of whole text values. The CJK range is written as literal
# characters because RE2 and java.util.regex spell \\u escapes differently.
PATTERN_CLASSES: dict[str, str] = {
    "blank": r"\s*",
    "digits": "[0-9]+",
    "letters": "[A-Za-z]+",
    "alnum": "[A-Za-z0-9]+",
    "cjk": "[\u4e00-\u9fff]+",
}
ORDERABLE = frozenset(
    {"string", "integer", "float", "decimal", "boolean", "date", "timestamp", "time"}
)
# Identifier-shaped text: 11 (mobile) to 19 (bank card) characters, +86 allowed.
PROBE_LENGTHS = (11, 23)


def reference_table(n: int) -> str:
    return f"dd_reference_{n}"


@dataclass(frozen=True)
class AssessOptions:
    """Knobs that change what a report contains; they are recorded in the report."""

    sample_limit: int = 10
    top_k: int = 10
    exact_distinct_limit: int = 100_000
    identifier_probe_rows: int = 1000
    identifier_rate_threshold: float = 0.9

    def __post_init__(self) -> None:
        counts = (self.sample_limit, self.top_k, self.exact_distinct_limit)
        if min(counts) < 0 or self.identifier_probe_rows < 1:
            raise ValueError("limits must not be negative and the probe needs at least one row")
        if not 0 < self.identifier_rate_threshold <= 1:
            raise ValueError("identifier_rate_threshold is a share in (0, 1]")

    def as_dict(self) -> dict[str, int | float]:
        return dict(self.__dict__)


class MetricPlan:
    """Every query of one assessment, as sqlglot trees over :data:`SOURCE`."""

    def __init__(
        self,
        columns: Sequence[ColumnInfo],
        ruleset: RuleSet,
        options: AssessOptions,
        *,
        reference_time: datetime,
        references: Mapping[str, tuple[str, Sequence[ColumnInfo]]] | None = None,
    ) -> None:
        self.columns = list(columns)
        self.options = options
        compiler = RuleCompiler(
            SOURCE,
            self.columns,
            reference_time=reference_time,
            sample_limit=options.sample_limit,
            references=references,
        )
        self.checks: dict[str, RowCheck | SetCheck] = {
            rule.rule_id: compiler.compile(rule) for rule in ruleset.rules
        }
        self._metrics: list[tuple[tuple[str, ...], exp.Expr]] = []
        self._build_profile_metrics()

    # -- 1. profile ----------------------------------------------------------------------

    def _add(self, key: tuple[str, ...], expression: exp.Expr) -> None:
        self._metrics.append((key, expression))

    def _build_profile_metrics(self) -> None:
        self._add(("rows",), exp.Count(this=exp.Star()))
        self._add(("complete_rows",), count_if(not_null(*(col(c.name) for c in self.columns))))
        for c in self.columns:
            self._column_metrics(c)
        for rule_id, check in self.checks.items():
            if isinstance(check, RowCheck):
                self._add(("rule_b", rule_id), count_if(check.evaluated))
                self._add(("rule_a", rule_id), count_if(exp.and_(check.evaluated, check.passed)))

    def _column_metrics(self, c: ColumnInfo) -> None:
        ref = col(c.name)
        self._add(("nulls", c.name), count_if(exp.Is(this=ref, expression=exp.Null())))
        if c.type not in ORDERABLE:
            return
        self._add(("approx_distinct", c.name), exp.ApproxDistinct(this=ref.copy()))
        self._add(("min", c.name), exp.Min(this=ref.copy()))
        self._add(("max", c.name), exp.Max(this=ref.copy()))
        if c.type != "string":
            return
        length = exp.Length(this=ref.copy())
        self._add(("len_min", c.name), exp.Min(this=length))
        self._add(("len_max", c.name), exp.Max(this=length.copy()))
        self._add(("len_mean", c.name), exp.Avg(this=length.copy()))
        for name, pattern in PATTERN_CLASSES.items():
            self._add(("pattern", c.name, name), count_if(full_match(ref.copy(), pattern)))

    def profile_query(self) -> exp.Select:
        aliased = [e.as_(f"m{i}") for i, (_, e) in enumerate(self._metrics)]
        return exp.select(*aliased).from_(SOURCE)

    def read_profile(self, row: Sequence[Any]) -> dict[tuple[str, ...], Any]:
        return {key: value for (key, _), value in zip(self._metrics, row, strict=True)}

    # -- 2. exact distinct counts and top values -----------------------------------------

    def distinct_query(self, names: Sequence[str]) -> exp.Select | None:
        """Exact distinct count and top-k of several columns in one GROUPING SETS scan."""
        if not names:
            return None
        refs = [col(n) for n in names]
        which = exp.Case(
            ifs=[
                exp.If(
                    this=exp.EQ(this=exp.func("GROUPING", r.copy()), expression=_n(0)),
                    true=_n(i),
                )
                for i, r in enumerate(refs)
            ]
        )
        values = [r.copy().as_(f"dd_v{i}") for i, r in enumerate(refs)]
        grouped = exp.select(which.as_("dd_set"), *values, exp.Count(this=exp.Star()).as_(COUNT))
        grouped = grouped.from_(SOURCE)
        sets = exp.GroupingSets(expressions=[exp.Tuple(expressions=[r.copy()]) for r in refs])
        grouped.set("group", exp.Group(grouping_sets=[sets]))
        vs = [col(f"dd_v{i}") for i in range(len(names))]
        # One CASE, not an OR of ANDs: Spark's constraint propagation explodes on the latter.
        own_value = exp.Case(
            ifs=[
                exp.If(this=exp.EQ(this=col("dd_set"), expression=_n(i)), true=not_null(v))
                for i, v in enumerate(vs)
            ],
            default=exp.false(),
        )
        keep = exp.EQ(this=own_value, expression=exp.true())
        by_set = [col("dd_set")]
        rank = exp.Window(
            this=exp.RowNumber(),
            partition_by=by_set,
            order=exp.Order(
                expressions=[*ordered(col(COUNT), desc=True), *ordered(*(v.copy() for v in vs))]
            ),
        )
        distinct = exp.Window(this=exp.Count(this=exp.Star()), partition_by=[col("dd_set")])
        ranked = (
            exp.select(
                col("dd_set"),
                *(v.copy() for v in vs),
                col(COUNT),
                rank.as_("dd_rank"),
                distinct.as_("dd_distinct"),
            )
            .from_(grouped.subquery("g"))
            .where(keep)
        )
        top = max(self.options.top_k, 1)
        return (
            exp.select(exp.Star())
            .from_(ranked.subquery("r"))
            .where(exp.LTE(this=col("dd_rank"), expression=_n(top)))
        )

    @staticmethod
    def read_distinct(
        names: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> dict[str, tuple[int, list[tuple[Any, int]]]]:
        """``{column: (exact distinct count, [(value, count), …] by rank)}``."""
        out: dict[str, tuple[int, list[tuple[Any, int]]]] = {n: (0, []) for n in names}
        width = len(names)
        for row in sorted(rows, key=lambda r: (r[0], r[width + 2])):
            name = names[row[0]]
            value, count, distinct = row[1 + row[0]], row[width + 1], row[width + 3]
            out[name] = (int(distinct), [*out[name][1], (value, int(count))])
        return out

    # -- 3. identifier probe -------------------------------------------------------------

    def probe_query(self, names: Sequence[str]) -> exp.Select | None:
        if not names:
            return None
        return (
            exp.select(*(col(n) for n in names))
            .from_(SOURCE)
            .limit(self.options.identifier_probe_rows)
        )

    # -- 4. duplicate rows ---------------------------------------------------------------

    def duplicate_query(self) -> exp.Select | None:
        keys = [col(c.name) for c in self.columns if c.type in ORDERABLE]
        if not keys:
            return None
        groups = exp.select(exp.Count(this=exp.Star()).as_(COUNT)).from_(SOURCE).group_by(*keys)
        extra = exp.Sub(this=col(COUNT), expression=_n(1))
        total = exp.Coalesce(this=exp.Sum(this=extra), expressions=[_n(0)])
        return exp.select(total.as_("duplicates")).from_(groups.subquery("g"))

    # -- 5. rule samples -----------------------------------------------------------------

    def sample_query(self, rule_id: str) -> exp.Select:
        check = self.checks[rule_id]
        if isinstance(check, SetCheck):
            return check.samples
        names = list(dict.fromkeys(check.sample_columns))
        failing = exp.Not(this=exp.Coalesce(this=check.passed.copy(), expressions=[exp.false()]))
        return (
            exp.select(*(col(n) for n in names))
            .from_(SOURCE)
            .where(exp.and_(check.evaluated.copy(), failing))
            .order_by(*ordered(*(col(n) for n in names)))
            .limit(self.options.sample_limit)
        )

    def sample_columns(self, rule_id: str) -> list[str]:
        check = self.checks[rule_id]
        if isinstance(check, SetCheck):
            return check.sample_columns
        return list(dict.fromkeys(check.sample_columns))


def _n(value: int) -> exp.Expr:
    return exp.Literal.number(value)
