"""Fixtures for the sensitive-data tests: the labelled evaluation set written as a real
Parquet table (one column per kind of value), and the shared local Spark session."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from datadeed.sensitive.evalset import Labelled, generate
from tests.unit.quality.conftest import spark_session  # noqa: F401 (shared fixture)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "spark: runs on a local PySpark session (Java 17)")


def table_of(values: list[Labelled]) -> dict[str, list[str | None]]:
    """Columns of equal length: each column's labelled values, padded with nulls."""
    columns: dict[str, list[str | None]] = {}
    for item in values:
        columns.setdefault(item.column, []).append(item.value)
    longest = max(len(v) for v in columns.values())
    return {k: v + [None] * (longest - len(v)) for k, v in columns.items()}


@pytest.fixture(scope="session")
def eval_values() -> list[Labelled]:
    return generate(per_column=100)


@pytest.fixture(scope="session")
def eval_parquet(tmp_path_factory: pytest.TempPathFactory, eval_values: list[Labelled]) -> Path:
    path = tmp_path_factory.mktemp("evalset") / "records.parquet"
    pq.write_table(pa.table(table_of(eval_values)), path)
    return path
