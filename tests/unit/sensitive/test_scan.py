"""The scanner counts over the full data through the engines, and its SQL gives the same
counts as the Python reading of each value; column decisions on realistic columns."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from datadeed import identifiers
from datadeed.quality.checks import ColumnInfo
from datadeed.quality.engines import get_engine
from datadeed.sensitive.recognizers import by_type, value_matches
from datadeed.sensitive.scan import SOURCE, ScanPlan, scan_parquet

TODAY = date(2026, 11, 29)
EXPECTED_TYPES = {
    "身份证号": ["resident_id"],
    "银行卡号": ["bank_card"],
    "手机号": ["mobile"],
    "联系电话": ["landline"],
    "邮箱": ["email"],
    "登录IP": ["ipv4", "ipv6"],
    "设备MAC": ["mac"],
    "IMEI": ["imei"],
    "护照号码": ["passport"],
    "港澳通行证": ["travel_permit"],
    "车牌号": ["vehicle_plate"],
    "银行账号": ["bank_account"],
    "姓名": ["person_name"],
    "收货地址": ["address"],
    "定位坐标": ["gps"],
    "出生日期": ["birth_date"],
    "统一社会信用代码": ["uscc"],
    "订单号": [],
    "商品编码": [],
    "下单日期": [],
}


def _python_count(column: str, values: list[str | None], pi_type: str) -> int:
    r = by_type(pi_type)
    hits = 0
    for v in values:
        if v is None or not value_matches(r, v, today=TODAY):
            continue
        if any(value_matches(by_type(t), v, today=TODAY) for t in r.excludes):
            continue
        hits += 1
    return hits


def test_sql_counts_equal_the_python_reading(eval_parquet: Path):
    table = pq.read_table(eval_parquet).to_pydict()
    with get_engine("duckdb").executor() as executor:
        columns = executor.attach(SOURCE, eval_parquet)
        plan = ScanPlan(columns, TODAY)
        rows, counts = plan.read_counts(executor.fetch(plan.counts_query())[0])
    assert rows == len(next(iter(table.values())))
    compared = 0
    for c in counts:
        for pi_type, n in c.matches.items():
            if by_type(pi_type).kind == "name_only":
                continue
            assert n == _python_count(c.name, table[c.name], pi_type), (c.name, pi_type)
            compared += 1
    assert compared > 100


@pytest.fixture(scope="module")
def eval_scan(eval_parquet: Path):  # type: ignore[no-untyped-def]
    return scan_parquet(eval_parquet, today=TODAY)


def test_columns_are_detected_with_their_types(eval_scan):  # type: ignore[no-untyped-def]
    result = eval_scan
    found = {c.name: list(c.pi_types) for c in result.columns}
    assert found == EXPECTED_TYPES
    by_name = {c.name: c for c in result.columns}
    assert by_name["身份证号"].sensitive and by_name["银行卡号"].sensitive
    assert not by_name["手机号"].sensitive
    assert by_name["身份证号"].match_count == 70  # the 30 near-misses are not counted
    assert 0.6 <= by_name["身份证号"].confidence <= 0.85
    assert by_name["手机号"].confidence == 1.0
    assert result.grade == "general_4" and result.has_sensitive_pi


def test_samples_are_masked(eval_parquet: Path, eval_scan):  # type: ignore[no-untyped-def]
    result = eval_scan
    table = pq.read_table(eval_parquet).to_pydict()
    for c in result.columns:
        raw = {str(v) for v in table[c.name] if v is not None}
        for sample in c.samples:
            assert "*" in sample and sample not in raw, (c.name, sample)
    ids = next(c for c in result.columns if c.name == "身份证号")
    assert len(ids.samples) == 3 and all(len(s) == 18 and s[3:14] == "*" * 11 for s in ids.samples)


def _write(tmp_path: Path, data: dict[str, list[object]], name: str = "t.parquet") -> Path:
    path = tmp_path / name
    pq.write_table(pa.table(data), path)
    return path


def test_typed_columns_integers_dates_and_coordinates(tmp_path: Path):
    phones = [13812345678, 15912345678, 18612345678, 13012345678]
    path = _write(
        tmp_path,
        {
            "mobile_no": phones,
            "birthday": [date(1990, 1, 2), date(2020, 5, 6), date(1985, 3, 4), None],
            "lat": [30.274112, 31.230416, 22.543099, 39.904200],
            "amount": [1.5, 2.0, 3.25, 4.0],
            "病历摘要": ["感冒", "发热", None, "咳嗽"],
        },
    )
    result = {c.name: c for c in scan_parquet(path, today=TODAY).columns}
    assert result["mobile_no"].pi_types == ("mobile",)
    assert result["birthday"].pi_types == ("birth_date",)
    assert "不满十四周岁未成年人的个人信息" in result["birthday"].grade.sensitive_grounds
    assert result["lat"].pi_types == ("gps",) and result["lat"].sensitive
    assert result["amount"].pi_types == ()
    assert result["病历摘要"].pi_types == ("health",) and result["病历摘要"].match_count == 3


def test_legacy_cards_failing_luhn_are_a_warning(tmp_path: Path):
    cards = []
    for n in range(10):
        body = f"62220212345678{n:04d}"
        good = identifiers.luhn_check_digit(body)
        cards.append(body + str((int(good) + 1) % 10))
    path = _write(tmp_path, {"卡号": cards})
    (column,) = scan_parquet(path, today=TODAY).columns
    assert column.pi_types == () and column.warnings == ("bank_card_luhn_failed",)


def test_a_dataset_without_pi_is_general_level_2(tmp_path: Path):
    path = _write(tmp_path, {"city": ["杭州", "宁波"], "qty": [1, 2]})
    result = scan_parquet(path, today=TODAY)
    assert (result.grade, result.has_pi) == ("general_2", False)
    assert [r["code"] for r in result.rationale] == ["no_pi"]


def test_empty_and_all_null_columns(tmp_path: Path):
    path = _write(tmp_path, {"手机": pa.array([None, None], pa.string()), "x": ["a", "b"]})
    result = scan_parquet(path, today=TODAY)
    assert all(c.pi_types == () for c in result.columns)


def test_plan_skips_recognizers_that_cannot_apply():
    plan = ScanPlan([ColumnInfo("amount", "float"), ColumnInfo("备注", "string")], TODAY)
    amount, remark = plan.probes
    assert amount.recognizers == []
    assert {r.pi_type for r in remark.recognizers} >= {"resident_id", "mobile", "email"}
    assert "passport" not in {r.pi_type for r in remark.recognizers}  # needs its hint


SPARK_COLUMNS = ["身份证号", "订单号", "银行卡号", "手机号", "姓名", "出生日期", "邮箱"]


@pytest.mark.spark
def test_spark_gives_the_same_numbers(eval_parquet: Path, tmp_path: Path, spark_session):  # type: ignore[no-untyped-def]
    # A few columns keep the Spark run short (each Python UDF use is a plan step).
    path = tmp_path / "subset.parquet"
    pq.write_table(pq.read_table(eval_parquet, columns=SPARK_COLUMNS), path)
    duck = scan_parquet(path, today=TODAY)
    spark = scan_parquet(
        path, engine="spark", today=TODAY, engine_options={"session": spark_session}
    )
    assert spark.engine == "spark" and spark.row_count == duck.row_count
    strip = [(c.name, c.pi_types, c.match_count, c.non_null, c.confidence) for c in duck.columns]
    assert [
        (c.name, c.pi_types, c.match_count, c.non_null, c.confidence) for c in spark.columns
    ] == strip
    assert spark.grade == duck.grade


def _near_misses(n: int) -> dict[str, list[str]]:
    """Random 18-character numbers around the rules: leap days, month ends, check chars."""
    import random

    rng = random.Random(7)
    provinces = [*sorted(identifiers.PROVINCE_CODES), "00", "99"]
    ids, cards, codes = [], [], []
    for _ in range(n):
        y = rng.choice([1899, 1900, 1996, 2000, 2004, 2025, 2026, 2027, 2100])
        body = f"{rng.choice(provinces)}0106{y}{rng.randrange(0, 14):02d}{rng.randrange(0, 33):02d}"
        body += f"{rng.randrange(1000):03d}"
        ids.append(body + rng.choice("0123456789Xx"))
        length = rng.choice([16, 17, 18, 19])
        cards.append("62" + "".join(rng.choice("0123456789") for _ in range(length - 2)))
        code = (
            "91"
            + rng.choice(provinces)
            + "0106"
            + "".join(rng.choice(identifiers.USCC_CHARSET) for _ in range(10))
        )
        codes.append(code)
    return {"身份证号": ids, "卡号": cards, "信用代码": codes}


def test_sql_checks_agree_with_identifiers_on_random_near_misses(tmp_path: Path):
    data = _near_misses(3000)
    path = _write(tmp_path, data)  # type: ignore[arg-type]
    with get_engine("duckdb").executor() as executor:
        columns = executor.attach(SOURCE, path)
        plan = ScanPlan(columns, TODAY)
        _, counts = plan.read_counts(executor.fetch(plan.counts_query())[0])
    by_name = {c.name: c for c in counts}
    assert by_name["身份证号"].matches["resident_id"] == _python_count(
        "", data["身份证号"], "resident_id"
    )
    assert by_name["卡号"].matches["bank_card"] == _python_count("", data["卡号"], "bank_card")
    assert by_name["信用代码"].matches["uscc"] == _python_count("", data["信用代码"], "uscc")
    assert by_name["身份证号"].matches["resident_id"] > 50  # the sample has valid ones too
