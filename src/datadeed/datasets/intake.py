"""Intake: any supported file, or a folder of them, to one canonical Parquet file.

The canonical file is UTF-8, has typed columns and keeps the original column names and
row order. It is written to a temporary name beside ``dest`` and renamed into place only
when complete; every intermediate file lives in a private work folder that is removed
whatever happens, so bad input leaves nothing behind.

Pipeline per file: sniff (:mod:`formats`) → whole-file encoding check and GB→UTF-8
transcoding (:mod:`charsets`) → stage: CSV/TSV is read in place, as text, in one scan
that counts the rows, collects malformed lines and classes every cell for typing
(:mod:`columns`); JSON Lines and XLSX are staged as typed Parquet, Parquet is used as is
→ for a folder, check the files have the same columns → type the text columns (from the
CSV scan's cell classes, or one scan of the staged JSON strings) → write ``dest``,
reading the CSV a second time rather than writing and reading an all-text copy.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from datadeed.datasets import columns as coltypes
from datadeed.datasets.charsets import scan_text
from datadeed.datasets.engine import DEFAULT_MEMORY_LIMIT, connect, workspace
from datadeed.datasets.errors import (
    CorruptParquet,
    EmptyFolder,
    FileTooLarge,
    HeaderOnly,
    InvalidEncoding,
    InvalidJsonLines,
    MalformedCsv,
    MalformedFile,
    PathOutsideUploadArea,
    RaggedRows,
    SchemaMismatch,
    SourceError,
    UnsupportedFormat,
)
from datadeed.datasets.formats import DetectedFormat, FileFormat, detect_format
from datadeed.datasets.spreadsheets import ZipLimits, check_zip, xlsx_to_parquet
from datadeed.datasets.sql import (
    copy_to_parquet,
    count,
    describe,
    first_row,
    quote_ident,
    quote_literal,
    read_parquet,
    select,
)


@dataclass(frozen=True)
class IntakeLimits:
    """Limits on what intake accepts; the defaults match the settings' defaults."""

    max_bytes: int = 2 << 30
    xlsx: ZipLimits = field(default_factory=ZipLimits)
    memory_limit: str = DEFAULT_MEMORY_LIMIT


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # DuckDB's type name: BIGINT, DOUBLE, VARCHAR, DATE, TIMESTAMP …


@dataclass(frozen=True)
class SourceFile:
    name: str  # relative to the folder, or the file's own name
    format: DetectedFormat
    size: int
    rows: int


@dataclass(frozen=True)
class NormalizedDataset:
    path: Path
    row_count: int
    columns: tuple[Column, ...]
    sources: tuple[SourceFile, ...]

    @property
    def header_only(self) -> bool:
        """True when allowed through with ``allow_header_only``: names but no rows."""
        return self.row_count == 0

    @property
    def format(self) -> DetectedFormat:
        return self.sources[0].format


@dataclass
class _Staged:
    source: Path
    name: str
    format: DetectedFormat
    relation: str  # what DuckDB scans: read_parquet(…) or a text scan of the file
    columns: list[str]
    types: list[str]
    rows: int
    masks: dict[str, int] | None = None  # cell classes of a CSV's columns (columns.py)


def normalize(
    source: Path,
    dest: Path,
    *,
    limits: IntakeLimits | None = None,
    header: bool | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    allow_header_only: bool = False,
) -> NormalizedDataset:
    """Read ``source`` (a file or a folder of files with the same columns) into the
    canonical Parquet file ``dest``. ``header``/``delimiter`` override the CSV sniffer,
    ``sheet`` picks an XLSX sheet (default: the first)."""
    limits = limits or IntakeLimits()
    files = _input_files(source, limits.max_bytes)
    with workspace(dest.parent) as work, connect(work, limits.memory_limit) as conn:
        staged = [
            _stage(conn, work, path, index, source, header, delimiter, sheet, limits)
            for index, path in enumerate(files)
        ]
        _check_same_columns(staged)
        total = sum(s.rows for s in staged)
        if total == 0 and not allow_header_only:
            raise HeaderOnly(source.name)
        relation = _union(staged)
        final_types = _final_types(conn, relation, staged)
        _write(conn, relation, final_types, dest, work, staged[0])
        written = describe(conn, read_parquet(dest))
    sources = tuple(SourceFile(s.name, s.format, s.source.stat().st_size, s.rows) for s in staged)
    cols = tuple(Column(name, sql_type) for name, sql_type in written)
    return NormalizedDataset(dest, total, cols, sources)


def resolve_upload_path(root: Path, path: str | Path) -> Path:
    """``path`` (relative to ``root``, or absolute) resolved, refused unless inside ``root``."""
    base = root.resolve()
    candidate = (base / path).resolve()
    if not candidate.is_relative_to(base):
        raise PathOutsideUploadArea(str(path))
    return candidate


