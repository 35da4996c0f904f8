"""The scanner: counts every recognizer over the FULL data through a quality engine.

One scan plan, built as sqlglot trees over the placeholder table ``dd_source``, runs on
DuckDB (default) and on Spark through the quality engines' executors (which register
the :mod:`datadeed.identifiers` validators as ``dd_valid_<kind>``), so both engines give
the same numbers. Queries:

0. ``spans`` — one cheap pass: the shortest and longest text of each text column, so
   that recognizers no value could match (by length) are left out of the next query.
1. ``counts`` — one pass over the data: rows, and per column its non-null count and
   per applicable recognizer the number of values that match (shape, validation,
   minus values an excluding recognizer claims); for bank cards also the values shaped
   like a card whatever their check digit, and for birth dates the minors (under 14).
2. ``samples`` — up to :data:`SAMPLE_LIMIT` matching values of each detected column,
   masked before they leave this module.
"""

from __future__ import annotations

import functools
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from sqlglot import exp

from datadeed.datasets.intake import IntakeLimits, normalize
from datadeed.quality.assess import Executor
from datadeed.quality.checks import ColumnInfo, col, count_if, full_match
from datadeed.quality.engines import get_engine
from datadeed.quality.udfs import udf_name
from datadeed.sensitive import sqlchecks
from datadeed.sensitive.detection import ColumnCounts, ColumnFinding, decide
from datadeed.sensitive.grading import GradingThresholds, grade_dataset
from datadeed.sensitive.masking import mask_value
from datadeed.sensitive.recognizers import (
    RECOGNIZERS,
    Recognizer,
    anti_hinted,
    by_type,
    hint_matches,
)

__all__ = ["SAMPLE_LIMIT", "ScanPlan", "ScanResult", "scan_parquet", "scan_path"]

SOURCE = "dd_source"
SAMPLE_LIMIT = 3
_TEXT = {"string"}
_DIGITS = {"integer"}
_NUMBERS = {"float", "decimal"}
_DATES = {"date", "timestamp"}
_CARD_SHAPE = "62(?:[ -]?[0-9]){14,17}"
_MINOR_YEARS = 14


@dataclass(frozen=True)
class ScanResult:
    engine: str
    row_count: int
    columns: tuple[ColumnFinding, ...]
    grade: str
    rationale: tuple[dict[str, Any], ...]

    @property
    def has_pi(self) -> bool:
        return any(c.grade.is_pi for c in self.columns)

    @property
    def has_sensitive_pi(self) -> bool:
        return any(c.sensitive for c in self.columns)

    def as_dict(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "row_count": self.row_count,
            "grade": self.grade,
            "has_pi": self.has_pi,
            "has_sensitive_pi": self.has_sensitive_pi,
            "rationale": list(self.rationale),
            "columns": [c.as_dict() for c in self.columns],
        }


def _fits(recognizer: Recognizer, span: tuple[int, int] | None) -> bool:
    """Whether some value of a column whose text lengths span ``span`` could match."""
    if span is None or recognizer.pattern is None or recognizer.kind != "text":
        return True
    low, high = recognizer.lengths
    return span[0] <= high and span[1] >= low


def _applies(recognizer: Recognizer, column: ColumnInfo) -> bool:
    if recognizer.needs_hint and not hint_matches(recognizer, column.name):
        return False
    if anti_hinted(recognizer, column.name):
        return False
    if recognizer.kind == "name_only":
        return True
    if recognizer.pi_type == "gps" and column.type in _NUMBERS:
        return hint_matches(recognizer, column.name)
    if recognizer.kind == "date" and column.type in _DATES:
        return True
    if column.type in _DIGITS:
        return recognizer.digits_only
    return column.type in _TEXT


@dataclass
class _Probe:
    column: ColumnInfo
    recognizers: list[Recognizer] = field(default_factory=list)


