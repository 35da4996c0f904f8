"""Identifier checks: published samples, every error reason, and checksum properties."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from datadeed.errors import InvalidIdentifier
from datadeed.identifiers import (
    PROVINCE_CODES,
    USCC_CHARSET,
    ResidentId,
    is_luhn_valid,
    is_valid_bank_card,
    is_valid_mobile,
    is_valid_resident_id,
    is_valid_uscc,
    luhn_check_digit,
    make_uscc,
    mask_bank_card,
    mask_mobile,
    mask_resident_id,
    mask_uscc,
    normalize_bank_card,
    normalize_mobile,
    normalize_uscc,
    organization_code_valid,
    parse_resident_id,
    resident_id_check_char,
    upgrade_resident_id_15,
    uscc_check_char,
    validate_bank_card,
    validate_mobile,
    validate_uscc,
)

TODAY = date(2025, 6, 30)
DIGITS = "0123456789"
FULLWIDTH = str.maketrans(DIGITS, "０１２３４５６７８９")
PROPERTY = settings(max_examples=100, deadline=None)


def _replace(s: str, i: int, c: str) -> str:
    return s[:i] + c + s[i + 1 :]


def _visible(mask: str) -> int:
    return sum(c != "*" for c in mask)


# --------------------------------------------------------------------------------------
# Strategies
# --------------------------------------------------------------------------------------

uscc_bodies = st.text(alphabet=USCC_CHARSET, min_size=17, max_size=17)
digit_strings = st.text(alphabet=DIGITS, min_size=11, max_size=18)
mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)


@st.composite
def resident_ids(draw: st.DrawFn, *, latest: date = TODAY) -> str:
    """A valid 18-digit number: known province, real birth date, any sequence."""
    division = draw(st.sampled_from(sorted(PROVINCE_CODES))) + draw(
        st.text(alphabet=DIGITS, min_size=4, max_size=4)
    )
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=latest))
    sequence = draw(st.text(alphabet=DIGITS, min_size=3, max_size=3))
    body = division + born.strftime("%Y%m%d") + sequence
    return body + resident_id_check_char(body)


@st.composite
def legacy_resident_ids(draw: st.DrawFn) -> str:
    """A 15-digit pre-1999 number: born 1900–1999, YYMMDD, no check character."""
    number = draw(resident_ids(latest=date(1999, 12, 31)))
    return number[:6] + number[8:17]


# --------------------------------------------------------------------------------------
# Unified social credit code
# --------------------------------------------------------------------------------------


def test_published_uscc_sample_is_valid() -> None:
    assert validate_uscc("91350100M000100Y43") == "91350100M000100Y43"
    assert uscc_check_char("91350100M000100Y4") == "3"
    assert organization_code_valid("91350100M000100Y43")


def test_uscc_input_is_normalized() -> None:
    assert validate_uscc(" 9135 0100-m000100y43 ") == "91350100M000100Y43"
    assert normalize_uscc("９１３５０１００Ｍ０００１００Ｙ４３") == "91350100M000100Y43"


def test_organization_code_check_is_informational() -> None:
    # a valid USCC whose embedded GB 11714 code has the wrong check character
    code = make_uscc("91350100M000100Y5")
    assert is_valid_uscc(code)
    assert not organization_code_valid(code)
    assert not organization_code_valid("too short")


@PROPERTY
@given(uscc_bodies)
def test_make_uscc_round_trips(body: str) -> None:
    code = make_uscc(body)
    assert validate_uscc(code.lower()) == code
    assert is_valid_uscc(code)


@PROPERTY
@given(uscc_bodies, st.integers(0, 17), st.sampled_from(USCC_CHARSET))
def test_uscc_detects_every_single_substitution(body: str, i: int, c: str) -> None:
    code = make_uscc(body)
    assume(code[i] != c)
    with pytest.raises(InvalidIdentifier, match="wrong check character"):
        validate_uscc(_replace(code, i, c))


def test_uscc_detects_every_substitution_of_one_code_exhaustively() -> None:
    code = "91350100M000100Y43"
    for i in range(18):
        for c in USCC_CHARSET.replace(code[i], ""):
            assert not is_valid_uscc(_replace(code, i, c)), (i, c)


# --------------------------------------------------------------------------------------
# Resident identity number
# --------------------------------------------------------------------------------------


def test_gb_11643_sample_parses() -> None:
    assert parse_resident_id("11010519491231002x", today=TODAY) == ResidentId(
        number="11010519491231002X",
        division_code="110105",
        birth_date=date(1949, 12, 31),
        sex="female",
        upgraded_from_15=False,
    )


def test_legacy_sample_upgrades_to_the_gb_11643_sample() -> None:
    assert upgrade_resident_id_15("110105491231002") == "11010519491231002X"
    parsed = parse_resident_id("110105 491231 002", today=TODAY)
    assert parsed.number == "11010519491231002X"
    assert parsed.upgraded_from_15


def test_resident_id_born_today_is_valid_but_not_tomorrow() -> None:
    body = "110105" + TODAY.strftime("%Y%m%d") + "001"
    assert parse_resident_id(body + resident_id_check_char(body), today=TODAY).sex == "male"
    assert not is_valid_resident_id(body + resident_id_check_char(body), today=date(2025, 6, 29))


@PROPERTY
@given(resident_ids())
def test_generated_resident_ids_parse(number: str) -> None:
    parsed = parse_resident_id(number, today=TODAY)
    assert parsed.number == number
    assert parsed.birth_date.strftime("%Y%m%d") == number[6:14]
    assert parsed.sex == ("male" if int(number[16]) % 2 else "female")
    assert not parsed.upgraded_from_15


@PROPERTY
@given(resident_ids(), st.integers(0, 17), st.sampled_from(DIGITS + "X"))
def test_resident_id_detects_every_single_substitution(number: str, i: int, c: str) -> None:
    assume(number[i] != c and (c != "X" or i == 17))
    assert not is_valid_resident_id(_replace(number, i, c), today=TODAY)


@PROPERTY
@given(legacy_resident_ids())
def test_upgrade_keeps_birth_date_and_sex(legacy: str) -> None:
    parsed = parse_resident_id(legacy, today=TODAY)
    assert parsed.upgraded_from_15
    assert parsed.number == upgrade_resident_id_15(legacy)
    assert parse_resident_id(parsed.number, today=TODAY).birth_date == parsed.birth_date
    assert parsed.birth_date.strftime("%y%m%d") == legacy[6:12]
    assert parsed.sex == ("male" if int(legacy[14]) % 2 else "female")


# --------------------------------------------------------------------------------------
# Bank cards (Luhn)
# --------------------------------------------------------------------------------------


def test_published_luhn_samples() -> None:
    assert luhn_check_digit("7992739871") == "3"
    assert is_luhn_valid("79927398713")
    assert validate_bank_card("4111 1111-1111 1111") == "4111111111111111"
    assert not is_luhn_valid("")
    assert not is_luhn_valid("12a")


def test_luhn_can_be_waived_for_known_non_luhn_bins() -> None:
    assert not is_valid_bank_card("4111111111111112")
    assert validate_bank_card("4111111111111112", require_luhn=False) == "4111111111111112"


def test_luhn_misses_09_90_transposition() -> None:
    number = "1209" + luhn_check_digit("1209")
    assert is_luhn_valid(number)
    assert is_luhn_valid("1290" + number[-1])


@PROPERTY
@given(digit_strings)
def test_luhn_check_digit_makes_a_valid_number(body: str) -> None:
    assert is_luhn_valid(body + luhn_check_digit(body))


@PROPERTY
@given(digit_strings, st.data())
def test_luhn_detects_every_single_digit_change(body: str, data: st.DataObject) -> None:
    number = body + luhn_check_digit(body)
    i = data.draw(st.integers(0, len(number) - 1))
    c = data.draw(st.sampled_from(DIGITS.replace(number[i], "")))
    assert not is_luhn_valid(_replace(number, i, c))


@PROPERTY
@given(digit_strings, st.data())
def test_luhn_detects_adjacent_transpositions_except_09(body: str, data: st.DataObject) -> None:
    number = body + luhn_check_digit(body)
    i = data.draw(st.integers(0, len(number) - 2))
    pair = number[i : i + 2]
    assume(pair[0] != pair[1] and pair not in ("09", "90"))
    assert not is_luhn_valid(number[:i] + pair[::-1] + number[i + 2 :])


# --------------------------------------------------------------------------------------
# Mobile numbers
# --------------------------------------------------------------------------------------


@PROPERTY
@given(
    mobiles,
    st.sampled_from(["", "+86", "+86 ", "(+86) ", "0086", "0086-", "86", "86 "]),
    st.sampled_from(["", " ", "-"]),
    st.booleans(),
)
def test_mobile_normalization_strips_every_prefix_form(
    number: str, prefix: str, sep: str, fullwidth: bool
) -> None:
    written = prefix + number[:3] + sep + number[3:7] + sep + number[7:]
    if fullwidth:
        written = written.translate(FULLWIDTH)
    assert normalize_mobile(written) == number
    assert validate_mobile(written) == number


def test_bare_86_is_kept_when_it_cannot_be_a_country_code() -> None:
    assert normalize_mobile("8613812345") == "8613812345"


def test_mobile_prefix_list_is_configuration() -> None:
    plan = {"138", "190"}
    assert is_valid_mobile("19012345678", plan)
    assert not is_valid_mobile("13912345678", plan)
    assert is_valid_mobile("13912345678")


# --------------------------------------------------------------------------------------
# Masks
# --------------------------------------------------------------------------------------


def test_masks_of_samples() -> None:
    assert mask_resident_id("11010519491231002X") == "110***********002X"
    assert mask_uscc("91350100M000100Y43") == "91************0Y43"
    assert mask_bank_card("6222 0212 3456 7890 128") == "622202*********0128"
    assert mask_mobile("+86 138-1234-5678") == "138****5678"


def test_masks_hide_unexpected_shapes_completely() -> None:
    assert mask_resident_id("1234567") == "*******"
    assert mask_uscc("913501") == "******"
    assert mask_bank_card("4111 1111") == "********"
    assert mask_mobile("12345") == "*****"


@PROPERTY
@given(resident_ids(), uscc_bodies, digit_strings, mobiles)
def test_masks_keep_exactly_the_stated_characters(
    resident_id: str, body: str, card_body: str, mobile: str
) -> None:
    card = card_body + luhn_check_digit(card_body)
    uscc = make_uscc(body)
    cases = [
        (mask_resident_id(resident_id), resident_id, 3, 4),
        (mask_uscc(uscc), uscc, 2, 4),
        (mask_bank_card(card), card, 6, 4),
        (mask_mobile(mobile), mobile, 3, 4),
    ]
    for mask, value, head, tail in cases:
        assert len(mask) == len(value)
        assert mask[:head] == value[:head]
        assert mask[-tail:] == value[-tail:]
        assert set(mask[head:-tail]) == {"*"}


@PROPERTY
@given(st.text(max_size=30))
def test_masks_never_reveal_more_than_stated(s: str) -> None:
    assert _visible(mask_resident_id(s)) <= 7
    assert _visible(mask_uscc(s)) <= 6
    assert _visible(mask_bank_card(s)) <= 10
    assert _visible(mask_mobile(s)) <= 7


# --------------------------------------------------------------------------------------
# Every error reason
# --------------------------------------------------------------------------------------

REASONS: list[tuple[Callable[[str], object], str, str, str]] = [
    (validate_uscc, "91350100M000100Y4", "uscc", "wrong length: expected 18 characters, got 17"),
    (validate_uscc, "91350100I000100Y43", "uscc", "illegal character 'I' at position 9"),
    (validate_uscc, "91350100M000100Y44", "uscc", "wrong check character (expected '3', got '4')"),
    (
        parse_resident_id,
        "1101051949123100",
        "resident_id",
        "wrong length: expected 18 characters (or 15 for a legacy number), got 16",
    ),
    (parse_resident_id, "1101A519491231002X", "resident_id", "illegal character 'A' at position 5"),
    (
        parse_resident_id,
        "11010519491231002Y",
        "resident_id",
        "illegal character 'Y' at position 18",
    ),
    (parse_resident_id, "1101054912310X2", "resident_id", "illegal character 'X' at position 14"),
    (parse_resident_id, "99010519491231002X", "resident_id", "unknown province code '99'"),
    (
        parse_resident_id,
        "110105194902300021",
        "resident_id",
        "birth date is not a real calendar date",
    ),
    (parse_resident_id, "110105189912310021", "resident_id", "birth date is before 1900-01-01"),
    (parse_resident_id, "110105203001010021", "resident_id", "birth date is in the future"),
    (
        parse_resident_id,
        "110105194912310021",
        "resident_id",
        "wrong check character (expected 'X', got '1')",
    ),
    (
        upgrade_resident_id_15,
        "11010519491231002X",
        "resident_id",
        "wrong length: expected 15 digits for a legacy number, got 18",
    ),
    (
        upgrade_resident_id_15,
        "11010549123100X",
        "resident_id",
        "illegal character 'X' at position 15",
    ),
    (
        validate_bank_card,
        "41111111111",
        "bank_card",
        "wrong length: expected 12 to 19 digits, got 11",
    ),
    (
        validate_bank_card,
        "4111 1111 1111 111O",
        "bank_card",
        "illegal character 'O' at position 16",
    ),
    (
        validate_bank_card,
        "4111111111111112",
        "bank_card",
        "wrong check character (expected '1', got '2')",
    ),
    (validate_mobile, "+86 138 1234 567", "mobile", "wrong length: expected 11 digits, got 10"),
    (validate_mobile, "138-1234-567a", "mobile", "illegal character 'a' at position 11"),
    (
        validate_mobile,
        "12012345678",
        "mobile",
        "not a mainland mobile number (must start with 13–19)",
    ),
    (
        lambda s: validate_mobile(s, prefixes={"138"}),
        "13912345678",
        "mobile",
        "prefix '139' is not an allowed mobile prefix",
    ),
]


@pytest.mark.parametrize(("check", "value", "kind", "reason"), REASONS)
def test_error_reasons(check: Callable[[str], object], value: str, kind: str, reason: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        check(value)
    assert (caught.value.kind, caught.value.reason) == (kind, reason)
    assert caught.value.code == "invalid_identifier"
    assert caught.value.message == f"invalid {kind}: {reason}"


def test_future_birth_date_is_relative_to_today() -> None:
    number = "110105202507010012"
    number = number[:17] + resident_id_check_char(number[:17])
    assert not is_valid_resident_id(number, today=TODAY)
    assert is_valid_resident_id(number, today=date(2025, 7, 1))


@pytest.mark.parametrize(
    ("primitive", "body"),
    [
        (uscc_check_char, "91350100M000100Y"),
        (uscc_check_char, "91350100I000100Y4"),
        (resident_id_check_char, "1101051949123100"),
        (resident_id_check_char, "1101051949123100X"),
        (luhn_check_digit, ""),
        (luhn_check_digit, "41x1"),
    ],
)
def test_check_primitives_reject_malformed_bodies(
    primitive: Callable[[str], str], body: str
) -> None:
    with pytest.raises(ValueError, match="body"):
        primitive(body)


def test_normalize_bank_card_strips_separators_and_folds_fullwidth_digits() -> None:
    assert normalize_bank_card(" 6222-0212 3456 ７８９０ ") == "6222021234567890"
