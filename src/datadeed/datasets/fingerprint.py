"""Fingerprints of a dataset: file digests (SHA-256 and SM3, streaming) and a content
fingerprint that stays the same when the same rows are stored in another format, row
order or column order — plus the overlap sketch of its rows (:mod:`minhash`).

The canonical row encoding is specified in ``docs/fingerprints.md``; in short, each cell
becomes ``N`` (NULL) or ``<UTF-8 byte length>:<canonical text>``, the cells of a row are
concatenated in the order of the NFC column names, and the row digest is SHA-256 of that.
The content fingerprint is SHA-256 over ``datadeed/content/v1\\n``, the digest of the
column names and the digest of all row digests sorted ascending (duplicates repeated).
DuckDB computes the row digests and sorts them, larger than memory if need be, in one
query whose sorted output also gives the counts and the overlap sketch.
"""

from __future__ import annotations

import hashlib
import math
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Context, Decimal
from pathlib import Path
from typing import BinaryIO

import duckdb
import numpy as np
import pyarrow as pa

from datadeed.datasets.engine import DEFAULT_MEMORY_LIMIT, connect, workspace
from datadeed.datasets.errors import FileTooLarge
from datadeed.datasets.minhash import DEFAULT_K, MinHashSketch, row_hash64
from datadeed.datasets.sql import describe, quote_ident, read_parquet, select

CONTENT_VERSION = "datadeed/content/v1"
CHUNK = 1 << 20
_WIDE = Context(prec=2000)

_INTEGER_TYPES = {
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
    "BIGNUM",
    "VARINT",
}
_TIMESTAMP_TYPES = {"TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS", "DATETIME"}
_TEXT_TYPES = {"VARCHAR", "JSON"}

# The canonical number text: plain decimal notation, no exponent, no trailing zeros, no
# "+", "0" for zero. DuckDB's text of a DOUBLE/FLOAT is its shortest round-trip digits,
# with an exponent below 1e-4 and from 1e16 up; ``dd_num`` rewrites those (rare) values
# without the exponent, everything else only loses trailing zeros (``dd_frac``).
_MACROS = (
    """CREATE OR REPLACE TEMP MACRO dd_num_fmt(neg, d, p) AS CASE WHEN d = '' THEN '0'
       ELSE (CASE WHEN neg THEN '-' ELSE '' END) || CASE
         WHEN p >= strlen(d) THEN d || repeat('0', p - strlen(d))
         WHEN p > 0 THEN substr(d, 1, p) || '.' || substr(d, p + 1)
         ELSE '0.' || repeat('0', -p) || d END END""",
    """CREATE OR REPLACE TEMP MACRO dd_num_digits(neg, d, p) AS
       dd_num_fmt(neg, rtrim(ltrim(d, '0'), '0'), p - (strlen(d) - strlen(ltrim(d, '0'))))""",
    """CREATE OR REPLACE TEMP MACRO dd_num_parts(neg, mant, ex) AS
       dd_num_digits(neg, replace(mant, '.', ''), strlen(split_part(mant, '.', 1)) + ex)""",
    """CREATE OR REPLACE TEMP MACRO dd_num(s) AS dd_num_parts(starts_with(s, '-'),
       ltrim(split_part(s, 'e', 1), '+-'), CAST(split_part(s, 'e', 2) AS INTEGER))""",
    """CREATE OR REPLACE TEMP MACRO dd_frac(s) AS
       CASE WHEN contains(s, '.') THEN rtrim(rtrim(s, '0'), '.') ELSE s END""",
    """CREATE OR REPLACE TEMP MACRO dd_float(x) AS CASE
       WHEN x = 0 THEN '0'
       WHEN isnan(x) THEN 'NaN'
       WHEN isinf(x) THEN CASE WHEN x > 0 THEN 'Infinity' ELSE '-Infinity' END
       WHEN contains(CAST(x AS VARCHAR), 'e') THEN dd_num(CAST(x AS VARCHAR))
       ELSE dd_frac(CAST(x AS VARCHAR)) END""",
)
NULL_CELL = "\\N"
SEPARATOR = "\t"


@dataclass(frozen=True)
class FileDigests:
    sha256: str
    sm3: str
    size: int


