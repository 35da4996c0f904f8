"""`datadeed value run` and `datadeed value shapley` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.functional.helpers import one_error_line, run

CASE_YAML = """\
name: 示例数据集估值
purpose: pledge
base_date: 2026-06-30
quality_report: report.json
cost:
  items:
    - {category: collection, amount: 400000}
    - {category: cleaning, amount: 250000}
    - {category: labelling, amount: 150000}
    - {category: quality_assessment, amount: 50000}
    - {category: indirect, amount: 150000}
  return_rate: 0.12
  depreciation_rate: 0.10
  risk_discount: 0.05
income:
  method: royalty
  cash_flows: [2000000, 2200000, 2400000, 2500000, 2500000, 2500000]
  share_rate: 0.25
  legal_term_years: 5
  economic_life_years: 4
  risk_free_rate: 0.025
  premiums: {market: 0.06, data: 0.03}
market:
  comparables:
    - name: A
      price: 1500000
      quality_score: 80
      adjustments:
        supply_demand: 1.05
        date: 1.02
        volume: {subject: 1000000, comparable: 1250000}
    - {name: B, price: 1300000, weight: 2, quality_score: 90, adjustments: {date: 0.98}}
reconciliation:
  weights:
    cost: {weight: 0.3, reason: 成本资料完整}
    income: {weight: 0.5, reason: 有许可收入}
    market: {weight: 0.2, reason: 可比案例少}
uncertainty:
  seed: 42
  draws: 100000
  inputs:
    income.share_rate: {kind: triangular, low: 0.2, mode: 0.25, high: 0.3}
    cost.return_rate: {kind: uniform, low: 0.08, high: 0.16}
"""
REPORT = {"score": 86, "grade": "B", "digest": "ab" * 32, "weight_profile_version": "x/1"}


@pytest.fixture
def case_dir(tmp_path: Path) -> Path:
    (tmp_path / "CASE.yaml").write_text(CASE_YAML, encoding="utf-8")
    (tmp_path / "report.json").write_text(json.dumps(REPORT), encoding="utf-8")
    return tmp_path


def test_value_run_json_is_the_worked_example(cli_env, case_dir):
    result = run(cli_env, "value", "run", str(case_dir / "CASE.yaml"), "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    # docs/valuation.md, worked example
    assert out["value"] == "1350967.03"
    assert out["approaches"] == {
        "cost": "861840.00",
        "income": "1675983.98",
        "market": "1272115.19",
    }
    assert float(out["range"]["p5"]) < float(out["range"]["p50"]) < float(out["range"]["p95"])
    assert out["coefficient_table"] == "datadeed-qv/2026.1"
    assert out["monte_carlo"]["seed"] == 42 and out["monte_carlo"]["draws"] == 100000
    again = json.loads(run(cli_env, "value", "run", str(case_dir / "CASE.yaml"), "--json").stdout)
    assert again["range"] == out["range"]  # the seed makes the range reproducible


def test_value_run_human_output(cli_env, case_dir):
    result = run(cli_env, "value", "run", str(case_dir / "CASE.yaml"))
    assert result.returncode == 0, result.stderr
    assert "1350967.03" in result.stdout and "P95" in result.stdout


def test_value_run_bad_input_one_line(cli_env, case_dir):
    (case_dir / "CASE.yaml").write_text("name: [unclosed", "utf-8")
    line = one_error_line(
        run(cli_env, "value", "run", str(case_dir / "CASE.yaml")), "invalid_input"
    )
    assert "cannot read the case file" in line
    (case_dir / "CASE.yaml").write_text(CASE_YAML, "utf-8")
    (case_dir / "report.json").write_text(json.dumps(REPORT | {"grade": "E"}), "utf-8")
    result = run(cli_env, "value", "run", str(case_dir / "CASE.yaml"), "--json")
    assert "grade E" in one_error_line(result, "not_eligible_for_valuation")


def _write_csv(path: Path, x: np.ndarray, y: np.ndarray, groups: list[str] | None = None) -> None:
    header = ",".join(
        [f"f{i}" for i in range(x.shape[1])] + ["label"] + (["who"] if groups else [])
    )
    rows = [
        ",".join([*(f"{v:.6f}" for v in row), str(label)] + ([groups[i]] if groups else []))
        for i, (row, label) in enumerate(zip(x, y, strict=True))
    ]
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")


def test_value_shapley_files_with_contributors(cli_env, tmp_path):
    rng = np.random.default_rng(5)
    x_train, x_test = rng.normal(size=(60, 3)), rng.normal(size=(20, 3))
    y_train, y_test = (x_train[:, 0] > 0).astype(int), (x_test[:, 0] > 0).astype(int)
    y_train[:10] = 1 - y_train[:10]  # contributor 甲's rows are mislabelled
    groups = ["甲"] * 10 + ["乙"] * 25 + ["丙"] * 25
    _write_csv(tmp_path / "train.csv", x_train, y_train, groups)
    _write_csv(tmp_path / "test.csv", x_test, y_test)
    result = run(
        cli_env,
        "value",
        "shapley",
        str(tmp_path / "train.csv"),
        str(tmp_path / "test.csv"),
        "--label",
        "label",
        "--k",
        "3",
        "--group",
        "who",
        "--revenue",
        "10000",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    from datadeed.valuation import knn_shapley

    expected = knn_shapley(x_train.round(6), y_train, x_test.round(6), y_test, 3)
    assert np.allclose(out["values"], expected, atol=1e-12)
    shares = {c["contributor"]: c for c in out["contributors"]["contributors"]}
    assert shares["甲"]["share"] == "0.000000" and shares["甲"]["revenue"] == "0.00"
    assert sum(float(c["revenue"]) for c in shares.values()) == pytest.approx(10000)


def test_value_shapley_non_numeric_features(cli_env, tmp_path):
    (tmp_path / "train.csv").write_text("a,label\n甲,x\n乙,y\n", encoding="utf-8")
    (tmp_path / "test.csv").write_text("a,label\n1,x\n", encoding="utf-8")
    args = ["value", "shapley", str(tmp_path / "train.csv"), str(tmp_path / "test.csv")]
    assert "numeric" in one_error_line(run(cli_env, *args, "--features", "a"), "invalid_input")


def test_value_shapley_data_oob(cli_env, tmp_path):
    rng = np.random.default_rng(6)
    x = rng.normal(size=(80, 2))
    _write_csv(tmp_path / "train.csv", x, (x[:, 0] > 0).astype(int), ["a"] * 40 + ["b"] * 40)
    result = run(
        cli_env,
        "value",
        "shapley",
        str(tmp_path / "train.csv"),
        "--method",
        "data-oob",
        "--group",
        "who",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["method"] == "data-oob" and len(out["values"]) == 80
    assert abs(out["total"]) < 1e-6  # centred values


def test_value_list_and_report_on_a_fresh_server(migrated):
    listed = run(migrated, "value", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == []
    assert "not found" in one_error_line(run(migrated, "value", "report", "1"), "not_found")
