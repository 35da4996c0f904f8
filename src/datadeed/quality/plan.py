"""The metric plan: every quality metric, defined once as a sqlglot expression tree.

The plan builds dialect-neutral ``SELECT`` trees over a placeholder table
(:data:`SOURCE`, and ``dd_reference_<n>`` for lookup datasets). An engine only
renames those tables, renders the tree in its dialect (``tree.sql("duckdb")``,
``tree.sql("spark")``) and returns rows; the plan reads the rows back. So a metric
is written once here, and both engines compute it from the same tree.

Queries, in the order an assessment runs them (a default assessment of a table whose
text columns have at most ``exact_distinct_limit`` distinct values runs two queries over
the data: 1 and 2):

1. ``profile_query`` — one scan: row count, per column non-null count, approximate
   distinct count, min, max, text length min/max/mean, rows without nulls, and A and B
   of every row rule.
2. ``values_query`` — the data grouped by all comparable columns (the distinct rows
   and their counts) and, for columns whose approximate distinct count is at most
   ``exact_distinct_limit``: the exact distinct count, the top-k values and, for text,
   the character-pattern classes (matched once per distinct value, weighted by its
   count); and the number of distinct rows. Where the columns are counted is the
   engine's choice (:data:`ValuesShape`).
3. ``pattern_query`` — pattern classes row by row, only for text columns with more
   distinct values than that (skipped when there are none).
4. ``probe_query`` — the first ``identifier_probe_rows`` rows of text columns shaped
   like identifiers, checked in Python to spot ID/USCC/bank-card/mobile columns.
5. each set rule's ``counts`` query, then ``sample_query`` for rules that failed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

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
ValuesShape = Literal["rows", "columns", "grouping_sets"]
"""Where :meth:`MetricPlan.values_query` counts each column's values (same numbers):

- ``rows``: one ``GROUP BY`` per column over the distinct rows (``dd_rows``), so the
  data is read once — for row-oriented files (CSV, JSON), where every read parses all;
- ``columns``: one ``GROUP BY`` per column over the data itself — for Parquet, where a
  column is read alone and the distinct rows then need not be kept;
- ``grouping_sets``: one ``GROUPING SETS`` aggregate over the distinct rows — for Spark,
  one stage instead of one per column (Spark numbers grouping columns in a 64-bit mask,
  so beyond 64 columns it takes ``rows``).
