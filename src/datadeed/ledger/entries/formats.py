"""What the entry validator checks beyond plain JSON Schema: formats, and ECMA 262 patterns.

Draft 2020-12 treats ``format`` as an annotation unless the validator is told to assert
it, and ``jsonschema`` silently skips a format whose optional library is missing. So the
formats the entry schemas use are implemented here, with no optional dependency:

* ``date-time`` — RFC 3339 §5.6 ``date-time`` whose fields are in range (no leap second);
* ``date`` — RFC 3339 ``full-date`` that exists in the calendar;
* ``uscc`` — a GB 32100 unified social credit code whose check character is right;
* ``vkey`` — a signed-note verifier key ``<name>+<key id>+<base64 key>`` whose key id is
  the first four bytes of ``SHA-256(name || "\\n" || key)``.

JSON Schema patterns are ECMA 262 regular expressions, where ``$`` matches only at the end
of the input; Python's ``$`` also matches before a final newline, so ``"…\\n"`` would pass
``^[0-9a-f]{64}$``. ``EntryValidator`` anchors such patterns with ``\\Z`` instead.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, ValidationError, validators
from jsonschema.protocols import Validator

from datadeed.errors import InvalidIdentifier
from datadeed.identifiers import validate_uscc

__all__ = ["ENTRY_FORMATS", "EntryValidator", "is_date", "is_date_time", "is_uscc", "is_vkey"]

_DATE_TIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?"
    r"([Zz]|[+-]([0-9]{2}):([0-9]{2}))"
)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_VKEY = re.compile(r"([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+=*)")
_ED25519 = 0x01
_ED25519_KEY_SIZE = 32

ENTRY_FORMATS = FormatChecker(formats=())
"""The format checker of ledger entries: exactly the four formats above."""


@ENTRY_FORMATS.checks("date-time")
def is_date_time(value: object) -> bool:
    """RFC 3339 ``date-time`` with every field in range; non-strings pass (not our type)."""
    if not isinstance(value, str):
        return True
    match = _DATE_TIME.fullmatch(value)
    if match is None:
        return False
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    offset_hour, offset_minute = match.group(9), match.group(10)
    if offset_hour is not None and (int(offset_hour) > 23 or int(offset_minute) > 59):
        return False
    try:
        datetime(year, month, day, hour, minute, second)
    except ValueError:
        return False
    return True


@ENTRY_FORMATS.checks("date")
def is_date(value: object) -> bool:
    """RFC 3339 ``full-date`` that exists in the calendar."""
    if not isinstance(value, str):
        return True
    if _DATE.fullmatch(value) is None:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


@ENTRY_FORMATS.checks("uscc")
def is_uscc(value: object) -> bool:
    """A unified social credit code, already in normal form, with a correct check character."""
    if not isinstance(value, str):
        return True
    try:
        return validate_uscc(value) == value
    except InvalidIdentifier:
        return False


@ENTRY_FORMATS.checks("vkey")
def is_vkey(value: object) -> bool:
    """A signed-note verifier key whose key id matches its name and key."""
    if not isinstance(value, str):
        return True
    match = _VKEY.fullmatch(value)
    if match is None:
        return False
    name, key_id, encoded = match.groups()
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return False
    if len(key) < 2 or (key[0] == _ED25519 and len(key) != 1 + _ED25519_KEY_SIZE):
        return False
    expected = hashlib.sha256(name.encode() + b"\n" + key).digest()[:4].hex()
    return key_id == expected


@functools.cache
def _ecma_regex(pattern: str) -> re.Pattern[str]:
    """Compile a schema pattern so that a final ``$`` means end of input, as in ECMA 262."""
    body = pattern.removesuffix("$")
    escapes = len(body) - len(body.rstrip("\\"))
    if body != pattern and escapes % 2 == 0:
        pattern = body + r"\Z"
    return re.compile(pattern)


def _ecma_pattern(
    validator: Any, pattern: str, instance: Any, schema: Any
) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not _ecma_regex(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


# The stubs leave ``extend`` untyped; it returns a validator class like the one it extends.
EntryValidator: type[Validator] = validators.extend(  # type: ignore[no-untyped-call]
    Draft202012Validator, {"pattern": _ecma_pattern}
)
"""Draft 2020-12 with ECMA 262 ``pattern`` anchoring; build it with ``ENTRY_FORMATS``."""
