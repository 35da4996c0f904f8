"""Errors of dataset intake, the blob store and fingerprints.

All are :class:`~datadeed.errors.DatadeedError` subclasses with a stable ``code``; the
values a caller needs (line, byte offset, limit …) are attributes and also in ``extra``.

    InvalidInput
    └── DatasetInputError                 422 dataset_input_error
        ├── EmptyFile                     422 empty_file
        ├── EmptyFolder                   422 empty_folder
        ├── HeaderOnly                    422 header_only
        ├── UnsupportedFormat             422 unsupported_format
        │   └── BinaryFile                422 binary_file
        ├── TextEncodingError             422 text_encoding_error
        │   ├── InvalidEncoding           422 invalid_encoding
        │   ├── MixedEncodings            422 mixed_encodings
        │   └── UnsupportedEncoding       422 unsupported_encoding
        ├── MalformedFile                 422 malformed_file
        │   ├── RaggedRows                422 ragged_rows
        │   ├── MalformedCsv              422 malformed_csv
        │   ├── InvalidJsonLines          422 invalid_json_lines
        │   ├── CorruptParquet            422 corrupt_parquet
        │   └── CorruptSpreadsheet        422 corrupt_spreadsheet
        ├── SpreadsheetBomb               422 spreadsheet_bomb
        ├── SpreadsheetTooLarge           422 spreadsheet_too_large
        ├── SchemaMismatch                422 schema_mismatch
        ├── FileTooLarge                  413 file_too_large
        ├── PathOutsideUploadArea         400 path_outside_upload_area
        ├── UnsafeQuery                   422 unsafe_query
        ├── SourceError                   422 source_error
        ├── InvalidBlobKey                400 invalid_blob_key
        └── InvalidSketch                 422 invalid_sketch
    NotFound
    └── BlobNotFound                      404 blob_not_found
"""

from __future__ import annotations

from typing import Any

from datadeed.errors import InvalidInput, NotFound


class DatasetInputError(InvalidInput):
    """A dataset file, folder or source that cannot be taken in as it is."""

    code = "dataset_input_error"
    status = 422
    title = "Dataset cannot be read"


class EmptyFile(DatasetInputError):
    code = "empty_file"
    title = "Empty file"

    def __init__(self, name: str) -> None:
        super().__init__(f"{name} is empty", name=name)
        self.name = name


class EmptyFolder(DatasetInputError):
    code = "empty_folder"
    title = "Empty folder"

    def __init__(self, name: str) -> None:
        super().__init__(f"the folder {name} has no data files", name=name)
        self.name = name


class HeaderOnly(DatasetInputError):
    """Column names but no data rows (refused unless the caller allows it)."""

    code = "header_only"
    title = "No data rows"

    def __init__(self, name: str) -> None:
        super().__init__(f"{name} has column names but no data rows", name=name)
        self.name = name


class UnsupportedFormat(DatasetInputError):
    code = "unsupported_format"
    title = "Unsupported file format"

    def __init__(self, name: str, looks_like: str, message: str | None = None) -> None:
        super().__init__(
            message
            or f"{name} looks like {looks_like}; supported are CSV/TSV, Parquet, "
            "JSON Lines and XLSX",
            name=name,
            looks_like=looks_like,
        )
        self.name = name
        self.looks_like = looks_like


class BinaryFile(UnsupportedFormat):
    """A binary file where text was expected, whatever its name says."""

    code = "binary_file"
    title = "Binary file where text was expected"


class TextEncodingError(DatasetInputError):
    code = "text_encoding_error"
    title = "Text encoding error"


class InvalidEncoding(TextEncodingError):
    code = "invalid_encoding"
    title = "Invalid text encoding"

    def __init__(self, name: str, encoding: str, offset: int, line: int) -> None:
        super().__init__(
            f"{name} is not valid {encoding}: bad byte at offset {offset} (line {line})",
            name=name,
            encoding=encoding,
            offset=offset,
            line=line,
        )
        self.name, self.encoding, self.offset, self.line = name, encoding, offset, line


class MixedEncodings(TextEncodingError):
    code = "mixed_encodings"
    title = "Mixed text encodings"

    def __init__(self, name: str, first: str, second: str, offset: int, line: int) -> None:
        super().__init__(
            f"{name} mixes encodings: {first} before, {second} at offset {offset} "
            f"(line {line}); save the whole file in one encoding",
            name=name,
            first=first,
            second=second,
            offset=offset,
            line=line,
        )
        self.name, self.first, self.second = name, first, second
        self.offset, self.line = offset, line