"""
# Spark numbers the columns of a GROUPING SETS query in a 64-bit mask.
MAX_GROUPING_COLUMNS = 64
# The values query's common table expressions: distinct rows, and each column's values.
ROWS = "dd_rows"
GROUPS = "dd_groups"
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


@dataclass
class ValueCounts:
    """What the values query found: per column ``(exact distinct count, [(value, count)
    …] by rank)``, pattern-class counts of its text columns, and distinct rows."""

    columns: dict[str, tuple[int, list[tuple[Any, int]]]]
    patterns: dict[str, dict[str, int]]
    distinct_rows: int | None = None


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
        # COUNT(x) reads the null mask; a CASE per cell costs about twice as much.
        self._add(("values", c.name), exp.Count(this=ref.copy()))
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

    def profile_query(self) -> exp.Select:
        aliased = [e.copy().as_(f"m{i}", copy=False) for i, (_, e) in enumerate(self._metrics)]
        return exp.select(*aliased, copy=False).from_(SOURCE, copy=False)

    def read_profile(self, row: Sequence[Any]) -> dict[tuple[str, ...], Any]:
        metrics = {key: value for (key, _), value in zip(self._metrics, row, strict=True)}
        for c in self.columns:
            rows, present = metrics[("rows",)], metrics.pop(("values", c.name))
            metrics[("nulls", c.name)] = int(rows) - int(present)
        return metrics

    # -- 2. exact distinct counts, top values, text patterns, distinct rows -------------

    def row_keys(self) -> list[str]:
        """The columns whose values make two rows duplicates (every comparable one)."""
        return [c.name for c in self.columns if c.type in ORDERABLE]

    def values_query(
        self, names: Sequence[str], *, shape: ValuesShape = "rows"
    ) -> exp.Query | None:
        """One query: distinct rows, and each column of ``names`` counted exactly.

        Per column of ``names`` (rows ``dd_set = i``): the exact distinct count, the
        top-k values and, for text, the rows of each pattern class, matched once per
        distinct value and weighted by its count. Then one row with
        ``dd_set = len(names)`` and the number of distinct rows in ``dd_distinct``.
        Columns: ``dd_set``, ``dd_v0`` … ``dd_v{n-1}``, ``dd_count``, ``dd_rank``,
        ``dd_distinct`` and, if a column is text, ``dd_p_<class>``.

        ``shape`` says where the columns' values are counted; every shape gives the
        same numbers (:data:`ValuesShape`).
        """
        keys = self.row_keys()
        if not keys:
            return None
        key_refs = [col(k) for k in keys]
        count = exp.Count(this=exp.Star()).as_(COUNT)
        rows = exp.select(*key_refs, count).from_(SOURCE).group_by(*(k.copy() for k in key_refs))
        if not names:
            return self._whole_rows(names).with_(ROWS, as_=rows)
        query = exp.union(
            self._per_column(names), self._whole_rows(names), distinct=False, copy=False
        )
        query = query.with_(ROWS, as_=rows, copy=False)
        if shape == "grouping_sets" and len(names) <= MAX_GROUPING_COLUMNS:
            counts: exp.Query = _grouping_set_counts(names)
        elif shape == "columns":
            counts = self._column_counts(names, SOURCE, exp.Count(this=exp.Star()))
        else:
            counts = self._column_counts(names, ROWS, exp.Sum(this=col(COUNT)))
        return query.with_(GROUPS, as_=counts, copy=False)

    @staticmethod
    def _column_counts(names: Sequence[str], table: str, total: exp.Expr) -> exp.Query:
        """Each column's values and their rows: one ``GROUP BY`` per column of ``table``."""
        branches = []
        # Every node here is new, so the builders need not copy (n branches of n columns).
        for i, name in enumerate(names):
            values = [
                (col(name) if j == i else exp.Null()).as_(f"dd_v{j}", copy=False)
                for j in range(len(names))
            ]
            rows = total.copy().as_(COUNT, copy=False)
            branch = exp.select(_n(i).as_("dd_set", copy=False), *values, rows, copy=False)
            branches.append(branch.from_(table, copy=False).group_by(col(name), copy=False))
        if len(branches) == 1:
            return branches[0]
        return exp.union(*branches, distinct=False, copy=False)

    def _text_sets(self, names: Sequence[str]) -> list[int]:
        kinds = {c.name: c.type for c in self.columns}
        return [i for i, n in enumerate(names) if kinds[n] == "string"]

    def _per_column(self, names: Sequence[str]) -> exp.Select:
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
        rank = exp.Window(
            this=exp.RowNumber(),
            partition_by=[col("dd_set")],
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
                *self._pattern_windows(self._text_sets(names)),
            )
            .from_(GROUPS)
            .where(keep)
        )
        top = max(self.options.top_k, 1)
        return (
            exp.select(exp.Star())
            .from_(ranked.subquery("r"))
            .where(exp.LTE(this=col("dd_rank"), expression=_n(top)))
        )

    @staticmethod
    def _pattern_windows(text_sets: Sequence[int]) -> list[exp.Expr]:
        """Per pattern class: rows of the set's text column whose value is of that class."""
        if not text_sets:
            return []
        out: list[exp.Expr] = []
        for kind, pattern in PATTERN_CLASSES.items():
            matched = exp.Case(
                ifs=[
                    exp.If(
                        this=exp.and_(
                            exp.EQ(this=col("dd_set"), expression=_n(i)),
                            full_match(col(f"dd_v{i}"), pattern),
                        ),
                        true=col(COUNT),
                    )
                    for i in text_sets
                ]
            )
            total = exp.Window(this=exp.Sum(this=matched), partition_by=[col("dd_set")])
            out.append(exp.Coalesce(this=total, expressions=[_n(0)]).as_(f"dd_p_{kind}"))
        return out

    def _whole_rows(self, names: Sequence[str]) -> exp.Select:
        """One row: the number of distinct rows in ``dd_distinct``, the rest null."""
        width = len(names)
        patterns = len(PATTERN_CLASSES) if self._text_sets(names) else 0
        nulls = [f"dd_v{i}" for i in range(width)] + [COUNT, "dd_rank"]
        tail = [f"dd_p_{k}" for k in PATTERN_CLASSES][:patterns]
        return exp.select(
            _n(width).as_("dd_set"),
            *(exp.Null().as_(n) for n in nulls),
            exp.Count(this=exp.Star()).as_("dd_distinct"),
            *(exp.Null().as_(n) for n in tail),
        ).from_(ROWS)

    def read_values(self, names: Sequence[str], rows: Sequence[Sequence[Any]]) -> ValueCounts:
        width = len(names)
        text = {names[i] for i in self._text_sets(names)}
        out = ValueCounts(
            columns={n: (0, []) for n in names},
            patterns={n: dict.fromkeys(PATTERN_CLASSES, 0) for n in text},
        )
        per_column = [r for r in rows if r[0] < width]
        for row in sorted(per_column, key=lambda r: (r[0], r[width + 2])):
            name = names[row[0]]
            value, count, distinct = row[1 + row[0]], row[width + 1], row[width + 3]
            out.columns[name] = (int(distinct), [*out.columns[name][1], (value, int(count))])
            if name in text:
                found = row[width + 4 : width + 4 + len(PATTERN_CLASSES)]
                out.patterns[name] = {
                    k: int(v) for k, v in zip(PATTERN_CLASSES, found, strict=True)
                }
        for row in rows:
            if row[0] == width:
                out.distinct_rows = int(row[width + 3])
        return out

    # -- 3. text patterns of columns with too many distinct values ----------------------

    def pattern_query(self, names: Sequence[str]) -> exp.Select | None:
        """Pattern classes counted row by row, for text columns not in the values query."""
        if not names:
            return None
        counts = [
            count_if(full_match(col(n), pattern)).as_(f"m{i}")
            for i, (n, pattern) in enumerate(
                (n, p) for n in names for p in PATTERN_CLASSES.values()
            )
        ]
        return exp.select(*counts).from_(SOURCE)

    @staticmethod
    def read_patterns(names: Sequence[str], row: Sequence[Any]) -> dict[str, dict[str, int]]:
        per = len(PATTERN_CLASSES)
        return {
            n: {
                k: int(v)
                for k, v in zip(PATTERN_CLASSES, row[j * per : (j + 1) * per], strict=True)
            }
            for j, n in enumerate(names)
        }

    # -- 4. identifier probe -------------------------------------------------------------

    def probe_query(self, names: Sequence[str]) -> exp.Select | None:
        if not names:
            return None
        return (
            exp.select(*(col(n) for n in names))
            .from_(SOURCE)
            .limit(self.options.identifier_probe_rows)
        )

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


def _grouping_set_counts(names: Sequence[str]) -> exp.Select:
    """:meth:`MetricPlan._column_counts` as one ``GROUPING SETS`` aggregate."""
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
    total = exp.Sum(this=col(COUNT)).as_(COUNT)
    grouped = exp.select(which.as_("dd_set"), *values, total).from_(ROWS)
    sets = exp.GroupingSets(expressions=[exp.Tuple(expressions=[r.copy()]) for r in refs])
    grouped.set("group", exp.Group(grouping_sets=[sets]))
    return grouped
