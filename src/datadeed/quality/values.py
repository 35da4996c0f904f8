"""Turn values fetched from an engine into JSON values that both engines render alike."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

JSONValue = None | bool | int | float | str
_SAFE_INT = 2**53 - 1


def to_json_value(value: object) -> JSONValue:
    """JSON form of a cell: timestamps in UTC without offset, decimals and huge ints as text.

    Decimals stay text so that no digit is lost to a binary float; non-finite floats
    become ``"NaN"``/``"Infinity"``/``"-Infinity"`` (RFC 8785 has no NaN).
    """
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > _SAFE_INT:
        return str(value)  # beyond IEEE-754 exact integers; RFC 8785 refuses them
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return str(value)  # lists, structs, UUIDs: their text form
