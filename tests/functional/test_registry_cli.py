"""`datadeed application list/show` and `datadeed notice list` against a real database."""

from __future__ import annotations

import json

from datadeed.accounts.services import principal_for
from datadeed.datasets.services import DatasetService
from datadeed.evidence.services import EvidenceService
from datadeed.registry.schemas import ObjectionIn, ObjectionResponseIn
from datadeed.registry.services import RegistryService
from datadeed.registry.states import ApplicationState
from tests.functional.helpers import one_error_line, run, seeded
from tests.unit.registry.builders import cast, complete_draft, drive, version_of


def _case_under_notice(env: dict[str, str], answered_objection: bool = False) -> str:
    with seeded(env) as (session, settings, ledger):
        people = cast()
        datasets = DatasetService(session, settings, ledger)
        version = version_of(datasets, people.applicant, reviewer=people.reviewer)
        draft = complete_draft(
            EvidenceService(session, settings, ledger), people.applicant, version.id
        )
        registry = RegistryService(session, settings, ledger)
        app = registry.save_draft(principal_for(people.applicant), draft)
        app = registry.submit(principal_for(people.applicant), app.id)
        app = drive(registry, people, app, ApplicationState.PUBLIC_NOTICE)
        if answered_objection and app.notice is not None:
            objection = registry.file_objection(
                people.outsider_p, app.notice.notice_no, ObjectionIn(grounds="共同采集的数据")
            )
            answer = ObjectionResponseIn(text="由本单位独立采集")
            registry.respond_to_objection(people.applicant_p, objection.id, answer)
        return app.application_no


def test_queue_case_and_notices_from_the_console(migrated):
    number = _case_under_notice(migrated)
    queue = run(migrated, "application", "list", "--json")
    assert queue.returncode == 0, queue.stderr
    [row] = json.loads(queue.stdout)
    assert row["application_no"] == number and row["state"] == "public_notice"
    assert row["overdue"] is False and row["deadline"]

    shown = json.loads(run(migrated, "application", "show", number.lower(), "--json").stdout)
    assert [e["action"] for e in shown["events"]][-1] == "publish_notice"
    assert all(e["ledger_index"] is not None for e in shown["events"])

    notices = json.loads(run(migrated, "notice", "list", "--json").stdout)
    assert [n["application_no"] for n in notices] == [number]
    assert notices[0]["open_for_objections"] is True

    one_error_line(run(migrated, "application", "show", "RA-1999-000000"), "not_found")


def test_a_case_shows_its_objections_and_the_answers(migrated):
    number = _case_under_notice(migrated, answered_objection=True)
    shown = run(migrated, "application", "show", number)
    assert shown.returncode == 0, shown.stderr
    assert "[pending]: 共同采集的数据" in shown.stdout
    assert "answer (revision 1): 由本单位独立采集" in shown.stdout
    assert "respond_objection ledger #" in shown.stdout