class ScanPlan:
    """The scan's queries for one table's columns; ``today`` fixes birth-date bounds."""

    def __init__(
        self,
        columns: Sequence[ColumnInfo],
        today: date,
        spans: Mapping[str, tuple[int, int] | None] | None = None,
    ) -> None:
        self.today = today
        spans = spans or {}
        self.probes = [
            _Probe(c, [r for r in RECOGNIZERS if _applies(r, c) and _fits(r, spans.get(c.name))])
            for c in columns
        ]

    @staticmethod
    def text_columns(columns: Sequence[ColumnInfo]) -> list[ColumnInfo]:
        return [c for c in columns if c.type in _TEXT or c.type in _DIGITS]

    @staticmethod
    def spans_query(columns: Sequence[ColumnInfo]) -> exp.Select:
        """Shortest and longest trimmed text of each text or integer column: recognizers
        whose lengths fall outside are left out of the counts query."""
        select = exp.select()
        for c in columns:
            text = _trimmed_text(c)
            select = select.select(exp.Min(this=exp.Length(this=text)), copy=False)
            select = select.select(exp.Max(this=exp.Length(this=text)), copy=False)
        return select.from_(SOURCE, copy=False)

    # -- conditions ------------------------------------------------------------------

    def _text(self, column: ColumnInfo) -> exp.Expr:
        return _trimmed_text(column)

    def _date_literal(self, d: date) -> exp.Expr:
        return exp.Cast(this=exp.Literal.string(d.isoformat()), to=exp.DataType.build("date"))

    def _typed_date(self, column: ColumnInfo) -> exp.Expr:
        return exp.Cast(this=col(column.name), to=exp.DataType.build("date"))

    def _year(self, text: exp.Expr) -> exp.Expr:
        first4 = exp.Substring(this=text, start=exp.Literal.number(1), length=exp.Literal.number(4))
        return exp.Cast(this=first4, to=exp.DataType.build("int"))

    def _valid(self, validator: str, text: exp.Expr) -> exp.Expr:
        if validator == "resident_id":
            return sqlchecks.resident_id_valid(text, self.today)
        if validator == "uscc":
            return sqlchecks.uscc_valid(text)
        if validator == "bank_card":
            return sqlchecks.luhn_valid(text)
        return exp.Anonymous(this=udf_name(validator), expressions=[text])  # type: ignore[arg-type]

    def _shape(self, r: Recognizer, column: ColumnInfo) -> exp.Expr:
        text = self._text(column)
        low, high = r.lengths
        length: exp.Expr = exp.Between(this=exp.Length(this=text), low=_num(low), high=_num(high))
        if r.marker is not None:
            found = exp.StrPosition(this=text, substr=exp.Literal.string(r.marker))
            length = exp.and_(length, exp.GT(this=found, expression=_num(0)), copy=False)
        cond = exp.and_(length, full_match(text, r.pattern or ""), copy=False)
        if r.not_pattern is not None:
            cond = exp.and_(cond, exp.not_(full_match(text, r.not_pattern)), copy=False)
        if r.validator is not None:
            # The validator goes first: DuckDB computes these arithmetic-heavy checks
            # several times faster over a whole vector than over the rows an earlier
            # test selected (measured: 0.7 s against 4.2 s for 336,776 card numbers).
            cond = exp.and_(self._valid(r.validator, text), cond, copy=False)
        if r.kind == "date":
            cond = exp.and_(
                cond, exp.LTE(this=self._year(text), expression=_num(self.today.year)), copy=False
            )
        return cond

    def condition(self, r: Recognizer, column: ColumnInfo) -> exp.Expr:
        """True for the values of ``column`` that ``r`` recognizes (null stays unknown)."""
        if r.kind == "name_only":
            return exp.not_(exp.Is(this=col(column.name), expression=exp.Null()), copy=False)
        if r.kind == "date" and column.type in _DATES:
            day = self._typed_date(column)
            lo, hi = self._date_literal(date(1900, 1, 1)), self._date_literal(self.today)
            return exp.Between(this=day, low=lo, high=hi)
        if r.pi_type == "gps" and column.type in _NUMBERS:
            c = col(column.name)
            rounded = exp.Round(this=c, decimals=exp.Literal.number(2))
            in_range = exp.LTE(this=exp.Abs(this=c), expression=_num(180))
            return exp.and_(in_range, exp.NEQ(this=c, expression=rounded), copy=False)
        cond = self._shape(r, column)
        for other in r.excludes:
            o = by_type(other)
            if column.type in _TEXT or o.digits_only:
                cond = exp.and_(cond, _unless(self._shape(o, column)), copy=False)
        return cond

    def _minors(self, column: ColumnInfo) -> exp.Expr:
        cutoff = _years_before(self.today, _MINOR_YEARS)
        if column.type in _DATES:
            return exp.GT(this=self._typed_date(column), expression=self._date_literal(cutoff))
        birth = self.condition(by_type("birth_date"), column)
        return exp.and_(
            birth,
            exp.GT(this=self._year(self._text(column)), expression=_num(cutoff.year)),
            copy=False,
        )

    # -- queries ---------------------------------------------------------------------

    @functools.cached_property
    def _metrics(self) -> list[tuple[tuple[int, str], exp.Expr]]:
        return self._build_metrics()

    def metrics(self) -> list[tuple[tuple[int, str], exp.Expr]]:
        """``((column index, what), expression)`` for every count of the counts query."""
        return self._metrics

    def _build_metrics(self) -> list[tuple[tuple[int, str], exp.Expr]]:
        out: list[tuple[tuple[int, str], exp.Expr]] = []
        for i, probe in enumerate(self.probes):
            c = probe.column
            out.append(((i, "non_null"), exp.Count(this=col(c.name))))
            for r in probe.recognizers:
                out.append(((i, r.pi_type), count_if(self.condition(r, c))))
            if any(r.pi_type == "bank_card" for r in probe.recognizers):
                out.append(((i, "card_shaped"), count_if(full_match(self._text(c), _CARD_SHAPE))))
            if any(r.pi_type == "birth_date" for r in probe.recognizers):
                out.append(((i, "minors"), count_if(self._minors(c))))
        return out

    def counts_query(self) -> exp.Select:
        select = exp.select(
            exp.alias_(exp.Count(this=exp.Star()), "dd_rows", quoted=True, copy=False)
        )
        for n, (_, expression) in enumerate(self.metrics()):
            select = select.select(
                exp.alias_(expression, f"m{n}", quoted=True, copy=False), copy=False
            )
        return select.from_(SOURCE, copy=False)

    def samples_query(self, wanted: Sequence[tuple[int, str]]) -> exp.Query:
        """Up to :data:`SAMPLE_LIMIT` matching values for each ``(column index, PI type)``,
        all in one query (one job on Spark): rows of (position in ``wanted``, value)."""
        parts: list[exp.Query] = []
        for n, (index, pi_type) in enumerate(wanted):
            column = self.probes[index].column
            value = exp.Cast(this=col(column.name), to=exp.DataType.build("text"))
            branch = (
                exp.select(
                    exp.alias_(_num(n), "dd_n", quoted=True, copy=False),
                    exp.alias_(value, "dd_v", quoted=True, copy=False),
                )
                .from_(SOURCE)
                .where(self.condition(by_type(pi_type), column))
                .limit(SAMPLE_LIMIT)
            )
            subquery = exp.alias_(exp.Paren(this=branch), f"dd_s{n}", table=True, copy=False)
            parts.append(exp.select("*").from_(subquery))
        query = parts[0]
        for part in parts[1:]:
            query = exp.union(query, part, distinct=False)
        return query

    def read_counts(self, row: Sequence[Any]) -> tuple[int, list[ColumnCounts]]:
        """Turn the counts query's row into :class:`ColumnCounts` per column."""
        values: dict[int, dict[str, int]] = {i: {} for i in range(len(self.probes))}
        for (key, _), value in zip(self.metrics(), row[1:], strict=True):
            values[key[0]][key[1]] = int(value or 0)
        counts = []
        for i, probe in enumerate(self.probes):
            v = values[i]
            matches = {r.pi_type: v[r.pi_type] for r in probe.recognizers}
            counts.append(
                ColumnCounts(
                    name=probe.column.name,
                    type=probe.column.type,
                    non_null=v["non_null"],
                    matches=matches,
                    card_shaped=v.get("card_shaped", 0),
                    minors=v.get("minors", 0),
                )
            )
        return int(row[0]), counts


