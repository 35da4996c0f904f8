"""What a file is, from its content: the extension is never trusted.

Parquet (``PAR1`` at both ends), XLSX (a zip holding ``xl/workbook.xml``), JSON Lines (the
first line is a JSON object) or delimited text (CSV/TSV/semicolon/pipe), with the text
encoding, the delimiter and whether the first row is a header. Anything else — an image,
a PDF, an old ``.xls``, a zip of something else — is refused by what it looks like.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from datadeed.datasets.charsets import TextEncoding, detect_sample, refuse_wide_unicode
from datadeed.datasets.errors import (
    BinaryFile,
    CorruptParquet,
    CorruptSpreadsheet,
    EmptyFile,
    UnsupportedFormat,
)

SAMPLE_BYTES = 1 << 20
SNIFF_CHARS = 1 << 16  # text read for the delimiter and header (the encoding: all the sample)
DELIMITERS = (",", "\t", ";", "|")
PARQUET_MAGIC = b"PAR1"
ZIP_MAGIC = b"PK\x03\x04"

# Magic numbers of files people rename to .csv by mistake, to say what they sent.
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"(\xb5/\xfd", "a zstd archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7z archive"),
    (b"Rar!", "a RAR archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office file (.xls/.doc): save it as XLSX"),
    (b"SQLite format 3\x00", "an SQLite database: connect to it as a database source"),
    (b"\x7fELF", "an executable"),
    (b"MZ", "a Windows executable"),
)

# One definition of "this text is a number/date/…", used by the header sniffer here and,
# as the same regular expressions in DuckDB (RE2), by the column typing in intake.
INTEGER_RE = r"[+-]?(0|[1-9][0-9]*)"
DECIMAL_RE = r"[+-]?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?"
BOOLEAN_RE = r"(?i:true|false)"
DATE_RE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
TIMESTAMP_RE = DATE_RE + r"[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
TIMESTAMPTZ_RE = TIMESTAMP_RE + r"(Z|[+-][0-9]{2}(:?[0-9]{2})?)"
_TYPED_CELL = re.compile("|".join((DECIMAL_RE, BOOLEAN_RE, TIMESTAMPTZ_RE, TIMESTAMP_RE, DATE_RE)))


class FileFormat(StrEnum):
    CSV = "csv"
    TSV = "tsv"
    PARQUET = "parquet"
    JSONL = "jsonl"
    XLSX = "xlsx"
    DATABASE = "database"  # a table or query read through SQLAlchemy (sources.py)

    @property
    def is_text(self) -> bool:
        return self in (FileFormat.CSV, FileFormat.TSV, FileFormat.JSONL)


@dataclass(frozen=True)
class DetectedFormat:
    """A file's format as sniffed from its bytes. Text fields are None for binary formats."""

    kind: FileFormat
    encoding: TextEncoding | None = None
    delimiter: str | None = None
    has_header: bool | None = None
    quote: str | None = None

    def with_encoding(self, encoding: TextEncoding) -> DetectedFormat:
        return DetectedFormat(self.kind, encoding, self.delimiter, self.has_header, self.quote)


def detect_format(
    path: Path,
    *,
    delimiter: str | None = None,
    header: bool | None = None,
    sample_bytes: int = SAMPLE_BYTES,
) -> DetectedFormat:
    """Sniff ``path``. ``delimiter`` and ``header`` override the sniffer for text files.

    The encoding is judged on the first ``sample_bytes``; intake checks the whole file."""
    name = path.name
    size = path.stat().st_size
    with path.open("rb") as f:
        head = f.read(sample_bytes)
        f.seek(max(0, size - 4))
        tail = f.read(4)
    if not head.strip():
        raise EmptyFile(name)
    if head.startswith(PARQUET_MAGIC):
        if tail != PARQUET_MAGIC or size < 12:
            raise CorruptParquet(name, "the footer is missing or truncated")
        return DetectedFormat(FileFormat.PARQUET)
    if head.startswith(ZIP_MAGIC):
        return _detect_zip(path)
    _refuse_binary(head, name)
    sample = _whole_lines(head, complete=size <= sample_bytes)
    encoding = detect_sample(sample, name)
    text = sample.decode(encoding.value if not encoding.is_gb else "gb18030")
    if _is_json_lines(text):
        return DetectedFormat(FileFormat.JSONL, encoding)
    return _detect_delimited(text, encoding, delimiter, header, complete=size <= sample_bytes)