def _input_files(source: Path, max_bytes: int) -> list[Path]:
    if source.is_dir():
        files = sorted(
            p
            for p in source.rglob("*")
            if p.is_file()
            and not p.is_symlink()
            and not any(part.startswith(".") for part in p.relative_to(source).parts)
        )
        if not files:
            raise EmptyFolder(source.name)
    elif source.is_file():
        files = [source]
    else:
        raise SourceError(f"{source.name} does not exist", name=source.name)
    if sum(p.stat().st_size for p in files) > max_bytes:
        raise FileTooLarge(source.name, max_bytes)
    return files


def _stage(
    conn: duckdb.DuckDBPyConnection,
    work: Path,
    path: Path,
    index: int,
    root: Path,
    header: bool | None,
    delimiter: str | None,
    sheet: str | None,
    limits: IntakeLimits,
) -> _Staged:
    name = path.name if path == root else path.relative_to(root).as_posix()
    fmt = detect_format(path, header=header, delimiter=delimiter)
    out = work / f"stage-{index}.parquet"
    if fmt.kind is FileFormat.PARQUET:
        return _stage_parquet(conn, path, name, fmt)
    if fmt.kind is FileFormat.XLSX:
        check_zip(path, limits.xlsx)
        xlsx_to_parquet(path, out, sheet=sheet, limits=limits.xlsx)
        return _staged(conn, path, name, fmt, out)
    utf8 = work / f"utf8-{index}"
    fmt = fmt.with_encoding(scan_text(path, utf8, name=name))
    text_path = utf8 if fmt.encoding is not None and fmt.encoding.is_gb else path
    if fmt.kind is FileFormat.JSONL:
        _stage_jsonl(conn, text_path, name, out)
        return _staged(conn, path, name, fmt, out)
    return _stage_delimited(conn, path, text_path, name, fmt, index)


def _staged(
    conn: duckdb.DuckDBPyConnection, path: Path, name: str, fmt: DetectedFormat, parquet: Path
) -> _Staged:
    relation = read_parquet(parquet)
    pairs = describe(conn, relation)
    columns, types = [p[0] for p in pairs], [p[1] for p in pairs]
    return _Staged(path, name, fmt, relation, columns, types, count(conn, relation))


def _stage_parquet(
    conn: duckdb.DuckDBPyConnection, path: Path, name: str, fmt: DetectedFormat
) -> _Staged:
    try:
        pq.read_metadata(path)
        return _staged(conn, path, name, fmt, path)
    except (pa.ArrowException, OSError, duckdb.Error) as exc:
        raise CorruptParquet(name, _first_line(exc)) from None


def _stage_jsonl(conn: duckdb.DuckDBPyConnection, path: Path, name: str, out: Path) -> None:
    scan = f"read_json({quote_literal(path)}, format='newline_delimited', sample_size=-1)"
    try:
        # A key that is null on every line has DuckDB's NULL type, which Parquet lacks.
        columns = ", ".join(
            f"CAST({quote_ident(n)} AS VARCHAR) AS {quote_ident(n)}"
            if t == '"NULL"'
            else quote_ident(n)
            for n, t in describe(conn, scan)
        )
        copy_to_parquet(conn, select(columns, scan), out)
    except duckdb.Error as exc:
        message = _first_line(exc)
        line = re.search(r"line (\d+)", message)
        raise InvalidJsonLines(name, message, int(line.group(1)) if line else None) from None


def _stage_delimited(
    conn: duckdb.DuckDBPyConnection,
    source: Path,
    path: Path,
    name: str,
    fmt: DetectedFormat,
    index: int,
) -> _Staged:
    """One scan of the (UTF-8) text at ``path``: rows, malformed lines, cell classes."""
    names = _header_names(path, fmt)
    placeholders = {f"c{i}": name_ for i, name_ in enumerate(names)}
    spec = ", ".join(f"'{key}': 'VARCHAR'" for key in placeholders)
    options = (
        f"auto_detect=false, columns={{{spec}}}, header=false, "
        f"skip={int(bool(fmt.has_header))}, delim={quote_literal(fmt.delimiter or ',')}, "
        "quote='\"', escape='\"', comment='', strict_mode=true, null_padding=false, "
        "allow_quoted_nulls=false, max_line_size=16777216, buffer_size=33554432"
    )  # DuckDB's buffer defaults to 16 × max_line_size (256 MiB), per thread: too much
    rejects = (
        f"store_rejects=true, rejects_table='rejects_{index}', rejects_scan='rejects_scan_{index}'"
    )
    columns = ", ".join(f"{key} AS {quote_ident(value)}" for key, value in placeholders.items())
    checked = "(" + select(columns, f"read_csv({quote_literal(path)}, {options}, {rejects})") + ")"
    classes = "".join(f", bit_or({coltypes.classify_sql(n)})" for n in names)
    row = first_row(conn, select(f"count(*){classes}", checked))
    _raise_first_reject(conn, f"rejects_{index}", path, name, len(names))
    totals = row if row is not None else (0,) * (len(names) + 1)
    masks = {n: int(mask or 0) for n, mask in zip(names, totals[1:], strict=True)}
    # Every line parsed: the second read (when writing) needs no reject bookkeeping.
    relation = "(" + select(columns, f"read_csv({quote_literal(path)}, {options})") + ")"
    return _Staged(
        source, name, fmt, relation, names, ["VARCHAR"] * len(names), int(totals[0]), masks
    )


