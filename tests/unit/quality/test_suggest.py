"""Suggested rules describe the data: the same data passes them."""

from __future__ import annotations

from pathlib import Path

from datadeed.quality import DuckDBQualityEngine, parse_ruleset, suggest_rules, suggest_rules_yaml
from tests.unit.quality.conftest import resident_id, write_parquet


def test_suggestions_from_a_profile(engine: DuckDBQualityEngine, tmp_path: Path) -> None:
    n = 60
    rows = {
        "id": list(range(n)),
        "status": ["open", "closed", "open"] * (n // 3),
        "amount": [float(i) / 4 for i in range(n)],
        "code": [f"{i:06d}" for i in range(n)],
        "person": [resident_id(f"1980010{1 + i % 9}", f"{i:03d}") for i in range(n)],
        "note": [None if i % 4 else f"自由 text {i}!" for i in range(n)],
    }
    path = write_parquet(tmp_path / "s.parquet", rows)
    profile = engine.assess(path)
    suggested = suggest_rules(profile)
    kinds = {(r.type_name(), tuple(r.columns())) for r in suggested.rules}
    assert ("unique", ("id",)) in kinds and ("not_null", ("id",)) in kinds
    assert ("enum", ("status",)) in kinds
    assert ("range", ("amount",)) in kinds
    assert ("regex", ("code",)) in kinds
    assert ("identifier", ("person",)) in kinds
    assert ("length", ("note",)) in kinds and ("not_null", ("note",)) not in kinds
    enum = next(r for r in suggested.rules if r.type_name() == "enum")
    assert enum.values == ["closed", "open"]

    text = suggest_rules_yaml(profile)
    reloaded = parse_ruleset(text)
    assert reloaded == suggested
    checked = engine.assess(path, reloaded)
    assert all(r.a == r.b for r in checked.rules), [(r.id, r.a, r.b) for r in checked.rules]
    assert checked.dimensions["normativity"].score == 100.0


def test_mixed_dataset_suggestions_pass(engine: DuckDBQualityEngine, mixed_parquet: Path) -> None:
    profile = engine.assess(mixed_parquet)
    checked = engine.assess(mixed_parquet, suggest_rules(profile))
    assert checked.rules
    assert all(r.a == r.b for r in checked.rules), [(r.id, r.a, r.b) for r in checked.rules]
    assert "identifier:company" not in {r.id for r in checked.rules}  # 95% valid is too few
