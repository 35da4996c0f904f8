"""The SQL text datadeed builds for DuckDB. Names and paths come from users, so every
identifier and literal goes through :func:`quote_ident` / :func:`quote_literal`; these
helpers are the only places that assemble statements from parts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

PARQUET_OPTIONS = "FORMAT parquet, COMPRESSION zstd"


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str | Path) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def read_parquet(*paths: Path) -> str:
    files = ", ".join(quote_literal(p) for p in paths)
    return f"read_parquet([{files}], union_by_name=true)"


def select(columns: str, relation: str, tail: str = "") -> str:
    """``SELECT columns FROM relation tail`` from parts quoted by the caller."""
    return f"SELECT {columns} FROM {relation} {tail}".rstrip()  # noqa: S608


def describe(conn: duckdb.DuckDBPyConnection, relation: str) -> list[tuple[str, str]]:
    """(name, DuckDB type) of each column of ``relation``."""
    rows = conn.execute("DESCRIBE " + select("*", relation)).fetchall()
    return [(str(row[0]), str(row[1])) for row in rows]


def first_row(conn: duckdb.DuckDBPyConnection, query: str) -> tuple[Any, ...] | None:
    """The first row of a query that returns few rows, fetched to the end: DuckDB refuses
    further work on a connection while a result is unfinished."""
    rows = conn.execute(query).fetchall()
    return tuple(rows[0]) if rows else None


def count(conn: duckdb.DuckDBPyConnection, relation: str) -> int:
    row = first_row(conn, select("count(*)", relation))
    return int(row[0]) if row else 0


def copy_to_parquet(conn: duckdb.DuckDBPyConnection, query: str, out: Path) -> None:
    conn.execute(f"COPY ({query}) TO {quote_literal(out)} ({PARQUET_OPTIONS})")
