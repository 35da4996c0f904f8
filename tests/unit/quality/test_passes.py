"""How many queries an assessment runs over the data, and that each way of counting agrees.

The default assessment runs two: the profile, then one query for distinct rows, exact
distinct counts, top values and pattern classes of text. Text columns with more distinct
values than ``exact_distinct_limit`` have their patterns counted row by row in a third
query. Every path is checked against pandas or plain Python here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, get_args

import pandas as pd
import pytest

from datadeed.quality import AssessOptions, DuckDBQualityEngine, QualityReport
from datadeed.quality.plan import PATTERN_CLASSES, MetricPlan, ValuesShape
from tests.unit.quality.conftest import write_csv, write_parquet


def _steps(
    engine: DuckDBQualityEngine, path: Path, **options: Any
) -> tuple[QualityReport, list[str]]:
    steps: list[str] = []
    report = engine.assess(
        path, options=AssessOptions(**options), progress=lambda s, _d, _t: steps.append(s)
    )
    return report, steps


def _python_patterns(values: list[Any]) -> dict[str, int]:
    text = [v for v in values if v is not None]
    return {k: sum(bool(re.fullmatch(p, v)) for v in text) for k, p in PATTERN_CLASSES.items()}


def _pattern_dict(report: QualityReport, name: str) -> dict[str, int]:
    p = report.column(name).patterns
    assert p is not None
    return {
        "blank": p.blank,
        "digits": p.digits,
        "letters": p.letters,
        "alnum": p.alnum_mixed + p.digits + p.letters,
        "cjk": p.cjk,
    }


@pytest.fixture(scope="module")
def text_rows() -> dict[str, list[Any]]:
    words = ["杭州", "abc", "123", "a1", " ", "", "x-9", None, "北京", "Z", "007", "上海x"]
    n = 120
    rows = {
        "code": [words[i % len(words)] for i in range(n)],
        "serial": [f"s{i // 2}" if i % 7 else str(i) for i in range(n)],  # many values
        "k": [i % 5 for i in range(n)],
    }
    return {name: values + values[:10] for name, values in rows.items()}  # 10 duplicates


@pytest.fixture(scope="module")
def text_parquet(tmp_path_factory: pytest.TempPathFactory, text_rows: dict[str, list[Any]]) -> Path:
    return write_parquet(tmp_path_factory.mktemp("passes") / "text.parquet", text_rows)


def test_default_assessment_runs_two_queries(
    engine: DuckDBQualityEngine, text_parquet: Path, text_rows: dict[str, list[Any]]
) -> None:
    report, steps = _steps(engine, text_parquet)
    assert steps == ["profile", "distinct values"]
    frame = pd.DataFrame(text_rows)
    assert report.duplicate_rows == int(frame.duplicated().sum()) == 10
    for name in ("code", "serial"):
        assert _pattern_dict(report, name) == _python_patterns(text_rows[name]), name
        assert not report.column(name).distinct_approximate


def test_many_valued_text_is_counted_row_by_row_with_the_same_result(
    engine: DuckDBQualityEngine, text_parquet: Path, text_rows: dict[str, list[Any]]
) -> None:
    few, _ = _steps(engine, text_parquet)
    many, steps = _steps(engine, text_parquet, exact_distinct_limit=20)
    assert steps == ["profile", "distinct values", "patterns"]
    assert many.column("serial").distinct_approximate
    assert not many.column("code").distinct_approximate
    assert many.column("serial").patterns == few.column("serial").patterns
    assert many.column("code").patterns == few.column("code").patterns
    assert many.duplicate_rows == few.duplicate_rows
    # No column exact at all: distinct rows still come from the grouping query.
    none, steps = _steps(engine, text_parquet, exact_distinct_limit=0)
    assert steps == ["profile", "distinct values", "patterns"]
    assert none.duplicate_rows == few.duplicate_rows
    assert [c.patterns for c in none.columns] == [c.patterns for c in few.columns]
    assert all(c.top_values == [] for c in none.columns)


@pytest.mark.parametrize("limit", [100, 0])
def test_one_column_tables_count_duplicates_with_and_without_exact_values(
    engine: DuckDBQualityEngine, tmp_path: Path, limit: int
) -> None:
    values = ["a", "b", "a", None, None, "c", "a", ""]
    path = write_parquet(tmp_path / "one.parquet", {"v": values})
    report, _ = _steps(engine, path, exact_distinct_limit=limit)
    assert report.duplicate_rows == int(pd.DataFrame({"v": values}).duplicated().sum()) == 3
    assert _pattern_dict(report, "v") == _python_patterns(values)


def test_a_wide_table(engine: DuckDBQualityEngine, tmp_path: Path) -> None:
    width = 70  # more columns than Spark's 64-bit GROUPING SETS mask would allow
    rows = {f"c{j}": [(i * (j + 1)) % 4 for i in range(40)] for j in range(width)}
    path = write_csv(tmp_path / "wide.csv", rows)
    report, steps = _steps(engine, path)
    assert steps == ["profile", "distinct values"]
    frame = pd.DataFrame(rows)
    assert report.duplicate_rows == int(frame.duplicated().sum()) == 36
    assert [c.distinct_count for c in report.columns] == [frame[c].nunique() for c in frame]


def test_a_column_of_only_nulls_has_no_values_and_no_patterns(
    engine: DuckDBQualityEngine, tmp_path: Path
) -> None:
    import pyarrow as pa

    schema = pa.schema([("t", pa.string()), ("k", pa.int64())])
    path = write_parquet(tmp_path / "nulls.parquet", {"t": [None] * 4, "k": [1, 1, 2, 3]}, schema)
    report, _ = _steps(engine, path)
    column = report.column("t")
    assert (column.null_count, column.distinct_count, column.top_values) == (4, 0, [])
    assert _pattern_dict(report, "t") == dict.fromkeys(PATTERN_CLASSES, 0)
    assert report.duplicate_rows == 1


@pytest.mark.parametrize("limit", [100_000, 20])
def test_every_shape_of_the_values_query_gives_the_same_report(
    engine: DuckDBQualityEngine,
    text_parquet: Path,
    mixed_parquet: Path,
    monkeypatch: pytest.MonkeyPatch,
    limit: int,
) -> None:
    # DuckDB counts Parquet columns on the data and CSV columns on the distinct rows;
    # Spark uses GROUPING SETS. DuckDB runs every shape here, on both inputs.
    options = AssessOptions(exact_distinct_limit=limit)
    values_query = MetricPlan.values_query
    reports = {}
    calls: list[str] = []
    for shape in get_args(ValuesShape):

        def forced(plan: MetricPlan, names: Any, _shape: Any = shape, **_: Any) -> Any:
            calls.append(_shape)  # the engine's own choice is overridden
            return values_query(plan, names, shape=_shape)

        monkeypatch.setattr(MetricPlan, "values_query", forced)
        reports[shape] = [engine.assess(p, options=options) for p in (text_parquet, mixed_parquet)]
    dumps = {shape: [r.model_dump() for r in found] for shape, found in reports.items()}
    assert dumps["columns"] == dumps["rows"] == dumps["grouping_sets"]
    assert calls == [s for s in get_args(ValuesShape) for _ in range(2)]
