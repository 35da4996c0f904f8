"""An enterprise sees its seeded dataset with its quality report, and uploads a new one,
in real Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from datadeed.demo import DEMO_PASSWORD
from tests.browser.conftest import shot
from tests.browser.test_login_pages import _login

pytestmark = pytest.mark.browser


def test_dataset_list_detail_and_upload(page: Page, server_url, tmp_path):
    _login(page, server_url, "logistics.admin", DEMO_PASSWORD)
    page.get_by_role("link", name="数据集").first.click()
    page.get_by_role("link", name="干线运输时效统计").click()
    expect(page.get_by_test_id("rows")).to_have_text("40 × 4")
    expect(page.get_by_test_id("grade")).to_have_text("A")
    shot(page, "dataset-detail")

    data = tmp_path / "仓库.csv"
    data.write_text("仓库,面积\n下沙,12000\n萧山,\n", encoding="gbk")
    page.goto(server_url + "/datasets")
    page.get_by_label("名称").fill("仓库面积（GBK 文件）")
    page.get_by_label("文件").set_input_files(str(data))
    page.get_by_role("button", name="上传并评价").click()
    expect(page.get_by_test_id("dataset-name")).to_have_text("仓库面积（GBK 文件）")
    expect(page.get_by_test_id("rows")).to_have_text("2 × 2")
    expect(page.locator("main")).to_contain_text("gbk")
    shot(page, "dataset-upload-gbk")


def test_quality_report_rules_and_a_background_assessment(page: Page, server_url):
    _login(page, server_url, "logistics.admin", DEMO_PASSWORD)
    page.goto(server_url + "/datasets")
    page.get_by_role("link", name="城市订单明细").click()
    expect(page.get_by_test_id("comparison")).to_contain_text("新增字段")
    expect(page.get_by_test_id("cmp-rows")).to_contain_text("400 → 520")
    shot(page, "dataset-versions-compared")

    page.get_by_test_id("report-link-2").click()
    expect(page.get_by_test_id("quality-report")).to_contain_text("数据质量评估报告")
    expect(page.get_by_test_id("report-ruleset")).to_contain_text("/r1")
    expect(page.locator("svg.chart")).to_have_count(3)
    shot(page, "quality-report")

    page.goto(page.url.split("/versions/")[0] + "/rules")
    page.get_by_test_id("suggest").click()
    expect(page.get_by_test_id("rules-text")).to_contain_text("type: not_null")
    shot(page, "rule-editor-suggested")

    page.goto(page.url.split("/rules")[0])
    page.get_by_test_id("assess-2").click()
    # The worker runs the job; the polling panel reloads the page once it has finished.
    expect(page.get_by_test_id("job-status").first).to_have_text("已完成", timeout=60_000)
    shot(page, "dataset-job-finished")


def test_overlap_with_another_holder_is_flagged(page: Page, server_url):
    _login(page, server_url, "logistics.admin", DEMO_PASSWORD)
    page.goto(server_url + "/datasets")
    page.get_by_role("link", name="外购客服问答数据").click()
    expect(page.get_by_test_id("overlaps")).to_contain_text("中文客服对话语料")
    shot(page, "dataset-overlap-flag")
