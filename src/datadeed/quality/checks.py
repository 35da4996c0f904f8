"""Compile each rule into dialect-neutral sqlglot nodes.

A row rule becomes a :class:`RowCheck`: two conditions over one row, ``evaluated`` (is
this value counted in B?) and ``passed`` (is it counted in A?). Row checks of all rules
become ``COUNT(CASE WHEN … THEN 1 END)`` columns of the single profile query.

A rule that needs more than one row at a time (unique keys, temporal order, a lookup
in another dataset) becomes a :class:`SetCheck`: a query returning one row ``(a, b)``
and a query returning failing samples.

Nothing here knows an engine; plan.py puts the pieces into queries and each engine
renders them in its SQL dialect.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from sqlglot import exp

from datadeed.quality.errors import InvalidRuleSet, UnknownColumn
from datadeed.quality.expressions import compile_expression, parse_expression
from datadeed.quality.rules import (
    EnumRule,
    ExpressionRule,
    FreshnessRule,
    IdentifierRule,
    LengthRule,
    MaskedRule,
    NotNullRule,
    PrecisionRule,
    RangeRule,
    ReferenceRule,
    RegexRule,
    Rule,
    TemporalOrderRule,
    UniqueRule,
)
from datadeed.quality.udfs import udf_name

NeutralType = Literal[
    "string", "integer", "float", "decimal", "boolean", "date", "timestamp", "time", "binary"
]
NeutralTypeOrOther = NeutralType | Literal["other"]
NUMERIC = frozenset({"integer", "float", "decimal"})
PREV = "dd_previous"
COUNT = "dd_count"


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    type: NeutralTypeOrOther


@dataclass(frozen=True)
class RowCheck:
    evaluated: exp.Expr
    passed: exp.Expr
    sample_columns: list[str]


@dataclass(frozen=True)
class SetCheck:
    counts: exp.Select  # one row: (a, b)
    samples: exp.Select  # failing values, already ordered and limited
    sample_columns: list[str]
    has_count: bool = False
    has_previous: bool = False


def col(name: str, table: str | None = None) -> exp.Column:
    return exp.column(name, table=table, quoted=True)


def count_if(condition: exp.Expr) -> exp.Expr:
    """``COUNT(CASE WHEN c THEN 1 END)``: counts rows where ``c`` is true, 0 on no rows."""
    return exp.Count(this=exp.Case(ifs=[exp.If(this=condition, true=exp.Literal.number(1))]))


def not_null(*columns: exp.Expr) -> exp.Expr:
    tests = [exp.Not(this=exp.Is(this=c, expression=exp.Null())) for c in columns]
    return exp.and_(*tests) if tests else exp.true()


def full_match(text: exp.Expr, pattern: str) -> exp.Expr:
    """Whole-value regex match; the pattern goes in as an escaped literal."""
    return exp.RegexpLike(this=text, expression=exp.Literal.string(f"^(?:{pattern})$"))


def ordered(*columns: exp.Expr, desc: bool = False) -> list[exp.Ordered]:
    # Explicit NULLS LAST: DuckDB and Spark default differently.
    return [exp.Ordered(this=c, desc=desc, nulls_first=False) for c in columns]


class RuleCompiler:
    """Compiles rules against one dataset's columns."""

    def __init__(
        self,
        source: str,
        columns: Sequence[ColumnInfo],
        *,
        reference_time: datetime,
        sample_limit: int,
        references: Mapping[str, tuple[str, Sequence[ColumnInfo]]] | None = None,
    ) -> None:
        self.source = source
        self.types = {c.name: c.type for c in columns}
        self.names = [c.name for c in columns]
        self.reference_time = reference_time
        self.sample_limit = sample_limit
        self.references = references or {}

    # -- helpers -------------------------------------------------------------------------

    def column(self, name: str, where: str = "") -> exp.Column:
        if name not in self.types:
            raise UnknownColumn(name, self.names, where)
        return col(name)

    def text(self, name: str) -> exp.Expr:
        c = self.column(name)
        return c if self.types[name] == "string" else exp.Cast(this=c, to=_type("text"))

    def as_type(self, name: str, domain: str) -> exp.Expr:
        c = self.column(name)
        kind = self.types[name]
        if domain == "number":
            return c if kind in NUMERIC else _try_cast(c, "double")
        if domain in ("date", "timestamp"):
            return c if kind == domain else _try_cast(c, domain)
        return self.text(name)

    def row(self, evaluated: exp.Expr, passed: exp.Expr, rule: Any) -> RowCheck:
        extra = [c for c in rule.sample_columns if c not in rule.columns()]
        for c in extra:
            self.column(c, f"sample_columns of {rule.rule_id}")
        return RowCheck(evaluated, passed, [*rule.columns(), *extra])

    # -- dispatch ------------------------------------------------------------------------

    def compile(self, rule: Rule) -> RowCheck | SetCheck:
        for name in rule.columns():
            self.column(name, f"rule {rule.rule_id}")
        method = getattr(self, f"_{rule.type_name()}")
        result: RowCheck | SetCheck = method(rule)
        return result

    def _not_null(self, rule: NotNullRule) -> RowCheck:
        return self.row(exp.true(), not_null(self.column(rule.column)), rule)

    def _regex(self, rule: RegexRule) -> RowCheck:
        present = not_null(self.column(rule.column))
        return self.row(present, full_match(self.text(rule.column), rule.pattern), rule)

    def _enum(self, rule: EnumRule | ReferenceRule) -> RowCheck:
        assert rule.values is not None
        values = rule.values
        numeric = self.types[rule.column] in NUMERIC
        target: exp.Expr
        if numeric and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            target, items = self.column(rule.column), [exp.Literal.number(repr(v)) for v in values]
        else:
            target, items = self.text(rule.column), [exp.Literal.string(_text(v)) for v in values]
        passed = exp.In(this=target, expressions=items)
        return self.row(not_null(self.column(rule.column)), passed, rule)

    def _range(self, rule: RangeRule) -> RowCheck:
        domain = _range_domain(self.types[rule.column], [rule.min, rule.max])
        target = self.as_type(rule.column, domain)
        tests: list[exp.Expr] = []
        if rule.min is not None:
            low: type[exp.Binary] = exp.GTE if rule.min_inclusive else exp.GT
            tests.append(low(this=target, expression=_literal(rule.min, domain, rule.rule_id)))
        if rule.max is not None:
            op: type[exp.Binary] = exp.LTE if rule.max_inclusive else exp.LT
            tests.append(
                op(this=target.copy(), expression=_literal(rule.max, domain, rule.rule_id))
            )
        return self.row(not_null(self.column(rule.column)), exp.and_(*tests), rule)

    def _length(self, rule: LengthRule) -> RowCheck:
        length = exp.Length(this=self.text(rule.column))
        tests: list[exp.Expr] = []
        if rule.min is not None:
            tests.append(exp.GTE(this=length, expression=exp.Literal.number(rule.min)))
        if rule.max is not None:
            tests.append(exp.LTE(this=length.copy(), expression=exp.Literal.number(rule.max)))
        return self.row(not_null(self.column(rule.column)), exp.and_(*tests), rule)

    def _precision(self, rule: PrecisionRule) -> RowCheck:
        present = not_null(self.column(rule.column))
        if self.types[rule.column] in NUMERIC:
            # Arithmetic, not text: engines print large doubles differently (1.0E7).
            c = self.column(rule.column)
            bound = exp.Literal.number(str(10 ** (rule.precision - rule.scale)))
            scale = exp.Literal.number(rule.scale)
            passed = exp.and_(
                exp.LT(this=exp.Abs(this=c), expression=bound),
                exp.EQ(this=exp.Round(this=c.copy(), decimals=scale), expression=c.copy()),
            )
            return self.row(present, passed, rule)
        return self.row(present, full_match(self.text(rule.column), _decimal_pattern(rule)), rule)

    def _identifier(self, rule: IdentifierRule | MaskedRule) -> RowCheck:
        valid = exp.Anonymous(this=udf_name(rule.kind), expressions=[self.text(rule.column)])
        passed: exp.Expr = valid if isinstance(rule, IdentifierRule) else exp.Not(this=valid)
        return self.row(not_null(self.column(rule.column)), passed, rule)

    _masked = _identifier

    def _reference(self, rule: ReferenceRule) -> RowCheck | SetCheck:
        if rule.values is not None:
            return self._enum(rule)
        assert rule.dataset is not None
        table, ref_columns = self.references[rule.dataset]
        ref_types = {c.name: c.type for c in ref_columns}
        if rule.reference_column not in ref_types:
            names = [c.name for c in ref_columns]
            raise UnknownColumn(
                rule.reference_column, names, f"reference dataset of {rule.rule_id}"
            )
        same = ref_types[rule.reference_column] == self.types[rule.column]
        return _lookup(self.source, table, rule, same, self.sample_limit)

    def _expression(self, rule: ExpressionRule) -> RowCheck:
        parsed = parse_expression(rule.expression)
        where = f"expression of {rule.rule_id}"
        condition = compile_expression(parsed, lambda name: self.column(name, where))
        evaluated = not_null(*(col(c) for c in parsed.columns)) if rule.skip_nulls else exp.true()
        return self.row(evaluated, condition, rule)

    def _freshness(self, rule: FreshnessRule) -> RowCheck:
        event = self.as_type(rule.column, "timestamp")
        if rule.processed_column is not None and rule.max_lag is not None:
            done = self.as_type(rule.processed_column, "timestamp")
            present = not_null(self.column(rule.column), self.column(rule.processed_column))
            latest = exp.Add(this=event.copy(), expression=_interval(rule.max_lag))
            passed = exp.and_(
                exp.GTE(this=done, expression=event), exp.LTE(this=done.copy(), expression=latest)
            )
            return self.row(present, passed, rule)
        assert rule.max_age is not None
        cutoff = _naive_utc(rule.reference_time or self.reference_time) - rule.max_age
        passed = exp.GTE(this=event, expression=_literal(cutoff, "timestamp", rule.rule_id))
        return self.row(not_null(self.column(rule.column)), passed, rule)

    def _unique(self, rule: UniqueRule) -> SetCheck:
        keys = [self.column(k) for k in rule.columns()]
        present = not_null(*keys)
        groups = exp.select(exp.Count(this=exp.Star()).as_(COUNT)).from_(self.source)
        groups = groups.where(present).group_by(*keys)
        counts = exp.select(
            exp.Count(this=exp.Star()).as_("a"),
            exp.Coalesce(this=exp.Sum(this=col(COUNT)), expressions=[exp.Literal.number(0)]).as_(
                "b"
            ),
        ).from_(groups.subquery("g"))
        samples = (
            exp.select(*keys, exp.Count(this=exp.Star()).as_(COUNT))
            .from_(self.source)
            .where(present.copy())
            .group_by(*(k.copy() for k in keys))
            .having(exp.GT(this=exp.Count(this=exp.Star()), expression=exp.Literal.number(1)))
            .order_by(*ordered(*(k.copy() for k in keys)))
            .limit(self.sample_limit)
        )
        return SetCheck(counts, samples, rule.columns(), has_count=True)

    def _temporal_order(self, rule: TemporalOrderRule) -> SetCheck:
        value, order = self.column(rule.column), self.column(rule.order_by)
        groups = [self.column(g) for g in rule.group_by]
        window = exp.Window(
            this=exp.Lag(this=value.copy()),
            partition_by=[g.copy() for g in groups] or None,
            order=exp.Order(expressions=ordered(order.copy(), value.copy())),
        )
        shown = [*groups, order, value]
        lagged = (
            exp.select(*(c.copy() for c in shown), window.as_(PREV))
            .from_(self.source)
            .where(not_null(value.copy(), order.copy()))
            .subquery("w")
        )
        op = exp.GT if rule.strict else exp.GTE
        ok = op(this=value.copy(), expression=col(PREV))
        has_prev = not_null(col(PREV))
        counts = exp.select(exp.Count(this=exp.Star()).as_("b"), count_if(ok).as_("a")).from_(
            lagged
        )
        counts = counts.where(has_prev)
        samples = (
            exp.select(*(c.copy() for c in shown), col(PREV))
            .from_(lagged.copy())
            .where(exp.and_(has_prev.copy(), exp.Not(this=ok.copy())))
            .order_by(*ordered(*(c.copy() for c in shown)))
            .limit(self.sample_limit)
        )
        names = [*rule.group_by, rule.order_by, rule.column]
        return SetCheck(_ab_order(counts), samples, names, has_previous=True)


