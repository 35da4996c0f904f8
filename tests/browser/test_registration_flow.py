"""The whole one-window registration in real Chromium, from application to certificate to
public verification (issue #6, Done-when).

An enterprise (health.admin) fills the one-window form over its demo dataset
社区卫生服务站点统计, saves a draft, files a document for the holding right and the source
document its category requires (each kept and lodged as evidence) and submits. The
registrar (registrar.lead) accepts, assigns a reviewer, passes the formal and substantive
checklists and publishes the notice, which shows on the public board; registering while
the notice runs is refused (409 notice_running).

**The notice period passing.** The server runs on the real clock and a notice lasts ten
working days. The test does not wait and adds no clock setting to the server: it moves
the notice's dates back in the server's own database (``starts_on`` and ``ends_on``, the
only dates the register rule reads, so its last day was yesterday), as if the notice had
been published two weeks ago. The rule itself is unchanged: registration only after the
notice's last day, with no objection pending (the case is back in public_notice).

The registrar then registers; the certificate is issued, the enterprise sees it under its
certificates, and an anonymous visitor looks the number up on the public verification
page and opens the QR code's address, both saying it is valid.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from datadeed.demo import DEMO_PASSWORD
from datadeed.workdays import SHANGHAI
from tests.browser.conftest import shot
from tests.browser.test_login_pages import _login

pytestmark = pytest.mark.browser
DATASET = "社区卫生服务站点统计"
TITLE = "社区卫生服务站点统计（2024—2025）"


def _fill_application(page: Page) -> None:
    form = page.get_by_test_id("application-form")
    form.get_by_label("数据名称").fill(TITLE)
    form.get_by_label("数据产权登记").check()
    form.get_by_label("登记对象类型").select_option("data_product")
    version = form.locator("#f-version option", has_text=DATASET).first.get_attribute("value")
    assert version is not None
    form.get_by_label("数据集版本").select_option(version)
    form.locator('input[name="right_hold"]').check()
    form.get_by_label("数据来源类别").select_option("self_produced")
    form.get_by_label("数据来源说明").fill("由本单位社区卫生服务信息系统汇总生成")
    form.get_by_label("时间范围").fill("2024-01 至 2025-12")
    form.get_by_label("地域范围").fill("浙江省杭州市")
    form.get_by_label("更新频率").fill("每年")
    form.get_by_label("数据描述").fill("按区县、年度统计的社区卫生服务站点数与服务人次")
    form.locator('input[name="commitment_accepted"]').check()


def _file_document(page: Page, kind: str, path: Path) -> None:
    form = page.get_by_test_id("document-form")
    form.locator("#doc-kind").select_option(kind)
    form.locator("#doc-file").set_input_files(str(path))
    form.get_by_role("button", name="提交材料").click()
    expect(page.get_by_text("草稿已保存").first).to_be_visible()


def _decide(page: Page, testid: str, state: str) -> None:
    page.get_by_test_id(testid).click()
    expect(page.get_by_test_id("state")).to_have_text(state)


def _tick_all(page: Page, stage: str) -> None:
    for box in page.get_by_test_id(f"checklist-{stage}").locator("input[type=checkbox]").all():
        box.check()


def _notice_period_passes(database: Path, notice_no: str) -> None:
    """Move the notice two weeks back: its last day for objections was yesterday."""
    today = dt.datetime.now(SHANGHAI).date()
    with sqlite3.connect(database) as db:
        changed = db.execute(
            "UPDATE public_notices SET starts_on = ?, ends_on = ? WHERE notice_no = ?",
            (
                (today - dt.timedelta(days=15)).isoformat(),
                str(today - dt.timedelta(days=1)),
                notice_no,
            ),
        ).rowcount
    assert changed == 1


def test_application_to_certificate_to_public_verification(
    page: Page, server_url: str, browser_home: Path, tmp_path: Path
) -> None:
    holding = tmp_path / "数据持有权证明.pdf"
    holding.write_bytes(b"%PDF-1.4 holding right: system records of the stations")
    production = tmp_path / "系统投入说明.pdf"
    production.write_bytes(b"%PDF-1.4 the information system that produces the data")

    # the enterprise: the one-window form, a draft, documents as evidence, submission
    _login(page, server_url, "health.admin", DEMO_PASSWORD)
    page.goto(server_url + "/applications")
    _fill_application(page)
    shot(page, "flow-1-application-form")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_test_id("state")).to_have_text("草稿")
    case_url = page.url.split("?")[0]
    _file_document(page, "hold", holding)
    _file_document(page, "production_explanation", production)
    expect(page.get_by_test_id("documents")).to_contain_text("数据持有权证明.pdf")
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_test_id("state")).to_have_text("已提交")
    shot(page, "flow-2-submitted")

    # the registrar: acceptance, reviewer, checklists, public notice
    page.context.clear_cookies()
    _login(page, server_url, "registrar.lead", DEMO_PASSWORD)
    page.goto(server_url + "/registry/queue")
    page.locator("tr", has_text=TITLE).get_by_role("link").first.click()
    _decide(page, "do-accept", "已受理")
    reviewer = page.locator("#d-rev option", has_text="李雪").get_attribute("value")
    assert reviewer is not None
    page.get_by_label("审查员").select_option(reviewer)
    _decide(page, "do-assign", "形式审查")
    _tick_all(page, "formal")
    _decide(page, "do-pass_formal", "实质审查")
    _tick_all(page, "substantive")
    shot(page, "flow-3-substantive-checklist")
    _decide(page, "do-publish_notice", "公示中")
    notice_no = page.locator("a[href^='/notices/GS-']").first.inner_text()

    page.context.clear_cookies()  # the board is public
    page.goto(server_url + "/notices")
    expect(page.get_by_test_id("notices")).to_contain_text(TITLE)
    shot(page, "flow-4-notice-board")

    _login(page, server_url, "registrar.lead", DEMO_PASSWORD)
    page.goto(case_url)
    page.get_by_test_id("do-register").click()  # too early: the notice is running
    expect(page.get_by_text("notice_running")).to_be_visible()
    _notice_period_passes(browser_home / "datadeed.db", notice_no)
    page.goto(case_url)
    _decide(page, "do-register", "已登记")
    number = page.get_by_test_id("certificate").inner_text().strip()
    assert number
    shot(page, "flow-5-registered")

    # the enterprise sees its certificate
    page.context.clear_cookies()
    _login(page, server_url, "health.admin", DEMO_PASSWORD)
    page.get_by_role("link", name="登记证书").first.click()
    row = page.get_by_test_id("certificates").locator("tr", has_text=number)
    expect(row).to_contain_text(TITLE)
    expect(row).to_contain_text("有效")
    shot(page, "flow-6-my-certificates")

    # anyone verifies it: by number on the public page, and at the QR code's address
    page.context.clear_cookies()
    page.goto(server_url + "/verify/certificate")
    page.get_by_label("证书编号").fill(number)
    page.get_by_role("button", name="核验").click()
    expect(page.get_by_test_id("verdict")).to_have_attribute("data-verdict", "valid")
    expect(page.get_by_test_id("checks")).not_to_contain_text("✗")
    shot(page, "flow-7-verified")
    page.goto(f"{server_url}/certificates/{number}")
    qr_address = page.locator("code", has_text="/verify/certificate?number=").inner_text()
    # no base URL is configured, so the QR code names the address the server listens on
    assert qr_address.startswith(server_url.rstrip("/") + "/verify/certificate?number=")
    page.goto(qr_address)
    expect(page.get_by_test_id("verdict")).to_have_attribute("data-verdict", "valid")
    expect(page.get_by_test_id("number")).to_have_text(number)
