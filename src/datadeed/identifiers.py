"""Parse, validate and mask Chinese identifiers.

Pure functions, no I/O. Sources (see DOMAIN.md §9):

- Unified social credit code (统一社会信用代码): GB 32100-2015, with the optional
  organisation-code check of GB 11714-1997 (§9.2).
- Resident identity number (居民身份证号码): GB 11643-1999, province codes from
  GB/T 2260 (§9.1).
- Bank card numbers: the Luhn / mod-10 check (§9.3).
- Mainland mobile numbers: the pragmatic rule ``^1[3-9]\\d{9}$``, with the allowed
  3-digit prefixes kept as configuration because the MIIT number plan changes (§9.4).

Conventions shared by every identifier:

- ``normalize_*`` never raises; ``validate_*`` returns the normalized form or raises
  :class:`~datadeed.errors.InvalidIdentifier` whose ``reason`` names the first problem.
  Positions in reasons are 1-based and count characters of the normalized input.
- Reasons never echo the whole identifier or a birth date, because they end up in logs.
- ``*_check_char`` / ``luhn_check_digit`` are primitives for well-formed bodies and
  raise :class:`ValueError` otherwise (a programming error, not bad user input).
- ``mask_*`` never raises and never validates the check character: input with the
  expected shape keeps the documented characters, anything else is masked completely
  (same length), so a mask never reveals more than it promises.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from datadeed.errors import InvalidIdentifier

__all__ = [
    "MOBILE_PATTERN",
    "PROVINCE_CODES",
    "USCC_CHARSET",
    "ResidentId",
    "is_luhn_valid",
    "is_valid_bank_card",
    "is_valid_mobile",
    "is_valid_resident_id",
    "is_valid_uscc",
    "luhn_check_digit",
    "make_uscc",
    "mask_bank_card",
    "mask_mobile",
    "mask_resident_id",
    "mask_uscc",
    "normalize_bank_card",
    "normalize_mobile",
    "normalize_resident_id",
    "normalize_uscc",
    "organization_code_valid",
    "parse_resident_id",
    "resident_id_check_char",
    "upgrade_resident_id_15",
    "uscc_check_char",
    "validate_bank_card",
    "validate_mobile",
    "validate_uscc",
]

_DIGITS = "0123456789"
_SEPARATORS = re.compile(r"[\s\-]+")
_MASK = "*"


def _nfkc(s: str) -> str:
    """Fold full-width digits, letters and hyphens to ASCII."""
    return unicodedata.normalize("NFKC", s)


def _first_illegal(s: str, allowed: str) -> int | None:
    """Index of the first character of ``s`` not in ``allowed``, or None."""
    return next((i for i, c in enumerate(s) if c not in allowed), None)


def _require_chars(kind: str, s: str, allowed: str) -> None:
    """Raise ``InvalidIdentifier`` naming the first character outside ``allowed``."""
    i = _first_illegal(s, allowed)
    if i is not None:
        raise InvalidIdentifier(kind, f"illegal character {s[i]!r} at position {i + 1}")


def _wrong_length(kind: str, expected: str, got: int) -> InvalidIdentifier:
    return InvalidIdentifier(kind, f"wrong length: expected {expected}, got {got}")


def _wrong_check(kind: str, expected: str, got: str) -> InvalidIdentifier:
    return InvalidIdentifier(kind, f"wrong check character (expected {expected!r}, got {got!r})")


def _keep_ends(s: str, head: int, tail: int) -> str:
    """Keep ``head`` leading and ``tail`` trailing characters, star the rest."""
    return s[:head] + _MASK * (len(s) - head - tail) + s[len(s) - tail :]


# --------------------------------------------------------------------------------------
# Unified social credit code (GB 32100-2015)
# --------------------------------------------------------------------------------------

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 symbols of GB 32100-2015: digits and capitals without I, O, S, V, Z."""

_USCC_LENGTH = 18
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_CODE_VALUES = _DIGITS + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def normalize_uscc(s: str) -> str:
    """NFKC-fold, drop spaces and hyphens, and uppercase a credit code."""
    return _SEPARATORS.sub("", _nfkc(s)).upper()


