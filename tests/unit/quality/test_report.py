"""The report contract: interface keys, JSON round trip and a stable digest."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

import rfc8785

from datadeed.quality import DuckDBQualityEngine, QualityReport, parse_ruleset

RULES = parse_ruleset(
    {
        "version": "3",
        "rules": [
            {"type": "unique", "columns": ["id"]},
            {"type": "freshness", "column": "event_time", "max_age": "P10D"},
        ],
    }
)
WHEN = datetime(2024, 3, 25)


def _assess(path: Path) -> QualityReport:
    engine = DuckDBQualityEngine(memory_limit="256MB", threads=2)
    return engine.assess(path, RULES, reference_time=WHEN)


def test_interface_fields(mixed_parquet: Path) -> None:
    data = json.loads(_assess(mixed_parquet).to_json())
    required = {"row_count", "duplicate_rows", "columns", "dimensions", "rules", "score", "grade"}
    required |= {"engine", "ruleset_version", "weight_profile_version", "digest", "fingerprint"}
    assert required <= set(data)
    assert {
        "name",
        "type",
        "null_count",
        "distinct_count",
        "distinct_approximate",
        "min",
        "max",
    } <= set(data["columns"][0])
    assert list(data["dimensions"]) == [
        "normativity",
        "completeness",
        "accuracy",
        "consistency",
        "timeliness",
        "accessibility",
    ]
    assert data["dimensions"]["accessibility"]["score"] is None
    assert {"a", "b", "samples"} <= set(data["rules"][0])
    assert data["engine"] == "duckdb" and data["ruleset_version"] == "3"
    assert data["weight_profile_version"] == "gbt36344-equal/1"
    assert data["reference_time"] == "2024-03-25T00:00:00"
    assert data["fingerprint"] is None


def test_digest_is_sha256_of_canonical_json_without_digest(mixed_parquet: Path) -> None:
    report = _assess(mixed_parquet)
    body = report.model_dump(mode="json")
    del body["digest"]
    assert report.digest == hashlib.sha256(rfc8785.dumps(body)).hexdigest()
    assert report.digest_is_valid()


def test_digest_is_stable_across_runs_and_round_trips(mixed_parquet: Path) -> None:
    first, second = _assess(mixed_parquet), _assess(mixed_parquet)
    assert first.digest == second.digest
    again = QualityReport.model_validate_json(first.to_json())
    assert again == first and again.digest_is_valid()


def test_fingerprint_is_covered_by_the_digest(mixed_parquet: Path) -> None:
    report = _assess(mixed_parquet)
    stamped = report.with_fingerprint({"sha256": "ab" * 32, "content": "cd" * 32})
    assert stamped.digest != report.digest and stamped.digest_is_valid()
    forged = stamped.model_copy(update={"fingerprint": {"sha256": "00" * 32}})
    assert not forged.digest_is_valid()


def test_digest_changes_with_the_data(mixed_parquet: Path, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    table = pq.read_table(mixed_parquet)
    pq.write_table(table.slice(1), tmp_path / "less.parquet")
    assert _assess(tmp_path / "less.parquet").digest != _assess(mixed_parquet).digest
