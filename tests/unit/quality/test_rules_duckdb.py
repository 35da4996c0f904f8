"""Every rule type on a real Parquet file, A/B checked against plain Python."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from datadeed import identifiers
from datadeed.quality import DuckDBQualityEngine, QualityReport, parse_ruleset

RULES = """
version: "2025-06-01"
name: mixed
rules:
  - {type: not_null, column: status}
  - {type: unique, columns: [id]}
  - {type: unique, columns: [account, seq], id: account-seq}
  - {type: regex, column: code, pattern: "[A-Z]{2}\\\\d{4}"}
  - {type: enum, column: status, values: [open, closed, "O'Brien"]}
  - {type: range, column: amount, min: 0, max: 100, max_inclusive: false}
  - {type: range, column: start_date, min: 2024-01-15, max: 2024-02-15, id: start-window}
  - {type: range, column: event_time, min: 2024-03-10 00:00:00, id: event-after}
  - {type: length, column: name, min: 2, max: 4}
  - {type: precision, column: amount, precision: 5, scale: 2}
  - {type: precision, column: price, precision: 4, scale: 2}
  - {type: precision, column: code, precision: 4, scale: 0, id: code-digits}
  - {type: identifier, column: person_id, kind: resident_id}
  - {type: identifier, column: company, kind: uscc}
  - {type: identifier, column: mobile, kind: mobile}
  - {type: identifier, column: card, kind: bank_card}
  - {type: masked, column: mobile, kind: mobile}
  - {type: reference, column: region, values: ["330100", "330106", "310000"]}
  - {type: reference, column: region, dataset: REGIONS, dataset_column: code, id: region-fk}
  - {type: expression, expression: "end_date >= start_date"}
  - {type: expression, expression: "amount * 2 < 300 or status in ('closed',)", id: expr-or}
  - {type: expression, expression: "days_between(start_date, end_date) <= 20", id: expr-days}
  - {type: freshness, column: event_time, processed_column: loaded_at, max_lag: PT24H}
  - {type: freshness, column: event_time, max_age: P10D, id: fresh-age}
  - {type: temporal_order, column: seq, order_by: id, group_by: [account]}
