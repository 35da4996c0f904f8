"""A reviewer finds the demo member list in the grade queue, sees its masked findings and
confirms the proposed grade, in real Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from datadeed.demo import DEMO_PASSWORD
from tests.browser.conftest import shot
from tests.browser.test_login_pages import _login

pytestmark = pytest.mark.browser


def test_reviewer_confirms_a_proposed_grade(page: Page, server_url):
    _login(page, server_url, "reviewer.li", DEMO_PASSWORD)
    page.get_by_role("link", name="待审核分级").click()
    expect(page.get_by_test_id("sens-queue")).to_contain_text("会员信息样例")
    page.get_by_role("link", name="会员信息样例").click()
    expect(page.get_by_test_id("sens-grade").first).to_have_text("一般数据 4级")
    columns = page.get_by_test_id("sens-columns")
    expect(columns).to_contain_text("居民身份证号码")
    expect(columns).to_contain_text("330***********")
    expect(page.get_by_test_id("sens-gates")).to_contain_text("分级结果尚未经审核人员确认")
    shot(page, "sensitivity-proposed")
    page.get_by_test_id("sens-confirm").click()
    expect(page.get_by_test_id("sens-status")).to_have_text("已经审核人员确认")
    shot(page, "sensitivity-confirmed")
