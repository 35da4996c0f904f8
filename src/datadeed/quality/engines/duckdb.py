"""DuckDB engine: the default. Streams Parquet/CSV/JSON larger than memory.

Spills to ``temp_directory`` beyond ``memory_limit``; insertion order is not kept,
which lets DuckDB stream aggregates without buffering.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

# Loaded with the engine, not lazily by the first assessment's first query (~0.2 s).
import sqlglot.dialects.duckdb  # noqa: F401
from sqlglot import exp

from datadeed.quality.checks import ColumnInfo, NeutralTypeOrOther
from datadeed.quality.engines.base import QualityEngine
from datadeed.quality.errors import UnreadableDataset
from datadeed.quality.plan import SOURCE, ValuesShape
from datadeed.quality.udfs import IDENTIFIER_KINDS, is_valid, udf_name

__all__ = ["DuckDBQualityEngine"]

_TYPES: dict[str, NeutralTypeOrOther] = {
    "varchar": "string",
    "boolean": "boolean",
    "float": "float",
    "double": "float",
    "decimal": "decimal",
    "date": "date",
    "time": "time",
    "blob": "binary",
    **dict.fromkeys(
        [
            "tinyint",
            "smallint",
            "integer",
            "bigint",
            "hugeint",
            "utinyint",
            "usmallint",
            "uinteger",
            "ubigint",
            "uhugeint",
        ],
        "integer",
    ),
    **dict.fromkeys(
        ("timestamp", "timestamp with time zone", "timestamp_ms", "timestamp_ns", "timestamp_s"),
        "timestamp",
    ),
}


def neutral_type(duckdb_type_id: str) -> NeutralTypeOrOther:
    return _TYPES.get(duckdb_type_id.lower(), "other")


class DuckDBQualityEngine(QualityEngine):
    """``DuckDBQualityEngine(memory_limit="1GB")``: each assessment gets its own connection."""

    name = "duckdb"

    def __init__(
        self,
        *,
        memory_limit: str = "1GB",
        threads: int | None = None,
        temp_directory: str | Path | None = None,
    ) -> None:
        self.memory_limit = memory_limit
        self.threads = threads
        self.temp_directory = temp_directory

    def _config(self) -> dict[str, Any]:
        config: dict[str, Any] = {
            "memory_limit": self.memory_limit,
            "preserve_insertion_order": False,
        }
        if self.threads is not None:
            config["threads"] = self.threads
        if self.temp_directory is not None:
            config["temp_directory"] = str(self.temp_directory)
        return config

    @contextmanager
    def executor(self) -> Iterator[_DuckDBExecutor]:
        con = duckdb.connect(":memory:", config=self._config())
        try:
            con.execute("SET TimeZone = 'UTC'")
            con.execute("SET enable_progress_bar = false")
            yield _DuckDBExecutor(con)
        finally:
            con.close()


class _DuckDBExecutor:
    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.functions: set[str] = set()
        self.values_shape: ValuesShape = "rows"

    def attach(self, table: str, path: Path) -> list[ColumnInfo]:
        if not path.is_file():
            raise UnreadableDataset(f"no such data file: {path.name}")
        try:
            relation = _read(self.con, path)
            relation.create_view(table)
            if table == SOURCE and _is_parquet(path):
                self.values_shape = "columns"  # a column is read alone: count it there
            return [
                ColumnInfo(name, neutral_type(t.id))
                for name, t in zip(relation.columns, relation.types, strict=True)
            ]
        except duckdb.Error as e:
            raise UnreadableDataset(f"cannot read {path.name}: {e}") from None

    def fetch(self, query: exp.Query) -> list[tuple[Any, ...]]:
        sql = query.sql(dialect="duckdb")
        self._register_functions(query)
        return self.con.execute(sql).fetchall()

    def _register_functions(self, query: exp.Query) -> None:
        """Register the identifier UDFs a query calls, once (the first costs ~0.25 s)."""
        called = {f.name.lower() for f in query.find_all(exp.Anonymous)}
        for kind in IDENTIFIER_KINDS:
            name = udf_name(kind)
            if name in called and name not in self.functions:
                self.con.create_function(
                    name,
                    functools.partial(is_valid, kind),
                    ["VARCHAR"],
                    "BOOLEAN",
                    side_effects=False,
                )
                self.functions.add(name)


def _is_parquet(path: Path) -> bool:
    return path.suffix.lower() in (".parquet", ".pq", ".parq")


def _read(con: duckdb.DuckDBPyConnection, path: Path) -> duckdb.DuckDBPyRelation:
    suffix = path.suffix.lower()
    if _is_parquet(path):
        return con.read_parquet(str(path))
    if suffix in (".json", ".jsonl", ".ndjson"):
        return con.read_json(str(path))
    # A quoted empty field is an empty string, an unquoted one is null (as in Spark).
    return con.read_csv(str(path), header=True, allow_quoted_nulls=False)
