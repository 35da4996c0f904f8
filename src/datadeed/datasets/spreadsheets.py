"""XLSX: refuse zip bombs before opening, then stream the first sheet (or a named one)
into Parquet in two read-only passes — one to type the columns, one to write them.

The zip's central directory is checked first: number of entries, total declared
uncompressed size and, for any entry over 1 MiB, its compression ratio. Python's zipfile
never inflates an entry past its declared size (it fails the CRC check instead), so a
directory that lies about sizes cannot get past these limits either.
"""

from __future__ import annotations

import datetime as dt
import warnings
import zipfile
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from datadeed.datasets.errors import (
    CorruptSpreadsheet,
    RaggedRows,
    SpreadsheetBomb,
    SpreadsheetTooLarge,
)

RATIO_CHECK_MIN_BYTES = 1 << 20
BATCH_ROWS = 10_000
Cell = Any


@dataclass(frozen=True)
class ZipLimits:
    max_uncompressed_bytes: int = 1 << 30
    max_ratio: float = 200.0
    max_entries: int = 10_000
    max_rows: int = 1_048_576  # rows read from the sheet (Excel's own maximum)
    max_cells: int = 50_000_000  # rows × header width


def check_zip(path: Path, limits: ZipLimits) -> None:
    """Refuse an XLSX whose zip directory exceeds ``limits``; nothing is inflated."""
    name = path.name
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise CorruptSpreadsheet(name, str(exc)) from None
    if len(infos) > limits.max_entries:
        raise SpreadsheetBomb(name, f"{len(infos)} entries (limit {limits.max_entries})")
    total = sum(info.file_size for info in infos)
    if total > limits.max_uncompressed_bytes:
        raise SpreadsheetBomb(
            name,
            f"declares {total} bytes uncompressed (limit {limits.max_uncompressed_bytes})",
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_CHECK_MIN_BYTES and ratio > limits.max_ratio:
            raise SpreadsheetBomb(
                name,
                f"{info.filename} compresses {ratio:.0f}:1 (limit {limits.max_ratio:.0f}:1)",
            )


def xlsx_to_parquet(
    path: Path, out: Path, *, sheet: str | None = None, limits: ZipLimits | None = None
) -> list[str]:
    """Write the sheet's rows to ``out``; returns the column names. Empty rows are skipped.

    The first row is the header when its cells are distinct non-empty text; otherwise
    the columns are named ``column0``, ``column1`` … like DuckDB's."""
    name = path.name
    try:
        names, header = _columns(path, sheet)
        rows = _limited(_rows(path, sheet), len(names), limits or ZipLimits(), name)
        types = _column_types(rows, len(names), skip=int(header))
        schema = pa.schema([(n, t) for n, t in zip(names, types, strict=True)])
        with pq.ParquetWriter(out, schema) as writer:
            for batch in _batches(_rows(path, sheet), schema, skip=int(header), name=name):
                writer.write_batch(batch)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        if isinstance(exc, RaggedRows | SpreadsheetTooLarge):
            raise
        raise CorruptSpreadsheet(name, str(exc) or type(exc).__name__) from None
    return names


def _rows(path: Path, sheet: str | None) -> Generator[tuple[int, tuple[Cell, ...]]]:
    """(1-based sheet row number, cells without trailing empties) of the non-empty rows."""
    from openpyxl import load_workbook

    with warnings.catch_warnings():
        # openpyxl warns about styles and extensions it ignores; the data is unaffected.
        warnings.simplefilter("ignore")
        workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
        for number, row in enumerate(worksheet.iter_rows(values_only=True), start=1):
            cells = list(row)
            while cells and _empty(cells[-1]):
                cells.pop()
            if cells:
                yield number, tuple(cells)
    finally:
        workbook.close()


def _limited(
    rows: Iterator[tuple[int, tuple[Cell, ...]]], width: int, limits: ZipLimits, name: str
) -> Iterator[tuple[int, tuple[Cell, ...]]]:
    """The rows, refusing the sheet once it has more rows or cells than the limits."""
    for count, row in enumerate(rows, start=1):
        if count > limits.max_rows:
            raise SpreadsheetTooLarge(name, f"more than {limits.max_rows} rows")
        if count * max(width, 1) > limits.max_cells:
            raise SpreadsheetTooLarge(name, f"more than {limits.max_cells} cells")
        yield row


def _empty(cell: Cell) -> bool:
    return cell is None or cell == ""


def _columns(path: Path, sheet: str | None) -> tuple[list[str], bool]:
    rows = _rows(path, sheet)
    try:
        first = next(rows, None)
    finally:
        rows.close()
    if first is None:
        return [], False
    cells = first[1]
    texts = [c.strip() if isinstance(c, str) else "" for c in cells]
    if all(texts) and len(set(texts)) == len(texts):
        return [c for c in cells if isinstance(c, str)], True
    return [f"column{i}" for i in range(len(cells))], False


def _column_types(
    rows: Iterator[tuple[int, tuple[Cell, ...]]], width: int, *, skip: int
) -> list[pa.DataType]:
    seen: list[set[type]] = [set() for _ in range(width)]
    midnight_only = [True] * width
    for index, (_, cells) in enumerate(rows):
        if index < skip:
            continue
        for col, cell in enumerate(cells[:width]):
            if _empty(cell):
                continue
            seen[col].add(type(cell))
            if isinstance(cell, dt.datetime) and cell.time() != dt.time(0):
                midnight_only[col] = False
    return [
        _arrow_type(kinds, midnight) for kinds, midnight in zip(seen, midnight_only, strict=True)
    ]


def _arrow_type(kinds: set[type], midnight_only: bool) -> pa.DataType:
    if kinds == {bool}:
        return pa.bool_()
    if kinds == {int}:
        return pa.int64()
    if kinds and kinds <= {int, float}:
        return pa.float64()
    if kinds and kinds <= {dt.datetime, dt.date}:
        return pa.date32() if midnight_only else pa.timestamp("us")
    if kinds == {dt.time}:
        return pa.time64("us")
    return pa.string()


def _batches(
    rows: Iterator[tuple[int, tuple[Cell, ...]]], schema: pa.Schema, *, skip: int, name: str
) -> Iterator[pa.RecordBatch]:
    width = len(schema)
    buffer: list[Sequence[Cell]] = []
    for index, (number, cells) in enumerate(rows):
        if index < skip:
            continue
        if len(cells) > width:
            raise RaggedRows(name, number, width, len(cells))
        buffer.append(cells)
        if len(buffer) >= BATCH_ROWS:
            yield _batch(buffer, schema)
            buffer = []
    if buffer:
        yield _batch(buffer, schema)


def _batch(rows: list[Sequence[Cell]], schema: pa.Schema) -> pa.RecordBatch:
    arrays = []
    for col, field in enumerate(schema):
        values = [_convert(row[col] if col < len(row) else None, field.type) for row in rows]
        arrays.append(pa.array(values, type=field.type))
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _convert(cell: Cell, arrow_type: pa.DataType) -> Cell:
    if _empty(cell) and not pa.types.is_string(arrow_type):
        return None
    if cell is None:
        return None
    if pa.types.is_date32(arrow_type) and isinstance(cell, dt.datetime):
        return cell.date()
    if pa.types.is_float64(arrow_type):
        return float(cell)
    if pa.types.is_string(arrow_type) and not isinstance(cell, str):
        return _as_text(cell)
    return cell


def _as_text(cell: Cell) -> str:
    """A non-text cell in a text column: the same text the fingerprint would give it."""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime | dt.date | dt.time):
        return cell.isoformat()
    return str(cell)
