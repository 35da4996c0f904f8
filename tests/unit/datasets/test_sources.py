"""Database tables and read-only queries as dataset sources."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from datadeed.datasets import errors
from datadeed.datasets.fingerprint import fingerprint_parquet
from datadeed.datasets.intake import normalize
from datadeed.datasets.sources import check_select, read_query, read_table
from tests.unit.datasets.conftest import ROWS, write_parquet

PG_URL = os.environ.get("DATADEED_TEST_DATABASE_URL")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    path = tmp_path / "source.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE customers (name TEXT, id INTEGER, amount REAL)")
        conn.executemany(
            "INSERT INTO customers VALUES (?, ?, ?)",
            [(r[0], r[1], r[2]) for r in ROWS],
        )
        conn.execute("CREATE TABLE loose (v)")
        conn.executemany("INSERT INTO loose VALUES (?)", [(1,), ("x",), (2.5,)])
        conn.execute("CREATE TABLE empty (a TEXT)")
    return f"sqlite:///{path}"


def test_sqlite_table_has_the_same_fingerprint_as_the_file(
    sqlite_url: str, data_dir: Path, out_dir: Path
) -> None:
    dataset = read_table(sqlite_url, "customers", out_dir / "t.parquet")
    import pyarrow as pa
    import pyarrow.parquet as pq

    file = data_dir / "c.parquet"
    pq.write_table(
        pa.table(
            {
                "name": [r[0] for r in ROWS],
                "id": [r[1] for r in ROWS],
                "amount": [r[2] for r in ROWS],
            }
        ),
        file,
    )

    assert dataset.row_count == len(ROWS)
    assert [c.name for c in dataset.columns] == ["name", "id", "amount"]
    assert fingerprint_parquet(dataset.path).content == fingerprint_parquet(file).content
    assert {p.name for p in out_dir.iterdir()} == {"t.parquet"}


def test_query_source(sqlite_url: str, out_dir: Path) -> None:
    dataset = read_query(
        sqlite_url,
        "-- large customers\nSELECT name, id FROM customers WHERE amount > 1;",
        out_dir / "q.parquet",
    )
    assert dataset.row_count == 2


def test_a_column_of_mixed_sqlite_types_becomes_text(sqlite_url: str, out_dir: Path) -> None:
    dataset = read_table(sqlite_url, "loose", out_dir / "l.parquet")

    assert [(c.name, c.type) for c in dataset.columns] == [("v", "VARCHAR")]


def test_missing_table_and_empty_result(sqlite_url: str, out_dir: Path) -> None:
    with pytest.raises(errors.SourceError):
        read_table(sqlite_url, "nope", out_dir / "n.parquet")
    with pytest.raises(errors.HeaderOnly):
        read_table(sqlite_url, "empty", out_dir / "e.parquet")
    assert list(out_dir.iterdir()) == []


@pytest.mark.parametrize(
    "query",
    [
        "DELETE FROM customers",
        "SELECT 1; DROP TABLE customers",
        "WITH gone AS (DELETE FROM customers RETURNING *) SELECT * FROM gone",
        "SELECT * INTO copy FROM customers",
        "SELECT * FROM customers FOR UPDATE",
        "INSERT INTO customers SELECT * FROM customers",
        "PRAGMA writable_schema = 1",
        "SELECT pg_terminate_backend(1)",
        "SELECT nextval('seq')",
        "/* SELECT */ UPDATE customers SET id = 0",
        "",
    ],
)
def test_non_select_statements_are_refused(query: str, sqlite_url: str, out_dir: Path) -> None:
    with pytest.raises(errors.UnsafeQuery) as caught:
        read_query(sqlite_url, query, out_dir / "x.parquet")
    assert caught.value.code == "unsafe_query"
    with sa.create_engine(sqlite_url).connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM customers")).scalar() == len(ROWS)


def test_keywords_inside_strings_and_quoted_names_are_fine() -> None:
    query = """SELECT 'DELETE FROM x; --' AS "update", name FROM customers -- drop"""
    assert check_select(query) == query


def test_password_is_not_in_the_error() -> None:
    with pytest.raises(errors.SourceError) as caught:
        read_query(
            "postgresql+psycopg://reader:s3cret@127.0.0.1:1/none",
            "SELECT 1",
            Path("/tmp/never.parquet"),  # noqa: S108 - never written: the connection fails
        )
    assert "s3cret" not in caught.value.message


@pytest.mark.skipif(not PG_URL, reason="needs DATADEED_TEST_DATABASE_URL (PostgreSQL)")
def test_postgresql_table_and_read_only_session(data_dir: Path, out_dir: Path) -> None:
    assert PG_URL is not None
    table = f"dd_source_{os.getpid()}"
    engine = sa.create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE TABLE {table} (name text, id bigint, amount float8)"))
        conn.execute(
            sa.text(f"INSERT INTO {table} VALUES (:n, :i, :a)"),  # noqa: S608
            [{"n": r[0], "i": r[1], "a": r[2]} for r in ROWS],
        )
    try:
        dataset = read_table(PG_URL, table, out_dir / "pg.parquet")
        queried = read_query(PG_URL, f"SELECT * FROM {table}", out_dir / "q.parquet")  # noqa: S608
        file = normalize(write_parquet(data_dir / "f.parquet"), out_dir / "f.parquet")
        assert dataset.row_count == queried.row_count == len(ROWS)
        assert (
            fingerprint_parquet(dataset.path).content == fingerprint_parquet(queried.path).content
        )
        assert file.row_count == len(ROWS)
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP TABLE {table}"))
        engine.dispose()