"""
REFERENCE_TIME = datetime(2024, 3, 25)


@pytest.fixture(scope="module")
def report(mixed_parquet: Path, regions_parquet: Path) -> QualityReport:
    ruleset = parse_ruleset(RULES.replace("REGIONS", str(regions_parquet)))
    engine = DuckDBQualityEngine(memory_limit="256MB", threads=2)
    return engine.assess(mixed_parquet, ruleset, reference_time=REFERENCE_TIME)


def _ab(values: list[Any], passes: Callable[[Any], bool]) -> tuple[int, int]:
    present = [v for v in values if v is not None]
    return sum(1 for v in present if passes(v)), len(present)


def _pairs(rows: dict[str, list[Any]], *cols: str) -> list[tuple[Any, ...]]:
    return list(zip(*(rows[c] for c in cols), strict=True))


def _unique(keys: list[tuple[Any, ...]]) -> tuple[int, int]:
    present = [k for k in keys if None not in k]
    return len(set(present)), len(present)


def _both(pairs: list[tuple[Any, ...]], passes: Callable[..., bool]) -> tuple[int, int]:
    present = [p for p in pairs if None not in p]
    return sum(1 for p in present if passes(*p)), len(present)


def _temporal(rows: dict[str, list[Any]]) -> tuple[int, int]:
    groups: dict[Any, list[tuple[int, int]]] = {}
    for account, order, value in _pairs(rows, "account", "id", "seq"):
        if order is not None and value is not None:
            groups.setdefault(account, []).append((order, value))
    a = b = 0
    for items in groups.values():
        values = [v for _, v in sorted(items)]
        b += len(values) - 1
        a += sum(1 for prev, cur in pairwise(values) if cur >= prev)
    return a, b


def _precision(v: float, whole: int, scale: int) -> bool:
    return abs(v) < 10**whole and round(v, scale) == v


EXPECTED: dict[str, Callable[[dict[str, list[Any]]], tuple[int, int]]] = {
    "not_null:status": lambda r: (sum(v is not None for v in r["status"]), len(r["status"])),
    "unique:id": lambda r: _unique([(v,) for v in r["id"]]),
    "account-seq": lambda r: _unique(_pairs(r, "account", "seq")),
    "regex:code": lambda r: _ab(r["code"], lambda v: bool(re.fullmatch(r"[A-Z]{2}\d{4}", v))),
    "enum:status": lambda r: _ab(r["status"], lambda v: v in {"open", "closed", "O'Brien"}),
    "range:amount": lambda r: _ab(r["amount"], lambda v: 0 <= v < 100),
    "start-window": lambda r: _ab(
        r["start_date"], lambda v: date(2024, 1, 15) <= v <= date(2024, 2, 15)
    ),
    "event-after": lambda r: _ab(r["event_time"], lambda v: v >= datetime(2024, 3, 10)),
    "length:name": lambda r: _ab(r["name"], lambda v: 2 <= len(v) <= 4),
    "precision:amount": lambda r: _ab(r["amount"], lambda v: _precision(v, 3, 2)),
    "precision:price": lambda r: _ab(r["price"], lambda v: _precision(v, 2, 2)),
    "code-digits": lambda r: _ab(r["code"], lambda v: bool(re.fullmatch(r"[+-]?\d{1,4}", v))),
    "identifier:person_id": lambda r: _ab(r["person_id"], identifiers.is_valid_resident_id),
    "identifier:company": lambda r: _ab(r["company"], identifiers.is_valid_uscc),
    "identifier:mobile": lambda r: _ab(r["mobile"], identifiers.is_valid_mobile),
    "identifier:card": lambda r: _ab(r["card"], identifiers.is_valid_bank_card),
    "masked:mobile": lambda r: _ab(r["mobile"], lambda v: not identifiers.is_valid_mobile(v)),
    "reference:region": lambda r: _ab(r["region"], lambda v: v in {"330100", "330106", "310000"}),
    "region-fk": lambda r: _ab(
        r["region"], lambda v: v in {"330100", "330106", "310000", "110000"}
    ),
    "expression:end_date >= start_date": lambda r: _both(
        _pairs(r, "end_date", "start_date"), lambda e, s: e >= s
    ),
    "expr-or": lambda r: _both(
        _pairs(r, "amount", "status"), lambda a, s: a * 2 < 300 or s == "closed"
    ),
    "expr-days": lambda r: _both(
        _pairs(r, "start_date", "end_date"), lambda s, e: (e - s).days <= 20
    ),
    "freshness:event_time+loaded_at": lambda r: _both(
        _pairs(r, "event_time", "loaded_at"),
        lambda e, done: timedelta(0) <= done - e <= timedelta(hours=24),
    ),
    "fresh-age": lambda r: _ab(r["event_time"], lambda v: v >= REFERENCE_TIME - timedelta(days=10)),
    "temporal_order:seq+id+account": _temporal,
}


@pytest.mark.parametrize("rule_id", list(EXPECTED))
def test_rule_counts_match_plain_python(
    report: QualityReport, mixed: dict[str, list[Any]], rule_id: str
) -> None:
    result = report.rule(rule_id)
    assert (result.a, result.b) == EXPECTED[rule_id](mixed)
    assert result.failed == result.b - result.a


def test_every_rule_type_is_exercised(report: QualityReport) -> None:
    kinds = {r.type for r in report.rules}
    assert kinds == {
        "not_null",
        "unique",
        "regex",
        "enum",
        "range",
        "length",
        "precision",
        "identifier",
        "masked",
        "reference",
        "expression",
        "freshness",
        "temporal_order",
    }
    assert all(0 < r.a < r.b for r in report.rules if r.id != "masked:mobile"), [
        (r.id, r.a, r.b) for r in report.rules
    ]


def test_failing_samples_are_failures_in_order(
    report: QualityReport, mixed: dict[str, list[Any]]
) -> None:
    result = report.rule("enum:status")
    shown = [s.values["status"] for s in result.samples]
    allowed = {"open", "closed", "O'Brien"}
    failing = sorted(v for v in mixed["status"] if v is not None and v not in allowed)
    assert shown == failing[:10]
    assert len(result.samples) == 10  # the cap


def test_unique_samples_carry_the_duplicate_count(
    report: QualityReport, mixed: dict[str, list[Any]]
) -> None:
    counts = Counter(v for v in mixed["id"] if v is not None)
    expected = sorted((k, n) for k, n in counts.items() if n > 1)
    got = [(s.values["id"], s.count) for s in report.rule("unique:id").samples]
    assert got == expected[:10]


def test_temporal_order_samples_show_the_previous_value(report: QualityReport) -> None:
    for sample in report.rule("temporal_order:seq+id+account").samples:
        assert sample.previous is not None
        assert sample.values["seq"] < sample.previous


def test_reference_dataset_samples_are_missing_values(
    report: QualityReport, mixed: dict[str, list[Any]]
) -> None:
    samples = report.rule("region-fk").samples
    assert [(s.values["region"], s.count) for s in samples] == [
        ("999999", mixed["region"].count("999999"))
    ]


def test_rule_indicators_default_and_override(report: QualityReport) -> None:
    assert report.rule("unique:id").indicator == "accuracy.uniqueness"
    assert report.rule("unique:id").db31_code == "030400"
    assert report.rule("masked:mobile").indicator == "normativity.security"
    assert report.rule("region-fk").indicator == "consistency.related_data"
    assert report.rule("region-fk").db31_code == "040203"
    assert report.rule("regex:code").db31_code == "010102"
    assert report.rule("expr-or").db31_code == "040202"
    assert report.rule("fresh-age").dimension == "timeliness"
    custom = parse_ruleset(
        {"rules": [{"type": "not_null", "column": "id", "indicator": "accuracy.dirty_data_rate"}]}
    )
    assert custom.rules[0].effective_indicator().info.db31_code == "030500"


def test_a_security_failure_blocks_high_quality(report: QualityReport) -> None:
    assert not report.high_quality.eligible
    assert any("masked:mobile" in reason for reason in report.high_quality.reasons)
