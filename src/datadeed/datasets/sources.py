"""Database sources: a table, or one read-only SELECT, from SQLite or PostgreSQL (any
SQLAlchemy URL), streamed in batches into the same canonical Parquet as files.

Read-only is enforced three times: the query text must be one SELECT (or WITH … SELECT)
with no data-changing or administrative keyword; the session is made read-only
(PostgreSQL ``SET TRANSACTION READ ONLY``, SQLite ``PRAGMA query_only``); and the
transaction is rolled back. Give the connection a role that can only read, all the same:
functions with side effects cannot be recognised from the text.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa
from sqlalchemy.engine import Connection, make_url

from datadeed.datasets.engine import connect, workspace
from datadeed.datasets.errors import HeaderOnly, SourceError, UnsafeQuery
from datadeed.datasets.formats import DetectedFormat, FileFormat
from datadeed.datasets.intake import Column, NormalizedDataset, SourceFile
from datadeed.datasets.sql import copy_to_parquet, count, describe, read_parquet, select

BATCH_ROWS = 50_000
# Words that turn a SELECT/WITH into a write (data-modifying CTEs, SELECT INTO, row
# locks) or call functions with side effects. Statement keywords such as SET or LOCK need
# no entry: only one statement, starting with SELECT or WITH, is accepted.
_FORBIDDEN = frozenset(
    {
        *("insert", "update", "delete", "merge", "upsert", "into", "create"),
        *("drop", "alter", "truncate", "grant", "revoke", "copy", "call", "execute"),
        *("vacuum", "attach", "detach", "pragma", "nextval", "setval", "set_config"),
        *("pg_terminate_backend", "pg_cancel_backend", "pg_reload_conf", "pg_sleep"),
        *("pg_read_file", "pg_read_binary_file", "pg_ls_dir", "lo_import", "lo_export"),
        *("dblink", "dblink_exec", "pg_advisory_lock", "load_extension"),
    }
)
_LOCKING = re.compile(r"\bfor\s+(no\s+key\s+)?(update|share|key\s+share)\b", re.IGNORECASE)
_LEXEMES = re.compile(
    r"""--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'|"(?:[^"]|"")*"|\$([A-Za-z_]*)\$.*?\$\1\$""",
    re.DOTALL,
)


def check_select(query: str) -> str:
    """``query`` without a trailing semicolon if it is a single read-only SELECT."""
    stripped = _LEXEMES.sub(" ", query)
    statements = [s for s in stripped.split(";") if s.strip()]
    if len(statements) != 1:
        raise UnsafeQuery("exactly one statement is accepted")
    words = [w.lower() for w in re.findall(r"[A-Za-z_][A-Za-z_0-9]*", statements[0])]
    if not words or words[0] not in ("select", "with"):
        raise UnsafeQuery("the statement must be a SELECT (or WITH … SELECT)")
    if _LOCKING.search(statements[0]):
        raise UnsafeQuery("row-locking clauses are not allowed in a read-only query")
    bad = sorted(set(words) & _FORBIDDEN)
    if bad:
        raise UnsafeQuery(f"{', '.join(bad)} is not allowed in a read-only query")
    if "select" not in words:
        raise UnsafeQuery("the statement must select rows")
    return query.strip().rstrip(";").strip()


def read_table(
    url: str,
    table: str,
    dest: Path,
    *,
    schema: str | None = None,
    allow_header_only: bool = False,
) -> NormalizedDataset:
    """Copy a whole table (or view) into the canonical Parquet file ``dest``."""
    label = f"{schema}.{table}" if schema else table
    return _read(
        url, lambda conn: sa.select(_reflect(conn, table, schema)), label, dest, allow_header_only
    )


def read_query(
    url: str, query: str, dest: Path, *, allow_header_only: bool = False
) -> NormalizedDataset:
    """Run one read-only SELECT and write its rows to the canonical Parquet file ``dest``."""
    checked = check_select(query)
    return _read(url, lambda _conn: sa.text(checked), "query", dest, allow_header_only)


