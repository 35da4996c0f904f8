"""Run a metric plan on an engine and turn the rows into a :class:`QualityReport`.

Engine-neutral: an engine supplies an :class:`Executor` (attach a file as a table,
fetch a query's rows) and everything else — which queries, in which order, how rows
become numbers, masking, scoring — happens here, once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from sqlglot import exp

from datadeed.quality.checks import ColumnInfo, RowCheck, SetCheck
from datadeed.quality.errors import InvalidRuleSet
from datadeed.quality.indicators import Indicator
from datadeed.quality.plan import (
    ORDERABLE,
    PROBE_LENGTHS,
    AssessOptions,
    MetricPlan,
    ValueCounts,
    ValuesShape,
    reference_table,
)
from datadeed.quality.report import (
    ColumnProfile,
    PatternCounts,
    QualityReport,
    RuleResult,
    RuleSample,
    TopValue,
    dimensions_from_scorecard,
    eligibility_report,
)
from datadeed.quality.rules import FreshnessRule, MaskKind, ReferenceRule, Rule, RuleSet
from datadeed.quality.scoring import (
    DEFAULT_WEIGHT_PROFILE,
    Contribution,
    WeightProfile,
    high_quality_eligibility,
    score_contributions,
)
from datadeed.quality.udfs import IDENTIFIER_KINDS, VALIDATORS, mask_value
from datadeed.quality.values import to_json_value

__all__ = ["Executor", "Progress", "run_assessment"]

Progress = Callable[[str, int, int], None]
"""``progress(step, done, total)``: called before each query, for progress bars."""


class Executor(Protocol):
    """What an engine must provide: tables from files, and rows from queries."""

    def attach(self, table: str, path: Path) -> list[ColumnInfo]:
        """Expose the data file at ``path`` as ``table``; return its columns."""
        ...

    def fetch(self, query: exp.Query) -> list[tuple[Any, ...]]:
        """Render ``query`` in the engine's dialect, run it, return all rows."""
        ...

    @property
    def values_shape(self) -> ValuesShape:
        """Where the values query counts each column's values (plan.py ``ValuesShape``)."""
        ...


@dataclass
class _Run:
    executor: Executor
    plan: MetricPlan
    ruleset: RuleSet
    options: AssessOptions
    progress: Progress | None
    total: int
    step: int = 0
    masks: dict[str, MaskKind] = field(default_factory=dict)

    def fetch(self, label: str, query: exp.Query) -> list[tuple[Any, ...]]:
        self.step += 1
        if self.progress is not None:
            self.progress(label, self.step, max(self.total, self.step))
        return self.executor.fetch(query)


def run_assessment(
    executor: Executor,
    engine: str,
    path: str | Path,
    ruleset: RuleSet | None = None,
    *,
    weights: WeightProfile = DEFAULT_WEIGHT_PROFILE,
    options: AssessOptions | None = None,
    reference_time: datetime | None = None,
    reference_paths: Mapping[str, str | Path] | None = None,
    progress: Progress | None = None,
) -> QualityReport:
    """Profile ``path``, evaluate ``ruleset``, score under ``weights``; return a sealed report."""
    path = Path(path)
    declared = ruleset is not None
    ruleset = ruleset or RuleSet()
    options = options or AssessOptions()
    now = reference_time or datetime.now(UTC)
    columns = executor.attach("dd_source", path)
    references = _attach_references(executor, ruleset, reference_paths)
    plan = MetricPlan(columns, ruleset, options, reference_time=now, references=references)
    sets = sum(isinstance(c, SetCheck) for c in plan.checks.values())
    run = _Run(executor, plan, ruleset, options, progress, total=3 + sets)
    metrics = plan.read_profile(run.fetch("profile", plan.profile_query())[0])
    values = _values(run, metrics)
    detected, rates = _probe_identifiers(run, metrics)
    run.masks = {**detected, **ruleset.mask_kinds()}
    duplicates = _duplicates(metrics, values)
    rules = _rule_results(run, metrics)
    rows = int(metrics[("rows",)])
    profiles = [_column_profile(run, c, metrics, values, rates) for c in columns]
    contributions = _builtin(metrics, columns, rows, duplicates, weights) + [
        Contribution(r.indicator, f"rule:{r.id}", r.a, r.b, r.weight) for r in rules
    ]
    card = score_contributions(contributions, weights)
    uses_time = any(_uses_reference_time(r) for r in ruleset.rules)
    report = QualityReport(
        engine=engine,
        source_format=_format_of(path),
        row_count=rows,
        column_count=len(columns),
        duplicate_rows=duplicates,
        columns=profiles,
        rules=rules,
        dimensions=dimensions_from_scorecard(card),
        score=card.score,
        grade=card.grade,
        high_quality=eligibility_report(high_quality_eligibility(card, weights)),
        ruleset_name=ruleset.name,
        ruleset_version=ruleset.version if declared else None,
        weight_profile_version=weights.version,
        reference_time=str(to_json_value(now)) if uses_time else None,
        options=options.as_dict(),
    )
    return report.sealed()


