"""Evidence storage through the API, the pages and the CLI."""

from __future__ import annotations

import hashlib
import json

import pytest

from datadeed.accounts.roles import OrgKind, Role
from datadeed.ledger.verify import verify_receipt
from tests.factories import PASSWORD, OrganizationFactory, UserFactory
from tests.functional.helpers import assert_problem, bearer, login_page


def _vkeys(client) -> list[str]:  # type: ignore[no-untyped-def]
    return [k["vkey"] for k in client.get("/api/v1/ledger/keys").json()]


def test_lodge_a_digest_and_verify_the_receipt(client, accounts):
    user = UserFactory(roles=[Role.DATA_MANAGER])
    digest = hashlib.sha256(b"dataset bytes").hexdigest()
    response = client.post(
        "/api/v1/evidence",
        json={"algo": "sha256", "digest": digest, "metadata": {"项目": "语料"}},
        headers=bearer(accounts, user),
    )
    assert response.status_code == 201, response.text
    receipt = response.json()
    body = receipt["entry"]["body"]
    assert body["digest"] == digest
    assert body["submitter"]["uscc"] == user.organization.uscc
    assert verify_receipt(receipt, trusted_keys=_vkeys(client)).ok


def test_upload_is_hashed_while_streaming(client, accounts, tmp_path):
    user = UserFactory(roles=[Role.DATA_MANAGER])
    chunks = [bytes([i % 251]) * 65536 for i in range(40)]  # 2.5 MiB, over the JSON body limit
    response = client.post(
        "/api/v1/evidence/upload",
        params={"algo": "sm3", "filename": "corpus.jsonl"},
        content=iter(chunks),
        headers={**bearer(accounts, user), "content-type": "application/x-ndjson"},
    )
    assert response.status_code == 201, response.text
    receipt = response.json()
    body = receipt["entry"]["body"]
    expected = hashlib.new("sm3", b"".join(chunks)).hexdigest()
    assert (body["algo"], body["digest"], body["size_bytes"]) == ("sm3", expected, 2621440)
    assert body["media_type"] == "application/x-ndjson"
    path = tmp_path / "corpus.jsonl"
    path.write_bytes(b"".join(chunks))
    assert verify_receipt(receipt, trusted_keys=_vkeys(client), file_path=path).ok
    path.write_bytes(b"x" + b"".join(chunks)[1:])
    failed = verify_receipt(receipt, trusted_keys=_vkeys(client), file_path=path)
    assert failed.first_failure is not None and failed.first_failure.startswith("file:")


def test_oversized_upload_is_refused_and_nothing_is_logged(app, client, accounts):
    app.state.settings.upload_max_bytes = 4096
    user = UserFactory(roles=[Role.DATA_MANAGER])
    response = client.post(
        "/api/v1/evidence/upload",
        content=iter([b"a" * 3000, b"b" * 3000]),
        headers=bearer(accounts, user),
    )
    assert_problem(response, 413, "payload_too_large")
    assert client.get("/api/v1/ledger/checkpoint").json()["tree_size"] == 0


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"algo": "md5", "digest": "0" * 64}, 422, "validation_failed"),
        ({"algo": "sha256", "digest": "g" * 64}, 400, "invalid_input"),
        ({"algo": "sha256", "digest": "0" * 63}, 422, "validation_failed"),
        ({"algo": "sha256", "digest": "0" * 64, "extra": 1}, 422, "validation_failed"),
        ({"algo": "sha256", "digest": "0" * 64, "metadata": {"k": "\x00"}}, 422, "invalid_entry"),
    ],
)
def test_bad_evidence_input(client, accounts, body, status, code):
    user = UserFactory(roles=[Role.DATA_MANAGER])
    response = client.post("/api/v1/evidence", json=body, headers=bearer(accounts, user))
    assert_problem(response, status, code)
    assert client.get("/api/v1/ledger/checkpoint").json()["tree_size"] == 0


def test_bank_officer_cannot_lodge(client, accounts):
    officer = UserFactory(
        organization=OrganizationFactory(kind=OrgKind.BANK), roles=[Role.BANK_OFFICER]
    )
    response = client.post(
        "/api/v1/evidence", json={"digest": "0" * 64}, headers=bearer(accounts, officer)
    )
    assert_problem(response, 403, "permission_denied")


def test_listing_shows_only_the_own_organization(client, accounts):
    mine, theirs = UserFactory(roles=[Role.DATA_MANAGER]), UserFactory(roles=[Role.DATA_MANAGER])
    for user, digest in ((mine, "1" * 64), (theirs, "2" * 64)):
        client.post("/api/v1/evidence", json={"digest": digest}, headers=bearer(accounts, user))
    listed = client.get("/api/v1/evidence", headers=bearer(accounts, mine)).json()
    assert [r["digest"] for r in listed] == ["1" * 64]


def test_unknown_receipt_is_404(client):
    assert_problem(client.get("/api/v1/evidence/nope"), 404, "not_found")


def test_lodge_through_the_page_and_see_the_public_receipt(client):
    user = UserFactory(roles=[Role.DATA_MANAGER])
    login_page(client, user.username, PASSWORD)
    assert "提交存证" in client.get("/evidence").text
    token = client.cookies.get("datadeed_csrf")
    response = client.post(
        "/evidence/new",
        data={"csrf_token": token, "algo": "sha256", "label": "2026 年物流轨迹"},
        files={"file": ("轨迹.csv", b"id,lat,lon\n1,30.2,120.2\n", "text/csv")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"]).text
    digest = hashlib.sha256(b"id,lat,lon\n1,30.2,120.2\n").hexdigest()
    assert digest in page and "<svg" in page and "2026 年物流轨迹" in page
    client.cookies.clear()
    public = client.get(response.headers["location"])
    assert public.status_code == 200 and digest in public.text
    log_page = client.get("/ledger").text
    assert "公开日志" in log_page and 'data-testid="tree-size">1<' in log_page


def test_page_form_needs_a_file_or_digest(client):
    user = UserFactory(roles=[Role.DATA_MANAGER])
    login_page(client, user.username, PASSWORD)
    token = client.cookies.get("datadeed_csrf")
    response = client.post("/evidence/new", data={"csrf_token": token, "algo": "sha256"})
    assert response.status_code == 400
    assert "choose a file" in response.text


def test_receipt_json_is_downloadable(client, accounts):
    user = UserFactory(roles=[Role.DATA_MANAGER])
    receipt = client.post(
        "/api/v1/evidence", json={"digest": "3" * 64}, headers=bearer(accounts, user)
    ).json()
    again = client.get(f"/api/v1/evidence/{receipt['receipt_id']}").json()
    assert json.dumps(again["entry"], sort_keys=True) == json.dumps(
        receipt["entry"], sort_keys=True
    )
