"""A version's quality report as JSON, HTML (charts) and PDF; rule sets through the API
and the editor page; version comparison; overlap flags on the page."""

from __future__ import annotations

import subprocess

import pytest

from datadeed.accounts.roles import Role
from tests.factories import PASSWORD, UserFactory
from tests.functional.helpers import assert_problem, bearer, login_page

CSV = "订单号,城市,金额\n1,杭州,10.5\n2,宁波,\n3,温州,7\n3,温州,7\n".encode()
CSV_V2 = (
    "订单号,城市,金额,渠道\n1,杭州,10.5,线上\n2,宁波,3,线下\n3,温州,7,线上\n4,台州,,线上\n5,丽水,2,\n"
).encode()
RULES = """# 订单的规则
version: "1"
rules:
  - type: not_null
    column: 金额
  - type: enum
    column: 城市
    values: [杭州, 宁波, 温州]
"""


def _upload(client, headers, content=CSV, **params):  # type: ignore[no-untyped-def]
    response = client.post(
        "/api/v1/datasets/upload",
        params={"name": "订单数据", **params},
        content=content,
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def manager(accounts):  # type: ignore[no-untyped-def]
    user = UserFactory(roles=[Role.DATA_MANAGER])
    return user, bearer(accounts, user)


def test_report_as_json_html_and_pdf(client, manager, tmp_path, settings):
    _user, headers = manager
    dataset = _upload(client, headers)
    base = f"/api/v1/datasets/{dataset['id']}/versions/1"
    report = client.get(f"{base}/report", headers=headers).json()
    assert (report["row_count"], report["duplicate_rows"]) == (4, 1)
    assert report["subject"] == f"dataset:{dataset['id']}/v1#1"

    html = client.get(f"{base}/report", params={"format": "html"}, headers=headers)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert html.text.count("<svg") == 3  # radar, null rates, distinct values
    assert report["digest"] in html.text and report["fingerprint"]["content"] in html.text
    assert "gbt36344-equal/1" in html.text and "duckdb" in html.text
    assert 'data-testid="report-sensitivity"' in html.text  # the upload's scan, summarised
    assert "未发现个人信息" in html.text or "No personal information found." in html.text

    pdf = client.get(f"{base}/report", params={"format": "pdf"}, headers=headers)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "数据质量评估报告" in text and "订单数据" in text
    assert report["digest"][:32] in text.replace("\n", "")
    assert "完整性" in text  # a radar label, from the SVG
    assert "敏感数据" in text  # the sensitivity section
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert "CJK" in fonts

    # Rendered once per report and language, then served from the cache.
    cache = settings.home / "cache" / "reports"
    assert [p.name.split("-")[0] for p in cache.iterdir()] == [report["digest"]]
    again = client.get(f"{base}/report", params={"format": "pdf"}, headers=headers)
    assert again.content == pdf.content and len(list(cache.iterdir())) == 1

    # Over its cap, the cache keeps only the PDF just rendered (English this time).
    settings.report_cache_max_bytes = 0
    english = client.get(f"{base}/report", params={"format": "pdf", "lang": "en"}, headers=headers)
    assert english.status_code == 200 and english.content != pdf.content
    assert [p.name.split("-")[-2] for p in cache.iterdir()] == ["en"]


def test_report_of_other_tenant_or_missing_version_is_404(client, manager, accounts):
    _user, headers = manager
    dataset = _upload(client, headers)
    other = bearer(accounts, UserFactory(roles=[Role.DATA_MANAGER]))
    for suffix in ("report", "report?format=html", "report?format=pdf", "overlaps"):
        url = f"/api/v1/datasets/{dataset['id']}/versions/1/{suffix}"
        assert_problem(client.get(url, headers=other), 404, "not_found")
    missing = f"/api/v1/datasets/{dataset['id']}/versions/9/report?format=pdf"
    assert_problem(client.get(missing, headers=headers), 404, "not_found")
    bad_format = f"/api/v1/datasets/{dataset['id']}/versions/1/report?format=docx"
    assert_problem(client.get(bad_format, headers=headers), 422, "validation_failed")


def test_report_pages_in_the_browser_session(client, manager):
    user, headers = manager
    dataset = _upload(client, headers)
    login_page(client, user.username, PASSWORD)
    page = client.get(f"/datasets/{dataset['id']}/versions/1/report")
    assert page.status_code == 200
    assert "数据质量评估报告" in page.text and 'data-testid="pdf-link"' in page.text
    report_url = f"/datasets/{dataset['id']}/versions/1/report"
    assert client.get(report_url, params={"format": "pdf"}).content[:5] == b"%PDF-"
    as_json = client.get(report_url, params={"format": "json"}).json()
    assert as_json["digest"] == dataset["versions"][0]["report_digest"]
    detail = client.get(f"/datasets/{dataset['id']}").text
    assert f"/datasets/{dataset['id']}/versions/1/report?format=pdf" in detail
    assert "<svg" in detail  # the latest version's radar


def test_rules_put_get_and_used_by_the_next_assessment(client, manager, app):
    from datadeed.jobs.services import JobService

    _user, headers = manager
    dataset = _upload(client, headers)
    url = f"/api/v1/datasets/{dataset['id']}/rules"
    assert client.get(url, headers=headers).json()["version_no"] == 0
    saved = client.put(url, json={"yaml_text": RULES}, headers=headers)
    assert saved.status_code == 200, saved.text
    assert (saved.json()["version_no"], saved.json()["label"]) == (1, f"dataset-{dataset['id']}/r1")
    assert client.get(url, headers=headers).json()["yaml_text"] == RULES  # comments kept

    job = client.post(f"/api/v1/datasets/{dataset['id']}/versions/1/assessments", headers=headers)
    assert job.status_code == 202 and job.json()["status"] == "queued"
    assert JobService(app.state.db, app.state.settings).run_pending() == 1
    done = client.get(f"/api/v1/jobs/{job.json()['id']}", headers=headers).json()
    assert done["status"] == "succeeded", done
    report = client.get(
        f"/api/v1/datasets/{dataset['id']}/versions/1/report", headers=headers
    ).json()
    assert report["ruleset_version"] == f"dataset-{dataset['id']}/r1"
    assert report["digest"] == done["result"]["report_digest"]
    assert report["subject"].endswith("/v1#2")
    results = {r["id"]: (r["a"], r["b"]) for r in report["rules"]}
    # 金额 is null in one of 4 rows; every 城市 value is in the list
    assert results == {"not_null:金额": (3, 4), "enum:城市": (4, 4)}


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        (
            "rules:\n  - type: not_null\n    column: 金额\n"
            "  - type: range\n    column: 金额\n    min: [\n",
            7,
            "YAML",
        ),
        (
            "rules:\n  - type: not_null\n    column: 金额\n"
            "  - type: not_null\n    column: 不存在\n",
            4,
            "不存在",
        ),
        (
            "rules:\n  - type: reference\n    column: 城市\n    dataset: /etc/passwd\n",
            4,
            "dataset:<id>",
        ),
        ("rules:\n  - type: regex\n    column: 城市\n", 2, "pattern"),
    ],
)
def test_invalid_rules_are_refused_with_their_line(client, manager, text, line, fragment):
    _user, headers = manager
    dataset = _upload(client, headers)
    url = f"/api/v1/datasets/{dataset['id']}/rules"
    problem = assert_problem(
        client.put(url, json={"yaml_text": text}, headers=headers), 422, "invalid_ruleset"
    )
    assert problem["errors"][0]["line"] == line, problem
    assert fragment in problem["detail"] + str(problem["errors"])
    assert client.get(url, headers=headers).json()["version_no"] == 0  # nothing stored


