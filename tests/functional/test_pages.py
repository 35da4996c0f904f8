"""Pages through HTTP: login with CSRF, locale, home per role, logout."""

from __future__ import annotations

import pytest

from datadeed.accounts.roles import OrgKind, Role
from tests.factories import PASSWORD, OrganizationFactory, UserFactory
from tests.functional.helpers import login_page


def test_login_page_is_chinese_by_default_and_english_on_request(client):
    assert "用户名" in client.get("/login").text
    english = client.get("/login?lang=en").text
    assert "Username" in english and "用户名" not in english


def test_locale_switch_sets_a_cookie_and_returns_to_the_page(client):
    response = client.get("/locale/en?next=/login", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert "Username" in client.get("/login").text


def test_locale_switch_refuses_external_next_and_unknown_language(client):
    response = client.get("/locale/en?next=https://evil.example/", follow_redirects=False)
    assert response.headers["location"] == "/"
    assert client.get("/locale/fr").status_code == 400


def test_login_with_csrf_then_home_shows_role_panel(client):
    user = UserFactory(roles=[Role.DATA_MANAGER])
    response = login_page(client, user.username, PASSWORD)
    assert response.status_code == 303 and response.headers["location"] == "/"
    home = client.get("/").text
    assert f"欢迎，{user.display_name}" in home
    assert 'data-testid="role-data_manager"' in home
    assert user.organization.uscc in home


def test_login_without_csrf_token_is_refused(client):
    user = UserFactory()
    client.get("/login")
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 422  # the form field itself is required
    forged = client.post(
        "/login",
        data={"username": user.username, "password": PASSWORD, "csrf_token": "forged.token"},
    )
    assert forged.status_code == 403
    assert "登录" in forged.text


def test_wrong_password_shows_an_accessible_error(client):
    user = UserFactory()
    response = login_page(client, user.username, "not-the-password")
    assert response.status_code == 401
    assert 'role="alert"' in response.text and "用户名或密码错误" in response.text
    assert 'aria-invalid="true"' in response.text


def test_login_is_rate_limited_on_the_page_too(client, settings):
    user = UserFactory()
    for _ in range(settings.login_max_failures):
        login_page(client, user.username, "wrong")
    response = login_page(client, user.username, PASSWORD)
    assert response.status_code == 429
    assert "15 分钟" in response.text


def test_login_refuses_open_redirects(client):
    user = UserFactory()
    client.get("/login")
    token = client.cookies.get("datadeed_csrf")
    response = client.post(
        "/login",
        data={
            "username": user.username,
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_logout_ends_the_session(client):
    user = UserFactory()
    login_page(client, user.username, PASSWORD)
    token = client.cookies.get("datadeed_csrf")
    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.headers["location"] == "/login"
    assert client.get("/account/tokens", follow_redirects=False).status_code == 303


@pytest.mark.parametrize(
    ("kind", "role", "marker"),
    [
        (OrgKind.ENTERPRISE, Role.DATA_MANAGER, "上传数据集并存证"),
        (OrgKind.REGISTRAR, Role.REVIEWER, "形式审查和实质审查"),
        (OrgKind.REGISTRAR, Role.REGISTRATION_OFFICER, "退回补正"),
        (OrgKind.APPRAISER, Role.APPRAISER, "成本法、收益法和市场法"),
        (OrgKind.BANK, Role.BANK_OFFICER, "权利负担"),
        (OrgKind.REGULATOR, Role.REGULATOR, "语料券"),
        (OrgKind.PLATFORM_OPERATOR, Role.PLATFORM_ADMIN, "审计日志"),
    ],
)
def test_each_role_has_its_home_page(client, kind, role, marker):
    user = UserFactory(organization=OrganizationFactory(kind=kind), roles=[role])
    login_page(client, user.username, PASSWORD)
    assert marker in client.get("/").text


def test_token_page_shows_the_secret_once(client):
    user = UserFactory()
    login_page(client, user.username, PASSWORD)
    token = client.cookies.get("datadeed_csrf")
    created = client.post("/account/tokens", data={"csrf_token": token, "name": "报表脚本"})
    assert created.status_code == 201 and "ddt_" in created.text
    listing = client.get("/account/tokens").text
    assert "报表脚本" in listing and "ddt_" in listing  # the prefix only
    secret_start = created.text.index('data-testid="new-token">') + len('data-testid="new-token">')
    secret = created.text[secret_start : created.text.index("<", secret_start)]
    assert secret not in listing


def test_audit_page_verifies_the_chain(client):
    admin = UserFactory(
        organization=OrganizationFactory(kind=OrgKind.PLATFORM_OPERATOR),
        roles=[Role.PLATFORM_ADMIN],
    )
    login_page(client, admin.username, PASSWORD)
    page = client.get("/admin/audit").text
    assert "已校验哈希链" in page and "user.login" in page


def test_unknown_page_is_an_html_404(client):
    response = client.get("/no-such-page", headers={"accept": "text/html"})
    assert response.status_code == 404 and "页面不存在" in response.text


@pytest.mark.parametrize(
    ("kind", "roles", "expected"),
    [
        (OrgKind.ENTERPRISE, [Role.ORG_ADMIN], {"/datasets", "/applications", "/valuations"}),
        (OrgKind.REGISTRAR, [Role.ORG_ADMIN, Role.REGISTRATION_OFFICER], {"/registry/queue"}),
        (OrgKind.BANK, [Role.ORG_ADMIN, Role.BANK_OFFICER], {"/valuations"}),
    ],
)
def test_the_menu_offers_what_the_organization_does(client, kind, roles, expected):
    """A registrar's or a bank's administrator is not offered a data holder's pages."""
    user = UserFactory(organization=OrganizationFactory(kind=kind), roles=roles)
    login_page(client, user.username, PASSWORD)
    nav = client.get("/").text.split("<nav", 1)[1].split("</nav>", 1)[0]
    offered = {
        p
        for p in ("/datasets", "/applications", "/valuations", "/registry/queue")
        if f'href="{p}"' in nav
    }
    assert offered == expected