def _ab_order(counts: exp.Select) -> exp.Select:
    """Re-select ``a, b`` in that order whatever order the aggregate produced them."""
    return exp.select(col("a"), col("b")).from_(counts.subquery("c"))


def _lookup(source: str, table: str, rule: ReferenceRule, same_type: bool, limit: int) -> SetCheck:
    """Left join the non-null values onto the distinct reference values."""

    def side(name: str) -> exp.Expr:
        c = col(name)
        return c if same_type else exp.Cast(this=c, to=_type("text"))

    values = (
        exp.select(side(rule.column).as_("v"))
        .from_(source)
        .where(not_null(col(rule.column)))
        .subquery("s")
    )
    known = (
        exp.select(side(rule.reference_column).as_("v"))
        .distinct()
        .from_(table)
        .where(not_null(col(rule.reference_column)))
        .subquery("r")
    )
    on = exp.EQ(this=col("v", "s"), expression=col("v", "r"))
    joined = exp.select(exp.Count(this=exp.Star()).as_("b"), exp.Count(this=col("v", "r")).as_("a"))
    counts = _ab_order(joined.from_(values).join(known, on=on, join_type="left"))
    samples = (
        exp.select(col("v", "s").as_(rule.column), exp.Count(this=exp.Star()).as_(COUNT))
        .from_(values.copy())
        .join(known.copy(), on=on.copy(), join_type="left")
        .where(exp.Is(this=col("v", "r"), expression=exp.Null()))
        .group_by(col("v", "s"))
        .order_by(*ordered(col("v", "s")))
        .limit(limit)
    )
    return SetCheck(counts, samples, [rule.column], has_count=True)