def _reflect(conn: Connection, table: str, schema: str | None) -> sa.Table:
    try:
        return sa.Table(table, sa.MetaData(), schema=schema, autoload_with=conn)
    except sa.exc.NoSuchTableError:
        raise SourceError(f"no table {table!r} in the source database", table=table) from None


def _read(
    url: str,
    statement: Any,
    label: str,
    dest: Path,
    allow_header_only: bool,
) -> NormalizedDataset:
    engine = _engine(url)
    try:
        with workspace(dest.parent) as work:
            parts = _stage(engine, statement, work, label)
            return _finish(parts, work, dest, label, allow_header_only)
    except sa.exc.SQLAlchemyError as exc:
        message = str(exc.orig if isinstance(exc, sa.exc.DBAPIError) else exc).splitlines()[0]
        raise SourceError(f"{_safe(url)}: {message}", source=_safe(url)) from None
    finally:
        engine.dispose()


def _engine(url: str) -> sa.Engine:
    try:
        return sa.create_engine(url)
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise SourceError(f"not a usable database URL: {exc}") from None


def _safe(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "database"


def _stage(engine: sa.Engine, statement: Any, work: Path, label: str) -> list[Path]:
    with engine.connect() as conn:
        _read_only(conn)
        result = conn.execution_options(stream_results=True).execute(statement(conn))
        names = _unique(list(result.keys()))
        parts: list[Path] = []
        for index, rows in enumerate(_partitions(result)):
            part = work / f"part-{index}.parquet"
            pq.write_table(_table(names, rows), part)
            parts.append(part)
        if not parts:
            part = work / "part-0.parquet"
            pq.write_table(_table(names, []), part)
            parts.append(part)
        conn.rollback()
    return parts


def _read_only(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SET TRANSACTION READ ONLY"))
    elif conn.dialect.name == "sqlite":
        conn.execute(sa.text("PRAGMA query_only = ON"))


def _partitions(result: sa.CursorResult[Any]) -> Iterator[Sequence[sa.Row[Any]]]:
    while rows := result.fetchmany(BATCH_ROWS):
        yield rows


def _unique(names: list[str]) -> list[str]:
    seen: list[str] = []
    for name in names:
        candidate, n = name, 0
        while candidate in seen:
            n += 1
            candidate = f"{name}_{n}"
        seen.append(candidate)
    return seen


def _table(names: list[str], rows: Sequence[Sequence[Any]]) -> pa.Table:
    arrays = [_array([row[i] for row in rows]) for i in range(len(names))]
    return pa.table(arrays, names=names)


def _array(values: list[Any]) -> pa.Array[Any]:
    plain = [_plain(v) for v in values]
    if all(v is None for v in plain):
        return pa.array(plain, type=pa.string())
    try:
        array: pa.Array[Any] = pa.array(plain)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        # SQLite lets one column hold integers and text: keep it all as text.
        return pa.array([None if v is None else _text(v) for v in plain], type=pa.string())
    return array


def _plain(value: Any) -> Any:
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, dt.timedelta):
        return str(value)
    return value


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | Decimal | int):
        from datadeed.datasets.fingerprint import canonical_number

        return canonical_number(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _finish(
    parts: list[Path], work: Path, dest: Path, label: str, allow_header_only: bool
) -> NormalizedDataset:
    with connect(work) as conn:
        relation = read_parquet(*parts)
        rows = count(conn, relation)
        if rows == 0 and not allow_header_only:
            raise HeaderOnly(label)
        partial = work / "dataset.parquet"
        copy_to_parquet(conn, select("*", relation), partial)
        columns = tuple(Column(n, t) for n, t in describe(conn, read_parquet(partial)))
    partial.replace(dest)
    source = SourceFile(label, DetectedFormat(FileFormat.DATABASE), 0, rows)
    return NormalizedDataset(dest, rows, columns, (source,))
