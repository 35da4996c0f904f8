"""An enterprise lodges evidence through the page in real Chromium; anyone opens the
public receipt (with its QR code) and the public log."""

from __future__ import annotations

import hashlib

import pytest
from playwright.sync_api import Page, expect

from datadeed.demo import DEMO_PASSWORD
from tests.browser.conftest import shot
from tests.browser.test_login_pages import _login

pytestmark = pytest.mark.browser


def test_lodge_a_file_and_open_the_public_receipt(page: Page, server_url, tmp_path):
    data = "id,text\n1,数谷语料样本\n".encode()
    path = tmp_path / "样本.csv"
    path.write_bytes(data)
    _login(page, server_url, "corpus.analyst", DEMO_PASSWORD)
    page.get_by_role("link", name="数据存证").first.click()
    page.get_by_label("文件").set_input_files(str(path))
    page.get_by_label("标签（公开）").fill("浏览器测试样本")
    page.get_by_role("button", name="提交存证").click()
    expect(page.get_by_test_id("digest")).to_have_text(f"sha256:{hashlib.sha256(data).hexdigest()}")
    expect(page.get_by_test_id("submitter")).to_contain_text("数谷智能语料科技有限公司")
    expect(page.locator("svg.segno")).to_be_visible()
    shot(page, "evidence-receipt")
    receipt_url = page.url

    page.get_by_role("button", name="退出").click()
    page.goto(receipt_url)
    expect(page.get_by_test_id("log-index")).to_be_visible()
    page.goto(server_url + "/ledger")
    expect(page.get_by_test_id("checkpoint-note")).to_contain_text("datadeed.local/ledger")
    size = int(page.get_by_test_id("tree-size").inner_text())
    assert size >= 5  # four seeded receipts and this one
    shot(page, "public-log")