def test_suggested_rules_can_be_saved(client, manager):
    _user, headers = manager
    dataset = _upload(client, headers)
    suggestion = client.get(f"/api/v1/datasets/{dataset['id']}/rules/suggestion", headers=headers)
    assert suggestion.status_code == 200
    text = suggestion.json()["yaml_text"]
    assert "rules:" in text and "订单号" in text
    saved = client.put(
        f"/api/v1/datasets/{dataset['id']}/rules", json={"yaml_text": text}, headers=headers
    )
    assert saved.status_code == 200, saved.text


def test_rule_editor_page_shows_errors_and_suggestions(client, manager):
    user, headers = manager
    dataset = _upload(client, headers)
    login_page(client, user.username, PASSWORD)
    token = client.cookies.get("datadeed_csrf")
    bad = client.post(
        f"/datasets/{dataset['id']}/rules",
        data={
            "csrf_token": token,
            "yaml_text": "rules:\n  - type: unique\n    columns: [无此列]\n",
        },
    )
    assert bad.status_code == 422
    assert 'data-testid="rule-errors"' in bad.text and 'data-line="2"' in bad.text
    assert "无此列" in bad.text  # the text stays in the textarea
    suggested = client.get(f"/datasets/{dataset['id']}/rules", params={"suggest": 1})
    assert suggested.status_code == 200 and "type: not_null" in suggested.text
    good = client.post(
        f"/datasets/{dataset['id']}/rules",
        data={"csrf_token": token, "yaml_text": RULES},
        follow_redirects=True,
    )
    assert good.status_code == 200 and 'data-testid="rules-saved"' in good.text
    assert f"dataset-{dataset['id']}/r1" in good.text


