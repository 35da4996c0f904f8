"""The registry over HTTP: the API (problem+json, field errors, 404 for others' objects,
409 on stale versions and closed objection periods) and the pages."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from datadeed.accounts.services import principal_for
from datadeed.datasets.services import DatasetService
from datadeed.registry.api import get_registry
from datadeed.registry.services import RegistryService
from datadeed.registry.states import ApplicationState
from datadeed.web.deps import SESSION_COOKIE, LedgerDep, SessionDep, SettingsDep
from datadeed.workdays import SHANGHAI
from tests.functional.helpers import assert_problem, bearer
from tests.unit.registry.builders import (
    FixedClock,
    all_ticked,
    cast,
    complete_draft,
    drive,
    version_of,
)

AFTER_NOTICE = dt.datetime(2026, 11, 17, 9, 0, tzinfo=SHANGHAI)  # a 2 Nov notice ends 16 Nov


@pytest.fixture
def people(db):  # type: ignore[no-untyped-def]
    return cast()


@pytest.fixture
def datasets(ledger, settings) -> DatasetService:  # type: ignore[no-untyped-def]
    return DatasetService(ledger.session, settings, ledger)


@pytest.fixture
def registry(ledger, settings, clock) -> RegistryService:  # type: ignore[no-untyped-def]
    return RegistryService(ledger.session, settings, ledger, now=clock)


@pytest.fixture
def clock() -> FixedClock:
    """Registry time is fixed (Monday 2 Nov 2026) so that working days stay in the years
    the calendar covers; tests move it to see notices end."""
    return FixedClock(dt.datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI))


@pytest.fixture(autouse=True)
def _registry_on_the_test_clock(app, clock):  # type: ignore[no-untyped-def]
    def on_clock(session: SessionDep, settings: SettingsDep, ledger: LedgerDep) -> RegistryService:
        return RegistryService(session, settings, ledger, now=clock)

    app.dependency_overrides[get_registry] = on_clock


@pytest.fixture
def draft_body(datasets, evidence, people):  # type: ignore[no-untyped-def]
    version = version_of(datasets, people.applicant)
    return complete_draft(evidence, people.applicant, version.id).model_dump(mode="json")


def test_the_flow_through_the_api(client, accounts, people, draft_body, clock):
    applicant = bearer(accounts, people.applicant)
    officer = bearer(accounts, people.officer)
    reviewer = bearer(accounts, people.reviewer)
    created = client.post("/api/v1/applications", json={"title": "草稿"}, headers=applicant)
    assert created.status_code == 201, created.text
    app_id = created.json()["id"]
    assert created.json()["application_no"].startswith("RA-")
    updated = client.put(f"/api/v1/applications/{app_id}", json=draft_body, headers=applicant)
    assert updated.status_code == 200, updated.text
    submitted = client.post(f"/api/v1/applications/{app_id}/submit", headers=applicant)
    assert submitted.status_code == 200, submitted.text
    case = submitted.json()
    assert case["state"] == "submitted" and case["gate_result"]["allowed"] is True

    def decide(headers, action, **extra):  # type: ignore[no-untyped-def]
        body = {"action": action, "version": case["version"], **extra}
        response = client.post(
            f"/api/v1/applications/{app_id}/decisions", json=body, headers=headers
        )
        assert response.status_code == 200, response.text
        return response.json()

    case = decide(officer, "accept")
    assert case["clock"]["deadline"] and case["clock"]["overdue"] is False
    case = decide(officer, "assign", reviewer_ids=[people.reviewer.id])
    case = decide(reviewer, "pass_formal", checklist=all_ticked("formal", case["tracks"]))
    conflicts = client.get(f"/api/v1/applications/{app_id}/conflicts", headers=reviewer)
    assert conflicts.status_code == 200 and conflicts.json() == []
    case = decide(reviewer, "publish_notice", checklist=all_ticked("substantive", case["tracks"]))
    assert case["state"] == "public_notice"

    notices = client.get("/api/v1/notices").json()  # public, no token
    notice_no = notices[0]["notice_no"]
    assert notices[0]["open_for_objections"] is True
    assert notices[0]["holder"] == people.applicant.organization.name
    objection = client.post(
        f"/api/v1/notices/{notice_no}/objections",
        json={"grounds": "我司对该数据享有持有权"},
        headers=bearer(accounts, people.outsider),
    )
    assert objection.status_code == 201, objection.text
    case = client.get(f"/api/v1/applications/{app_id}", headers=officer).json()
    assert case["state"] == "objection_review" and case["clock"]["paused"] is True
    decided = client.post(
        f"/api/v1/objections/{objection.json()['id']}/decision",
        json={"upheld": False, "reasons": "证据不足", "version": case["version"]},
        headers=officer,
    )
    assert decided.status_code == 200 and decided.json()["status"] == "dismissed"
    case = client.get(f"/api/v1/applications/{app_id}", headers=officer).json()
    clock.current = AFTER_NOTICE
    case = decide(officer, "register")
    assert case["state"] == "registered" and case["certificate_number"]
    assert [e["action"] for e in case["events"]][-3:] == [
        "file_objection",
        "dismiss_objection",
        "register",
    ]


def test_incomplete_submission_is_problem_json_with_field_errors(client, accounts, people):
    applicant = bearer(accounts, people.applicant)
    app_id = client.post("/api/v1/applications", json={}, headers=applicant).json()["id"]
    response = client.post(f"/api/v1/applications/{app_id}/submit", headers=applicant)
    body = assert_problem(response, 422, "application_incomplete")
    fields = {e["field"] for e in body["errors"]}
    assert {"title", "tracks", "rights_claimed", "dataset_version_id"} <= fields
    assert all(e["message"] for e in body["errors"])


def test_a_right_claimed_without_evidence_is_named(client, accounts, people, draft_body):
    applicant = bearer(accounts, people.applicant)
    draft_body["rights_claimed"].append({"right": "use", "evidence": []})
    app_id = client.post("/api/v1/applications", json=draft_body, headers=applicant).json()["id"]
    body = assert_problem(
        client.post(f"/api/v1/applications/{app_id}/submit", headers=applicant),
        422,
        "application_incomplete",
    )
    assert body["errors"] == [
        {"field": "rights_claimed[2].evidence", "message": "the use right needs its own evidence"}
    ]


def test_another_organizations_dataset_and_case_are_not_found(
    client, accounts, people, datasets, draft_body
):
    theirs = version_of(datasets, people.outsider)
    outsider = bearer(accounts, people.outsider)
    response = client.post(
        "/api/v1/applications",
        json={"dataset_version_id": theirs.id},
        headers=bearer(accounts, people.applicant),
    )
    assert_problem(response, 404, "not_found")
    mine = client.post(
        "/api/v1/applications", json=draft_body, headers=bearer(accounts, people.applicant)
    ).json()["id"]
    assert_problem(client.get(f"/api/v1/applications/{mine}", headers=outsider), 404, "not_found")
    assert_problem(
        client.put(f"/api/v1/applications/{mine}", json={"title": "x"}, headers=outsider),
        404,
        "not_found",
    )


def test_stale_decisions_and_late_objections_conflict(
    client, accounts, people, draft_body, registry, clock
):
    applicant = bearer(accounts, people.applicant)
    officer = bearer(accounts, people.officer)
    app_id = client.post("/api/v1/applications", json=draft_body, headers=applicant).json()["id"]
    version = client.post(f"/api/v1/applications/{app_id}/submit", headers=applicant).json()[
        "version"
    ]
    accept = {"action": "accept", "version": version}
    url = f"/api/v1/applications/{app_id}/decisions"
    assert client.post(url, json=accept, headers=officer).status_code == 200
    body = assert_problem(client.post(url, json=accept, headers=officer), 409, "conflict")
    assert body["current_version"] > version
    bad = client.post(url, json={"action": "fly", "version": 1}, headers=officer)
    assert_problem(bad, 422, "validation_failed")

    app = drive(
        registry,
        people,
        registry.get(principal_for(people.officer), app_id),
        ApplicationState.PUBLIC_NOTICE,
    )
    assert app.notice is not None
    clock.current = AFTER_NOTICE
    late = client.post(
        f"/api/v1/notices/{app.notice.notice_no}/objections",
        json={"grounds": "迟到的异议"},
        headers=bearer(accounts, people.outsider),
    )
    body = assert_problem(late, 409, "objection_period_closed")
    assert "closed on" in body["detail"]
    assert_problem(client.get("/api/v1/notices/GS-NOPE"), 404, "not_found")


def _login(client, accounts, user) -> str:  # type: ignore[no-untyped-def]
    client.cookies.set(SESSION_COOKIE, accounts.start_session(user))
    client.get("/login")
    return client.cookies.get("datadeed_csrf") or ""


def test_pages_form_errors_notice_board_and_queue(client, accounts, people, draft_body, registry):
    csrf = _login(client, accounts, people.applicant)
    page = client.get("/applications")
    assert page.status_code == 200 and "一窗" in page.text
    response = client.post(
        "/applications/new",
        data={"csrf_token": csrf, "title": "只有名称", "intent": "submit"},
        follow_redirects=False,
    )
    assert response.status_code == 422
    assert 'data-testid="field-errors"' in response.text and "commitment_accepted" in response.text
    # a complete case, driven to the notice, shows on the public board
    app_id = client.post(
        "/api/v1/applications", json=draft_body, headers=bearer(accounts, people.applicant)
    ).json()["id"]
    registry.submit(principal_for(people.applicant), app_id)
    app = drive(
        registry,
        people,
        registry.get(principal_for(people.officer), app_id),
        ApplicationState.PUBLIC_NOTICE,
    )
    client.cookies.clear()
    board = client.get("/notices")
    assert (
        board.status_code == 200 and app.notice is not None and app.notice.notice_no in board.text
    )
    assert "异议截止日期" in board.text
    _login(client, accounts, people.officer)
    queue = client.get("/registry/queue")
    assert queue.status_code == 200 and app.application_no in queue.text
    detail = client.get(f"/applications/{app_id}")
    assert detail.status_code == 200 and "历史" in detail.text


def test_documents_are_kept_lodged_and_cited(client, accounts, people, draft_body):
    applicant = bearer(accounts, people.applicant)
    app_id = client.post("/api/v1/applications", json={}, headers=applicant).json()["id"]
    pdf = "授权书：本公司授权……".encode()
    uploaded = client.post(
        f"/api/v1/application-documents/{app_id}?kind=use&filename=授权书.pdf",
        content=pdf,
        headers={**applicant, "content-type": "application/pdf"},
    )
    assert uploaded.status_code == 201, uploaded.text
    document = uploaded.json()
    assert document["sha256"] == hashlib.sha256(pdf).hexdigest()
    receipt = client.get(f"/api/v1/evidence/{document['receipt_id']}").json()
    assert receipt["kind"] == "evidence/v1"
    assert receipt["entry"]["body"]["digest"] == document["sha256"]
    case = client.get(f"/api/v1/applications/{app_id}", headers=applicant).json()
    assert case["rights_claimed"] == [{"right": "use", "evidence": [document["receipt_id"]]}]

    url = f"/api/v1/applications/{app_id}/documents/{document['id']}"
    # the registrar reads it once the case is submitted; another firm never
    assert_problem(client.get(url, headers=bearer(accounts, people.officer)), 404, "not_found")
    assert_problem(client.get(url, headers=bearer(accounts, people.outsider)), 404, "not_found")
    mine = client.get(url, headers=applicant)
    assert mine.status_code == 200 and mine.content == pdf
    assert mine.headers["content-type"] == "application/pdf"

    bad = client.post(
        f"/api/v1/application-documents/{app_id}?kind=diary&filename=x.txt",
        content=b"x",
        headers=applicant,
    )
    body = assert_problem(bad, 422, "invalid_fields")
    assert body["errors"][0]["field"] == "kind"
    theirs = client.post(
        f"/api/v1/application-documents/{app_id}?kind=hold&filename=x.txt",
        content=b"x",
        headers=bearer(accounts, people.outsider),
    )
    assert_problem(theirs, 404, "not_found")


def test_page_forms_refuse_bad_input_clearly(client, accounts, people, registry, draft_body):
    app_id = client.post(
        "/api/v1/applications", json=draft_body, headers=bearer(accounts, people.applicant)
    ).json()["id"]
    registry.submit(principal_for(people.applicant), app_id)
    csrf = _login(client, accounts, people.applicant)
    bad_scale = client.post(
        "/applications/new",
        data={"csrf_token": csrf, "title": "规模不是数字", "scale_records": "一百"},
        follow_redirects=False,
    )
    assert bad_scale.status_code == 422 and "scale_records" in bad_scale.text
    forged = client.post(f"/applications/{app_id}", data={"csrf_token": "forged"})
    assert forged.status_code == 403

    csrf = _login(client, accounts, people.officer)
    no_version = client.post(
        f"/applications/{app_id}/decisions", data={"csrf_token": csrf, "action": "accept"}
    )
    assert no_version.status_code == 400 and "reload" in no_version.text
    accepted = client.post(
        f"/applications/{app_id}/decisions",
        data={"csrf_token": csrf, "action": "accept", "version": "1"},
    )
    assert accepted.status_code == 409  # the case moved on since version 1
    app = registry.get(principal_for(people.officer), app_id)
    app = drive(registry, people, app, ApplicationState.PUBLIC_NOTICE)
    assert app.notice is not None
    csrf = _login(client, accounts, people.outsider)
    empty = client.post(
        f"/notices/{app.notice.notice_no}/objections", data={"csrf_token": csrf, "grounds": " "}
    )
    assert empty.status_code == 400 and "grounds" in empty.text
    filed = client.post(
        f"/notices/{app.notice.notice_no}/objections",
        data={"csrf_token": csrf, "grounds": "页面异议"},
        follow_redirects=False,
    )
    assert filed.status_code == 303 and filed.headers["location"].endswith("?filed=1")


def test_the_case_page_shows_the_registrar_an_overlapping_dataset(
    client, accounts, people, datasets, draft_body, registry
):
    app_id = client.post(
        "/api/v1/applications", json=draft_body, headers=bearer(accounts, people.applicant)
    ).json()["id"]
    registry.submit(principal_for(people.applicant), app_id)
    version_of(datasets, people.outsider, grade=None)  # the same rows, another holder
    _login(client, accounts, people.officer)
    page = client.get(f"/applications/{app_id}")
    assert page.status_code == 200
    assert 'data-testid="conflicts"' in page.text
    assert people.outsider.organization.name in page.text and "100%" in page.text
    _login(client, accounts, people.applicant)
    assert 'data-testid="conflicts"' not in client.get(f"/applications/{app_id}").text
