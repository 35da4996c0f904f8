"""A certificate changes hands in real Chromium: the holder offers a transfer, the other
enterprise accepts it, and anyone verifies the certificate on the public page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from datadeed.demo import DEMO_ORGS, DEMO_PASSWORD
from tests.browser.conftest import shot
from tests.browser.test_login_pages import _login

pytestmark = pytest.mark.browser


def _org(username: str):  # type: ignore[no-untyped-def]
    return next(o for o in DEMO_ORGS if any(u.username == username for u in o.users))


def test_transfer_then_public_verification(page: Page, server_url):
    logistics = _org("logistics.admin")
    _login(page, server_url, "corpus.admin", DEMO_PASSWORD)
    page.get_by_role("link", name="登记证书").first.click()
    page.get_by_test_id("certificates").get_by_role("link").first.click()
    number = page.get_by_test_id("number").inner_text()
    expect(page.get_by_test_id("status")).to_have_text("有效")
    page.get_by_label("受让方统一社会信用代码").fill(logistics.uscc)
    page.get_by_role("button", name="申请转移").click()
    expect(page.get_by_text("转移待接受").first).to_be_visible()
    page.get_by_role("button", name="退出").click()

    _login(page, server_url, "logistics.admin", DEMO_PASSWORD)
    page.goto(f"{server_url}/certificates/{number}")
    page.get_by_test_id("accept-transfer").click()
    expect(page.get_by_test_id("holder")).to_contain_text(logistics.name)
    expect(page.locator('[data-kind="transfer"]')).to_contain_text("已登记")
    shot(page, "certificate-detail")
    page.get_by_role("button", name="退出").click()

    page.goto(f"{server_url}/verify/certificate?number={number}")
    verdict = page.get_by_test_id("verdict")
    expect(verdict).to_have_attribute("data-verdict", "valid")
    expect(page.get_by_test_id("holder")).to_contain_text(logistics.name)
    expect(page.get_by_test_id("checks")).not_to_contain_text("✗")
    shot(page, "certificate-verify")
    page.get_by_label("证书编号").fill("DP2026113301999999")
    page.get_by_role("button", name="核验").click()
    expect(page.get_by_test_id("verdict")).to_have_attribute("data-verdict", "not_found")


def test_licences_granted_to_us_and_a_new_licence(page: Page, server_url):
    health = _org("health.admin")
    _login(page, server_url, "logistics.admin", DEMO_PASSWORD)
    page.goto(f"{server_url}/certificates/licences")
    expect(page.get_by_test_id("granted-to-us")).to_contain_text("独占许可")
    by_us = page.get_by_test_id("granted-by-us")
    expect(by_us.locator('[data-status="expired"]')).to_contain_text("已过期")
    expect(by_us.locator('[data-status="active"]').first).to_contain_text("排他许可")
    shot(page, "certificate-licences-ours")
    by_us.locator('[data-status="expired"]').get_by_role("link").first.click()
    form = page.get_by_test_id("licence-form")
    form.get_by_label("被许可方统一社会信用代码").fill(health.uscc)
    form.get_by_label("数据产品经营权").uncheck()  # the operating right is licensed sole
    form.get_by_label("许可截止日期").fill("2027-06-30")
    form.get_by_label("许可范围与用途", exact=False).fill("慢病随访研究")
    form.get_by_role("button", name="办理许可登记").click()
    expect(page.get_by_test_id("licences").locator("tbody tr")).to_have_count(3)
    expect(page.get_by_test_id("in-force")).to_contain_text("今日有效: 2")
    expect(page.get_by_test_id("exclusive-licences")).to_contain_text("排他许可")
    shot(page, "certificate-licences")
