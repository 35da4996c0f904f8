"""The Spark engine runs the same plan and gives the same numbers as DuckDB.

One local Spark session is shared by the whole run (conftest ``spark_session``);
deselect these tests with ``-m "not spark"``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from datadeed.quality import AssessOptions, DuckDBQualityEngine, QualityReport, parse_ruleset
from datadeed.quality.engines.spark import SparkQualityEngine
from tests.unit.quality.conftest import write_csv, write_parquet
from tests.unit.quality.test_rules_duckdb import REFERENCE_TIME, RULES

pytestmark = pytest.mark.spark


def _comparable(report: QualityReport) -> dict[str, Any]:
    """The report without what may differ: the engine's name, digest, float noise."""
    data = report.model_dump(mode="json", exclude={"engine", "digest"})
    for column in data["columns"]:
        mean = column.pop("mean_length")
        column["mean_length"] = None if mean is None else round(mean, 3)
        if column["distinct_approximate"]:  # estimators differ; compare only exact counts
            column["distinct_count"] = None
    return data


def _both(path: Path, ruleset: Any, spark_session: Any) -> tuple[QualityReport, QualityReport]:
    duck = DuckDBQualityEngine(memory_limit="256MB", threads=2)
    spark = SparkQualityEngine(spark_session)
    kwargs = {"reference_time": REFERENCE_TIME}
    return duck.assess(path, ruleset, **kwargs), spark.assess(path, ruleset, **kwargs)


def test_engines_agree_on_the_mixed_dataset(
    spark_session: Any, mixed_parquet: Path, regions_parquet: Path
) -> None:
    ruleset = parse_ruleset(RULES.replace("REGIONS", str(regions_parquet)))
    duck, spark = _both(mixed_parquet, ruleset, spark_session)
    assert spark.engine == "spark"
    assert [(r.id, r.a, r.b) for r in spark.rules] == [(r.id, r.a, r.b) for r in duck.rules]
    assert all(not c.distinct_approximate for c in duck.columns + spark.columns)
    assert _comparable(spark) == _comparable(duck)
    assert spark.digest_is_valid()
    # Failing identifier samples are masked the same way on both engines.
    samples = spark.rule("identifier:person_id").samples
    assert samples and all("*" in str(s.values["person_id"]) for s in samples)


def test_engines_agree_on_csv_with_simple_types(spark_session: Any, tmp_path: Path) -> None:
    rows = {
        "k": [1, 2, 2, None, 5, 6],
        "city": ["杭州", "上海", "上海", None, "x", "北京"],
        "v": [1.5, 2.0, 2.0, None, -1.0, 100.25],
    }
    path = write_csv(tmp_path / "simple.csv", rows)
    ruleset = parse_ruleset(
        {
            "rules": [
                {"type": "unique", "columns": ["k"]},
                {"type": "range", "column": "v", "min": 0},
                {"type": "regex", "column": "city", "pattern": "[\u4e00-\u9fff]+"},
                {"type": "expression", "expression": "v * k > 3"},
            ]
        }
    )
    duck, spark = _both(path, ruleset, spark_session)
    assert [c.type for c in spark.columns] == [c.type for c in duck.columns]
    assert _comparable(spark) == _comparable(duck)


def test_engines_agree_when_patterns_and_duplicates_take_the_other_paths(
    spark_session: Any, tmp_path: Path
) -> None:
    # "serial" has more distinct values than the limit: patterns counted row by row;
    # "code" stays exact; duplicates come from the whole-row grouping set.
    codes = ["杭州", "abc", "123", "a1", " ", "", "x-9", None]
    rows = {
        "code": [codes[i % len(codes)] for i in range(30)] + codes[:4],
        "serial": [f"s{i}" if i % 3 else str(i) for i in range(30)] + ["0", "s1", "s2", "3"],
    }
    path = write_parquet(tmp_path / "text.parquet", rows)
    options = AssessOptions(exact_distinct_limit=10)
    duck = DuckDBQualityEngine(memory_limit="256MB", threads=2).assess(path, options=options)
    spark = SparkQualityEngine(spark_session).assess(path, options=options)
    assert duck.column("serial").distinct_approximate
    assert not duck.column("code").distinct_approximate
    assert duck.duplicate_rows == 4
    assert _comparable(spark) == _comparable(duck)
