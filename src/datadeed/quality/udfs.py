"""Identifier checks and masks as the engines see them.

The checksum rules call :mod:`datadeed.identifiers` itself, registered in each engine
as a scalar function named ``dd_valid_<kind>`` (text → boolean, null → null), so the
GB 11643 / GB 32100 / Luhn / mobile rules exist once, in one tested module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import get_args

from datadeed import identifiers
from datadeed.quality.rules import IdentifierKind, MaskKind

__all__ = ["IDENTIFIER_KINDS", "VALIDATORS", "is_valid", "mask_value", "udf_name"]

IDENTIFIER_KINDS: tuple[IdentifierKind, ...] = get_args(IdentifierKind)

VALIDATORS: dict[IdentifierKind, Callable[[str], bool]] = {
    "resident_id": identifiers.is_valid_resident_id,
    "uscc": identifiers.is_valid_uscc,
    "bank_card": identifiers.is_valid_bank_card,
    "mobile": identifiers.is_valid_mobile,
}

_MASKS: dict[MaskKind, Callable[[str], str]] = {
    "resident_id": identifiers.mask_resident_id,
    "uscc": identifiers.mask_uscc,
    "bank_card": identifiers.mask_bank_card,
    "mobile": identifiers.mask_mobile,
    "full": lambda s: "*" * len(s),
}


def udf_name(kind: IdentifierKind) -> str:
    """The SQL function name under which an engine registers the ``kind`` check."""
    return f"dd_valid_{kind}"


def is_valid(kind: IdentifierKind, value: str | None) -> bool | None:
    """The UDF body: null in, null out; otherwise the identifiers.py verdict."""
    if value is None:
        return None
    return VALIDATORS[kind](value)


def mask_value(kind: MaskKind, value: object) -> str | None:
    """Mask a value for a report; the identifier masks never reveal more than they promise."""
    if value is None:
        return None
    return _MASKS[kind](str(value))