def test_comparison_of_two_versions(client, manager):
    user, headers = manager
    first = _upload(client, headers)
    second = _upload(client, headers, content=CSV_V2, dataset_id=first["id"])
    url = f"/api/v1/datasets/{first['id']}/comparison"
    body = client.get(url, params={"new": 2}, headers=headers).json()
    assert body["added_columns"] == [{"name": "渠道", "type": "string"}]
    assert body["removed_columns"] == [] and body["retyped_columns"] == []
    assert (body["old_row_count"], body["new_row_count"], body["row_count_change"]) == (4, 5, 1)
    assert body["row_count_change_pct"] == 25.0
    old_score, new_score = (v["score"] for v in second["versions"])
    assert body["score"]["delta"] == round(new_score - old_score, 2)
    assert body["same_content"] is False
    assert set(body["dimensions"]) == {
        "normativity",
        "completeness",
        "accuracy",
        "consistency",
        "timeliness",
        "accessibility",
    }
    same = client.get(url, params={"new": 1, "old": 1}, headers=headers).json()
    assert same["same_content"] and same["same_schema"] and same["score"]["delta"] == 0
    assert_problem(client.get(url, params={"new": 1}, headers=headers), 404, "not_found")
    login_page(client, user.username, PASSWORD)
    page = client.get(f"/datasets/{first['id']}").text
    assert 'data-testid="comparison"' in page and "渠道" in page and "4 → 5 (+1, +25.0%)" in page


def test_overlap_flags_on_the_page_and_api(client, manager, accounts):
    user, headers = manager
    mine = _upload(client, headers)
    other = bearer(accounts, UserFactory(roles=[Role.DATA_MANAGER]))
    theirs = _upload(client, other, content=CSV, name="别人的订单")
    flags = client.get(f"/api/v1/datasets/{mine['id']}/versions/1/overlaps", headers=headers).json()
    assert [(f["dataset_id"], f["exact_match"], f["containment"]) for f in flags] == [
        (theirs["id"], True, 1.0)
    ]
    login_page(client, user.username, PASSWORD)
    page = client.get(f"/datasets/{mine['id']}").text
    assert 'data-testid="overlaps"' in page and "别人的订单" in page


def test_rules_bad_requests(client, manager, accounts):
    _user, headers = manager
    dataset = _upload(client, headers)
    url = f"/api/v1/datasets/{dataset['id']}/rules"
    stranger = bearer(accounts, UserFactory(roles=[Role.DATA_MANAGER]))
    assert_problem(client.get(url, headers=stranger), 404, "not_found")
    assert_problem(client.put(url, json={"yaml_text": RULES}, headers=stranger), 404, "not_found")
    assert_problem(client.get(f"{url}/suggestion", headers=stranger), 404, "not_found")
    comparison = f"/api/v1/datasets/{dataset['id']}/comparison?new=1&old=1"
    assert_problem(client.get(comparison, headers=stranger), 404, "not_found")
    broken = client.put(
        url, content=b'{"yaml_text": ', headers={**headers, "content-type": "application/json"}
    )
    assert_problem(broken, 400, "malformed_json")
    huge = {"yaml_text": "# " + "x" * (256 * 1024)}
    assert_problem(client.put(url, json=huge, headers=headers), 422, "validation_failed")
    not_a_mapping = {"yaml_text": "- just\n- a list\n"}
    assert_problem(client.put(url, json=not_a_mapping, headers=headers), 422, "invalid_ruleset")


