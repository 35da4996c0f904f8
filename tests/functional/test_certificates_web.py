"""Certificates through the API and the pages."""

from __future__ import annotations

import datetime as dt

import pytest

from datadeed.certificates.models import CertificateStatus
from datadeed.ledger.verify import verify_receipt
from tests.functional.helpers import assert_problem, bearer
from tests.unit.certificates.world import World, make_world


@pytest.fixture
def world(ledger, settings) -> World:
    return make_world(ledger, settings)


def _vkeys(client) -> list[str]:  # type: ignore[no-untyped-def]
    return [k["vkey"] for k in client.get("/api/v1/ledger/keys").json()]


def test_public_lookup_and_bundle(client, world):
    certificate = world.issue()
    body = client.get(f"/api/v1/certificates/{certificate.number.lower()}").json()
    assert body["number"] == certificate.number
    assert body["holder"]["uscc"] == world.holder.organization.uscc
    assert body["status"] == "valid" and [e["kind"] for e in body["history"]] == ["issue"]
    response = client.get(f"/api/v1/certificates/{certificate.number}/bundle")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    assert verify_receipt(response.json(), trusted_keys=_vkeys(client)).ok
    assert_problem(
        client.get("/api/v1/certificates/DP2026113301999999"), 404, "certificate_not_found"
    )


def test_registrations_through_the_api(client, accounts, world):
    certificate = world.issue()
    holder, other = bearer(accounts, world.holder), bearer(accounts, world.other)
    url = f"/api/v1/certificates/{certificate.number}/registrations"
    offer = {"type": "transfer", "to_uscc": world.other.organization.uscc}
    response = client.post(url, json=offer, headers=holder)
    assert response.status_code == 201, response.text
    assert response.json()["state"] == "pending"
    assert_problem(client.post(url, json=offer, headers=holder), 409, "transfer_pending")
    cancel = {"type": "cancellation", "reasons": "不再经营"}
    assert_problem(client.post(url, json=cancel, headers=holder), 409, "transfer_pending")
    accepted = client.post(url, json={"type": "transfer_acceptance"}, headers=other)
    assert accepted.status_code == 201 and accepted.json()["state"] == "registered"
    listed = client.get("/api/v1/certificates", headers=other).json()
    assert [c["number"] for c in listed] == [certificate.number]
    assert client.get("/api/v1/certificates", headers=holder).json() == []


def test_acting_on_a_certificate_you_do_not_hold(client, accounts, world):
    certificate = world.issue()
    url = f"/api/v1/certificates/{certificate.number}/registrations"
    renew = {"type": "renewal"}
    assert_problem(
        client.post(url, json=renew, headers=bearer(accounts, world.other)),
        403,
        "not_certificate_holder",
    )
    assert_problem(
        client.post(url, json=renew, headers=bearer(accounts, world.banker)),
        403,
        "permission_denied",
    )
    revoke = {"type": "revocation", "reasons": "x"}
    assert_problem(
        client.post(url, json=revoke, headers=bearer(accounts, world.holder)),
        403,
        "permission_denied",
    )
    response = client.post(url, json={"type": "seizure"}, headers=bearer(accounts, world.holder))
    assert response.status_code == 422
    licence = {
        "type": "licence",
        "licensee_uscc": world.other.organization.uscc,
        "rights": ["use"],
        "ends_on": (certificate.valid_to + dt.timedelta(days=1)).isoformat(),
    }
    assert_problem(
        client.post(url, json=licence, headers=bearer(accounts, world.holder)), 400, "invalid_input"
    )


