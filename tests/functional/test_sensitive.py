"""Sensitive data through the API and the pages: scan on demand, masked results, grade
review with reasons in the audit log, gates, safeguards, tenant isolation, conflicts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select, update

from datadeed import identifiers
from datadeed.accounts.models import AuditEvent
from datadeed.accounts.roles import OrgKind, Role
from datadeed.accounts.services import principal_for
from datadeed.sensitive.errors import GradeAlreadyReviewed
from datadeed.sensitive.gates import evaluate_gate
from datadeed.sensitive.models import SensitivityScan
from datadeed.sensitive.services import SensitiveService, panel_context
from datadeed.web.templating import make_environment
from tests.factories import PASSWORD, OrganizationFactory, UserFactory
from tests.functional.helpers import assert_problem, bearer, login_page


def _id(n: int) -> str:
    body = f"3301061990010{n:03d}1"[:17]
    return body + identifiers.resident_id_check_char(body)


ROWS = [
    (f"张{'伟芳娜'[i % 3]}", _id(100 + i), f"138{i:08d}", f"20261129{i:010d}") for i in range(12)
]
CSV = ("姓名,身份证号,手机号,订单号\n" + "".join(",".join(r) + "\n" for r in ROWS)).encode()


def _upload(client: Any, headers: dict[str, str], content: bytes = CSV) -> dict[str, Any]:
    response = client.post(
        "/api/v1/datasets/upload", params={"name": "客户"}, content=content, headers=headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def _base(dataset: dict[str, Any]) -> str:
    return f"/api/v1/datasets/{dataset['id']}/versions/1"


@pytest.fixture
def owner(accounts):  # type: ignore[no-untyped-def]
    user = UserFactory(roles=[Role.DATA_MANAGER])
    return user, bearer(accounts, user)


@pytest.fixture
def reviewer(accounts):  # type: ignore[no-untyped-def]
    org = OrganizationFactory(kind=OrgKind.REGISTRAR)
    user = UserFactory(organization=org, roles=[Role.REVIEWER])
    return user, bearer(accounts, user)


def _gate_codes(client: Any, base: str, headers: dict[str, str], purpose: str = "register"):  # type: ignore[no-untyped-def]
    response = client.get(f"{base}/gate", params={"purpose": purpose}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    return body["allowed"], [r["code"] for r in body["reasons"]]


def test_upload_scans_the_new_version(client, owner):
    base = _base(_upload(client, owner[1]))
    scan = client.get(f"{base}/scan", headers=owner[1]).json()["scan"]
    assert scan is not None and scan["grade_status"] == "proposed"
    assert {c["name"]: c["pi_types"] for c in scan["columns"]}["身份证号"] == ["resident_id"]
    assert _gate_codes(client, base, owner[1]) == (
        False,
        ["grade_unconfirmed", "safeguard_missing"],
    )


def test_scan_review_safeguard_and_gate(client, owner, reviewer):
    _, headers = owner
    client.app.state.settings.sensitive_scan_on_upload = False  # the never-scanned case
    dataset = _upload(client, headers)
    base = _base(dataset)
    assert client.get(f"{base}/scan", headers=headers).json()["scan"] is None
    assert _gate_codes(client, base, headers) == (False, ["scan_missing"])

    scanned = client.post(f"{base}/scan", headers=headers)
    assert scanned.status_code == 201, scanned.text
    scan = scanned.json()
    types = {c["name"]: c["pi_types"] for c in scan["columns"]}
    assert types == {
        "姓名": ["person_name"],
        "身份证号": ["resident_id"],
        "手机号": ["mobile"],
        "订单号": [],
    }
    ids = next(c for c in scan["columns"] if c["name"] == "身份证号")
    assert ids["match_count"] == 12 and ids["sensitive"] and ids["samples"]
    assert all(s.startswith("330") and "*" * 11 in s for s in ids["samples"])
    assert not any(r[1] in scanned.text for r in ROWS)  # no raw ID anywhere in the answer
    assert (scan["grade"], scan["grade_status"]) == ("general_4", "proposed")
    entry = client.get(f"/api/v1/ledger/entries/{scan['ledger_index']}").json()
    assert entry["entry"]["body"]["report_type"] == "sensitivity"
    assert entry["entry"]["body"]["digest"]["hex"] == scan["digest"]
    assert client.get(f"{base}/scan", headers=headers).json()["scan"]["id"] == scan["id"]
    assert _gate_codes(client, base, headers) == (False, ["grade_unconfirmed", "safeguard_missing"])

    queue = client.get("/api/v1/sensitivity/reviews", headers=reviewer[1]).json()
    assert [q["dataset_id"] for q in queue] == [dataset["id"]]
    confirmed = client.post(f"{base}/grade", json={"action": "confirm"}, headers=reviewer[1])
    assert confirmed.status_code == 200 and confirmed.json()["grade_status"] == "confirmed"
    assert client.get("/api/v1/sensitivity/reviews", headers=reviewer[1]).json() == []
    assert _gate_codes(client, base, headers, "pledge") == (False, ["safeguard_missing"])

    consent = client.post(
        f"{base}/safeguards",
        json={"kind": "consent", "basis": "单独同意书 2026 版"},
        headers=headers,
    )
    assert consent.status_code == 201 and consent.json()["satisfied"]
    assert _gate_codes(client, base, headers) == (True, [])


def test_grade_change_needs_a_reason_and_is_audited(client, db, owner, reviewer):
    dataset = _upload(client, owner[1])
    base = _base(dataset)
    client.post(f"{base}/scan", headers=owner[1])
    change = {"action": "change", "grade": "important"}
    assert_problem(
        client.post(f"{base}/grade", json=change, headers=reviewer[1]), 400, "invalid_input"
    )
    bad = {**change, "grade": "secret", "reason": "x"}
    assert_problem(
        client.post(f"{base}/grade", json=bad, headers=reviewer[1]), 422, "invalid_grade"
    )
    reason = "覆盖全省居民,规模达到重要数据识别标准"
    changed = client.post(f"{base}/grade", json={**change, "reason": reason}, headers=reviewer[1])
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["grade"], body["proposed_grade"]) == ("important", "general_4")
    assert body["reviews"][0]["reason"] == reason and body["reviews"][0]["to_grade"] == "important"
    with db.session() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "sensitivity.grade_change")
        ).one()
    assert event.detail["reason"] == reason and event.detail["from"] == "general_4"

    client.post(f"{base}/safeguards", json={"kind": "consent", "basis": "同意"}, headers=owner[1])
    assert _gate_codes(client, base, owner[1]) == (False, ["risk_assessment_missing"])
    expired = {
        "title": "2024 评估",
        "assessor": "某评估机构",
        "valid_from": "2024-01-01",
        "valid_to": "2024-12-31",
    }
    assert (
        client.post(
            f"/api/v1/datasets/{dataset['id']}/risk-assessments", json=expired, headers=owner[1]
        ).status_code
        == 201
    )
    assert _gate_codes(client, base, owner[1]) == (False, ["risk_assessment_missing"])
    today = dt.date.today()
    valid = {
        **expired,
        "valid_from": str(today - dt.timedelta(days=1)),
        "valid_to": str(today + dt.timedelta(days=365)),
    }
    inverted = {**valid, "valid_from": valid["valid_to"], "valid_to": valid["valid_from"]}
    risk = f"/api/v1/datasets/{dataset['id']}/risk-assessments"
    assert_problem(client.post(risk, json=inverted, headers=owner[1]), 400, "invalid_input")
    assert client.post(risk, json=valid, headers=owner[1]).status_code == 201
    assert _gate_codes(client, base, owner[1]) == (True, [])

    core = {"action": "change", "grade": "core", "reason": "经国家评估认定为核心数据"}
    assert client.post(f"{base}/grade", json=core, headers=reviewer[1]).status_code == 200
    assert _gate_codes(client, base, owner[1], "list") == (False, ["core_data"])


def test_roles_tenants_and_conflicts(client, accounts, owner, reviewer):
    client.app.state.settings.sensitive_scan_on_upload = False  # the never-scanned case
    dataset = _upload(client, owner[1])
    base = _base(dataset)
    stranger = bearer(accounts, UserFactory(roles=[Role.DATA_MANAGER]))  # another enterprise
    assert_problem(client.get(f"{base}/scan", headers=stranger), 404, "not_found")
    assert_problem(client.post(f"{base}/scan", headers=stranger), 404, "not_found")
    assert_problem(client.get(f"{base}/gate", headers=stranger), 404, "not_found")
    appraiser = UserFactory(organization=owner[0].organization, roles=[Role.APPRAISER])
    assert_problem(
        client.post(f"{base}/scan", headers=bearer(accounts, appraiser)), 403, "permission_denied"
    )
    assert_problem(
        client.post(f"{base}/grade", json={"action": "confirm"}, headers=reviewer[1]),
        409,
        "scan_missing",
    )
    # the reviewer sees every tenant's scans and may rescan
    assert client.post(f"{base}/scan", headers=reviewer[1]).status_code == 201
    assert_problem(
        client.post(f"{base}/grade", json={"action": "confirm"}, headers=owner[1]),
        403,
        "permission_denied",
    )
    assert (
        client.post(f"{base}/grade", json={"action": "confirm"}, headers=reviewer[1]).status_code
        == 200
    )
    again = client.post(f"{base}/grade", json={"action": "confirm"}, headers=reviewer[1])
    assert_problem(again, 409, "grade_already_reviewed")
    assert_problem(
        client.get("/api/v1/datasets/999999/versions/1/scan", headers=owner[1]), 404, "not_found"
    )
    assert_problem(
        client.get(f"{base}/gate", params={"purpose": "sell"}, headers=owner[1]),
        422,
        "validation_failed",
    )


def test_a_stale_review_loses_the_race(ledger, settings, reviewer):
    """Two reviewers read the proposed grade; the second to write gets 409, not a lost update."""
    owner = principal_for(UserFactory(roles=[Role.DATA_MANAGER]))
    from datadeed.datasets.services import DatasetService

    version = DatasetService(ledger.session, settings, ledger).upload_version(
        owner, [CSV], name="竞争"
    )
    service = SensitiveService(ledger.session, settings, ledger)
    service.scan_version(version.id, owner)
    scan = ledger.session.scalars(select(SensitivityScan)).all()[-1]
    assert scan.grade_status == "proposed"  # what the slower reviewer saw
    ledger.session.execute(  # meanwhile the other reviewer confirmed
        update(SensitivityScan)
        .where(SensitivityScan.id == scan.id)
        .values(grade_status="confirmed")
    )
    with pytest.raises(GradeAlreadyReviewed):
        service.confirm_grade(principal_for(reviewer[0]), scan.id)
    assert evaluate_gate(ledger.session, version.id, "register").grade == "general_4"


def test_deidentification_safeguard(client, owner):
    rows = "".join(
        f"{30 + i % 2}0-{30 + i % 2}9,31{i % 2},{'flu' if i % 3 else 'cold'}\n" for i in range(20)
    )
    dataset = _upload(client, owner[1], ("年龄段,邮编前三位,疾病\n" + rows).encode())
    base = _base(dataset)
    unknown = {"kind": "deidentified", "quasi_identifiers": ["邮编"]}
    assert_problem(
        client.post(f"{base}/safeguards", json=unknown, headers=owner[1]), 422, "unknown_column"
    )
    check = {
        "kind": "deidentified",
        "quasi_identifiers": ["年龄段", "邮编前三位"],
        "sensitive_attribute": "疾病",
    }
    response = client.post(f"{base}/safeguards", json=check, headers=owner[1])
    assert response.status_code == 201, response.text
    detail = response.json()["detail"]
    assert (detail["k"], detail["l"], detail["classes"], detail["passed"]) == (10, 2, 2, True)
    assert response.json()["satisfied"] is True
    blank = {"kind": "consent", "basis": "  "}
    assert_problem(
        client.post(f"{base}/safeguards", json=blank, headers=owner[1]), 400, "invalid_input"
    )


def test_pages_in_chinese_with_masked_values_and_the_review_form(client, owner, reviewer):
    user, headers = owner
    client.app.state.settings.sensitive_scan_on_upload = False  # start from "not scanned"
    dataset = _upload(client, headers)
    page = f"/datasets/{dataset['id']}/versions/1/sensitivity"
    login_page(client, user.username, PASSWORD)
    html = client.get(page).text
    assert "该版本尚未进行敏感数据扫描" in html and "立即扫描" in html
    csrf = client.cookies.get("datadeed_csrf")
    assert (
        client.post(f"{page}/scan", data={"csrf_token": csrf}, follow_redirects=False).status_code
        == 303
    )
    html = client.get(page).text
    assert "一般数据 4级" in html and "居民身份证号码" in html and "建议级别,待审核" in html
    assert "***********" in html and not any(r[1] in html for r in ROWS)
    assert "审核级别" not in html  # the owner cannot review
    client.post("/logout", data={"csrf_token": csrf})

    login_page(client, reviewer[0].username, PASSWORD)
    queue = client.get("/sensitivity/reviews").text
    assert "待审核分级" in queue and page in queue
    csrf = client.cookies.get("datadeed_csrf")
    form = {
        "csrf_token": csrf,
        "action": "change",
        "grade": "general_3",
        "reason": "仅含脱敏后的号码",
    }
    assert client.post(f"{page}/grade", data=form, follow_redirects=False).status_code == 303
    html = client.get(page).text
    assert "已经审核人员确认" in html and "仅含脱敏后的号码" in html
    forged = client.post(f"{page}/grade", data={**form, "csrf_token": "x"}, follow_redirects=False)
    assert forged.status_code == 403
    english = client.get("/locale/en", params={"next": page}, follow_redirects=True).text
    assert "General data, level 3" in english and "confirmed by a reviewer" in english


def test_the_dataset_panel_partial(ledger, settings):
    settings.sensitive_scan_on_upload = False  # start from "not scanned"
    owner = principal_for(UserFactory(roles=[Role.DATA_MANAGER]))
    from datadeed.datasets.services import DatasetService

    version = DatasetService(ledger.session, settings, ledger).upload_version(
        owner, [CSV], name="面板"
    )
    env = make_environment()
    template = env.get_template("sensitive/_dataset_panel.html")
    empty = template.render(
        dataset=version.dataset, version=version, **panel_context(ledger.session, version.id)
    )
    assert "该版本尚未进行敏感数据扫描" in empty
    SensitiveService(ledger.session, settings, ledger).scan_version(version.id, owner)
    html = template.render(
        dataset=version.dataset, version=version, **panel_context(ledger.session, version.id)
    )
    assert "身份证号" in html and "一般数据 4级" in html and "尚不满足登记条件" in html