class UnsupportedEncoding(TextEncodingError):
    code = "unsupported_encoding"
    title = "Unsupported text encoding"

    def __init__(self, name: str, encoding: str) -> None:
        super().__init__(
            f"{name} is encoded in {encoding}; use UTF-8 or GB18030/GBK",
            name=name,
            encoding=encoding,
        )
        self.name, self.encoding = name, encoding


class MalformedFile(DatasetInputError):
    code = "malformed_file"
    title = "Malformed file"

    def __init__(self, name: str, message: str, **extra: Any) -> None:
        super().__init__(message, name=name, **extra)
        self.name = name


class RaggedRows(MalformedFile):
    code = "ragged_rows"
    title = "Rows with a different number of fields"

    def __init__(self, name: str, line: int, expected: int, found: int | None) -> None:
        found_text = "a different number" if found is None else str(found)
        super().__init__(
            name,
            f"{name} line {line}: expected {expected} fields, found {found_text}",
            line=line,
            expected=expected,
            found=found,
        )
        self.line, self.expected, self.found = line, expected, found


class MalformedCsv(MalformedFile):
    code = "malformed_csv"
    title = "Malformed CSV"

    def __init__(self, name: str, line: int, reason: str) -> None:
        super().__init__(name, f"{name} line {line}: {reason}", line=line, reason=reason)
        self.line, self.reason = line, reason


class InvalidJsonLines(MalformedFile):
    code = "invalid_json_lines"
    title = "Invalid JSON Lines"

    def __init__(self, name: str, reason: str, line: int | None = None) -> None:
        where = f" line {line}" if line is not None else ""
        super().__init__(name, f"{name}{where}: {reason}", line=line, reason=reason)
        self.line, self.reason = line, reason


class CorruptParquet(MalformedFile):
    code = "corrupt_parquet"
    title = "Corrupt Parquet file"

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(name, f"{name} is not a readable Parquet file: {reason}", reason=reason)
        self.reason = reason


class CorruptSpreadsheet(MalformedFile):
    code = "corrupt_spreadsheet"
    title = "Corrupt XLSX file"

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(name, f"{name} is not a readable XLSX file: {reason}", reason=reason)
        self.reason = reason


class SpreadsheetBomb(DatasetInputError):
    """An XLSX whose zip declares more, or compresses better, than the limits allow."""

    code = "spreadsheet_bomb"
    title = "XLSX exceeds decompression limits"

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name} refused before opening: {reason}", name=name, reason=reason)
        self.name, self.reason = name, reason


class SpreadsheetTooLarge(DatasetInputError):
    """An XLSX sheet with more rows or cells than the limits allow (checked while reading,
    before anything is stored)."""

    code = "spreadsheet_too_large"
    title = "XLSX sheet exceeds the row or cell limit"

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name} refused: {reason}", name=name, reason=reason)
        self.name, self.reason = name, reason


class SchemaMismatch(DatasetInputError):
    code = "schema_mismatch"
    title = "Files of a folder differ in their columns"

    def __init__(self, name: str, expected: list[str], found: list[str]) -> None:
        super().__init__(
            f"{name} has columns {found}, the folder's first file has {expected}",
            name=name,
            expected=expected,
            found=found,
        )
        self.name, self.expected, self.found = name, expected, found


class FileTooLarge(DatasetInputError):
    code = "file_too_large"
    status = 413
    title = "File too large"

    def __init__(self, name: str, limit: int) -> None:
        super().__init__(f"{name} exceeds the limit of {limit} bytes", name=name, limit=limit)
        self.name, self.limit = name, limit


class PathOutsideUploadArea(DatasetInputError):
    code = "path_outside_upload_area"
    status = 400
    title = "Path outside the upload area"

    def __init__(self, path: str) -> None:
        super().__init__(f"{path} is outside the upload area", path=path)
        self.path = path


class UnsafeQuery(DatasetInputError):
    code = "unsafe_query"
    title = "Only a single read-only SELECT is accepted"

    def __init__(self, reason: str) -> None:
        super().__init__(f"query refused: {reason}", reason=reason)
        self.reason = reason


class SourceError(DatasetInputError):
    """A database source that cannot be reached or read (message has no password)."""

    code = "source_error"
    title = "Database source cannot be read"


class InvalidBlobKey(DatasetInputError):
    code = "invalid_blob_key"
    status = 400
    title = "Invalid blob key"

    def __init__(self, key: str) -> None:
        super().__init__(f"not a blob key (64 lowercase hex digits): {key[:80]!r}", key=key[:80])
        self.key = key


class InvalidSketch(DatasetInputError):
    code = "invalid_sketch"
    title = "Invalid overlap sketch"


class BlobNotFound(NotFound):
    code = "blob_not_found"
    title = "Blob not found"

    def __init__(self, sha256: str) -> None:
        super().__init__(f"no blob {sha256}", sha256=sha256)
        self.sha256 = sha256
