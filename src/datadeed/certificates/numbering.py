"""Certificate and registration numbers (DOMAIN.md §1.4). Pure functions, no I/O.

What is read and what is inferred:

* CNIPA unified data-IP certificate (规发〔2024〕79号) [R]: the certificate number is 17
  digits = year + month + registration-body code (e.g. Guangdong 4400) + business serial.
  The field widths YYYY(4) + MM(2) + body(4) + serial(7) are inferred [I]. The serial
  restarts every year for each registration body [I].
* The data-IP registration number is 16 characters with one check character =
  application year + data-source code + registrant-type code + sequence + check [R];
  the code tables and the check algorithm were only published as an image and were not
  found. datadeed infers [I]: year(4) + source code(1) + registrant type(1) +
  sequence(9) + check(1), the check being ISO 7064 MOD 11-2 over the first 15
  characters (as in GB 11643 identity numbers: 0-9 or X).
* Data property (Hangzhou Data Exchange) and public-data numbers were not retrieved: datadeed
  prints them as the data-IP number with a track prefix, ``DP`` (数据产权) or ``PD``
  (公共数据) [I], so that one body's numbers never collide across tracks.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum

from datadeed.errors import InvalidInput


class Track(StrEnum):
    DATA_PROPERTY = "data_property"  # 数据产权
    DATA_IP = "data_ip"  # 数据知识产权
    PUBLIC_DATA = "public_data"  # 公共数据


TRACK_PREFIX = {Track.DATA_PROPERTY: "DP", Track.DATA_IP: "", Track.PUBLIC_DATA: "PD"}

# Data-source categories of DOMAIN.md §1.5 and their one-digit codes [I].
SOURCE_CODES = {
    "self_produced": "1",
    "public_collection": "2",
    "public_authorisation": "3",
    "co_production": "4",
    "purchase": "5",
    "other": "9",
}
# Registrant types [I]: enterprise legal person, other organisation, natural person.
REGISTRANT_CODES = {"enterprise": "1", "organisation": "2", "individual": "3"}

SERIAL_DIGITS = 7
SEQUENCE_DIGITS = 9
_BODY_CODE = re.compile(r"^[0-9]{4}$")
_NUMBER = re.compile(r"^(DP|PD)?([0-9]{4})(0[1-9]|1[0-2])([0-9]{4})([0-9]{7})$")
_REGISTRATION_NO = re.compile(r"^[0-9]{4}[0-9][0-9][0-9]{9}[0-9X]$")
_MOD11_WEIGHTS = [pow(2, 15 - i, 11) for i in range(15)]


def body_code(region_code: str) -> str:
    """A registration body's 4-digit code: its province and city (``330108`` → ``3301``)."""
    code = region_code[:4]
    if not _BODY_CODE.fullmatch(code):
        raise InvalidInput(f"the registration body's region code {region_code!r} is not numeric")
    return code


def number_prefix(track: Track, issued_on: dt.date, body: str) -> str:
    """Everything before the serial; numbers sharing it share one serial counter per year."""
    if not _BODY_CODE.fullmatch(body):
        raise InvalidInput(f"registration-body code must be 4 digits; got {body!r}")
    return f"{TRACK_PREFIX[track]}{issued_on:%Y%m}{body}"


def certificate_number(track: Track, issued_on: dt.date, body: str, serial: int) -> str:
    """``[DP|PD]YYYYMM`` + body + 7-digit serial; the data-IP form is the 17 CNIPA digits."""
    if not 1 <= serial < 10**SERIAL_DIGITS:
        raise InvalidInput(f"serial {serial} does not fit {SERIAL_DIGITS} digits")
    return f"{number_prefix(track, issued_on, body)}{serial:0{SERIAL_DIGITS}d}"


def parse_certificate_number(number: str) -> tuple[Track, str, str, int]:
    """(track, YYYYMM, body code, serial); InvalidInput if it is not a datadeed number."""
    match = _NUMBER.fullmatch(number.strip().upper())
    if match is None:
        raise InvalidInput(f"{number!r} is not a certificate number")
    prefix, year, month, body, serial = match.groups()
    track = {None: Track.DATA_IP, "DP": Track.DATA_PROPERTY, "PD": Track.PUBLIC_DATA}[prefix]
    return track, year + month, body, int(serial)


def mod11_2_check(body15: str) -> str:
    """ISO 7064 MOD 11-2 check character of 15 digits."""
    total = sum(int(c) * w for c, w in zip(body15, _MOD11_WEIGHTS, strict=True))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def registration_number(year: int, source: str, registrant: str, sequence: int) -> str:
    """The 16-character registration number (layout and check character inferred)."""
    if source not in SOURCE_CODES:
        raise InvalidInput(f"unknown data-source category {source!r}")
    if registrant not in REGISTRANT_CODES:
        raise InvalidInput(f"unknown registrant type {registrant!r}")
    if not 1 <= sequence < 10**SEQUENCE_DIGITS:
        raise InvalidInput(f"sequence {sequence} does not fit {SEQUENCE_DIGITS} digits")
    body = f"{year:04d}{SOURCE_CODES[source]}{REGISTRANT_CODES[registrant]}{sequence:09d}"
    return body + mod11_2_check(body)


def is_valid_registration_number(value: str) -> bool:
    value = value.strip().upper()
    return bool(_REGISTRATION_NO.fullmatch(value)) and mod11_2_check(value[:15]) == value[15]
