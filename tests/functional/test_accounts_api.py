"""Accounts through the API, including every bad input the issue names."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from datadeed.accounts.models import ApiToken
from datadeed.accounts.roles import OrgKind, Role
from datadeed.identifiers import make_uscc
from tests.factories import PASSWORD, OrganizationFactory, UserFactory
from tests.functional.helpers import assert_problem, bearer

GOOD_USCC = make_uscc("91330108MA2DTEQ01")


def _admin(accounts):  # type: ignore[no-untyped-def]
    ops = OrganizationFactory(kind=OrgKind.PLATFORM_OPERATOR)
    return bearer(accounts, UserFactory(organization=ops, roles=[Role.PLATFORM_ADMIN]))


def _org_body(uscc: str = GOOD_USCC) -> dict[str, str]:
    return {"uscc": uscc, "name": "杭州测试数据科技有限公司", "kind": "enterprise"}


def test_platform_admin_creates_an_organization(client, accounts):
    response = client.post("/api/v1/organizations", json=_org_body(), headers=_admin(accounts))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["uscc"] == GOOD_USCC
    assert body["region_code"] == "330108"


def test_lowercase_spaced_uscc_is_normalized(client, accounts):
    messy = " ".join(GOOD_USCC.lower())
    response = client.post("/api/v1/organizations", json=_org_body(messy), headers=_admin(accounts))
    assert response.json()["uscc"] == GOOD_USCC


def test_wrong_uscc_check_character_is_refused(client, accounts):
    wrong = GOOD_USCC[:-1] + ("0" if GOOD_USCC[-1] != "0" else "1")
    response = client.post("/api/v1/organizations", json=_org_body(wrong), headers=_admin(accounts))
    body = assert_problem(response, 422, "invalid_identifier")
    assert "check character" in body["detail"]
    assert body["kind"] == "uscc"


def test_duplicate_organization_is_409(client, accounts):
    headers = _admin(accounts)
    assert (
        client.post("/api/v1/organizations", json=_org_body(), headers=headers).status_code == 201
    )
    response = client.post("/api/v1/organizations", json=_org_body(), headers=headers)
    assert_problem(response, 409, "duplicate_organization")


def test_enterprise_cannot_create_organizations(client, accounts):
    user = UserFactory()
    response = client.post(
        "/api/v1/organizations", json=_org_body(), headers=bearer(accounts, user)
    )
    assert_problem(response, 403, "permission_denied")


STRONG = "Str0ng-enough!"


def _create_user(client, accounts, admin, *, password=STRONG, role="data_manager"):  # type: ignore[no-untyped-def]
    body = {"username": "new.user", "display_name": "新用户", "password": password, "roles": [role]}
    return client.post(
        f"/api/v1/organizations/{admin.organization_id}/users",
        json=body,
        headers=bearer(accounts, admin),
    )


def test_weak_password_is_refused(client, accounts):
    admin = UserFactory(roles=[Role.ORG_ADMIN])
    assert_problem(
        _create_user(client, accounts, admin, password="abcdefghij"), 422, "weak_password"
    )


def test_role_outside_the_organization_kind_is_refused(client, accounts):
    admin = UserFactory(roles=[Role.ORG_ADMIN])
    response = _create_user(client, accounts, admin, role="bank_officer")
    assert_problem(response, 400, "invalid_input")


def test_org_admin_creates_a_user_in_its_own_organization(client, accounts):
    admin = UserFactory(roles=[Role.ORG_ADMIN])
    response = _create_user(client, accounts, admin)
    assert response.status_code == 201, response.text
    assert response.json()["roles"] == ["data_manager"]
    assert_problem(_create_user(client, accounts, admin), 409, "duplicate_user")


def test_other_tenants_objects_answer_404(client, accounts):
    mine = UserFactory(roles=[Role.ORG_ADMIN])
    theirs = UserFactory()
    headers = bearer(accounts, mine)
    assert_problem(client.get(f"/api/v1/users/{theirs.id}", headers=headers), 404, "not_found")
    listing = client.get(f"/api/v1/organizations/{theirs.organization_id}/users", headers=headers)
    assert_problem(listing, 404, "not_found")
    missing = client.get("/api/v1/users/999999", headers=headers)
    assert (
        missing.json()["detail"]
        == client.get(f"/api/v1/users/{theirs.id}", headers=headers).json()["detail"]
    )


def test_token_login_and_use(client):
    user = UserFactory()
    response = client.post(
        "/api/v1/tokens/login",
        json={"username": user.username, "password": PASSWORD, "name": "script"},
    )
    assert response.status_code == 201, response.text
    secret = response.json()["token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).json()
    assert me["username"] == user.username
    listed = client.get("/api/v1/tokens", headers={"Authorization": f"Bearer {secret}"}).json()
    assert [t["name"] for t in listed] == ["script"]
    assert "token" not in listed[0]


def test_revoked_token_is_refused(client, accounts):
    user = UserFactory()
    headers = bearer(accounts, user)
    token_id = client.get("/api/v1/tokens", headers=headers).json()[0]["id"]
    assert client.delete(f"/api/v1/tokens/{token_id}", headers=headers).status_code == 200
    body = assert_problem(client.get("/api/v1/me", headers=headers), 401, "invalid_token")
    assert "revoked" in body["detail"]


def test_expired_token_is_refused(client, accounts, db):
    user = UserFactory()
    headers = bearer(accounts, user)
    with db.session() as session:
        past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        session.execute(update(ApiToken).where(ApiToken.user_id == user.id).values(expires_at=past))
        session.commit()
    body = assert_problem(client.get("/api/v1/me", headers=headers), 401, "invalid_token")
    assert "expired" in body["detail"]


def test_unknown_and_missing_tokens_are_refused(client):
    assert_problem(
        client.get("/api/v1/me", headers={"Authorization": "Bearer ddt_nope"}), 401, "invalid_token"
    )
    response = client.get("/api/v1/me")
    assert_problem(response, 401, "authentication_failed")
    assert response.headers["www-authenticate"] == "Bearer"


def test_cannot_revoke_someone_elses_token(client, accounts):
    owner, other = UserFactory(), UserFactory()
    owner_headers = bearer(accounts, owner)
    token_id = client.get("/api/v1/tokens", headers=owner_headers).json()[0]["id"]
    response = client.delete(f"/api/v1/tokens/{token_id}", headers=bearer(accounts, other))
    assert_problem(response, 404, "not_found")


def test_wrong_logins_are_rate_limited(client, settings):
    user = UserFactory()
    for _ in range(settings.login_max_failures):
        bad = client.post(
            "/api/v1/tokens/login",
            json={"username": user.username, "password": "wrong", "name": "x"},
        )
        assert_problem(bad, 401, "authentication_failed")
    blocked = client.post(
        "/api/v1/tokens/login", json={"username": user.username, "password": PASSWORD, "name": "x"}
    )
    assert_problem(blocked, 429, "too_many_attempts")
    assert int(blocked.headers["retry-after"]) == settings.login_window_seconds


def test_audit_log_is_for_the_platform_operator(client, accounts):
    headers = _admin(accounts)
    client.post("/api/v1/organizations", json=_org_body(), headers=headers)
    events = client.get("/api/v1/audit-events", headers=headers).json()
    assert events[0]["action"] in {"organization.create", "token.create"}
    assert any(e["action"] == "organization.create" and e["request_id"] for e in events)
    enterprise = bearer(accounts, UserFactory())
    assert_problem(client.get("/api/v1/audit-events", headers=enterprise), 403, "permission_denied")