def _attach_references(
    executor: Executor, ruleset: RuleSet, allowed: Mapping[str, str | Path] | None
) -> dict[str, tuple[str, list[ColumnInfo]]]:
    """Attach each distinct reference dataset once, as ``dd_reference_<n>``.

    With ``allowed`` (the server's case) a rule may only name a dataset listed there;
    without it (CLI, library) the name is a path.
    """
    out: dict[str, tuple[str, list[ColumnInfo]]] = {}
    for rule in ruleset.rules:
        if not isinstance(rule, ReferenceRule) or rule.dataset is None or rule.dataset in out:
            continue
        if allowed is not None and rule.dataset not in allowed:
            raise InvalidRuleSet(
                f"rule {rule.rule_id}: reference dataset {rule.dataset!r} is not available here"
            )
        target = Path(allowed[rule.dataset]) if allowed is not None else Path(rule.dataset)
        table = reference_table(len(out))
        out[rule.dataset] = (table, executor.attach(table, target))
    return out


def _values(run: _Run, metrics: dict[tuple[str, ...], Any]) -> ValueCounts:
    """Exact distinct counts and top values where few, pattern classes, distinct rows."""
    limit = run.options.exact_distinct_limit
    names = [
        c.name
        for c in run.plan.columns
        if c.type in ORDERABLE and int(metrics[("approx_distinct", c.name)] or 0) <= limit
    ]
    query = run.plan.values_query(names, shape=run.executor.values_shape)
    found = ValueCounts(columns={}, patterns={})
    if query is not None:
        found = run.plan.read_values(names, run.fetch("distinct values", query))
    many = [c.name for c in run.plan.columns if c.type == "string" and c.name not in names]
    text = run.plan.pattern_query(many)
    if text is not None:
        found.patterns.update(run.plan.read_patterns(many, run.fetch("patterns", text)[0]))
    return found


def _probe_identifiers(
    run: _Run, metrics: dict[tuple[str, ...], Any]
) -> tuple[dict[str, MaskKind], dict[str, dict[str, float]]]:
    """Share of probed values valid per identifier kind, and columns to mask because of it."""
    low, high = PROBE_LENGTHS
    names = [
        c.name
        for c in run.plan.columns
        if c.type == "string"
        and metrics[("len_max", c.name)] is not None
        and metrics[("len_min", c.name)] >= low
        and metrics[("len_max", c.name)] <= high
    ]
    query = run.plan.probe_query(names)
    if query is None:
        return {}, {}
    rows = run.fetch("identifier probe", query)
    masks: dict[str, MaskKind] = {}
    rates: dict[str, dict[str, float]] = {}
    for i, name in enumerate(names):
        values = [str(r[i]) for r in rows if r[i] is not None]
        if not values:
            continue
        found = {k: sum(VALIDATORS[k](v) for v in values) / len(values) for k in IDENTIFIER_KINDS}
        rates[name] = {k: round(r, 4) for k, r in found.items() if r > 0}
        best = max(found, key=lambda k: found[k])
        if found[best] >= run.options.identifier_rate_threshold:
            masks[name] = best
    return masks, rates


def _duplicates(metrics: dict[tuple[str, ...], Any], values: ValueCounts) -> int | None:
    """Rows minus distinct rows; None when no column can be compared."""
    if values.distinct_rows is None:
        return None
    return int(metrics[("rows",)]) - values.distinct_rows


def _rule_results(run: _Run, metrics: dict[tuple[str, ...], Any]) -> list[RuleResult]:
    results = []
    for rule in run.ruleset.rules:
        check = run.plan.checks[rule.rule_id]
        if isinstance(check, RowCheck):
            a, b = int(metrics[("rule_a", rule.rule_id)]), int(metrics[("rule_b", rule.rule_id)])
        else:
            row = run.fetch(f"rule {rule.rule_id}", check.counts)[0]
            a, b = int(row[0] or 0), int(row[1] or 0)
        samples = _samples(run, rule, check) if a < b and run.options.sample_limit > 0 else []
        results.append(_rule_result(run, rule, a, b, samples))
    return results