def _type(name: str) -> exp.DataType:
    return exp.DataType.build(name)


def _try_cast(e: exp.Expr, to: str) -> exp.Expr:
    return exp.TryCast(this=e, to=_type(to), safe=True)


def _text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _naive_utc(t: datetime) -> datetime:
    return t.astimezone(UTC).replace(tzinfo=None) if t.tzinfo else t


def _interval(d: timedelta) -> exp.Expr:
    # Whole seconds: an interval literal with a fraction is rendered differently per engine.
    return exp.Interval(
        this=exp.Literal.string(str(int(d.total_seconds()))), unit=exp.var("SECOND")
    )


def _range_domain(column_type: str, bounds: Sequence[Any]) -> str:
    """Which kind of comparison a range rule makes: number, date, timestamp or text."""
    present = [b for b in bounds if b is not None]
    if any(isinstance(b, datetime) for b in present):
        return "timestamp"
    if any(isinstance(b, date) for b in present):
        return "date"
    if any(isinstance(b, int | float) and not isinstance(b, bool) for b in present):
        return "number"
    if column_type in ("date", "timestamp"):
        return column_type
    return "number" if column_type in NUMERIC else "text"


def _literal(value: Any, domain: str, rule_id: str) -> exp.Expr:
    try:
        if domain == "number":
            number = float(value) if isinstance(value, str) else value
            return exp.Literal.number(repr(number))
        if domain == "date":
            day = value.date() if isinstance(value, datetime) else value
            day = date.fromisoformat(day) if isinstance(day, str) else day
            return exp.Cast(this=exp.Literal.string(day.isoformat()), to=_type("date"))
        if domain == "timestamp":
            t = value if isinstance(value, datetime) else _to_datetime(value)
            text = _naive_utc(t).isoformat(sep=" ")
            return exp.Cast(this=exp.Literal.string(text), to=_type("timestamp"))
    except (TypeError, ValueError):
        raise InvalidRuleSet(f"rule {rule_id}: bound {value!r} is not a {domain}") from None
    return exp.Literal.string(_text(value))


def _to_datetime(value: Any) -> datetime:
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return datetime.fromisoformat(str(value))


def _decimal_pattern(rule: PrecisionRule) -> str:
    whole = rule.precision - rule.scale
    integer = "0" if whole == 0 else f"[0-9]{{1,{whole}}}"
    fraction = f"(\\.[0-9]{{0,{rule.scale}}})?" if rule.scale else "(\\.0*)?"
    return f"[+-]?{integer}{fraction}"
