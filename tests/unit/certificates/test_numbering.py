"""Certificate and registration numbers (DOMAIN.md §1.4) and validity profiles."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from datadeed.certificates import numbering, validity
from datadeed.certificates.numbering import Track
from datadeed.errors import InvalidInput


def test_data_ip_number_is_the_17_cnipa_digits():
    number = numbering.certificate_number(Track.DATA_IP, dt.date(2026, 11, 29), "4400", 123)
    assert number == "20261144000000123"
    assert len(number) == 17
    assert numbering.parse_certificate_number(number) == (Track.DATA_IP, "202611", "4400", 123)


def test_other_tracks_carry_a_prefix():
    day = dt.date(2026, 1, 5)
    assert numbering.certificate_number(Track.DATA_PROPERTY, day, "3301", 1) == (
        "DP20260133010000001"
    )
    assert numbering.parse_certificate_number("pd202601330100000019"[:-1])[0] is Track.PUBLIC_DATA


@pytest.mark.parametrize("bad", ["", "2026114400000012", "20261344000000123", "XX2026014400000001"])
def test_malformed_numbers_are_refused(bad):
    with pytest.raises(InvalidInput):
        numbering.parse_certificate_number(bad)


def test_serial_and_body_code_bounds():
    with pytest.raises(InvalidInput):
        numbering.certificate_number(Track.DATA_IP, dt.date(2026, 1, 1), "4400", 10**7)
    with pytest.raises(InvalidInput):
        numbering.certificate_number(Track.DATA_IP, dt.date(2026, 1, 1), "44A0", 1)
    assert numbering.body_code("330108") == "3301"
    with pytest.raises(InvalidInput):
        numbering.body_code("ab0108")


def test_registration_number_has_16_characters_and_a_check():
    number = numbering.registration_number(2026, "purchase", "enterprise", 42)
    assert len(number) == 16
    assert number[:15] == "202651000000042"
    assert numbering.is_valid_registration_number(number)
    wrong = number[:15] + ("0" if number[15] != "0" else "1")
    assert not numbering.is_valid_registration_number(wrong)


@given(st.text(alphabet="0123456789", min_size=15, max_size=15))
def test_mod11_2_satisfies_the_iso7064_equation(body):
    # ISO 7064 MOD 11-2: sum of digit × 2^(position) over all 16 characters ≡ 1 (mod 11).
    check = numbering.mod11_2_check(body)
    digits = [int(c) for c in body] + [10 if check == "X" else int(check)]
    assert sum(d * pow(2, 15 - i, 11) for i, d in enumerate(digits)) % 11 == 1


@given(
    st.integers(2000, 2099),
    st.sampled_from(sorted(numbering.SOURCE_CODES)),
    st.integers(1, 10**9 - 1),
)
def test_every_single_digit_change_breaks_the_check(year, source, sequence):
    number = numbering.registration_number(year, source, "organisation", sequence)
    for i in range(15):
        digit = str((int(number[i]) + 1) % 10)
        assert not numbering.is_valid_registration_number(number[:i] + digit + number[i + 1 :])


def test_unknown_codes_are_refused():
    with pytest.raises(InvalidInput):
        numbering.registration_number(2026, "stolen", "enterprise", 1)
    with pytest.raises(InvalidInput):
        numbering.registration_number(2026, "other", "robot", 1)
    with pytest.raises(InvalidInput):
        numbering.registration_number(2026, "other", "enterprise", 0)


def test_validity_three_years_minus_a_day_and_capped_by_the_agreement():
    start = dt.date(2026, 11, 29)
    assert validity.valid_to(Track.DATA_PROPERTY, start, 3) == dt.date(2029, 11, 28)
    agreement = dt.date(2027, 6, 30)
    assert validity.valid_to(Track.DATA_IP, start, 3, agreement) == agreement
    assert validity.valid_to(Track.DATA_PROPERTY, start, 3, agreement) == dt.date(2029, 11, 28)
    with pytest.raises(InvalidInput):
        validity.valid_to(Track.DATA_IP, start, 3, dt.date(2026, 1, 1))


def test_leap_day_and_renewal():
    assert validity.add_years(dt.date(2028, 2, 29), 1) == dt.date(2029, 2, 28)
    # Renewed before the end: one more term after the current end.
    assert validity.renewed_to(dt.date(2027, 11, 28), dt.date(2027, 11, 1), 1) == dt.date(
        2028, 11, 28
    )
    # Renewed after it lapsed: the term starts today.
    assert validity.renewed_to(dt.date(2027, 11, 28), dt.date(2028, 3, 1), 1) == dt.date(
        2029, 2, 28
    )


def test_profiles():
    assert validity.profile("national").term(Track.DATA_PROPERTY) == 3
    assert validity.profile("jinan").term(Track.DATA_PROPERTY) == 1
    with pytest.raises(InvalidInput):
        validity.profile("mars")
