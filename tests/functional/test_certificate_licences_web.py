"""Licences and the withdrawal of a cancellation request through the API and the pages."""

from __future__ import annotations

import datetime as dt

import pytest

from datadeed.accounts.roles import Role
from datadeed.certificates.models import CertificateStatus, LicenceState
from datadeed.db import utcnow
from datadeed.workdays import shanghai_date
from tests.factories import UserFactory
from tests.functional.helpers import assert_problem, bearer
from tests.unit.certificates.world import World, make_world


@pytest.fixture
def world(ledger, settings) -> World:
    return make_world(ledger, settings)


def _days(n: int) -> str:
    return (shanghai_date(utcnow()) + dt.timedelta(days=n)).isoformat()


def _login(client, accounts, user) -> str:  # type: ignore[no-untyped-def]
    client.get("/login")
    client.cookies.set("datadeed_session", accounts.start_session(user))
    return client.cookies.get("datadeed_csrf") or ""


def test_licences_through_the_api(client, accounts, world):
    certificate = world.issue()
    n = certificate.number
    holder, licensee = bearer(accounts, world.holder), bearer(accounts, world.other)
    url = f"/api/v1/certificates/{n}/registrations"
    grant = {
        "type": "licence",
        "licensee_uscc": world.other.organization.uscc,
        "rights": ["use"],
        "starts_on": _days(0),
        "ends_on": _days(90),
        "exclusivity": "exclusive",
        "scope": "仅用于信贷风控建模",
    }
    response = client.post(url, json=grant, headers=holder)
    assert response.status_code == 201, response.text
    licence_no = response.json()["details"]["licence_no"]
    problem = assert_problem(
        client.post(url, json={**grant, "exclusivity": "non_exclusive"}, headers=holder),
        409,
        "licence_conflict",
    )
    assert problem["conflicting_licence"] == licence_no
    bad = client.post(url, json={**grant, "exclusivity": "partly"}, headers=holder)
    assert bad.status_code == 422
    assert_problem(
        client.post(url, json={**grant, "ends_on": _days(4000)}, headers=holder),
        400,
        "invalid_input",
    )
    public = client.get(f"/api/v1/certificates/{n}/licences").json()
    assert public["in_force"] == {"active": 1, "exclusive": 1, "sole": 0, "non_exclusive": 0}
    (row,) = public["licences"]
    assert row["licence_no"] == licence_no and row["status"] == "active" and "scope" not in row
    assert_problem(
        client.get("/api/v1/certificates/DP2026113301999999/licences"), 404, "certificate_not_found"
    )
    ours = client.get("/api/v1/certificates/licences", headers=licensee).json()
    assert [lic["scope"] for lic in ours["granted_to_us"]] == ["仅用于信贷风控建模"]
    assert ours["granted_by_us"] == []
    given = client.get("/api/v1/certificates/licences", headers=holder).json()
    assert [lic["licence_no"] for lic in given["granted_by_us"]] == [licence_no]
    stranger = UserFactory(roles=[Role.DATA_MANAGER])
    assert client.get(
        "/api/v1/certificates/licences", headers=bearer(accounts, stranger)
    ).json() == {
        "granted_to_us": [],
        "granted_by_us": [],
    }
    assert client.get("/api/v1/certificates/licences").status_code == 401
    held = client.get(f"/api/v1/certificates/{n}/encumbrances").json()
    assert held["encumbered"] is True and held["pledge"] is None
    assert [lic["licence_no"] for lic in held["exclusive_licences"]] == [licence_no]
    end = {"type": "licence_revocation", "licence_no": licence_no, "reasons": "合同解除"}
    assert_problem(client.post(url, json=end, headers=licensee), 403, "not_certificate_holder")
    missing = {**end, "licence_no": f"{n}-L99"}
    assert_problem(client.post(url, json=missing, headers=holder), 404, "licence_not_found")
    ended = client.post(url, json=end, headers=holder)
    assert ended.status_code == 201 and ended.json()["details"]["licence_action"] == "revoked_early"
    assert_problem(client.post(url, json=end, headers=holder), 409, "invalid_transition")
    assert client.get(f"/api/v1/certificates/{n}/encumbrances").json()["encumbered"] is False
    history = client.get(f"/api/v1/certificates/{n}").json()["history"]
    assert [e["kind"] for e in history] == ["issue", "licence", "licence"]