def _unless(condition: exp.Expr) -> exp.Expr:
    """NOT ``condition``, written as a CASE: engines evaluate a CASE's condition lazily
    (DuckDB stops an AND at its first false part), but compute NOT's operand in full."""
    return exp.Case(ifs=[exp.If(this=condition, true=exp.false())], default=exp.true())


def _trimmed_text(column: ColumnInfo) -> exp.Expr:
    c: exp.Expr = col(column.name)
    if column.type not in _TEXT:
        c = exp.Cast(this=c, to=exp.DataType.build("text"))
    return exp.Trim(this=c)


def _num(n: int) -> exp.Expr:
    return exp.Literal.number(n)


def _years_before(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def _with_samples(
    executor: Executor, plan: ScanPlan, findings: list[ColumnFinding]
) -> list[ColumnFinding]:
    """Attach masked examples of each detected column's main PI type."""
    wanted = [
        (i, f.pi_types[0])
        for i, f in enumerate(findings)
        if f.pi_types and by_type(f.pi_types[0]).kind != "name_only"
    ]
    if not wanted:
        return findings
    found: dict[int, list[str]] = {}
    for n, value in executor.fetch(plan.samples_query(wanted)):
        if value is not None:
            found.setdefault(int(n), []).append(str(value))
    out = list(findings)
    for n, (i, pi_type) in enumerate(wanted):
        masked = tuple(mask_value(pi_type, v) for v in sorted(found.get(n, []))[:SAMPLE_LIMIT])
        out[i] = replace(findings[i], samples=masked)
    return out


def _spans(executor: Executor, columns: Sequence[ColumnInfo]) -> dict[str, tuple[int, int] | None]:
    text = ScanPlan.text_columns(columns)
    if not text:
        return {}
    row = executor.fetch(ScanPlan.spans_query(text))[0]
    spans: dict[str, tuple[int, int] | None] = {}
    for i, c in enumerate(text):
        low, high = row[2 * i], row[2 * i + 1]
        spans[c.name] = None if low is None else (int(low), int(high))
    return spans


@contextmanager
def _executor(engine: str, options: dict[str, Any]) -> Iterator[Executor]:
    with get_engine(engine, **options).executor() as executor:
        yield executor


def scan_parquet(
    path: Path,
    *,
    engine: str = "duckdb",
    thresholds: GradingThresholds | None = None,
    today: date | None = None,
    engine_options: dict[str, Any] | None = None,
) -> ScanResult:
    """Scan the (canonical Parquet) file at ``path`` with ``engine``."""
    with _executor(engine, engine_options or {}) as executor:
        columns = executor.attach(SOURCE, path)
        plan = ScanPlan(columns, today or date.today(), _spans(executor, columns))
        row = executor.fetch(plan.counts_query())[0]
        row_count, counts = plan.read_counts(row)
        findings = _with_samples(executor, plan, [decide(c) for c in counts])
    graded = grade_dataset(
        [(f.name, f.grade, f.match_count) for f in findings], thresholds or GradingThresholds()
    )
    return ScanResult(engine, row_count, tuple(findings), graded.grade, tuple(graded.rationale))


def scan_path(
    path: Path,
    *,
    engine: str = "duckdb",
    limits: IntakeLimits | None = None,
    thresholds: GradingThresholds | None = None,
    engine_options: dict[str, Any] | None = None,
) -> ScanResult:
    """Intake any supported file or folder into canonical Parquet, then scan it."""
    with tempfile.TemporaryDirectory(prefix="datadeed-scan-") as work:
        normalized = normalize(path, Path(work) / "data.parquet", limits=limits)
        return scan_parquet(
            normalized.path, engine=engine, thresholds=thresholds, engine_options=engine_options
        )
