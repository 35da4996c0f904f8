"""The applicant answers an objection (答辩): over the API and the case page, recorded in the
case history and the ledger, shown to the registrar before the decision; bad callers and
late or empty answers are refused clearly."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from datadeed.accounts.roles import Role
from datadeed.accounts.services import principal_for
from datadeed.datasets.services import DatasetService
from datadeed.evidence.models import EvidenceRecord
from datadeed.ledger.entries import decode_entry
from datadeed.registry.api import get_registry
from datadeed.registry.models import ApplicationDocument, Objection
from datadeed.registry.schemas import ObjectionDecisionIn, ObjectionIn
from datadeed.registry.services import RegistryService
from datadeed.registry.states import ApplicationState
from datadeed.web.deps import SESSION_COOKIE, LedgerDep, SessionDep, SettingsDep
from datadeed.workdays import SHANGHAI
from tests.factories import UserFactory
from tests.functional.helpers import assert_problem, bearer
from tests.unit.registry.builders import (
    FixedClock,
    cast,
    complete_draft,
    drive,
    receipt,
    version_of,
)


@pytest.fixture
def people(db):  # type: ignore[no-untyped-def]
    return cast()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(dt.datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI))


@pytest.fixture
def registry(ledger, settings, clock) -> RegistryService:  # type: ignore[no-untyped-def]
    return RegistryService(ledger.session, settings, ledger, now=clock)


@pytest.fixture(autouse=True)
def _registry_on_the_test_clock(app, clock):  # type: ignore[no-untyped-def]
    def on_clock(session: SessionDep, settings: SettingsDep, ledger: LedgerDep) -> RegistryService:
        return RegistryService(session, settings, ledger, now=clock)

    app.dependency_overrides[get_registry] = on_clock


@pytest.fixture
def objection(registry, ledger, settings, evidence, people) -> Objection:  # type: ignore[no-untyped-def]
    """A pending objection of an outsider against the applicant's case under notice."""
    datasets = DatasetService(ledger.session, settings, ledger)
    version = version_of(datasets, people.applicant)
    draft = complete_draft(evidence, people.applicant, version.id)
    app = registry.save_draft(people.applicant_p, draft)
    app = drive(registry, people, registry.submit(people.applicant_p, app.id), S.PUBLIC_NOTICE)
    assert app.notice is not None
    return registry.file_objection(
        people.outsider_p, app.notice.notice_no, ObjectionIn(grounds="该数据由我司共同采集")
    )


S = ApplicationState


def _response_url(objection: Objection) -> str:
    return f"/api/v1/objections/{objection.id}/response"


def test_the_applicant_answers_and_the_registrar_decides_on_the_answer(
    client, accounts, evidence, ledger, people, objection
):
    applicant = bearer(accounts, people.applicant)
    officer = bearer(accounts, people.officer)
    case_url = f"/api/v1/applications/{objection.application_id}"
    seen_version = client.get(case_url, headers=officer).json()["version"]
    theirs = receipt(evidence, people.applicant, 7)

    first = client.put(
        _response_url(objection),
        json={"text": "采集合同仅授权使用", "evidence": [theirs]},
        headers=applicant,
    )
    assert first.status_code == 200, first.text
    assert first.json()["response"]["text"] == "采集合同仅授权使用"
    assert first.json()["response"]["revision"] == 1
    again = client.put(
        _response_url(objection), json={"text": "补充：合同见附件"}, headers=applicant
    )
    assert again.status_code == 200, again.text
    answered = again.json()["response"]
    assert answered["text"] == "补充：合同见附件"  # replaced
    assert answered["evidence"] == [theirs] and answered["revision"] == 2  # kept, counted

    case = client.get(case_url, headers=officer).json()
    assert case["state"] == "objection_review"
    assert case["objections"][0]["response"]["text"] == "补充：合同见附件"
    history = [e for e in case["events"] if e["action"] == "respond_objection"]
    assert [e["details"]["revision"] for e in history] == [1, 2]
    assert {(e["from_state"], e["to_state"]) for e in history} == {
        ("objection_review", "objection_review")
    }
    kind, entry = decode_entry(ledger.entry(history[0]["ledger_index"]).data)
    assert kind == "registration-event/v1"
    assert entry["event"] == "objection_filed" and entry["actor"]["role"] == "applicant"
    assert entry["details"]["filing"] == "applicant_response"
    assert entry["details"]["objection_id"] == objection.id

    # a decision made on the case as it was before the answer is refused: reload first
    stale = client.post(
        f"/api/v1/objections/{objection.id}/decision",
        json={"upheld": False, "reasons": "不予采纳", "version": seen_version},
        headers=officer,
    )
    assert_problem(stale, 409, "conflict")
    decided = client.post(
        f"/api/v1/objections/{objection.id}/decision",
        json={"upheld": False, "reasons": "答辩成立，驳回异议", "version": case["version"]},
        headers=officer,
    )
    assert decided.status_code == 200, decided.text
    late = client.put(_response_url(objection), json={"text": "再补充"}, headers=applicant)
    body = assert_problem(late, 409, "objection_decided")
    assert "dismissed" in body["detail"]