def _header_names(path: Path, fmt: DetectedFormat) -> list[str]:
    """Column names as DuckDB would make them: blanks → columnN, repeats → name_1 …"""
    import csv

    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f, delimiter=fmt.delimiter or ",", quotechar='"')
        first = next((row for row in reader if row), [])
    if not fmt.has_header:
        return [f"column{i}" for i in range(len(first))]
    names: list[str] = []
    for i, raw in enumerate(first):
        candidate = raw if raw.strip() else f"column{i}"
        base, n = candidate, 0
        while candidate in names:
            n += 1
            candidate = f"{base}_{n}"
        names.append(candidate)
    return names


def _raise_first_reject(
    conn: duckdb.DuckDBPyConnection, table: str, path: Path, name: str, width: int
) -> None:
    first = "ORDER BY line LIMIT 1"
    query = select("line_byte_position, error_type, error_message", table, first)
    row = first_row(conn, query)
    if row is None:
        return
    position, kind, message = int(row[0]), str(row[1]), str(row[2])
    line = _physical_line(path, position)
    if kind in ("TOO MANY COLUMNS", "MISSING COLUMNS"):
        found = re.search(r"Found: (\d+)", message)
        raise RaggedRows(name, line, width, int(found.group(1)) if found else None)
    if kind == "INVALID ENCODING":
        raise InvalidEncoding(name, "utf-8", position, line)
    raise MalformedCsv(name, line, message)


def _physical_line(path: Path, position: int) -> int:
    count, done = 0, 0
    with path.open("rb") as f:
        while done < position and (chunk := f.read(min(1 << 20, position - done))):
            count += chunk.count(b"\n")
            done += len(chunk)
    return count + 1


def _check_same_columns(staged: Sequence[_Staged]) -> None:
    first = staged[0]
    for other in staged[1:]:
        if sorted(other.columns) != sorted(first.columns):
            raise SchemaMismatch(other.name, first.columns, other.columns)
    families = {
        "text" if s.format.kind in (FileFormat.CSV, FileFormat.TSV) else s.format.kind
        for s in staged
    }
    if len(families) > 1:
        raise UnsupportedFormat(
            first.name, "a folder mixing formats", "a folder dataset must have one format"
        )


def _union(staged: Sequence[_Staged]) -> str:
    if len(staged) == 1:
        return staged[0].relation
    parts = " UNION ALL BY NAME ".join(select("*", s.relation) for s in staged)
    return f"({parts})"


def _final_types(
    conn: duckdb.DuckDBPyConnection, relation: str, staged: Sequence[_Staged]
) -> dict[str, str]:
    """Each column's type: as stored, or inferred for the text columns of text formats."""
    types = dict(describe(conn, relation))
    kind = staged[0].format.kind
    masks = [s.masks for s in staged]
    if all(m is not None for m in masks):  # CSV/TSV: classed while staging
        for name in types:
            mask = 0
            for per_file in masks:
                mask |= (per_file or {}).get(name, 0)
            types[name] = coltypes.type_for(mask)
    elif kind.is_text:
        text_columns = [n for n, t in types.items() if t == "VARCHAR"]
        inferred = coltypes.infer_types(
            conn, relation, text_columns, temporal_only=kind is FileFormat.JSONL
        )
        types.update(inferred)
    return {name: types[name] for name in staged[0].columns}


def _write(
    conn: duckdb.DuckDBPyConnection,
    relation: str,
    types: dict[str, str],
    dest: Path,
    work: Path,
    first: _Staged,
) -> None:
    # Casting a column to the type it already has is a no-op; text columns get theirs.
    columns = ", ".join(coltypes.cast_sql(name, sql_type) for name, sql_type in types.items())
    partial = work / "dataset.parquet"
    try:
        copy_to_parquet(conn, select(columns, relation), partial)
    except duckdb.Error as exc:
        if first.format.kind is FileFormat.PARQUET:
            raise CorruptParquet(first.name, _first_line(exc)) from None
        raise MalformedFile(first.name, f"{first.name}: {_first_line(exc)}") from None
    os.replace(partial, dest)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