def _detect_zip(path: Path) -> DetectedFormat:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise CorruptSpreadsheet(path.name, str(exc)) from None
    if "xl/workbook.xml" in names:
        return DetectedFormat(FileFormat.XLSX)
    looks_like = "an OpenDocument or Word file" if "[Content_Types].xml" in names else "a zip"
    raise UnsupportedFormat(path.name, looks_like)


def _refuse_binary(head: bytes, name: str) -> None:
    refuse_wide_unicode(head, name)
    for magic, looks_like in _MAGIC:
        if head.startswith(magic):
            raise BinaryFile(name, looks_like)
    if b"\x00" in head:
        raise BinaryFile(name, "binary data (it contains NUL bytes)")


def _whole_lines(head: bytes, *, complete: bool) -> bytes:
    if complete:
        return head
    cut = head.rfind(b"\n")
    return head[: cut + 1] if cut >= 0 else head


def _is_json_lines(text: str) -> bool:
    first = next((line for line in text.splitlines() if line.strip()), "")
    if not first.lstrip().startswith("{"):
        return False
    try:
        return isinstance(json.loads(first), dict)
    except ValueError:
        return False


def _detect_delimited(
    text: str,
    encoding: TextEncoding,
    delimiter: str | None,
    header: bool | None,
    *,
    complete: bool,
) -> DetectedFormat:
    if len(text) > SNIFF_CHARS:  # the dialect shows in the first lines; parse fewer
        text, complete = text[: text.rfind("\n", 0, SNIFF_CHARS) + 1] or text, False
    delim = delimiter or sniff_delimiter(text, complete=complete)
    rows = _records(text, delim, complete=complete)
    has_header = looks_like_header(rows) if header is None else header
    kind = FileFormat.TSV if delim == "\t" else FileFormat.CSV
    return DetectedFormat(kind, encoding, delim, has_header, '"')


def _records(text: str, delimiter: str, *, complete: bool) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, quotechar='"', strict=False)
    rows = [row for row in reader if row]
    # The last record of a cut sample may be cut too (a quoted field across lines).
    return rows if complete or len(rows) < 2 else rows[:-1]


def sniff_delimiter(text: str, *, complete: bool = True) -> str:
    """The candidate that splits the sample into the most consistent, widest records."""
    best, best_key = ",", (False, 0.0, 0, 0)
    for priority, delim in enumerate(reversed(DELIMITERS)):
        counts = [len(row) for row in _records(text, delim, complete=complete)]
        if not counts:
            continue
        width, hits = Counter(counts).most_common(1)[0]
        share = hits / len(counts)
        key = (share == 1.0 and width > 1, share if width > 1 else 0.0, width, priority)
        if key > best_key:
            best, best_key = delim, key
    return best


def looks_like_header(rows: list[list[str]]) -> bool:
    """Whether the first record names the columns.

    Yes if, in some column, the first cell is text while every other cell is a number,
    boolean, date or timestamp; no if the first row itself has empty or repeated cells,
    or fits the typed columns below it; yes when every column is plain text (then the
    caller can override with ``header=False``)."""
    if not rows:
        return False
    first, rest = rows[0], rows[1:]
    if any(not cell.strip() for cell in first) or len(set(first)) != len(first):
        return False
    typed_columns = 0
    for index, cell in enumerate(first):
        below = [row[index] for row in rest if index < len(row) and row[index] != ""]
        if below and all(is_typed_cell(value) for value in below):
            typed_columns += 1
            if not is_typed_cell(cell):
                return True
    if not rest:
        return not any(is_typed_cell(cell) for cell in first)
    return typed_columns == 0


def is_typed_cell(cell: str) -> bool:
    """A cell that intake would type as a number, boolean, date or timestamp."""
    return _TYPED_CELL.fullmatch(cell) is not None