def test_withdrawing_a_cancellation_through_the_api(client, accounts, world):
    certificate = world.issue()
    url = f"/api/v1/certificates/{certificate.number}/registrations"
    holder = bearer(accounts, world.holder)
    withdraw = {"type": "cancellation_withdrawal"}
    assert_problem(client.post(url, json=withdraw, headers=holder), 404, "not_found")
    client.post(url, json={"type": "cancellation", "reasons": "停止经营"}, headers=holder)
    assert_problem(
        client.post(url, json=withdraw, headers=bearer(accounts, world.other)),
        403,
        "not_certificate_holder",
    )
    assert_problem(
        client.post(url, json=withdraw, headers=bearer(accounts, world.banker)),
        403,
        "permission_denied",
    )
    response = client.post(url, json=withdraw, headers=holder)
    assert response.status_code == 201, response.text
    assert response.json()["state"] == "withdrawn"
    assert response.json()["details"]["cancellation"] == "withdrawn"
    assert_problem(client.post(url, json=withdraw, headers=holder), 409, "cancellation_closed")
    decide = {"type": "cancellation_decision", "approve": True}
    officer = bearer(accounts, world.officer)
    assert_problem(client.post(url, json=decide, headers=officer), 409, "cancellation_closed")


def test_licences_on_the_pages(client, accounts, world):
    certificate = world.issue()
    n = certificate.number
    csrf = _login(client, accounts, world.holder)
    page = client.get(f"/certificates/{n}").text
    assert 'data-testid="licence-form"' in page and 'data-testid="end-licence-form"' not in page
    assert 'data-encumbered="false"' in page
    url = f"/certificates/{n}/registrations"
    form = {
        "csrf_token": csrf,
        "type": "licence",
        "licensee_uscc": world.other.organization.uscc,
        "rights": "use",
        "exclusivity": "sole",
        "starts_on": "",
        "ends_on": _days(60),
        "scope": "仅限内部统计分析",
    }
    response = client.post(url, data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    conflict = client.post(url, data={**form, "exclusivity": "non_exclusive"})
    assert conflict.status_code == 409
    page = client.get(f"/certificates/{n}").text
    assert 'data-status="active"' in page and "仅限内部统计分析" in page  # the holder reads it
    assert 'data-testid="end-licence-form"' in page and 'data-encumbered="true"' in page
    client.cookies.clear()
    public = client.get(f"/certificates/{n}").text
    assert f"{n}-L01" in public and "仅限内部统计分析" not in public  # the public does not
    verdict = client.get(f"/verify/certificate?number={n}").text
    assert 'data-active="1"' in verdict and "仅限内部统计分析" not in verdict
    _login(client, accounts, world.other)
    ours = client.get("/certificates/licences").text
    assert 'data-testid="granted-to-us"' in ours and "仅限内部统计分析" in ours
    csrf = _login(client, accounts, world.holder)
    ended = client.post(
        url,
        data={
            "csrf_token": csrf,
            "type": "licence_revocation",
            "licence_no": f"{n}-L01",
            "reasons": "提前终止",
        },
        follow_redirects=False,
    )
    assert ended.status_code == 303
    world.service.session.expire_all()
    (licence,) = world.service.licences(certificate)
    assert licence.state is LicenceState.REVOKED_EARLY
    assert 'data-status="revoked_early"' in client.get(f"/certificates/{n}").text
    assert client.get("/certificates/licences").status_code == 200
    stranger = UserFactory(roles=[Role.DATA_MANAGER])
    _login(client, accounts, stranger)
    assert 'data-testid="granted-to-us-empty"' in client.get("/certificates/licences").text


def test_the_holder_withdraws_a_cancellation_on_the_page(client, accounts, world):
    certificate = world.issue()
    url = f"/certificates/{certificate.number}/registrations"
    csrf = _login(client, accounts, world.holder)
    client.post(url, data={"csrf_token": csrf, "type": "cancellation", "reasons": "停止经营"})
    page = client.get(f"/certificates/{certificate.number}").text
    assert 'data-testid="withdraw-cancellation"' in page
    response = client.post(
        url, data={"csrf_token": csrf, "type": "cancellation_withdrawal"}, follow_redirects=False
    )
    assert response.status_code == 303
    world.service.session.expire_all()
    assert world.service.pending_cancellation(certificate) is None
    assert world.service.get(certificate.number).status is CertificateStatus.VALID
    page = client.get(f"/certificates/{certificate.number}").text
    assert 'data-testid="withdraw-cancellation"' not in page
    again = client.post(url, data={"csrf_token": csrf, "type": "cancellation_withdrawal"})
    assert again.status_code == 409
