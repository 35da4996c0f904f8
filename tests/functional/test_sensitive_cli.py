"""`datadeed scan PATH --json` and the `sensitivity` commands on real files.

The commands run in this process through the console entry point (``datadeed.cli.main``,
the same code path as the installed command, errors included): a subprocess would pay
the whole CLI's import time on every call.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from datadeed import identifiers, migrations
from datadeed.config import get_settings


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(monkeypatch, capsys, tmp_path, fresh_database_url) -> Iterator:  # type: ignore[no-untyped-def,type-arg]
    monkeypatch.setenv("DATADEED_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DATADEED_DATABASE_URL", fresh_database_url)
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    from datadeed.cli import main

    def invoke(*args: str) -> Result:
        monkeypatch.setattr(sys, "argv", ["datadeed", *args])
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
        out = capsys.readouterr()
        return Result(code, out.out, out.err)

    invoke.database_url = fresh_database_url  # type: ignore[attr-defined]
    yield invoke
    get_settings.cache_clear()


def one_error_line(result: Result, code: str) -> str:
    assert result.returncode == 1, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error [{code}]: ")
    return lines[0]


def _id(n: int) -> str:
    body = f"44030519850612{n:03d}"
    return body + identifiers.resident_id_check_char(body)


def _csv(path: Path, encoding: str = "utf-8") -> Path:
    lines = ["客户姓名,证件号码,联系电话,城市"]
    lines += [f"李{'娜伟'[i % 2]},{_id(i)},139{i:08d},深圳" for i in range(30)]
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def test_scan_json_contract(cli, tmp_path):
    result = cli("scan", str(_csv(tmp_path / "c.csv")), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["grade"] == "general_4" and report["row_count"] == 30
    columns = {c["name"]: c for c in report["columns"]}
    for c in columns.values():
        assert {"name", "pi_types", "confidence", "match_count", "sensitive"} <= c.keys()
    assert columns["证件号码"]["pi_types"] == ["resident_id"]
    assert columns["证件号码"]["match_count"] == 30 and columns["证件号码"]["sensitive"] is True
    assert columns["联系电话"]["pi_types"] == ["mobile"] and not columns["联系电话"]["sensitive"]
    assert columns["客户姓名"]["pi_types"] == ["person_name"]
    assert columns["城市"]["pi_types"] == [] and columns["城市"]["confidence"] == 0.0
    assert _id(0) not in result.stdout  # samples are masked


def test_scan_reads_gbk_and_prints_a_summary(cli, tmp_path):
    result = cli("scan", str(_csv(tmp_path / "gbk.csv", "gbk")))
    assert result.returncode == 0, result.stderr
    assert "证件号码: resident_id (sensitive), 30 matches" in result.stdout


def test_scan_refuses_bad_input(cli, tmp_path):
    one_error_line(cli("scan", str(tmp_path / "missing.csv")), "invalid_input")
    good = _csv(tmp_path / "c.csv")
    one_error_line(cli("scan", str(good), "--engine", "oracle"), "invalid_input")
    header_only = tmp_path / "h.csv"
    header_only.write_text("a,b\n", encoding="utf-8")
    one_error_line(cli("scan", str(header_only)), "header_only")


def test_deid_json(cli, tmp_path):
    data = tmp_path / "p.csv"
    data.write_text("age,zip,dx\n" + "30,310,a\n30,310,b\n40,311,a\n", encoding="utf-8")
    result = cli(
        "sensitivity",
        "deid",
        str(data),
        "--qi",
        "age,zip",
        "--sensitive",
        "dx",
        "--k-min",
        "2",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert (body["k"], body["l"], body["passed"], body["max_risk"]) == (1, 1, False, 1.0)
    one_error_line(cli("sensitivity", "deid", str(data), "--qi", "nope"), "unknown_column")


def test_review_commands_on_an_empty_registry(cli):
    migrations.upgrade(cli.database_url)
    result = cli("sensitivity", "reviews", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
    one_error_line(cli("sensitivity", "gate", "1", "1"), "not_found")
    one_error_line(cli("sensitivity", "confirm", "1", "1"), "not_found")
