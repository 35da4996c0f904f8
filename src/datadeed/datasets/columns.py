"""Typing the columns of text formats (CSV/TSV, and JSON strings) in DuckDB, in one scan.

Each cell is put in one class by the regular expressions of :mod:`formats` (RE2 in DuckDB,
the same text in Python) and the classes of a column are OR-ed together; a column gets a
type only when every non-empty cell fits it, so nothing is lost by typing:

- ``007`` (a leading zero) and numbers of more than 15 significant digits that are not
  integers stay text: an identifier is never turned into a number that drops digits;
- integers that fit 64 bits are BIGINT; integers and decimals together are DOUBLE when
  every value has at most 15 significant digits (so its shortest form round-trips);
- ``true``/``false`` (any case) is BOOLEAN; ISO 8601 dates are DATE, date-times without
  an offset TIMESTAMP, with ``Z`` or an offset TIMESTAMPTZ (as UTC). Anything else: text.
"""

from __future__ import annotations

from enum import IntFlag

import duckdb

from datadeed.datasets.formats import (
    BOOLEAN_RE,
    DATE_RE,
    DECIMAL_RE,
    TIMESTAMP_RE,
    TIMESTAMPTZ_RE,
)
from datadeed.datasets.sql import first_row, quote_ident, quote_literal, select


class CellClass(IntFlag):
    BOOLEAN = 1
    INTEGER = 2  # at most 15 digits: exact as a DOUBLE too
    BIG_INTEGER = 4  # fits BIGINT, not always exact as a DOUBLE
    DECIMAL = 8  # at most 15 significant digits, within ±1e300
    DATE = 16
    TIMESTAMP = 32
    TIMESTAMPTZ = 64
    TEXT = 128


_TEMPORAL = CellClass.DATE | CellClass.TIMESTAMP | CellClass.TIMESTAMPTZ
_NUMBER = CellClass.INTEGER | CellClass.DECIMAL


def classify_sql(column: str) -> str:
    """A DuckDB expression giving the CellClass bit of each cell of a VARCHAR column.

    Cheap character tests route each cell to the one test that can class it: text that
    cannot start a typed value is text; a date or time goes to the temporal checks; an
    integer written the way DuckDB prints it (``42``, ``-3``) is classed by casting it and
    comparing the text; anything else takes one regular expression for "number" (an
    integer is a number without ``.`` or an exponent) before the boolean test."""
    c = quote_ident(column)

    def match(pattern: str) -> str:
        return f"regexp_full_match({c}, {quote_literal(pattern)})"

    has_exponent = f"(contains({c}, 'e') OR contains({c}, 'E'))"
    significant = (
        f"length(rtrim(ltrim(regexp_replace(split_part(lower({c}), 'e', 1), "
        f"'[^0-9]', '', 'g'), '0'), '0'))"
    )
    magnitude = f"abs(TRY_CAST({c} AS DOUBLE))"
    decimal_ok = (
        f"{significant} <= 15 AND ({magnitude} = 0 OR {magnitude} BETWEEN 1e-300 AND 1e300)"
    )
    integer = (
        f"CASE WHEN TRY_CAST({c} AS BIGINT) IS NULL THEN {CellClass.TEXT.value} "
        f"WHEN length(ltrim({c}, '+-')) <= 15 THEN {CellClass.INTEGER.value} "
        f"ELSE {CellClass.BIG_INTEGER.value} END"
    )
    # At most 15 characters and no exponent: at most 15 digits, magnitude within 1e±15.
    number = (
        f"CASE WHEN NOT (contains({c}, '.') OR {has_exponent}) THEN {integer} "
        f"WHEN length({c}) <= 15 AND NOT {has_exponent} THEN {CellClass.DECIMAL.value} "
        f"WHEN {decimal_ok} THEN {CellClass.DECIMAL.value} ELSE {CellClass.TEXT.value} END"
    )
    # A date is ten characters; a date-time with Z or an offset is the zoned kind.
    after_date = f"substr({c}, 11)"
    zoned = f"(right({c}, 1) = 'Z' OR contains({after_date}, '+') OR contains({after_date}, '-'))"
    temporal = (
        f"CASE WHEN length({c}) = 10 THEN {_checked(c, match(DATE_RE), 'DATE', CellClass.DATE)} "
        f"WHEN {zoned} "
        f"THEN {_checked(c, match(TIMESTAMPTZ_RE), 'TIMESTAMPTZ', CellClass.TIMESTAMPTZ)} "
        f"ELSE {_checked(c, match(TIMESTAMP_RE), 'TIMESTAMP', CellClass.TIMESTAMP)} END"
    )
    return (
        f"CASE WHEN {c} IS NULL THEN 0 "
        # Every typed cell starts with a digit, a sign or the t/f of a boolean.
        f"WHEN NOT (ascii({c}) BETWEEN 48 AND 57 OR ascii({c}) IN (43, 45, 70, 84, 102, 116)) "
        f"THEN {CellClass.TEXT.value} "
        # A date or time has "-" fifth and no exponent; a number never does.
        f"WHEN length({c}) >= 10 AND substr({c}, 5, 1) = '-' AND NOT {has_exponent} "
        f"THEN {temporal} "
        # An integer written the way DuckDB prints it: no regular expression needed.
        f"WHEN NOT contains({c}, '.') AND CAST(TRY_CAST({c} AS BIGINT) AS VARCHAR) = {c} "
        f"THEN CASE WHEN length(ltrim({c}, '-')) <= 15 THEN {CellClass.INTEGER.value} "
        f"ELSE {CellClass.BIG_INTEGER.value} END "
        f"WHEN length({c}) > 40 THEN {CellClass.TEXT.value} "
        f"WHEN {match(DECIMAL_RE)} THEN {number} "
        f"WHEN length({c}) IN (4, 5) AND {match(BOOLEAN_RE)} THEN {CellClass.BOOLEAN.value} "
        f"ELSE {CellClass.TEXT.value} END"
    )