def _rule_result(run: _Run, rule: Rule, a: int, b: int, samples: list[RuleSample]) -> RuleResult:
    indicator = rule.effective_indicator()
    shown = run.plan.sample_columns(rule.rule_id)
    return RuleResult(
        id=rule.rule_id,
        type=rule.type_name(),
        columns=rule.columns(),
        indicator=indicator,
        dimension=indicator.dimension,
        db31_code=rule.effective_db31_code(),
        weight=rule.weight,
        a=a,
        b=b,
        failed=b - a,
        pass_rate=round(a / b, 6) if b else None,
        samples=samples,
        samples_masked=any(c in run.masks for c in shown),
    )


def _samples(run: _Run, rule: Rule, check: RowCheck | SetCheck) -> list[RuleSample]:
    names = run.plan.sample_columns(rule.rule_id)
    rows = run.fetch(f"samples of {rule.rule_id}", run.plan.sample_query(rule.rule_id))
    out = []
    for row in rows:
        values = {n: _shown(run, n, v) for n, v in zip(names, row, strict=False)}
        extra = row[len(names)] if len(row) > len(names) else None
        if isinstance(check, SetCheck) and check.has_previous:
            out.append(RuleSample(values=values, previous=_shown(run, rule.columns()[0], extra)))
        elif isinstance(check, SetCheck) and check.has_count:
            out.append(RuleSample(values=values, count=int(extra or 0)))
        else:
            out.append(RuleSample(values=values))
    return out


def _shown(run: _Run, column: str, value: Any) -> Any:
    """A value as a report may show it: masked when the column holds identifiers."""
    kind = run.masks.get(column)
    return mask_value(kind, value) if kind is not None else to_json_value(value)


def _column_profile(
    run: _Run,
    c: ColumnInfo,
    m: dict[tuple[str, ...], Any],
    values: ValueCounts,
    rates: dict[str, dict[str, float]],
) -> ColumnProfile:
    exact = values.columns.get(c.name)
    rows = int(m[("rows",)])
    approx = m.get(("approx_distinct", c.name))
    text = c.type == "string"
    return ColumnProfile(
        name=c.name,
        type=c.type,
        null_count=int(m[("nulls", c.name)]),
        distinct_count=exact[0] if exact else (None if approx is None else int(approx)),
        distinct_approximate=exact is None and approx is not None,
        min=_shown(run, c.name, m.get(("min", c.name))),
        max=_shown(run, c.name, m.get(("max", c.name))),
        min_length=_int(m.get(("len_min", c.name))),
        max_length=_int(m.get(("len_max", c.name))),
        mean_length=_mean(m.get(("len_mean", c.name))),
        patterns=_patterns(values.patterns[c.name], rows, int(m[("nulls", c.name)]))
        if text
        else None,
        top_values=[TopValue(value=_shown(run, c.name, v), count=n) for v, n in exact[1]]
        if exact
        else [],
        masked_as=run.masks.get(c.name),
        identifier_rates=rates.get(c.name, {}),
    )


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _mean(value: Any) -> float | None:
    return None if value is None else round(float(value), 4)


def _patterns(count: Mapping[str, int], rows: int, nulls: int) -> PatternCounts:
    non_null = rows - nulls
    mixed = count["alnum"] - count["digits"] - count["letters"]
    other = non_null - count["blank"] - count["alnum"] - count["cjk"]
    return PatternCounts(
        blank=count["blank"],
        digits=count["digits"],
        letters=count["letters"],
        alnum_mixed=mixed,
        cjk=count["cjk"],
        other=other,
    )


def _builtin(
    m: dict[tuple[str, ...], Any],
    columns: list[ColumnInfo],
    rows: int,
    duplicates: int | None,
    weights: WeightProfile,
) -> list[Contribution]:
    """Indicators measured without declared rules (DB31/T 1523 020100, 020200, 030300)."""
    if not weights.builtin_indicators:
        return []
    cells = rows * len(columns)
    nulls = sum(int(m[("nulls", c.name)]) for c in columns)
    out = [
        Contribution(
            Indicator.ELEMENT_COMPLETENESS, "builtin:non_null_cells", cells - nulls, cells
        ),
        Contribution(
            Indicator.RECORD_COMPLETENESS, "builtin:complete_rows", int(m[("complete_rows",)]), rows
        ),
    ]
    if duplicates is not None:
        out.append(
            Contribution(
                Indicator.DUPLICATION_RATE, "builtin:non_duplicate_rows", rows - duplicates, rows
            )
        )
    return out


def _uses_reference_time(rule: Rule) -> bool:
    """Whether the assessment's reference time changes this rule's result."""
    return (
        isinstance(rule, FreshnessRule) and rule.max_age is not None and rule.reference_time is None
    )


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    return {"parq": "parquet", "pq": "parquet", "tsv": "csv"}.get(suffix, suffix or "unknown")
