"""The SQL cell classifier of intake against a plain-Python reading of the same rules."""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import pytest

from datadeed.datasets.columns import CellClass, classify_sql, type_for
from datadeed.datasets.formats import (
    BOOLEAN_RE,
    DATE_RE,
    DECIMAL_RE,
    INTEGER_RE,
    TIMESTAMP_RE,
    TIMESTAMPTZ_RE,
)
from datadeed.datasets.sql import select

CELLS = [
    *("0", "-0", "+0", "+5", "-5", "007", "00", "1", "42", "-42", "517", "-1"),
    *("123456789012345", "1234567890123456", "-123456789012345", "-1234567890123456"),
    *("9223372036854775807", "9223372036854775808", "-9223372036854775808"),
    *("517.0", "2.50", "0.10", "-0.0", "0.5", "-0.25", "00.5", "1.5e3", "1E5", "1e+5"),
    *("1e400", "1e-400", "1e-300", "0.30000000000000004", "12345678901234.5"),
    *("1234567890123.45678", "123456789012.345", "100000000000000.0", "1.0.0"),
    *("inf", "nan", "Infinity", "-inf", "NaN", ".5", "5.", "-.5", "1e", "e5", "1_000"),
    *(" 12", "12 ", "1,000", "0x1F", "٣", "１２", "+", "-", "", "abc", "N14228", "UA"),
    *("true", "FALSE", "True", "tRuE", "t", "f", "yes", "truth", "falsey"),
    *("2024-01-05", "2024-02-30", "2024-1-5", "2024-01-05T08:00", "2024-01-05 08:00:00"),
    *("2024-01-05T08:00:00.123456", "2024-01-05T08:00:00Z", "2024-01-05T08:00:00+08:00"),
    *("2024-01-05T08:00:00+0800", "2024-01-05T08:00:00+08", "2024-13-01", "-2024-01-05"),
    *("2024-01-05T08:00:00-05:00", "2024-01-05 08:00", "2024-01-05Z", "2024-01-05T25:00:00"),
    *("2024-01-05T08:00:00.5Z", "1234-5678", "12345-6789", "2024-01-05x", "123e-56789"),
    *("x" * 41, "1" * 41, "2013-01-01T10:00:00Z", "1.5", "-3.25", "99.99"),
]


def reference(cell: str) -> CellClass:
    """The classes as columns.py documents them, read with Python's own parsers."""
    if len(cell) > 40:
        return CellClass.TEXT
    if re.fullmatch(INTEGER_RE, cell):
        value = int(cell)
        if not -(2**63) <= value < 2**63:
            return CellClass.TEXT
        return CellClass.INTEGER if len(cell.lstrip("+-")) <= 15 else CellClass.BIG_INTEGER
    if re.fullmatch(DECIMAL_RE, cell):
        mantissa = re.split("[eE]", cell)[0]
        significant = re.sub("[^0-9]", "", mantissa).strip("0")
        magnitude = abs(float(cell))
        fits = magnitude == 0 or 1e-300 <= magnitude <= 1e300
        return CellClass.DECIMAL if len(significant) <= 15 and fits else CellClass.TEXT
    if re.fullmatch(BOOLEAN_RE, cell):
        return CellClass.BOOLEAN
    for pattern, cls in (
        (DATE_RE, CellClass.DATE),
        (TIMESTAMP_RE, CellClass.TIMESTAMP),
        (TIMESTAMPTZ_RE, CellClass.TIMESTAMPTZ),
    ):
        if re.fullmatch(pattern, cell):
            return cls if _valid_iso(cell) else CellClass.TEXT
    return CellClass.TEXT


def _valid_iso(cell: str) -> bool:
    try:
        dt.datetime.fromisoformat(cell)
    except ValueError:
        return False
    return True


def test_every_cell_is_classed_as_the_reference_classes_it() -> None:
    with duckdb.connect() as conn:
        conn.execute("CREATE TABLE cells (v VARCHAR)")
        conn.executemany("INSERT INTO cells VALUES (?)", [[cell] for cell in CELLS])
        rows = conn.execute(select(f"v, {classify_sql('v')}", "cells")).fetchall()
    found = {value: CellClass(code) for value, code in rows}
    expected = {cell: reference(cell) for cell in CELLS}
    assert found == expected


def test_a_null_cell_has_no_class() -> None:
    with duckdb.connect() as conn:
        row = conn.execute(select(classify_sql("v"), "(SELECT NULL::VARCHAR AS v)"))
        assert row.fetchone() == (0,)


@pytest.mark.parametrize(
    ("mask", "sql_type"),
    [
        (CellClass.INTEGER, "BIGINT"),
        (CellClass.INTEGER | CellClass.BIG_INTEGER, "BIGINT"),
        (CellClass.INTEGER | CellClass.DECIMAL, "DOUBLE"),
        (CellClass.BIG_INTEGER | CellClass.DECIMAL, "VARCHAR"),
        (CellClass.INTEGER | CellClass.BOOLEAN, "VARCHAR"),
        (CellClass.DATE | CellClass.TIMESTAMP, "VARCHAR"),
        (CellClass.TIMESTAMPTZ, "TIMESTAMPTZ"),
        (CellClass.DECIMAL | CellClass.TEXT, "VARCHAR"),
    ],
)
def test_a_column_type_follows_from_its_classes(mask: CellClass, sql_type: str) -> None:
    assert type_for(mask) == sql_type