def test_a_new_version_without_a_ruled_column_is_refused_and_nothing_kept(
    client, manager, settings
):
    _user, headers = manager
    dataset = _upload(client, headers)
    saved = client.put(
        f"/api/v1/datasets/{dataset['id']}/rules", json={"yaml_text": RULES}, headers=headers
    )
    assert saved.status_code == 200
    blobs_before = sorted(p for p in settings.blobs_dir.rglob("*") if p.is_file())
    without_amount = "订单号,城市\n1,杭州\n2,宁波\n".encode()
    response = client.post(
        "/api/v1/datasets/upload",
        params={"name": "订单数据", "dataset_id": dataset["id"]},
        content=without_amount,
        headers=headers,
    )
    problem = assert_problem(response, 422, "unknown_column")
    assert "金额" in problem["detail"]
    after = client.get(f"/api/v1/datasets/{dataset['id']}", headers=headers).json()
    assert [v["version_no"] for v in after["versions"]] == [1]
    assert sorted(p for p in settings.blobs_dir.rglob("*") if p.is_file()) == blobs_before


def test_reference_rule_into_another_dataset_of_the_holder(client, manager, accounts, app):
    from datadeed.jobs.services import JobService

    _user, headers = manager
    cities = _upload(client, headers, content="城市,省份\n杭州,浙江\n宁波,浙江\n".encode())
    orders = _upload(client, headers)
    url = f"/api/v1/datasets/{orders['id']}/rules"
    rules = f"rules:\n  - type: reference\n    column: 城市\n    dataset: dataset:{cities['id']}\n"
    saved = client.put(url, json={"yaml_text": rules}, headers=headers)
    assert saved.status_code == 200, saved.text
    job = client.post(f"/api/v1/datasets/{orders['id']}/versions/1/assessments", headers=headers)
    JobService(app.state.db, app.state.settings).run_pending()
    done = client.get(f"/api/v1/jobs/{job.json()['id']}", headers=headers).json()
    assert done["status"] == "succeeded", done
    report = client.get(
        f"/api/v1/datasets/{orders['id']}/versions/1/report", headers=headers
    ).json()
    (rule,) = report["rules"]
    # 温州 (two of the four rows) is not in the referenced dataset
    assert (rule["type"], rule["a"], rule["b"]) == ("reference", 2, 4)

    wrong_column = rules.replace("column: 城市", "column: 城市\n    dataset_column: 区县")
    problem = assert_problem(
        client.put(url, json={"yaml_text": wrong_column}, headers=headers), 422, "invalid_ruleset"
    )
    assert problem["errors"][0]["line"] == 5 and "区县" in problem["detail"]
    theirs = _upload(client, bearer(accounts, UserFactory(roles=[Role.DATA_MANAGER])))
    foreign = rules.replace(f"dataset:{cities['id']}", f"dataset:{theirs['id']}")
    problem = assert_problem(
        client.put(url, json={"yaml_text": foreign}, headers=headers), 422, "invalid_ruleset"
    )
    assert "not a dataset of yours" in problem["detail"]


def test_new_version_through_the_dataset_page(client, manager, accounts):
    user, headers = manager
    dataset = _upload(client, headers)
    login_page(client, user.username, PASSWORD)
    page = client.get(f"/datasets/{dataset['id']}").text
    assert 'data-testid="upload-version"' in page
    token = client.cookies.get("datadeed_csrf")
    response = client.post(
        "/datasets/new",
        data={"csrf_token": token, "name": "订单数据", "dataset_id": str(dataset["id"])},
        files={"file": ("v2.csv", CSV_V2, "text/csv")},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/datasets/{dataset['id']}"
    detail = client.get(f"/datasets/{dataset['id']}").text
    assert 'data-testid="comparison"' in detail and "v2.csv" in detail
    other = UserFactory(roles=[Role.DATA_MANAGER])
    client.cookies.clear()
    login_page(client, other.username, PASSWORD)
    stranger = client.post(
        "/datasets/new",
        data={
            "csrf_token": client.cookies.get("datadeed_csrf"),
            "name": "x",
            "dataset_id": str(dataset["id"]),
        },
        files={"file": ("v3.csv", CSV_V2, "text/csv")},
        follow_redirects=False,
    )
    assert stranger.status_code == 404
