"""Recognizers on single values: the evaluation set meets the targets, the near-misses
stay out, and the docs show the numbers the code gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from datadeed import identifiers
from datadeed.sensitive.evalset import evaluate, generate, report
from datadeed.sensitive.recognizers import RECOGNIZERS, by_type, classify_value

DOCS = Path(__file__).resolve().parents[3] / "docs" / "sensitive.md"
VALIDATED = [r.pi_type for r in RECOGNIZERS if r.validated]


def _bad_luhn(body: str) -> str:
    good = identifiers.luhn_check_digit(body)
    return body + str((int(good) + 1) % 10)


def _resident(body17: str) -> str:
    return body17 + identifiers.resident_id_check_char(body17)


@pytest.fixture(scope="module")
def scores():  # type: ignore[no-untyped-def]
    return evaluate(generate())


@pytest.mark.parametrize("pi_type", VALIDATED)
def test_validated_recognizers_meet_the_targets(scores, pi_type):
    score = scores[pi_type]
    assert score.support >= 100
    assert score.precision >= 0.98, score
    assert score.recall >= 0.95, score


def test_docs_show_the_measured_table():
    assert report() in DOCS.read_text(encoding="utf-8"), (
        "regenerate the table: .venv/bin/python -m datadeed.sensitive.evalset"
    )


def test_the_evaluation_set_is_deterministic():
    assert generate(per_column=20) == generate(per_column=20)
    assert generate(seed=1, per_column=20) != generate(seed=2, per_column=20)


@pytest.mark.parametrize(
    ("value", "column", "expected"),
    [
        (_resident("11010519491231002"), None, "resident_id"),
        (_resident("11010519491231002").lower(), None, "resident_id"),
        # wrong check character, impossible date, unknown province, future birth
        ("110105194912310021", None, None),
        (_resident("11010519491331002"), None, None),
        (_resident("99010519491231002"), None, None),
        (_resident("11010529991231002"), None, None),
        # 18-digit order numbers and phone-like product codes
        ("202611291234567890", "订单号", None),
        ("13812345678", "商品编码", None),
        ("1381234567", None, None),
        ("12812345678", None, None),
        ("+86 138-1234-5678", "手机", "mobile"),
        # card: Luhn passes / fails; a Luhn-valid 18-digit ID-shaped number is no card
        (_bad_luhn("622202123456789012"), None, None),
        (
            "6222" + "02123456789" + identifiers.luhn_check_digit("622202123456789"),
            None,
            "bank_card",
        ),
        # dates are birth dates only in a birth-date column
        ("1990-03-07", "出生日期", "birth_date"),
        ("1990-03-07", "下单日期", None),
        ("2990-03-07", "出生日期", None),
        ("2023-02-30", "出生日期", None),
        # placeholders are nothing
        ("无", "姓名", None),
        ("N/A", "身份证号", None),
        ("  ", "手机", None),
        (None, "手机", None),
        # names only where the column says so, and not in a company-name column
        ("张伟", "姓名", "person_name"),
        ("张伟", "备注", None),
        ("张江高科", "公司名称", None),
        ("浙A·12345", None, "vehicle_plate"),
        ("浙I12345", None, None),
        ("00:1A:2B:3C:4D", None, None),
        ("256.1.1.1", None, None),
        ("fe80::1", None, "ipv6"),
        ("zhang@localhost", None, None),
        (identifiers.make_uscc("91330106MA2B00001"), None, "uscc"),
        ("911101080000000001", None, None),
    ],
)
def test_single_values(value, column, expected):
    assert classify_value(value, column) == expected


def test_a_valid_id_that_also_passes_luhn_is_an_id():
    for seq in range(100, 1000):
        number = _resident(f"37050219850612{seq}")  # 37: Shandong; card prefixes include 37
        if identifiers.is_luhn_valid(number):
            break
    else:  # pragma: no cover - one in ten numbers passes Luhn
        pytest.fail("no Luhn-valid ID in the range")
    assert classify_value(number) == "resident_id"


def test_every_recognizer_has_labels_and_a_hint():
    for r in RECOGNIZERS:
        assert r.label_zh and r.label_en and r.hint, r.pi_type
        assert by_type(r.pi_type) is r
        assert r.pattern is not None or r.kind == "name_only"
