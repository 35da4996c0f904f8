"""The whole registration through the CLI (issue #6, Done-when): an applicant drafts,
files documents and submits; the registrar accepts, assigns, reviews and publishes; an
outsider objects, the applicant answers, the registrar dismisses the objection; the
notice period passes; the registrar registers; the certificate's bundle verifies offline.

The commands run in this process (``datadeed.cli.main`` with its own argv) against a
real migrated database, so the flow costs seconds, not a Python start-up per step. As in
the browser flow, "the notice period passes" moves the notice's two dates back in the
database (the only dates the register rule reads); the rule itself is unchanged."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from datadeed.cli import main
from datadeed.config import get_settings
from datadeed.datasets.services import DatasetService
from datadeed.db import Database
from datadeed.workdays import SHANGHAI
from tests.functional.helpers import seeded
from tests.unit.registry.builders import Cast, cast, version_of

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(
    migrated: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Cli:
    """``datadeed ARGS`` in this process: (exit code, stdout, stderr)."""
    for key, value in migrated.items():
        if key.startswith("DATADEED_"):
            monkeypatch.setenv(key, value)

    def invoke(*args: str) -> tuple[int, str, str]:
        get_settings.cache_clear()
        monkeypatch.setattr(sys, "argv", ["datadeed", *args])
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        finally:
            get_settings.cache_clear()
        out = capsys.readouterr()
        return code, out.out, out.err

    return invoke


def _people_and_dataset(env: dict[str, str]) -> tuple[Cast, int]:
    with seeded(env) as (session, settings, ledger):
        people = cast()
        datasets = DatasetService(session, settings, ledger)
        version = version_of(datasets, people.applicant, reviewer=people.reviewer)
        return people, version.id


def _notice_period_passes(env: dict[str, str], notice_no: str) -> None:
    today = dt.datetime.now(SHANGHAI).date()
    database = Database.from_url(env["DATADEED_DATABASE_URL"])
    try:
        with database.session() as session:
            changed = session.execute(
                text("UPDATE public_notices SET starts_on = :s, ends_on = :e WHERE notice_no = :n"),
                {
                    "s": today - dt.timedelta(days=15),
                    "e": today - dt.timedelta(days=1),
                    "n": notice_no,
                },
            )
            session.commit()
            assert changed.rowcount == 1  # type: ignore[attr-defined]
    finally:
        database.dispose()


def _ok(result: tuple[int, str, str]) -> str:
    code, out, err = result
    assert code == 0, err
    return out


def _case(result: tuple[int, str, str]) -> dict[str, Any]:
    case: dict[str, Any] = json.loads(_ok(result))
    return case


def test_application_to_verified_certificate_through_the_cli(
    cli: Cli, migrated: dict[str, str], tmp_path: Path
) -> None:
    people, version_id = _people_and_dataset(migrated)
    applicant, officer = people.applicant.username, people.officer.username
    reviewer, outsider = people.reviewer.username, people.outsider.username
    draft = tmp_path / "application.json"
    draft.write_text(
        json.dumps(
            {
                "title": "杭州订单数据集",
                "tracks": ["data_property"],
                "object_type": "data_resource",
                "rights_claimed": [{"right": "hold"}],
                "source_category": "self_produced",
                "source_explanation": "本公司交易系统自行生产",
                "coverage_period": "2025-01 至 2025-12",
                "coverage_region": "浙江省",
                "update_frequency": "每月",
                "description": "脱敏后的订单汇总数据",
                "dataset_version_id": version_id,
                "commitment_accepted": True,
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    holding = tmp_path / "持有权证明.pdf"
    holding.write_bytes(b"%PDF-1.4 system records")
    production = tmp_path / "系统投入说明.pdf"
    production.write_bytes(b"%PDF-1.4 the system that produces the data")

    case = _case(cli("application", "draft", str(draft), "--as", applicant, "--json"))
    number = case["application_no"]
    assert case["state"] == "draft"
    early = cli("application", "submit", number, "--as", applicant)
    assert early[0] == 1 and early[2].startswith("error [application_incomplete]: ")
    for kind, path in (("hold", holding), ("production_explanation", production)):
        assert "receipt" in _ok(
            cli("application", "attach", number, str(path), "--kind", kind, "--as", applicant)
        )
    assert (
        _case(cli("application", "submit", number, "--as", applicant, "--json"))["state"]
        == "submitted"
    )

    def decide(actor: str, action: str, *extra: str) -> dict[str, Any]:
        return _case(cli("application", "decide", number, action, "--as", actor, "--json", *extra))

    assert decide(officer, "accept")["state"] == "accepted"
    assert decide(officer, "assign", "--reviewer", reviewer)["state"] == "formal_review"
    wrong = cli(
        "application", "decide", number, "pass_formal", "--as", reviewer, "--tick", "nonsense"
    )
    assert wrong[0] == 1 and wrong[2].startswith(
        "error [invalid_input]: not on the formal checklist"
    )
    assert decide(reviewer, "pass_formal", "--tick", "all")["state"] == "substantive_review"
    published = decide(officer, "publish_notice", "--tick", "all")
    assert published["state"] == "public_notice"
    notices = json.loads(_ok(cli("notice", "list", "--json")))
    [notice_no] = [n["notice_no"] for n in notices if n["title"] == "杭州订单数据集"]

    objection = json.loads(
        _ok(
            cli(
                "objection",
                "file",
                notice_no,
                "--grounds",
                "与我方数据重叠",
                "--as",
                outsider,
                "--json",
            )
        )
    )
    answered = json.loads(
        _ok(
            cli(
                "objection",
                "answer",
                str(objection["id"]),
                "--text",
                "独立采集",
                "--as",
                applicant,
                "--json",
            )
        )
    )
    assert answered["response"]["text"] == "独立采集"
    dismissed = json.loads(
        _ok(
            cli(
                "objection",
                "decide",
                str(objection["id"]),
                "--dismiss",
                "--reason",
                "双方数据来源不同",
                "--as",
                officer,
                "--json",
            )
        )
    )
    assert dismissed["status"] == "dismissed"

    too_early = cli("application", "decide", number, "register", "--as", officer)
    assert too_early[0] == 1 and too_early[2].startswith("error [notice_running]: ")
    _notice_period_passes(migrated, notice_no)
    registered = decide(officer, "register")
    assert registered["state"] == "registered"
    certificate = registered["certificate_number"]

    history = _ok(cli("application", "show", number))
    assert "dismiss_objection" in history and "register" in history

    listed = json.loads(_ok(cli("certificate", "list", "--json")))
    [row] = [c for c in listed if c["number"] == certificate]
    assert row["status"] == "valid"
    bundle = tmp_path / "bundle.json"
    _ok(cli("certificate", "bundle", certificate, "--out", str(bundle)))
    assert _ok(cli("verify", str(bundle)))
    bundle.write_bytes(bundle.read_bytes().replace(b'"valid"', b'"VALID"', 1))
    code, _, err = cli("verify", str(bundle))
    assert code == 1 and len(err.splitlines()) == 1  # a changed byte: one line saying what


def test_acting_as_nobody_or_as_the_wrong_party_is_one_line(cli: Cli, tmp_path: Path) -> None:
    draft = tmp_path / "application.json"
    draft.write_text("{}", encoding="utf-8")
    code, _, err = cli("application", "draft", str(draft), "--as", "nobody")
    assert code == 1 and err == "error [not_found]: no user named 'nobody'\n"
    broken = tmp_path / "broken.json"
    broken.write_bytes(b"{\xff")
    code, _, err = cli("application", "draft", str(broken), "--as", "nobody")
    assert code == 1 and err.startswith("error [invalid_input]: broken.json: not a readable JSON")
    assert len(err.splitlines()) == 1
