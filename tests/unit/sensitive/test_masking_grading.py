"""Masks never reveal more than they promise; grades follow the documented rules;
column decisions and the k-anonymity / l-diversity figures."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from datadeed.sensitive.anonymity import check_anonymity
from datadeed.sensitive.detection import ColumnCounts, decide
from datadeed.sensitive.errors import UnknownColumn
from datadeed.sensitive.grading import (
    CORE,
    GRADES,
    GradingThresholds,
    grade_column,
    grade_dataset,
)
from datadeed.sensitive.masking import mask_value
from datadeed.sensitive.recognizers import RECOGNIZERS


@pytest.mark.parametrize(
    ("pi_type", "value", "masked"),
    [
        ("resident_id", "11010519491231002X", "110***********002X"),
        ("mobile", "13812345678", "138****5678"),
        ("bank_card", "6222021234567890128", "622202*********0128"),
        ("email", "zhangsan@example.com", "z***@example.com"),
        ("person_name", "张三", "张*"),
        ("person_name", "欧阳娜娜", "欧***"),
        ("person_name", "John Smith", "J*** S****"),
        ("address", "浙江省杭州市滨江区江南大道588号", "浙江省杭州市" + "*" * 11),
        ("ipv4", "10.1.2.3", "10.1.*.*"),
        ("gps", "30.274112,120.155123", "30.27**,120.15**"),
        ("birth_date", "1990-03-07", "1990-**-**"),
        ("landline", "0571-87654321", "0571-******21"),
        ("vehicle_plate", "浙A12345", "浙A***45"),
        ("unknown_type", "secret", "******"),
        ("ipv4", "not an ip", "*********"),
    ],
)
def test_masks(pi_type, value, masked):
    assert mask_value(pi_type, value) == masked


@given(st.sampled_from([r.pi_type for r in RECOGNIZERS]), st.text(min_size=6, max_size=40))
def test_a_mask_never_shows_the_whole_value(pi_type, value):
    masked = mask_value(pi_type, value)
    assert value.strip() == "" or masked != value.strip()


def test_column_grades():
    assert grade_column([]).grade == "general_2"
    assert grade_column(["mobile"]).grade == "general_3"
    assert grade_column(["uscc"]).grade == "general_2"  # organisations are not PI
    sensitive = grade_column(["resident_id", "mobile"])
    assert sensitive.grade == "general_4" and sensitive.sensitive_grounds == ("特定身份",)
    assert sensitive.categories == ("个人基本资料", "身份信息")
    assert grade_column(["birth_date"], minors=True).sensitive


def test_dataset_grade_by_scale():
    ids, mobile = grade_column(["resident_id"]), grade_column(["mobile"])
    small = GradingThresholds(important_pi_subjects=100, important_spi_subjects=10)
    assert grade_dataset([("id", ids, 9)], small).grade == "general_4"
    important = grade_dataset([("id", ids, 10)], small)
    assert important.grade == "important"
    assert [r["code"] for r in important.rationale] == ["sensitive_pi", "spi_scale"]
    assert grade_dataset([("m", mobile, 100)], small).grade == "important"
    assert grade_dataset([("m", mobile, 99)], small).grade == "general_3"
    assert CORE in GRADES and all(grade_dataset([]).grade != CORE for _ in range(1))


def _counts(name: str, non_null: int, **matches: int) -> ColumnCounts:
    return ColumnCounts(name, "string", non_null, matches)


def test_column_decision_thresholds():
    assert decide(_counts("备注", 100, mobile=49)).pi_types == ()
    assert decide(_counts("备注", 100, mobile=50)).pi_types == ("mobile",)
    # a hinting name lowers the bar to 0.2
    assert decide(_counts("手机", 100, mobile=20)).pi_types == ("mobile",)
    assert decide(_counts("手机", 100, mobile=19)).pi_types == ()
    mixed = decide(_counts("联系方式", 100, mobile=60, email=30, landline=3))
    assert mixed.pi_types == ("mobile", "email") and mixed.match_count == 90
    assert mixed.confidence == 1.0
    assert decide(_counts("x", 0, mobile=0)).confidence == 0.0


def _parquet(tmp_path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    names = ["age_band", "zip3", "gender", "disease"]
    path = tmp_path / "people.parquet"
    pq.write_table(pa.table({n: [r[i] for r in rows] for i, n in enumerate(names)}), path)
    return path


def test_k_anonymity_and_l_diversity(tmp_path: Path):
    rows = [("30-39", "310", "M", d) for d in ("flu", "cold", "flu")] + [
        ("40-49", "311", "F", d) for d in ("asthma", "flu")
    ]
    path = _parquet(tmp_path, rows)
    qi = ["age_band", "zip3", "gender"]
    result = check_anonymity(path, qi, "disease", k_min=2, l_min=2)
    assert (result.rows, result.classes, result.k, result.l_diversity) == (5, 2, 2, 2)
    assert (result.max_risk, result.average_risk, result.passed) == (0.5, 0.4, True)
    strict = check_anonymity(path, qi, "disease", k_min=3, l_min=2)
    assert strict.rows_at_risk == 2 and not strict.passed
    no_sa = check_anonymity(path, ["age_band"], k_min=2)
    assert no_sa.l_diversity is None and no_sa.passed


def test_a_unique_row_fails_and_bad_declarations_are_refused(tmp_path: Path):
    path = _parquet(tmp_path, [("30-39", "310", "M", "flu"), ("30-39", "310", "F", "flu")])
    assert check_anonymity(path, ["gender"], k_min=2).k == 1
    with pytest.raises(UnknownColumn):
        check_anonymity(path, ["no_such_column"])
    with pytest.raises(UnknownColumn):
        check_anonymity(path, [])
    with pytest.raises(UnknownColumn):
        check_anonymity(path, ["gender"], "gender")
