"""The content fingerprint against an independent Python computation, and its invariances."""

from __future__ import annotations

import hashlib
import math
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datadeed.datasets.errors import FileTooLarge
from datadeed.datasets.fingerprint import (
    _MACROS,
    CONTENT_VERSION,
    MultiDigest,
    canonical_number,
    encode_row,
    escape_text,
    file_digests,
    fingerprint_parquet,
)

HYPOTHESIS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def macros() -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect()
    for macro in _MACROS:
        conn.execute(macro)
    return conn


@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=50))
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_sql_number_text_matches_python_for_every_double(
    macros: duckdb.DuckDBPyConnection, values: list[float]
) -> None:
    rows = macros.execute(
        "SELECT dd_float(CAST(v AS DOUBLE)) FROM unnest(CAST(? AS DOUBLE[])) AS t(v)", [values]
    ).fetchall()
    assert [row[0] for row in rows] == [canonical_number(v) for v in values]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1, "1"),
        (1.0, "1"),
        (Decimal("1.00"), "1"),
        (-0.0, "0"),
        (0.1, "0.1"),
        (1e21, "1000000000000000000000"),
        (1e-7, "0.0000001"),
        (12345678901234567890, "12345678901234567890"),
        (Decimal("-0.050"), "-0.05"),
        (math.inf, "Infinity"),
        (math.nan, "NaN"),
    ],
)
def test_canonical_number_examples(value: int | float | Decimal, text: str) -> None:
    assert canonical_number(value) == text


def test_decimal_and_double_columns_give_the_same_text(macros: duckdb.DuckDBPyConnection) -> None:
    row = macros.execute(
        "SELECT dd_frac(CAST(CAST('12.50' AS DECIMAL(10,3)) AS VARCHAR)), dd_float(12.5), "
        "dd_frac(CAST(CAST('100' AS DECIMAL(10,2)) AS VARCHAR))"
    ).fetchall()[0]
    assert row == ("12.5", "12.5", "100")


def decode_row(encoded: bytes) -> list[str | None]:
    """Inverse of the row encoding: proves it is injective."""
    cells: list[str | None] = []
    for raw in encoded.decode().split("\t"):
        if raw == "\\N":
            cells.append(None)
            continue
        out, i = [], 0
        while i < len(raw):
            if raw[i] == "\\":
                out.append({"\\": "\\", "t": "\t"}[raw[i + 1]])
                i += 2
            else:
                out.append(raw[i])
                i += 1
        cells.append("".join(out))
    return cells


@given(st.lists(st.none() | st.text(alphabet=st.sampled_from("ab\\\tN\n é")), min_size=1))
def test_row_encoding_round_trips(cells: list[str | None]) -> None:
    encoded = encode_row(None if c is None else escape_text(c) for c in cells)
    assert decode_row(encoded) == cells


def reference_fingerprint(names: list[str], rows: list[tuple[Any, ...]]) -> str:
    """The specification in docs/fingerprints.md, for text/integer/double/bool/NULL cells."""

    def text(value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return canonical_number(value)
        return escape_text(unicodedata.normalize("NFC", value))

    order = sorted(range(len(names)), key=lambda i: unicodedata.normalize("NFC", names[i]).encode())
    digests = sorted(
        hashlib.sha256(encode_row(text(row[i]) for i in order)).digest() for row in rows
    )
    schema = hashlib.sha256(
        encode_row(escape_text(unicodedata.normalize("NFC", names[i])) for i in order)
    ).digest()
    return hashlib.sha256(
        CONTENT_VERSION.encode() + b"\n" + schema + hashlib.sha256(b"".join(digests)).digest()
    ).hexdigest()


ROW = st.tuples(
    st.none() | st.text(max_size=8),
    st.none() | st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.none() | st.floats(allow_nan=False, allow_infinity=True),
    st.none() | st.booleans(),
)
NAMES = ["名称", "n", "x", "e\u0301"]  # the last is not NFC on purpose


def write(path: Path, names: list[str], rows: list[tuple[Any, ...]]) -> Path:
    types = [pa.string(), pa.int64(), pa.float64(), pa.bool_()]
    columns = [pa.array([r[i] for r in rows], type=t) for i, t in enumerate(types)]
    pq.write_table(pa.table(columns, names=names), path)
    return path


@given(rows=st.lists(ROW, min_size=1, max_size=12), data=st.data())
@HYPOTHESIS
def test_fingerprint_matches_reference_and_ignores_order(
    tmp_path: Path, rows: list[tuple[Any, ...]], data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(rows))
    first = fingerprint_parquet(write(tmp_path / "a.parquet", NAMES, rows))
    second = fingerprint_parquet(write(tmp_path / "b.parquet", NAMES, list(shuffled)))

    assert first.content.content == reference_fingerprint(NAMES, rows)
    assert second == first
    assert first.content.row_count == len(rows)
    assert first.content.distinct_rows == len(set(rows))


def test_unicode_is_compared_in_nfc(tmp_path: Path) -> None:
    composed = write(tmp_path / "a.parquet", NAMES, [("é", 1, 1.0, True)])
    decomposed = write(tmp_path / "b.parquet", NAMES, [("e\u0301", 1, 1.0, True)])

    assert fingerprint_parquet(composed).content == fingerprint_parquet(decomposed).content


def test_null_and_empty_string_differ(tmp_path: Path) -> None:
    null = write(tmp_path / "a.parquet", NAMES, [(None, 1, 1.0, True)])
    empty = write(tmp_path / "b.parquet", NAMES, [("", 1, 1.0, True)])

    assert fingerprint_parquet(null).content != fingerprint_parquet(empty).content


def test_renaming_a_column_changes_the_fingerprint_but_not_the_sketch(tmp_path: Path) -> None:
    rows = [("a", 1, 1.0, True)]
    before = fingerprint_parquet(write(tmp_path / "a.parquet", NAMES, rows))
    after = fingerprint_parquet(write(tmp_path / "b.parquet", ["名称", "n", "x", "z"], rows))

    assert before.content.content != after.content.content
    assert before.sketch == after.sketch


def test_file_digests_match_hashlib(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    data = bytes(range(256)) * 9000
    path.write_bytes(data)

    digests = file_digests(path)

    assert digests.sha256 == hashlib.sha256(data).hexdigest()
    assert digests.sm3 == hashlib.new("sm3", data).hexdigest()
    assert digests.size == len(data)


def test_streaming_digest_refuses_past_the_limit() -> None:
    digest = MultiDigest(limit=10)
    digest.update(b"12345")
    with pytest.raises(FileTooLarge):
        digest.update(b"678901")