def test_pdf_endpoint(client, world):
    certificate = world.issue()
    response = client.get(f"/api/v1/certificates/{certificate.number}/pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def _login(client, accounts, user) -> str:  # type: ignore[no-untyped-def]
    client.get("/login")
    client.cookies.set("datadeed_session", accounts.start_session(user))
    return client.cookies.get("datadeed_csrf") or ""


def test_verification_page_states(client, world):
    certificate = world.issue()
    page = client.get(f"/verify/certificate?number={certificate.number}")
    assert page.status_code == 200
    assert 'data-verdict="valid"' in page.text and "✗" not in page.text
    assert world.holder.organization.name in page.text
    missing = client.get("/verify/certificate?number=DP2026113301999999")
    assert 'data-verdict="not_found"' in missing.text
    garbage = client.get("/verify/certificate?number=%3Cscript%3E")
    assert 'data-verdict="not_found"' in garbage.text and "<script>" not in garbage.text
    world.service.revoke(world.p(world.officer), certificate.number, "撤销")
    revoked = client.get(f"/verify/certificate?number={certificate.number}")
    assert 'data-verdict="revoked"' in revoked.text
    assert '<li class="fail" data-check="status">' in revoked.text
    assert '<li class="ok" data-check="inclusion">' in revoked.text


def test_detail_page_and_forms(client, accounts, world):
    certificate = world.issue()
    csrf = _login(client, accounts, world.holder)
    page = client.get(f"/certificates/{certificate.number}")
    assert page.status_code == 200 and 'data-testid="transfer-form"' in page.text
    url = f"/certificates/{certificate.number}/registrations"
    response = client.post(
        url, data={"csrf_token": csrf, "type": "renewal"}, follow_redirects=False
    )
    assert response.status_code == 303
    world.service.session.expire_all()
    assert world.service.get(certificate.number).edition == 2
    forged = client.post(url, data={"csrf_token": "forged", "type": "renewal"})
    assert forged.status_code == 403
    empty = client.post(url, data={"csrf_token": csrf, "type": "cancellation", "reasons": ""})
    assert empty.status_code == 400
    assert world.service.get(certificate.number).status is CertificateStatus.VALID
    history = client.get(f"/certificates/{certificate.number}").text
    assert 'data-kind="renewal"' in history and 'data-kind="issue"' in history
    mine = client.get("/certificates")
    assert certificate.number in mine.text


def test_offered_organization_sees_accept(client, accounts, world):
    certificate = world.issue()
    world.service.offer_transfer(
        world.p(world.holder), certificate.number, world.other.organization.uscc
    )
    csrf = _login(client, accounts, world.other)
    page = client.get(f"/certificates/{certificate.number}")
    assert 'data-testid="accept-transfer"' in page.text
    assert 'data-testid="transfer-form"' not in page.text
    client.post(
        f"/certificates/{certificate.number}/registrations",
        data={"csrf_token": csrf, "type": "transfer_acceptance"},
    )
    world.service.session.expire_all()
    assert world.service.get(certificate.number).holder_id == world.other.organization_id


def test_cancellation_is_requested_then_decided_on_the_pages(client, accounts, world):
    certificate = world.issue()
    url = f"/certificates/{certificate.number}/registrations"
    csrf = _login(client, accounts, world.holder)
    client.post(url, data={"csrf_token": csrf, "type": "cancellation", "reasons": "停止经营"})
    page = client.get(f"/certificates/{certificate.number}").text
    assert 'data-testid="cancellation-pending"' in page
    csrf = _login(client, accounts, world.officer)
    page = client.get(f"/certificates/{certificate.number}").text
    assert 'data-testid="cancellation-decision"' in page and "停止经营" in page
    refused = client.post(
        url, data={"csrf_token": csrf, "type": "cancellation_decision", "approve": "false"}
    )
    assert refused.status_code == 400  # refusing needs reasons
    client.post(url, data={"csrf_token": csrf, "type": "cancellation_decision", "approve": "true"})
    world.service.session.expire_all()
    assert world.service.get(certificate.number).status is CertificateStatus.CANCELLED
    verdict = client.get(f"/verify/certificate?number={certificate.number}").text
    assert 'data-verdict="cancelled"' in verdict