def uscc_check_char(body17: str) -> str:
    """Check character for the first 17 characters of a credit code.

    ``S = Σ v(c_i)·3^i mod 31``; the check is ``charset[(31 − S mod 31) mod 31]``.
    Raises ValueError unless ``body17`` is 17 characters from :data:`USCC_CHARSET`.
    """
    if len(body17) != 17 or _first_illegal(body17, USCC_CHARSET) is not None:
        raise ValueError(f"a USCC body is 17 characters from {USCC_CHARSET}")
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(body17, _USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[-total % 31]


def make_uscc(body17: str) -> str:
    """Append the check character to a 17-character body (demo data and tests)."""
    return body17 + uscc_check_char(body17)


def validate_uscc(s: str) -> str:
    """Return the normalized credit code, or raise ``InvalidIdentifier("uscc", …)``."""
    code = normalize_uscc(s)
    if len(code) != _USCC_LENGTH:
        raise _wrong_length("uscc", f"{_USCC_LENGTH} characters", len(code))
    _require_chars("uscc", code, USCC_CHARSET)
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise _wrong_check("uscc", expected, code[17])
    return code


def is_valid_uscc(s: str) -> bool:
    """True when :func:`validate_uscc` accepts ``s``."""
    try:
        validate_uscc(s)
    except InvalidIdentifier:
        return False
    return True


def organization_code_valid(uscc: str) -> bool:
    """Whether the embedded GB 11714 organisation code (positions 9–17) checks out.

    Informational only: codes in circulation exist whose inner check fails, so
    :func:`validate_uscc` does not require it.
    """
    code = normalize_uscc(uscc)
    if len(code) != _USCC_LENGTH or _first_illegal(code, USCC_CHARSET) is not None:
        return False
    org = code[8:17]
    total = sum(
        _ORG_CODE_VALUES.index(c) * w for c, w in zip(org[:8], _ORG_CODE_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    expected = {10: "X", 11: "0"}.get(check, str(check))
    return org[8] == expected


def mask_uscc(s: str) -> str:
    """Mask a credit code as ``91************0Y43``.

    Keeps the registration authority and organisation category (positions 1–2,
    which say what kind of entity this is) and the last four characters, enough to
    tell codes apart in a list; hides the division and organisation code.
    """
    code = normalize_uscc(s)
    if len(code) != _USCC_LENGTH:
        return _MASK * len(code)
    return _keep_ends(code, 2, 4)


# --------------------------------------------------------------------------------------
# Resident identity number (GB 11643-1999)
# --------------------------------------------------------------------------------------

# fmt: off
PROVINCE_CODES = frozenset({
    "11", "12", "13", "14", "15",                    # 华北
    "21", "22", "23",                                # 东北
    "31", "32", "33", "34", "35", "36", "37",        # 华东
    "41", "42", "43", "44", "45", "46",              # 中南
    "50", "51", "52", "53", "54",                    # 西南
    "61", "62", "63", "64", "65",                    # 西北
    "71", "81", "82",                                # 台湾, 香港, 澳门
    "83",                                            # 台湾居民居住证
})
# fmt: on
"""The 34 province-level GB/T 2260 prefixes, plus 83 used on Taiwan residents' permits."""

_RESIDENT_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_RESIDENT_CHECK = "10X98765432"
_EARLIEST_BIRTH = date(1900, 1, 1)
_SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class ResidentId:
    """A parsed, valid 18-digit resident identity number."""

    number: str
    division_code: str
    birth_date: date
    sex: Literal["male", "female"]
    upgraded_from_15: bool


def normalize_resident_id(s: str) -> str:
    """NFKC-fold, drop spaces and hyphens, and uppercase the check character ``x``."""
    return _SEPARATORS.sub("", _nfkc(s)).upper()


def resident_id_check_char(body17: str) -> str:
    """Check character for 17 digits: ``"10X98765432"[Σ d_i·2^(17−i) mod 11]``."""
    if len(body17) != 17 or _first_illegal(body17, _DIGITS) is not None:
        raise ValueError("a resident ID body is 17 ASCII digits")
    total = sum(int(c) * w for c, w in zip(body17, _RESIDENT_WEIGHTS, strict=True))
    return _RESIDENT_CHECK[total % 11]


def upgrade_resident_id_15(s: str) -> str:
    """Turn a legacy 15-digit number into 18 digits: insert ``19`` and add the check.

    Only the shape is checked here; :func:`parse_resident_id` validates the result.
    """
    number = normalize_resident_id(s)
    if len(number) != 15:
        raise _wrong_length("resident_id", "15 digits for a legacy number", len(number))
    _require_chars("resident_id", number, _DIGITS)
    body = number[:6] + "19" + number[6:]
    return body + resident_id_check_char(body)


def _check_resident_shape(number: str) -> None:
    """Raise unless ``number`` is 18 digits with a digit or X at the end, or 15 digits."""
    if len(number) not in (15, 18):
        raise _wrong_length("resident_id", "18 characters (or 15 for a legacy number)", len(number))
    _require_chars("resident_id", number[:17], _DIGITS)
    if len(number) == 18 and number[17] not in _DIGITS + "X":
        raise InvalidIdentifier("resident_id", f"illegal character {number[17]!r} at position 18")


def _birth_date(digits: str, today: date) -> date:
    """The real date in ``YYYYMMDD`` between 1900-01-01 and ``today``."""
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise InvalidIdentifier("resident_id", "birth date is not a real calendar date") from None
    if born < _EARLIEST_BIRTH:
        raise InvalidIdentifier("resident_id", "birth date is before 1900-01-01")
    if born > today:
        raise InvalidIdentifier("resident_id", "birth date is in the future")
    return born


def parse_resident_id(s: str, *, today: date | None = None) -> ResidentId:
    """Validate an 18-digit (or legacy 15-digit) resident identity number.

    Checks, in order: shape, province prefix, birth date (real, from 1900-01-01 to
    ``today``, default today in Asia/Shanghai) and check character. A 15-digit number
    is upgraded first, so its check always passes and ``number`` holds 18 characters.
    """
    raw = normalize_resident_id(s)
    _check_resident_shape(raw)
    upgraded = len(raw) == 15
    number = upgrade_resident_id_15(raw) if upgraded else raw
    if number[:2] not in PROVINCE_CODES:
        raise InvalidIdentifier("resident_id", f"unknown province code {number[:2]!r}")
    born = _birth_date(number[6:14], today or datetime.now(_SHANGHAI).date())
    expected = resident_id_check_char(number[:17])
    if number[17] != expected:
        raise _wrong_check("resident_id", expected, number[17])
    sex: Literal["male", "female"] = "male" if int(number[16]) % 2 else "female"
    return ResidentId(number, number[:6], born, sex, upgraded)


def is_valid_resident_id(s: str, *, today: date | None = None) -> bool:
    """True when :func:`parse_resident_id` accepts ``s``."""
    try:
        parse_resident_id(s, today=today)
    except InvalidIdentifier:
        return False
    return True


def mask_resident_id(s: str) -> str:
    """Mask as ``110***********1234``: first three and last four characters.

    The first three digits name only a province and prefecture; the last four are the
    usual "tail number" people recognise. Legacy 15-digit numbers keep the same ends.
    """
    number = normalize_resident_id(s)
    if len(number) not in (15, 18):
        return _MASK * len(number)
    return _keep_ends(number, 3, 4)


# --------------------------------------------------------------------------------------
# Bank cards (Luhn / mod 10)
# --------------------------------------------------------------------------------------

_CARD_MIN, _CARD_MAX = 12, 19


def _luhn_sum(digits: str) -> int:
    """Luhn sum: double every second digit from the right, subtracting 9 above 9."""
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total


def luhn_check_digit(body: str) -> str:
    """The digit that makes ``body + digit`` pass the Luhn check."""
    if not body or _first_illegal(body, _DIGITS) is not None:
        raise ValueError("a Luhn body is one or more ASCII digits")
    return str(-_luhn_sum(body + "0") % 10)


def is_luhn_valid(s: str) -> bool:
    """True when ``s`` is at least two ASCII digits whose Luhn sum is 0 mod 10."""
    if len(s) < 2 or _first_illegal(s, _DIGITS) is not None:
        return False
    return _luhn_sum(s) % 10 == 0


def normalize_bank_card(s: str) -> str:
    """NFKC-fold and drop spaces and hyphens."""
    return _SEPARATORS.sub("", _nfkc(s))


def validate_bank_card(s: str, *, require_luhn: bool = True) -> str:
    """Return the card number as digits, or raise ``InvalidIdentifier("bank_card", …)``.

    Some older domestic debit BINs are not Luhn-valid (DOMAIN.md §9.3); a caller
    that knows the issuer can pass ``require_luhn=False`` and check only the shape.
    """
    card = normalize_bank_card(s)
    if not _CARD_MIN <= len(card) <= _CARD_MAX:
        raise _wrong_length("bank_card", f"{_CARD_MIN} to {_CARD_MAX} digits", len(card))
    _require_chars("bank_card", card, _DIGITS)
    if require_luhn:
        expected = luhn_check_digit(card[:-1])
        if card[-1] != expected:
            raise _wrong_check("bank_card", expected, card[-1])
    return card


def is_valid_bank_card(s: str) -> bool:
    """True when :func:`validate_bank_card` accepts ``s`` (Luhn required)."""
    try:
        validate_bank_card(s)
    except InvalidIdentifier:
        return False
    return True


def mask_bank_card(s: str) -> str:
    """PCI-style mask: first six (the BIN) and last four digits, length kept."""
    card = normalize_bank_card(s)
    if not _CARD_MIN <= len(card) <= _CARD_MAX:
        return _MASK * len(card)
    return _keep_ends(card, 6, 4)


# --------------------------------------------------------------------------------------
# Mainland mobile numbers
# --------------------------------------------------------------------------------------

MOBILE_PATTERN = re.compile(r"1[3-9][0-9]{9}")
"""The default rule when no prefix list is configured (matched in full, ASCII digits)."""

_MOBILE_SEPARATORS = re.compile(r"[\s\-()]+")
_MOBILE_LENGTH = 11


def normalize_mobile(s: str) -> str:
    """NFKC-fold, drop separators and a ``+86``, ``0086`` or ``86`` country prefix.

    A bare ``86`` is only taken as the country code when 11 digits follow, so
    normalization never eats the start of a short or odd number.
    """
    number = _MOBILE_SEPARATORS.sub("", _nfkc(s))
    for prefix in ("+86", "0086"):
        if number.startswith(prefix):
            return number[len(prefix) :]
    if number.startswith("86") and len(number) == 2 + _MOBILE_LENGTH:
        return number[2:]
    return number


def validate_mobile(s: str, prefixes: Collection[str] | None = None) -> str:
    """Return the 11-digit number, or raise ``InvalidIdentifier("mobile", …)``.

    Without ``prefixes`` the number must match ``^1[3-9]\\d{9}$``; with them, its
    first three digits must be one of ``prefixes`` (the configured number plan).
    """
    number = normalize_mobile(s)
    if len(number) != _MOBILE_LENGTH:
        raise _wrong_length("mobile", f"{_MOBILE_LENGTH} digits", len(number))
    _require_chars("mobile", number, _DIGITS)
    if prefixes is None and not MOBILE_PATTERN.fullmatch(number):
        raise InvalidIdentifier("mobile", "not a mainland mobile number (must start with 13–19)")
    if prefixes is not None and number[:3] not in prefixes:
        raise InvalidIdentifier("mobile", f"prefix {number[:3]!r} is not an allowed mobile prefix")
    return number


def is_valid_mobile(s: str, prefixes: Collection[str] | None = None) -> bool:
    """True when :func:`validate_mobile` accepts ``s``."""
    try:
        validate_mobile(s, prefixes)
    except InvalidIdentifier:
        return False
    return True


def mask_mobile(s: str) -> str:
    """Mask as ``138****5678``: the carrier prefix and the last four digits."""
    number = normalize_mobile(s)
    if len(number) != _MOBILE_LENGTH:
        return _MASK * len(number)
    return _keep_ends(number, 3, 4)
