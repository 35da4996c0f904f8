"""The valuation pages as an appraiser uses them: new case form, result page with the
formulas and charts, submit and sign through the buttons, the PDF; errors re-shown."""

from __future__ import annotations

from datadeed.accounts.roles import OrgKind, Role
from tests.factories import PASSWORD, UserFactory
from tests.functional.helpers import bearer, login_page
from tests.unit.valuation.matrix import FORM

CSV = "编号,金额\n1,10\n2,20\n3,30\n".encode()


def _dataset(client, accounts) -> int:  # type: ignore[no-untyped-def]
    holder = bearer(accounts, UserFactory(roles=[Role.DATA_MANAGER]))
    up = client.post(
        "/api/v1/datasets/upload", params={"name": "订单"}, content=CSV, headers=holder
    )
    return int(up.json()["id"])


def test_appraiser_runs_a_case_in_the_browser(client, accounts):
    dataset_id = _dataset(client, accounts)
    appraiser = UserFactory(organization__kind=OrgKind.APPRAISER, roles=[Role.APPRAISER])
    login_page(client, appraiser.username, PASSWORD)
    csrf = client.cookies.get("datadeed_csrf")
    form = client.get("/valuations/new")
    assert form.status_code == 200 and "新建评估项目" in form.text
    fields = FORM | {"dataset_id": str(dataset_id), "version_no": "1", "csrf_token": csrf}
    created = client.post("/valuations/new", data=fields, follow_redirects=False)
    assert created.status_code == 303, created.text
    page = client.get(created.headers["location"])
    assert page.status_code == 200
    text = page.text
    assert "成本法" in text and "TC × (1 + R)" in text and "<svg" in text
    assert "datadeed-qv/2026.1" in text and "草稿" in text
    case_url = created.headers["location"]
    for action in ("submit", "sign"):
        done = client.post(
            f"{case_url}/{action}", data={"csrf_token": csrf}, follow_redirects=False
        )
        assert done.status_code == 303
    signed = client.get(case_url).text
    assert "已签署" in signed and "VAL-" in signed
    pdf = client.get(f"{case_url}/report.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    listing = client.get("/valuations").text
    assert "矩阵估值" in listing


def test_bad_yaml_is_shown_on_the_form(client, accounts):
    dataset_id = _dataset(client, accounts)
    appraiser = UserFactory(organization__kind=OrgKind.APPRAISER, roles=[Role.APPRAISER])
    login_page(client, appraiser.username, PASSWORD)
    csrf = client.cookies.get("datadeed_csrf")
    fields = FORM | {"dataset_id": str(dataset_id), "version_no": "1", "csrf_token": csrf}
    response = client.post("/valuations/new", data=fields | {"cost": "items: [unclosed"})
    assert response.status_code == 400
    assert 'data-testid="form-error"' in response.text and "cost: not valid YAML" in response.text
    # What was typed is kept.
    assert "items: [unclosed" in response.text


def test_the_editor_saves_changed_inputs_and_keeps_bad_ones_on_the_form(client, accounts):
    dataset_id = _dataset(client, accounts)
    appraiser = UserFactory(organization__kind=OrgKind.APPRAISER, roles=[Role.APPRAISER])
    login_page(client, appraiser.username, PASSWORD)
    csrf = client.cookies.get("datadeed_csrf")
    fields = FORM | {"dataset_id": str(dataset_id), "version_no": "1", "csrf_token": csrf}
    case_url = client.post("/valuations/new", data=fields, follow_redirects=False).headers[
        "location"
    ]
    edit = {k: v for k, v in fields.items() if k not in ("dataset_id", "version_no")}

    saved = client.post(
        f"{case_url}/edit", data=edit | {"name": "改名后的估值"}, follow_redirects=False
    )
    assert saved.status_code == 303 and saved.headers["location"] == case_url
    assert "改名后的估值" in client.get(case_url).text

    # The accounting classification reads in Chinese, naming what was not met.
    facts = "identifiable: true\nfuture_benefit_probable: true\ncost_reliably_measurable: true\n"
    client.post(f"{case_url}/edit", data=edit | {"accounting": facts, "name": "改名后的估值"})
    reason = client.get(case_url).text.split('data-testid="accounting-reason">')[1]
    assert reason.startswith("不满足确认条件，支出费用化（未满足：企业拥有或控制）")

    bad = client.post(
        f"{case_url}/edit", data=edit | {"income": "method: [unclosed", "name": "不应保存"}
    )
    assert bad.status_code == 400 and "income: not valid YAML" in bad.text
    assert "method: [unclosed" in bad.text  # what was typed is kept on the form
    after = client.get(case_url).text
    assert "改名后的估值" in after and "不应保存" not in after  # nothing half-saved