class MultiDigest:
    """SHA-256 and SM3 of a byte stream as it passes, refusing more than ``limit`` bytes."""

    def __init__(self, limit: int | None = None, *, name: str = "stream") -> None:
        self.limit, self.name, self.size = limit, name, 0
        self._sha256 = hashlib.sha256()
        self._sm3 = hashlib.new("sm3")

    def update(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.limit is not None and self.size > self.limit:
            raise FileTooLarge(self.name, self.limit)
        self._sha256.update(chunk)
        self._sm3.update(chunk)

    def result(self) -> FileDigests:
        return FileDigests(self._sha256.hexdigest(), self._sm3.hexdigest(), self.size)


def file_digests(path: Path, *, limit: int | None = None) -> FileDigests:
    """SHA-256 and SM3 of a file, read once in 1 MiB chunks."""
    with path.open("rb") as f:
        return stream_digests(f, limit=limit, name=path.name)


def stream_digests(f: BinaryIO, *, limit: int | None = None, name: str = "stream") -> FileDigests:
    digest = MultiDigest(limit, name=name)
    while chunk := f.read(CHUNK):
        digest.update(chunk)
    return digest.result()


@dataclass(frozen=True)
class ContentFingerprint:
    content: str  # hex SHA-256: the dataset's content identity
    schema: str  # hex SHA-256 of the encoded, sorted column names
    row_count: int
    distinct_rows: int
    version: str = CONTENT_VERSION


@dataclass(frozen=True)
class DatasetFingerprint:
    content: ContentFingerprint
    sketch: MinHashSketch


def fingerprint_parquet(
    path: Path | Sequence[Path],
    *,
    k: int = DEFAULT_K,
    memory_limit: str = DEFAULT_MEMORY_LIMIT,
    work_dir: Path | None = None,
) -> DatasetFingerprint:
    """Content fingerprint and overlap sketch of a (canonical) Parquet file or files."""
    paths = [path] if isinstance(path, Path) else list(path)
    spill_root = work_dir or Path(tempfile.gettempdir())
    with workspace(spill_root, ".fingerprint-") as work, connect(work, memory_limit) as conn:
        return fingerprint_relation(conn, read_parquet(*paths), k=k)


def fingerprint_relation(
    conn: duckdb.DuckDBPyConnection, relation: str, *, k: int = DEFAULT_K
) -> DatasetFingerprint:
    """The same, over any relation ``conn`` can scan (a table function or table name).

    One query: DuckDB computes every row digest and sorts them (spilling if need be);
    the sorted stream gives the content digest, the row and distinct-row counts (a
    distinct row starts wherever a digest differs from the one before) and the ``k``
    smallest distinct digests of the overlap sketch."""
    for macro in _MACROS:
        conn.execute(macro)
    columns = sorted(describe(conn, relation), key=lambda c: _nfc(c[0]).encode())
    cells = [_cell_sql(name, sql_type) for name, sql_type in columns]
    row_sql = f"concat_ws(chr(9), {', '.join(cells)})" if cells else "''"
    query = select(f"unhex(sha256({row_sql})) AS h", relation, "ORDER BY h")
    stream = _SortedDigests(k)
    for chunk in _sorted_digests(conn, query):
        stream.update(chunk)
    schema = hashlib.sha256(encode_row(escape_text(_nfc(n)) for n, _ in columns)).digest()
    content = hashlib.sha256(
        CONTENT_VERSION.encode() + b"\n" + schema + stream.digest.digest()
    ).hexdigest()
    hashes = sorted({row_hash64(row) for row in stream.bottom})
    return DatasetFingerprint(
        ContentFingerprint(content, schema.hex(), stream.rows, stream.distinct),
        MinHashSketch(k, tuple(hashes), stream.distinct),
    )


class _SortedDigests:
    """Folds ascending 32-byte row digests: their SHA-256, counts and the bottom ``k``."""

    def __init__(self, k: int) -> None:
        self.k, self.rows, self.distinct = k, 0, 0
        self.digest = hashlib.sha256()
        self.bottom: list[bytes] = []
        self._last: bytes | None = None

    def update(self, chunk: memoryview) -> None:
        self.digest.update(chunk)
        rows = np.frombuffer(chunk, dtype=np.uint8).reshape(-1, 32)
        starts = np.ones(len(rows), dtype=bool)
        starts[1:] = np.any(rows[1:] != rows[:-1], axis=1)
        if self._last is not None:
            starts[0] = rows[0].tobytes() != self._last
        self.rows += len(rows)
        self.distinct += int(starts.sum())
        if len(self.bottom) < self.k:
            firsts = np.flatnonzero(starts)[: self.k - len(self.bottom)]
            self.bottom.extend(rows[i].tobytes() for i in firsts)
        self._last = rows[-1].tobytes()


def _sorted_digests(conn: duckdb.DuckDBPyConnection, query: str) -> Iterator[memoryview]:
    """The digests ``query`` yields, as contiguous 32-byte runs (no per-row Python)."""
    reader = conn.sql(query).to_arrow_reader(1 << 16)
    for batch in reader:
        column = batch.column(0).cast(pa.binary(32))
        data = column.buffers()[1]
        if data is not None and len(column):
            start = column.offset * 32
            yield memoryview(data)[start : start + 32 * len(column)]


def _cell_sql(name: str, sql_type: str) -> str:
    c = quote_ident(name)
    return f"coalesce({canonical_text_sql(c, sql_type)}, '{NULL_CELL}')"


def canonical_text_sql(c: str, sql_type: str) -> str:
    """DuckDB expression for the canonical text of a value of ``sql_type``, escaped for the
    row encoding (NULL stays NULL)."""
    base = sql_type.split("(")[0].strip().upper()
    if base in _TEXT_TYPES:
        return _escaped(_nfc_sql(f"CAST({c} AS VARCHAR)"))
    if base == "BOOLEAN":
        return f"(CASE WHEN {c} THEN 'true' WHEN NOT {c} THEN 'false' END)"
    if base in _INTEGER_TYPES:
        return f"CAST({c} AS VARCHAR)"
    if base in ("DOUBLE", "FLOAT", "REAL"):
        return f"dd_float({c})"
    if base in ("DECIMAL", "NUMERIC"):
        return f"dd_frac(CAST({c} AS VARCHAR))"
    if base == "DATE":
        return f"CAST({c} AS VARCHAR)"
    if base in _TIMESTAMP_TYPES:
        return f"replace(CAST({c} AS VARCHAR), ' ', 'T')"
    if base in ("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ"):
        return f"(replace(CAST(timezone('UTC', {c}) AS VARCHAR), ' ', 'T') || 'Z')"
    if base in ("TIME", "TIME_NS"):
        return f"CAST({c} AS VARCHAR)"
    if base == "BLOB":
        return f"lower(hex({c}))"
    if base.startswith(("STRUCT", "MAP", "UNION")) or sql_type.endswith("]"):
        return _escaped(_nfc_sql(f"CAST(to_json({c}) AS VARCHAR)"))
    return _escaped(_nfc_sql(f"CAST({c} AS VARCHAR)"))


def _nfc_sql(text: str) -> str:
    # DuckDB's nfc_normalize stops at a NUL character. NUL never combines with its
    # neighbours, so normalising the pieces between NULs gives NFC of the whole.
    pieces = f"list_transform(string_split({text}, chr(0)), lambda piece: nfc_normalize(piece))"
    return (
        f"(CASE WHEN contains({text}, chr(0)) THEN array_to_string({pieces}, chr(0)) "
        f"ELSE nfc_normalize({text}) END)"
    )


def _escaped(text: str) -> str:
    return f"replace(replace({text}, '\\', '\\\\'), chr(9), '\\t')"


def escape_text(text: str) -> str:
    """A text cell as the row encoding writes it: backslash and TAB escaped."""
    return text.replace("\\", "\\\\").replace("\t", "\\t")


def encode_row(cells: Iterable[str | None]) -> bytes:
    """The canonical encoding of a row of canonical (already escaped) texts: cells joined
    by TAB, NULL written ``\\N``, UTF-8."""
    return SEPARATOR.join(NULL_CELL if cell is None else cell for cell in cells).encode()


def canonical_number(value: int | float | Decimal) -> str:
    """Reference implementation of the canonical number text (see docs/fingerprints.md)."""
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        value = Decimal(repr(value))
    number = Decimal(value)
    if number.is_zero():
        return "0"
    return format(number.normalize(_WIDE), "f")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)
