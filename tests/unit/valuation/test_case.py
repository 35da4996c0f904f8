"""CASE.yaml parsing and data files: every malformed input gives one clear InvalidInput."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from datadeed.errors import InvalidInput
from datadeed.valuation.case import load_case_file, run_case
from datadeed.valuation.datafiles import read_labelled, value_files
from datadeed.valuation.quality_map import NotEligibleForValuation

CASE = """\
name: 小案例
purpose: trade
base_date: 2026-06-30
quality_report: report.json
cost:
  items: [{category: purchase, amount: 1000}]
  return_rate: 0.1
reconciliation:
  weights: {cost: {weight: 1, reason: 仅有成本资料}}
uncertainty: {draws: 1000}
"""
REPORT = {"score": 95, "grade": "A", "digest": "cd" * 32}


def _case(tmp_path: Path, text: str = CASE, report: object = REPORT) -> Path:
    (tmp_path / "CASE.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "report.json").write_text(json.dumps(report), encoding="utf-8")
    return tmp_path / "CASE.yaml"


def test_single_approach_case_runs(tmp_path):
    result = run_case(load_case_file(_case(tmp_path)))
    assert result.value == Decimal("1100.00")  # 1000 × 1.1 × 1.00
    assert result.reconciliation.single_approach
    assert result.range == {"p5": result.value, "p50": result.value, "p95": result.value}
    assert result.coefficients.report_digest == "cd" * 32


@pytest.mark.parametrize(
    ("text", "report", "message"),
    [
        ("name: [unclosed", REPORT, "cannot read the case file"),
        ("- a list", REPORT, "not a mapping"),
        (CASE, "not an object", "not a JSON object"),
        (CASE, {"score": None, "grade": None}, "no overall score"),
        (CASE.replace("purpose: trade", "purpose: gift"), REPORT, "purpose"),
        (CASE.replace("amount: 1000", "amount: -5"), REPORT, "cost.items.0.amount"),
        (CASE.replace("quality_report: report.json\n", ""), REPORT, "no quality score"),
        (CASE + "quality: {score: 90, grade: A}\n", REPORT, "either quality_report or quality"),
        (CASE.replace("cost:", "costs:"), REPORT, "costs"),
        (CASE.replace("weight: 1,", "weight: 0.5,"), REPORT, "sum to 1"),
        (CASE.replace("draws: 1000", "draws: 10"), REPORT, "uncertainty.draws"),
    ],
)
def test_bad_case_files(tmp_path, text, report, message):
    with pytest.raises(InvalidInput, match=message):
        run_case(load_case_file(_case(tmp_path, text, report)))


def test_wrong_encoding_and_missing_report(tmp_path):
    path = _case(tmp_path)
    path.write_bytes("name: 估值\n".encode("gb18030"))
    with pytest.raises(InvalidInput, match="cannot read the case file"):
        load_case_file(path)
    path = _case(tmp_path)
    (tmp_path / "report.json").unlink()
    with pytest.raises(InvalidInput, match="cannot read the quality report"):
        load_case_file(path)


def test_grade_e_is_refused(tmp_path):
    with pytest.raises(NotEligibleForValuation):
        run_case(load_case_file(_case(tmp_path, report={"score": 40, "grade": "E"})))


def test_unknown_uncertain_input(tmp_path):
    text = CASE.replace(
        "uncertainty: {draws: 1000}",
        "uncertainty: {draws: 1000, inputs: {income.share_rate: {kind: uniform, low: 0, high: 1}}}",
    )
    with pytest.raises(InvalidInput, match=r"income\.share_rate"):
        run_case(load_case_file(_case(tmp_path, text)))


def test_data_files(tmp_path):
    (tmp_path / "train.csv").write_text("a,b,label,who\n0,0,x,p\n1,1,y,q\n5,5,x,p\n", "utf-8")
    (tmp_path / "test.csv").write_text("a,b,label\n0.5,0.5,y\n", "utf-8")
    table = read_labelled(tmp_path / "train.csv", "label", group="who")
    assert table.feature_names == ["a", "b"] and table.features.shape == (3, 2)
    out = value_files(tmp_path / "train.csv", tmp_path / "test.csv", "label", k=2, group="who")
    assert np.isclose(sum(out["values"]), 0.5)
    with pytest.raises(InvalidInput, match="no column 'nope'"):
        read_labelled(tmp_path / "train.csv", "nope")
    with pytest.raises(InvalidInput, match="k must be at least 1"):
        value_files(tmp_path / "train.csv", tmp_path / "test.csv", "label", k=0)
    with pytest.raises(InvalidInput, match="needs a test file"):
        value_files(tmp_path / "train.csv", None, "label")
    with pytest.raises(InvalidInput, match="method"):
        value_files(tmp_path / "train.csv", None, "label", method="loo")
    (tmp_path / "holes.csv").write_text("a,label\n1,x\n,y\n", "utf-8")
    with pytest.raises(InvalidInput, match="empty values"):
        read_labelled(tmp_path / "holes.csv", "label")
    (tmp_path / "text.csv").write_text("a,label\n甲,x\n乙,y\n", "utf-8")
    with pytest.raises(InvalidInput, match="no numeric feature"):
        read_labelled(tmp_path / "text.csv", "label")
    with pytest.raises(InvalidInput, match="not numeric"):
        read_labelled(tmp_path / "text.csv", "label", features=["a"])


MARKET_CASE = CASE.replace(
    "reconciliation:\n  weights: {cost: {weight: 1, reason: 仅有成本资料}}",
    "market:\n  comparables_file: comps.csv\n"
    "reconciliation:\n  weights:\n"
    "    cost: {weight: 0.5, reason: 成本}\n    market: {weight: 0.5, reason: 可比}",
)


def test_comparables_imported_from_csv(tmp_path):
    # The market worked example of docs/valuation.md, as a file.
    (tmp_path / "comps.csv").write_text(
        "name,price,weight,quality_score,supply_demand,date,volume,source\n"
        "A,1500000,1,80,1.05,1.02,0.8,交易所 2026-05\n"
        "B,1300000,2,90,,0.98,,交易所 2026-06\n",
        encoding="utf-8",
    )
    report = {"score": 86, "grade": "B"}
    result = run_case(load_case_file(_case(tmp_path, MARKET_CASE, report)))
    assert result.market is not None and result.market.value == Decimal("1272115.19")
    assert [c.name for c in result.market.comparables] == ["A", "B"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read the comparables"),
        ("name,cost\nA,1\n", "at least name and price"),
        ("name,price\nA,-5\n", "market.comparables.0.price"),
        ("name,price,date\nA,100,abc\n", "market.comparables.0.adjustments"),
    ],
)
def test_bad_comparables_files(tmp_path, content, message):
    if content is not None:
        (tmp_path / "comps.csv").write_text(content, encoding="utf-8")
    with pytest.raises(InvalidInput, match=message):
        load_case_file(_case(tmp_path, MARKET_CASE, {"score": 86, "grade": "B"}))


def test_comparables_file_in_gbk_is_refused(tmp_path):
    (tmp_path / "comps.csv").write_bytes("name,price\n甲,100\n".encode("gbk"))
    with pytest.raises(InvalidInput, match="cannot read the comparables"):
        load_case_file(_case(tmp_path, MARKET_CASE, {"score": 86, "grade": "B"}))