def test_who_may_answer_and_what_an_answer_needs(client, accounts, evidence, people, objection):
    url = _response_url(objection)
    outsider = client.put(
        url, json={"text": "不是我的案件"}, headers=bearer(accounts, people.outsider)
    )
    assert_problem(outsider, 404, "not_found")
    officer = client.put(
        url, json={"text": "登记机构不能答辩"}, headers=bearer(accounts, people.officer)
    )
    assert_problem(officer, 403, "permission_denied")
    colleague = UserFactory(organization=people.applicant.organization, roles=[Role.ORG_ADMIN])
    applicant = bearer(accounts, people.applicant)
    missing = client.put(
        "/api/v1/objections/999999/response", json={"text": "x"}, headers=applicant
    )
    assert_problem(missing, 404, "not_found")

    empty = client.put(url, json={"text": "  \n "}, headers=applicant)
    body = assert_problem(empty, 422, "invalid_fields")
    assert body["errors"] == [{"field": "text", "message": "give the response to the objection"}]
    foreign = receipt(evidence, people.outsider, 1)
    borrowed = client.put(
        url, json={"text": "引用他人存证", "evidence": [foreign]}, headers=applicant
    )
    assert [e["field"] for e in assert_problem(borrowed, 422, "invalid_fields")["errors"]] == [
        "evidence"
    ]
    assert (
        client.get(f"/api/v1/applications/{objection.application_id}", headers=applicant).json()[
            "objections"
        ][0]["response"]
        is None
    )  # nothing was kept

    by_admin = client.put(url, json={"text": "管理员答辩"}, headers=bearer(accounts, colleague))
    assert by_admin.status_code == 200, by_admin.text


def _login(client, accounts, user) -> str:  # type: ignore[no-untyped-def]
    client.cookies.set(SESSION_COOKIE, accounts.start_session(user))
    client.get("/login")
    return client.cookies.get("datadeed_csrf") or ""


def test_the_case_page_takes_the_answer_with_a_document(
    client, accounts, ledger, people, objection
):
    page_url = f"/applications/{objection.application_id}"
    csrf = _login(client, accounts, people.applicant)
    page = client.get(page_url)
    assert page.status_code == 200 and f'action="/objections/{objection.id}/response"' in page.text
    empty = client.post(
        f"/objections/{objection.id}/response", data={"csrf_token": csrf, "text": " "}
    )
    assert empty.status_code == 422 and "give the response to the objection" in empty.text
    filed = client.post(
        f"/objections/{objection.id}/response",
        data={"csrf_token": csrf, "text": "附合作协议，证明数据为我司独立采集"},
        files={"file": ("合作协议.pdf", b"%PDF-1.4 agreement", "application/pdf")},
        follow_redirects=False,
    )
    assert filed.status_code == 303 and filed.headers["location"].endswith("?answered=1")
    no_file = client.post(  # the form sent with its file input left empty, as browsers do
        f"/objections/{objection.id}/response",
        data={"csrf_token": csrf, "text": "附合作协议，证明数据为我司独立采集"},
        files={"file": ("", b"", "application/octet-stream")},
        follow_redirects=False,
    )
    assert no_file.status_code == 303, no_file.text

    document = ledger.session.scalars(
        select(ApplicationDocument).where(
            ApplicationDocument.application_id == objection.application_id,
            ApplicationDocument.kind == "objection_response",
        )
    ).one()
    assert document.filename == "合作协议.pdf"
    ledger.session.expire_all()
    stored = ledger.session.get(Objection, objection.id)
    assert stored is not None and stored.response is not None
    assert stored.response.evidence == [document.receipt_id]
    record = ledger.session.scalars(
        select(EvidenceRecord).where(EvidenceRecord.receipt_id == document.receipt_id)
    ).one()
    assert record.digest == document.sha256

    _login(client, accounts, people.officer)
    registrar_view = client.get(page_url)
    assert "附合作协议，证明数据为我司独立采集" in registrar_view.text
    assert document.receipt_id in registrar_view.text
    assert f'action="/objections/{objection.id}/response"' not in registrar_view.text
    assert 'id="h-decide"' not in registrar_view.text  # no empty decision card meanwhile
    download = client.get(f"{page_url}/documents/{document.id}")
    assert download.status_code == 200 and download.content == b"%PDF-1.4 agreement"
    assert principal_for(people.officer).organization_id != objection.application.organization_id


def test_a_document_filed_through_the_api_is_cited_in_the_answer(
    client, accounts, registry, people, objection
):
    applicant = bearer(accounts, people.applicant)
    url = f"/api/v1/objections/{objection.id}/documents?filename=采集记录.pdf"
    filed = client.post(
        url, content=b"%PDF-1.4 records", headers={**applicant, "content-type": "application/pdf"}
    )
    assert filed.status_code == 201, filed.text
    document = filed.json()
    assert document["kind"] == "objection_response" and document["size_bytes"] == 16
    cited = client.put(
        _response_url(objection),
        json={"text": "采集记录见附件", "evidence": [document["receipt_id"]]},
        headers=applicant,
    )
    assert cited.json()["response"]["evidence"] == [document["receipt_id"]]
    officer = bearer(accounts, people.officer)
    download = client.get(
        f"/api/v1/applications/{objection.application_id}/documents/{document['id']}",
        headers=officer,
    )
    assert download.status_code == 200 and download.content == b"%PDF-1.4 records"

    outsider = client.post(url, content=b"x", headers=bearer(accounts, people.outsider))
    assert_problem(outsider, 404, "not_found")
    registrar = client.post(url, content=b"x", headers=officer)
    assert_problem(registrar, 403, "permission_denied")
    registry.session.expire_all()  # the API answered in its own session
    case = registry.get(people.officer_p, objection.application_id)
    dismissal = ObjectionDecisionIn(upheld=False, reasons="异议不成立", version=case.version)
    registry.decide_objection(people.officer_p, objection.id, dismissal)
    late = client.post(url, content=b"x", headers=applicant)
    assert_problem(late, 409, "objection_decided")
