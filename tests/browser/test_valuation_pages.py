"""The demo appraiser opens a signed valuation of a demo dataset (formulas, charts), then
values a dataset anew in real Chromium: edit inputs, submit, sign."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from datadeed.demo import DEMO_PASSWORD
from tests.browser.conftest import shot
from tests.browser.test_login_pages import _login

pytestmark = pytest.mark.browser


def test_signed_demo_valuation_and_a_new_case(page: Page, server_url):
    _login(page, server_url, "appraiser.sun", DEMO_PASSWORD)
    page.get_by_role("link", name="数据资产评估").first.click()
    expect(page.get_by_test_id("cases")).to_contain_text("已签署")
    page.get_by_role("link", name="中文客服对话语料价值评估").click()
    expect(page.get_by_test_id("report-no")).to_have_text(re.compile(r"^VAL-\d{4}-\d{6}$"))
    expect(page.get_by_test_id("steps-cost")).to_contain_text("TC × (1 + R)")
    expect(page.locator("svg").first).to_be_visible()
    shot(page, "valuation-signed")

    page.goto(server_url + "/valuations/new")
    page.get_by_label("数据集编号").fill("2")
    page.get_by_label("名称").fill("干线运输时效统计 再评估")
    page.get_by_label("评估基准日").fill("2026-10-31")
    page.get_by_test_id("run-case").click()
    expect(page.get_by_test_id("status")).to_have_text("草稿")
    expect(page.get_by_test_id("value")).to_contain_text("元")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("status")).to_have_text("审核中")
    page.get_by_test_id("sign").click()
    expect(page.get_by_test_id("status")).to_have_text("已签署")
    shot(page, "valuation-new-signed")
