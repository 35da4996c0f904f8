"""Column profiles and built-in indicators against pandas and plain Python."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

from datadeed import identifiers
from datadeed.quality import (
    AssessOptions,
    DuckDBQualityEngine,
    InvalidRuleSet,
    QualityReport,
    UnknownColumn,
    UnreadableDataset,
    parse_ruleset,
)
from datadeed.quality.values import to_json_value
from tests.unit.quality.conftest import write_csv, write_parquet


@pytest.fixture(scope="module")
def profile(mixed_parquet: Path) -> QualityReport:
    return DuckDBQualityEngine(memory_limit="256MB", threads=2).assess(mixed_parquet)


@pytest.fixture(scope="module")
def frame(mixed_parquet: Path) -> pd.DataFrame:
    return pd.read_parquet(mixed_parquet)


def test_counts_match_pandas(profile: QualityReport, frame: pd.DataFrame) -> None:
    assert profile.row_count == len(frame)
    assert profile.column_count == len(frame.columns)
    assert profile.duplicate_rows == int(frame.duplicated().sum()) == 3
    for column in profile.columns:
        assert column.null_count == int(frame[column.name].isna().sum()), column.name
        assert column.distinct_count == frame[column.name].nunique(), column.name
        assert not column.distinct_approximate


def test_min_max_and_lengths_match_plain_python(
    profile: QualityReport, mixed: dict[str, list[Any]]
) -> None:
    for column in profile.columns:
        values = [v for v in mixed[column.name] if v is not None]
        if column.masked_as is None:
            assert (column.min, column.max) == (
                to_json_value(min(values)),
                to_json_value(max(values)),
            )
        if column.type == "string":
            lengths = [len(v) for v in values]
            assert (column.min_length, column.max_length) == (min(lengths), max(lengths))
            assert column.mean_length == pytest.approx(sum(lengths) / len(lengths), abs=1e-4)


def test_pattern_classes(profile: QualityReport, mixed: dict[str, list[Any]]) -> None:
    names = [v for v in mixed["name"] if v is not None]
    patterns = profile.column("name").patterns
    assert patterns is not None
    assert patterns.cjk == sum(bool(re.fullmatch("[\u4e00-\u9fff]+", v)) for v in names)
    assert patterns.letters == sum(bool(re.fullmatch("[A-Za-z]+", v)) for v in names)
    assert patterns.alnum_mixed == names.count("bob42")
    assert patterns.blank == names.count(" ")
    assert patterns.other == names.count("X-9")
    assert profile.column("amount").patterns is None


def test_top_values_by_count_then_value(
    profile: QualityReport, mixed: dict[str, list[Any]]
) -> None:
    counts = Counter(v for v in mixed["status"] if v is not None)
    expected = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    got = [(t.value, t.count) for t in profile.column("status").top_values]
    assert got == expected


def test_builtin_completeness_and_duplication(profile: QualityReport, frame: pd.DataFrame) -> None:
    cells = frame.size
    nulls = int(frame.isna().sum().sum())
    complete = int((~frame.isna().any(axis=1)).sum())
    completeness = profile.dimensions["completeness"]
    element = completeness.indicators["element"]
    record = completeness.indicators["record"]
    assert (element.contributions[0].a, element.contributions[0].b) == (cells - nulls, cells)
    assert (record.contributions[0].a, record.contributions[0].b) == (complete, len(frame))
    assert element.score == pytest.approx(100 * (cells - nulls) / cells, abs=1e-4)
    duplication = profile.dimensions["accuracy"].indicators["duplication_rate"]
    assert duplication.score == pytest.approx(100 * (1 - 3 / len(frame)), abs=1e-4)
    assert element.db31_code == "020100" and duplication.db31_code == "030300"


def test_without_rules_only_measured_dimensions_are_scored(profile: QualityReport) -> None:
    scores = {name: d.score for name, d in profile.dimensions.items()}
    assert set(scores) == {
        "normativity",
        "completeness",
        "accuracy",
        "consistency",
        "timeliness",
        "accessibility",
    }
    assert scores["normativity"] is None and scores["timeliness"] is None
    assert scores["consistency"] is None and scores["accessibility"] is None
    assert profile.score == pytest.approx(
        (scores["completeness"] + scores["accuracy"]) / 2, abs=1e-3
    )


def test_identifier_columns_are_detected_and_masked(
    profile: QualityReport, mixed: dict[str, list[Any]]
) -> None:
    company = profile.column("company")
    assert company.masked_as == "uscc"
    valid = sum(identifiers.is_valid_uscc(v) for v in mixed["company"]) / len(mixed["company"])
    assert company.identifier_rates["uscc"] == pytest.approx(valid, abs=1e-4)
    raw = [v for v in mixed["company"] if v is not None]
    assert company.min == identifiers.mask_uscc(min(raw))
    shown = {t.value for t in company.top_values} | {company.min, company.max}
    assert not shown & set(raw), "a raw credit code leaked into the profile"


def test_rule_samples_of_identifier_columns_are_masked(
    engine: DuckDBQualityEngine, mixed_parquet: Path, mixed: dict[str, list[Any]]
) -> None:
    rules = parse_ruleset(
        {"rules": [{"type": "identifier", "column": "person_id", "kind": "resident_id"}]}
    )
    result = engine.assess(mixed_parquet, rules).rules[0]
    failing = sorted(v for v in mixed["person_id"] if v and not identifiers.is_valid_resident_id(v))
    assert result.samples_masked
    assert [s.values["person_id"] for s in result.samples] == [
        identifiers.mask_resident_id(v) for v in failing[:10]
    ]
    assert all("*" in str(s.values["person_id"]) for s in result.samples)


def test_masked_columns_setting_masks_any_column(
    engine: DuckDBQualityEngine, mixed_parquet: Path
) -> None:
    rules = parse_ruleset(
        {
            "masked_columns": {"name": "full"},
            "rules": [{"type": "length", "column": "name", "max": 2}],
        }
    )
    report = engine.assess(mixed_parquet, rules)
    assert all(set(str(s.values["name"])) == {"*"} for s in report.rules[0].samples)
    assert report.column("name").masked_as == "full"


def test_distinct_counts_above_the_limit_are_approximate(
    engine: DuckDBQualityEngine, mixed_parquet: Path, frame: pd.DataFrame
) -> None:
    report = engine.assess(mixed_parquet, options=AssessOptions(exact_distinct_limit=50, top_k=3))
    for column in report.columns:
        true = frame[column.name].nunique()
        if column.distinct_approximate:
            assert column.distinct_count == pytest.approx(true, rel=0.1)
            assert column.top_values == []
        else:
            assert column.distinct_count == true and len(column.top_values) == min(3, true)
    assert report.column("id").distinct_approximate
    assert not report.column("status").distinct_approximate


def test_csv_input(engine: DuckDBQualityEngine, tmp_path: Path) -> None:
    rows = {"k": [1, 2, 2, None], "city": ["杭州", "上海", "上海", ""], "v": [1.5, 2.0, 2.0, None]}
    path = write_csv(tmp_path / "small.csv", rows)
    rules = parse_ruleset({"rules": [{"type": "unique", "columns": ["k"]}]})
    report = engine.assess(path, rules)
    assert report.source_format == "csv"
    assert (report.row_count, report.duplicate_rows) == (4, 1)
    assert [c.null_count for c in report.columns] == [1, 0, 1]
    assert (report.rules[0].a, report.rules[0].b) == (2, 3)


def test_empty_dataset_is_not_assessed_rather_than_perfect(
    engine: DuckDBQualityEngine, tmp_path: Path
) -> None:
    schema = pa.schema([("a", pa.int64()), ("b", pa.string())])
    path = write_parquet(tmp_path / "empty.parquet", {"a": [], "b": []}, schema)
    rules = parse_ruleset({"rules": [{"type": "not_null", "column": "a"}]})
    report = engine.assess(path, rules)
    assert report.row_count == 0
    assert all(d.score is None for d in report.dimensions.values())
    assert (report.score, report.grade) == (None, None)
    assert report.rules[0].pass_rate is None
    assert not report.high_quality.eligible


def test_unreadable_and_missing_files(engine: DuckDBQualityEngine, tmp_path: Path) -> None:
    bad = tmp_path / "broken.parquet"
    bad.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(UnreadableDataset):
        engine.assess(bad)
    with pytest.raises(UnreadableDataset, match="no such data file"):
        engine.assess(tmp_path / "missing.parquet")


def test_rules_naming_unknown_columns_are_refused(
    engine: DuckDBQualityEngine, mixed_parquet: Path
) -> None:
    rules = parse_ruleset({"rules": [{"type": "not_null", "column": "nope"}]})
    with pytest.raises(UnknownColumn, match="nope"):
        engine.assess(mixed_parquet, rules)
    rules = parse_ruleset({"rules": [{"type": "expression", "expression": "ghost > 1"}]})
    with pytest.raises(UnknownColumn, match="ghost"):
        engine.assess(mixed_parquet, rules)


def test_reference_datasets_can_be_restricted(
    engine: DuckDBQualityEngine, mixed_parquet: Path, regions_parquet: Path
) -> None:
    rule = {"type": "reference", "column": "region", "dataset": "regions", "dataset_column": "code"}
    rules = parse_ruleset({"rules": [rule]})
    report = engine.assess(mixed_parquet, rules, reference_paths={"regions": regions_parquet})
    assert report.rules[0].b == 243
    with pytest.raises(InvalidRuleSet, match="not available"):
        engine.assess(mixed_parquet, rules, reference_paths={})


def test_progress_is_reported(engine: DuckDBQualityEngine, mixed_parquet: Path) -> None:
    steps: list[tuple[str, int, int]] = []
    engine.assess(
        mixed_parquet, progress=lambda step, done, total: steps.append((step, done, total))
    )
    assert [s[0] for s in steps][:2] == ["profile", "distinct values"]
    assert [s[1] for s in steps] == list(range(1, len(steps) + 1))


def test_duckdb_connection_settings(tmp_path: Path) -> None:
    from sqlglot import exp

    engine = DuckDBQualityEngine(memory_limit="300MB", threads=1, temp_directory=tmp_path)
    setting = exp.func("current_setting", exp.Literal.string("memory_limit"))
    threads = exp.func("current_setting", exp.Literal.string("threads"))
    with engine.executor() as executor:
        limit, count = executor.fetch(exp.select(setting, threads))[0]
    assert limit.startswith(("286.1 MiB", "300.0 MB")) and count == 1


def test_ruleset_version_is_recorded_only_when_rules_are_given(
    engine: DuckDBQualityEngine, mixed_parquet: Path
) -> None:
    assert engine.assess(mixed_parquet).ruleset_version is None
    empty = parse_ruleset({"version": "v9"})
    assert engine.assess(mixed_parquet, empty).ruleset_version == "v9"


def test_options_are_validated() -> None:
    with pytest.raises(ValueError, match="negative"):
        AssessOptions(sample_limit=-1)
    with pytest.raises(ValueError, match="share"):
        AssessOptions(identifier_rate_threshold=1.5)
