"""Every demo user logs in through real Chromium, sees a Chinese home page for their
role, switches to English, and logs out."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from datadeed.accounts.roles import Role
from datadeed.demo import DEMO_ORGS, DEMO_PASSWORD
from tests.browser.conftest import shot

pytestmark = pytest.mark.browser
DEMO_USERS = [(org, user) for org in DEMO_ORGS for user in org.users]


def _login(page: Page, server_url: str, username: str, password: str) -> None:
    page.goto(server_url + "/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


@pytest.mark.parametrize(("org", "user"), DEMO_USERS, ids=[u.username for _, u in DEMO_USERS])
def test_demo_user_logs_in_and_sees_home_in_chinese_then_english(page, server_url, org, user):
    _login(page, server_url, user.username, DEMO_PASSWORD)
    expect(page.get_by_test_id("welcome")).to_have_text(f"欢迎，{user.display_name}")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_test_id("whoami")).to_contain_text(org.name)
    work_roles = [r for r in user.roles if r is not Role.ORG_ADMIN] or [Role.ORG_ADMIN]
    main_role = work_roles[0].value
    expect(page.get_by_test_id(f"role-{main_role}")).to_be_visible()
    shot(page, f"home-{user.username}-zh")

    page.get_by_test_id("lang-en").click()
    expect(page.get_by_test_id("welcome")).to_have_text(f"Welcome, {user.display_name}")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    shot(page, f"home-{user.username}-en")

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(server_url + "/login")


def test_wrong_password_is_announced(page, server_url):
    _login(page, server_url, "corpus.admin", "not-the-password")
    alert = page.get_by_role("alert")
    expect(alert).to_have_text("用户名或密码错误。")
    expect(page.get_by_label("用户名")).to_have_attribute("aria-invalid", "true")
    shot(page, "login-error")


def test_login_page_is_keyboard_usable(page, server_url):
    page.goto(server_url + "/login")
    expect(page.get_by_label("用户名")).to_be_focused()
    page.keyboard.type("ops.admin")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("welcome")).to_be_visible()
    page.get_by_role("link", name="审计日志").first.click()
    expect(page.get_by_test_id("chain-status")).to_contain_text("已校验哈希链")
    shot(page, "audit-log")


def test_public_home_and_static_assets_are_local(page, server_url):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(server_url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("数据资产登记服务平台")
    assert requested and all(url.startswith(server_url) for url in requested)
    assert page.evaluate("typeof htmx") == "object"
    shot(page, "public-home")
