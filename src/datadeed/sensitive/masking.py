"""Masks for every PI type, used wherever a value is shown (reports, samples, logs, pages).

The identifier masks are those of :mod:`datadeed.identifiers` (DOMAIN.md §9): resident
ID ``110***********1234``, mobile ``138****5678``, bank card first six and last four,
credit code. The others follow the same habit: keep what tells values apart in a list,
never what identifies the person. An unknown type, or a value of an unexpected shape,
is masked completely (same length).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from datadeed import identifiers

__all__ = ["mask_value"]

_STAR = "*"


def _full(value: str) -> str:
    return _STAR * len(value)


def _keep(value: str, head: int, tail: int) -> str:
    if len(value) <= head + tail:
        return _full(value)
    return value[:head] + _STAR * (len(value) - head - tail) + value[len(value) - tail :]


def _email(value: str) -> str:
    local, at, domain = value.partition("@")
    if not at or not local:
        return _full(value)
    return local[0] + _STAR * 3 + "@" + domain


def _name(value: str) -> str:
    # 张三 → 张*, 欧阳娜娜 → 欧***, John Smith → J*** S****
    if re.fullmatch("[A-Za-z .'-]+", value):
        return " ".join(w[:1] + _STAR * (len(w) - 1) for w in value.split(" "))
    return value[:1] + _STAR * (len(value) - 1)


def _address(value: str) -> str:
    # Keep the administrative part (up to the district or county), hide the street.
    match = re.match(".*?(?:区|县|旗|市)", value)
    kept = match.group(0) if match and len(match.group(0)) < len(value) else value[:3]
    return kept + _STAR * max(len(value) - len(kept), 3)


def _ipv4(value: str) -> str:
    parts = value.split(".")
    return ".".join([*parts[:2], "*", "*"]) if len(parts) == 4 else _full(value)


def _ipv6(value: str) -> str:
    head = value.split(":")[:2]
    return ":".join(head) + ":****" if len(head) == 2 else _full(value)


def _gps(value: str) -> str:
    # Two decimals of a degree are about a kilometre: a district, not a door.
    out = re.sub(r"(\d+\.\d{2})\d+", r"\1**", value)
    return out if out != value else _full(value)


def _landline(value: str) -> str:
    return re.sub(r"(?<=[-)])(\d+)(?=\d{2}$)", lambda m: _STAR * len(m.group(1)), value)


_MASKS: dict[str, Callable[[str], str]] = {
    "resident_id": identifiers.mask_resident_id,
    "uscc": identifiers.mask_uscc,
    "bank_card": identifiers.mask_bank_card,
    "mobile": identifiers.mask_mobile,
    "landline": _landline,
    "email": _email,
    "person_name": _name,
    "address": _address,
    "ipv4": _ipv4,
    "ipv6": _ipv6,
    "mac": lambda v: _keep(v, 8, 0),
    "imei": lambda v: _keep(v, 8, 0),
    "passport": lambda v: _keep(v, 1, 3),
    "travel_permit": lambda v: _keep(v, 1, 3),
    "vehicle_plate": lambda v: _keep(v, 2, 2),
    "bank_account": lambda v: _keep(v, 4, 4),
    "gps": _gps,
    "birth_date": lambda v: v[:4] + re.sub("[0-9]", _STAR, v[4:]),
}


def mask_value(pi_type: str, value: str) -> str:
    """``value`` masked for ``pi_type``; completely for an unknown type."""
    text = value.strip()
    mask = _MASKS.get(pi_type, _full)
    try:
        masked = mask(text)
    except (ValueError, IndexError):
        return _full(text)
    # A value of an unexpected shape can slip through a mask unchanged: hide it all.
    return masked if masked != text else _full(text)