def _checked(c: str, matches: str, sql_type: str, cls: CellClass) -> str:
    """``cls`` when the cell matches and casts to ``sql_type``, else text."""
    return (
        f"CASE WHEN {matches} AND TRY_CAST({c} AS {sql_type}) IS NOT NULL "
        f"THEN {cls.value} ELSE {CellClass.TEXT.value} END"
    )


def type_for(mask: int, *, temporal_only: bool = False) -> str:
    """The DuckDB type of a column whose cells' classes OR to ``mask``."""
    found = CellClass(mask)
    if found in (CellClass.DATE, CellClass.TIMESTAMP, CellClass.TIMESTAMPTZ):
        return found.name or "VARCHAR"
    if temporal_only or not found or found & (CellClass.TEXT | _TEMPORAL):
        return "VARCHAR"
    if found == CellClass.BOOLEAN:
        return "BOOLEAN"
    if not found & ~(CellClass.INTEGER | CellClass.BIG_INTEGER):
        return "BIGINT"
    if not found & ~_NUMBER:
        return "DOUBLE"
    return "VARCHAR"


def infer_types(
    conn: duckdb.DuckDBPyConnection,
    relation: str,
    columns: list[str],
    *,
    temporal_only: bool = False,
) -> dict[str, str]:
    """One aggregate scan of ``relation`` typing each of ``columns`` (all VARCHAR)."""
    if not columns:
        return {}
    parts = ", ".join(f"bit_or({classify_sql(name)})" for name in columns)
    row = first_row(conn, select(parts, relation))
    masks = row if row is not None else (0,) * len(columns)
    return {
        name: type_for(int(mask or 0), temporal_only=temporal_only)
        for name, mask in zip(columns, masks, strict=True)
    }


def cast_sql(column: str, sql_type: str) -> str:
    c = quote_ident(column)
    if sql_type == "VARCHAR":
        return c
    return f"CAST({c} AS {sql_type}) AS {c}"
