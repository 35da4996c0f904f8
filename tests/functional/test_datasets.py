"""Datasets through the API and the pages: upload, versions, report in the ledger,
tenant isolation, bad files leaving nothing behind."""

from __future__ import annotations

import hashlib

from datadeed.accounts.roles import Role
from datadeed.ledger import entries
from tests.factories import PASSWORD, UserFactory
from tests.functional.helpers import assert_problem, bearer, login_page

CSV = "订单号,城市,金额\n1,杭州,10.5\n2,宁波,\n3,温州,7\n3,温州,7\n".encode()


def _upload(client, headers, content=CSV, **params):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/datasets/upload",
        params={"name": "订单", **params},
        content=content,
        headers=headers,
    )


def test_upload_assess_and_record_the_report_in_the_ledger(client, accounts, settings):
    headers = bearer(accounts, UserFactory(roles=[Role.DATA_MANAGER]))
    response = _upload(client, headers, filename="orders.csv")
    assert response.status_code == 201, response.text
    dataset = response.json()
    version = dataset["versions"][0]
    assert (version["row_count"], version["column_count"], version["format"]) == (4, 3, "csv")
    assert version["grade"] in "ABCDE"
    report = client.get(
        f"/api/v1/datasets/{dataset['id']}/versions/1/report", headers=headers
    ).json()
    assert report["duplicate_rows"] == 1 and report["digest"] == version["report_digest"]
    assert report["fingerprint"]["content"] == version["content_fingerprint"]
    entry = client.get(f"/api/v1/ledger/entries/{report['ledger_index']}").json()
    assert entry["kind"] == "report-digest/v1"
    assert entry["entry"]["body"]["digest"]["hex"] == report["digest"]
    blob = settings.blobs_dir / version["sha256"][:2] / version["sha256"][2:4] / version["sha256"]
    assert blob.read_bytes() == CSV
    assert version["sha256"] == hashlib.sha256(CSV).hexdigest()
    assert report["fingerprint"]["sm3"] == hashlib.new("sm3", CSV).hexdigest()


def test_second_upload_is_version_two(client, accounts):
    headers = bearer(accounts, UserFactory(roles=[Role.DATA_MANAGER]))
    first = _upload(client, headers).json()
    second = _upload(client, headers, content=CSV + "4,台州,1\n".encode(), dataset_id=first["id"])
    assert [v["version_no"] for v in second.json()["versions"]] == [1, 2]
    assert second.json()["versions"][1]["row_count"] == 5


def test_other_tenants_dataset_is_404(client, accounts):
    mine = bearer(accounts, UserFactory(roles=[Role.DATA_MANAGER]))
    theirs = bearer(accounts, UserFactory(roles=[Role.DATA_MANAGER]))
    dataset_id = _upload(client, mine).json()["id"]
    assert_problem(client.get(f"/api/v1/datasets/{dataset_id}", headers=theirs), 404, "not_found")
    assert client.get("/api/v1/datasets", headers=theirs).json() == []
    assert_problem(_upload(client, theirs, dataset_id=dataset_id), 404, "not_found")


def test_bad_file_leaves_nothing_behind(client, accounts, settings):
    headers = bearer(accounts, UserFactory(roles=[Role.DATA_MANAGER]))
    response = _upload(client, headers, content=b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    assert_problem(response, 422, "binary_file")
    assert client.get("/api/v1/datasets", headers=headers).json() == []
    assert not any(p.is_file() for p in settings.blobs_dir.rglob("*"))
    ragged = _upload(client, headers, content=b"a,b\n1,2\n3\n")
    assert_problem(ragged, 422, "ragged_rows")


def test_oversized_upload_is_413(app, client, accounts):
    app.state.settings.upload_max_bytes = 2048
    headers = bearer(accounts, UserFactory(roles=[Role.DATA_MANAGER]))
    response = _upload(client, headers, content=iter([b"a,b\n" + b"1,2\n" * 1000]))
    assert_problem(response, 413, "payload_too_large")


def test_upload_through_the_page(client):
    user = UserFactory(roles=[Role.DATA_MANAGER])
    login_page(client, user.username, PASSWORD)
    token = client.cookies.get("datadeed_csrf")
    response = client.post(
        "/datasets/new",
        data={"csrf_token": token, "name": "页面上传"},
        files={"file": ("订单.csv", CSV, "text/csv")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"]).text
    assert "页面上传" in page and 'data-testid="rows">4 × 3<' in page and "完整性" in page
    assert "页面上传" in client.get("/datasets").text


def test_report_digest_entry_kind_is_valid(client, accounts):
    headers = bearer(accounts, UserFactory(roles=[Role.DATA_MANAGER]))
    dataset_id = _upload(client, headers).json()["id"]
    report = client.get(f"/api/v1/datasets/{dataset_id}/versions/1/report", headers=headers).json()
    entry = client.get(f"/api/v1/ledger/entries/{report['ledger_index']}").json()
    kind, body = entry["entry"]["kind"], entry["entry"]["body"]
    assert entries.decode_entry(entries.encode_entry(kind, body)) == (kind, body)
    assert body["subject"] == f"dataset:{dataset_id}/v1"
