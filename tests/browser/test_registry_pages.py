"""Registration in real Chromium on the demo world: the public notice board; an applicant
corrects a returned case and resubmits it; the registrar sees the overdue case highlighted
in the queue, accepts and assigns the resubmitted case; an applicant answers the objection
to its case and the registrar, having read the answer, dismisses the objection."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from datadeed.demo import DEMO_PASSWORD
from tests.browser.conftest import shot
from tests.browser.test_login_pages import _login

pytestmark = pytest.mark.browser


def _open_case(page: Page, server_url: str, listing: str, title: str) -> None:
    page.goto(server_url + listing)
    page.locator("tr", has_text=title).get_by_role("link").first.click()


def test_notice_board_resubmission_queue_and_decisions(page: Page, server_url):
    page.goto(server_url + "/notices")
    board = page.get_by_test_id("notices")
    expect(board).to_contain_text("干线运输时效统计")
    expect(board).to_contain_text("区域医疗资源统计")
    shot(page, "registry-notices")

    _login(page, server_url, "logistics.admin", DEMO_PASSWORD)
    page.goto(server_url + "/applications")
    expect(page.get_by_test_id("application-form")).to_contain_text("数据资源持有权")
    shot(page, "registry-form")
    _open_case(page, server_url, "/applications", "城市配送热力")
    expect(page.get_by_test_id("state")).to_have_text("退回补正")
    page.get_by_label("数据来源说明").fill(
        "配送订单由本公司系统生成；合作门店数据已取得共同生产协议。"
    )
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_test_id("state")).to_have_text("已提交")

    page.context.clear_cookies()
    _login(page, server_url, "registrar.lead", DEMO_PASSWORD)
    page.goto(server_url + "/registry/queue")
    expect(page.get_by_test_id("overdue")).to_contain_text("法律问答指令集")
    shot(page, "registry-queue")

    _open_case(page, server_url, "/registry/queue", "城市配送热力")
    page.get_by_test_id("do-accept").click()
    expect(page.get_by_test_id("state")).to_have_text("已受理")
    reviewer = page.locator("#d-rev option", has_text="李雪").get_attribute("value")
    assert reviewer is not None
    page.get_by_label("审查员").select_option(reviewer)
    page.get_by_test_id("do-assign").click()
    expect(page.get_by_test_id("state")).to_have_text("形式审查")
    expect(page.get_by_test_id("checklist-formal")).to_contain_text("材料齐全且相互一致")
    shot(page, "registry-case")

    # the applicant answers the objection; the registrar reads the answer, then decides
    page.context.clear_cookies()
    _login(page, server_url, "health.admin", DEMO_PASSWORD)
    _open_case(page, server_url, "/applications", "区域医疗资源统计")
    page.get_by_label("对异议的答辩意见").fill("随访统计由本单位独立采集，合作方仅提供场地。")
    shot(page, "registry-objection-answer-form")
    page.get_by_role("button", name="提交答辩").click()
    expect(page.get_by_text("答辩意见已提交。")).to_be_visible()
    expect(page.get_by_test_id("history")).to_contain_text("申请人答辩")

    page.context.clear_cookies()
    _login(page, server_url, "registrar.lead", DEMO_PASSWORD)
    _open_case(page, server_url, "/registry/queue", "区域医疗资源统计")
    expect(page.get_by_test_id("state")).to_have_text("异议处理")
    expect(page.get_by_test_id("objection-response")).to_contain_text("合作方仅提供场地")
    shot(page, "registry-objection-answered")
    page.locator(".objection textarea").fill("异议人未提供共同采集的证据。")
    page.get_by_role("button", name="驳回异议").click()
    expect(page.get_by_test_id("state")).to_have_text("公示中")
    expect(page.get_by_test_id("history")).to_contain_text("驳回异议")
