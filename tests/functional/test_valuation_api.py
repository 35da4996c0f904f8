"""Valuation cases through the API: create on a dataset version (quality from its report),
edit, submit, sign (digest in the ledger), who may see them, bad input, races."""

from __future__ import annotations

import pytest

from datadeed.accounts.roles import OrgKind, Role
from datadeed.canonical import canonical_json, sha256_hex
from tests.factories import OrganizationFactory, UserFactory
from tests.functional.helpers import assert_problem, bearer

CSV = "编号,城市,金额\n1,杭州,10.5\n2,宁波,8\n3,温州,7\n4,台州,9\n".encode()
CASE = {
    "name": "订单数据估值",
    "purpose": "pledge",
    "base_date": "2026-06-30",
    "cost": {
        "items": [{"category": "collection", "amount": 400000}],
        "return_rate": 0.12,
    },
    "income": {
        "method": "royalty",
        "cash_flows": [200000, 220000, 240000],
        "share_rate": 0.25,
        "legal_term_years": 3,
        "economic_life_years": 5,
        "risk_free_rate": 0.025,
        "premiums": {"market": 0.06},
    },
    "reconciliation": {
        "weights": {
            "cost": {"weight": 0.5, "reason": "成本资料完整"},
            "income": {"weight": 0.5, "reason": "许可收入稳定"},
        }
    },
    "uncertainty": {
        "seed": 11,
        "draws": 20000,
        "inputs": {"income.share_rate": {"kind": "uniform", "low": 0.2, "high": 0.3}},
    },
}


@pytest.fixture
def world(client, accounts):  # type: ignore[no-untyped-def]
    holder = UserFactory(roles=[Role.DATA_MANAGER])
    appraiser = UserFactory(organization__kind=OrgKind.APPRAISER, roles=[Role.APPRAISER])
    bank = UserFactory(organization__kind=OrgKind.BANK, roles=[Role.BANK_OFFICER])
    h = bearer(accounts, holder)
    up = client.post("/api/v1/datasets/upload", params={"name": "订单"}, content=CSV, headers=h)
    assert up.status_code == 201, up.text
    return {
        "dataset": up.json(),
        "holder": h,
        "appraiser": bearer(accounts, appraiser),
        "appraiser_user": appraiser,
        "bank": bearer(accounts, bank),
        "bank_uscc": bank.organization.uscc,
        "stranger": bearer(accounts, UserFactory(roles=[Role.DATA_MANAGER])),
        "other_appraiser": bearer(
            accounts, UserFactory(organization__kind=OrgKind.APPRAISER, roles=[Role.APPRAISER])
        ),
    }


def _create(client, world, **extra):  # type: ignore[no-untyped-def]
    body = {"dataset_id": world["dataset"]["id"], "version_no": 1, "case": CASE} | extra
    return client.post("/api/v1/valuations", json=body, headers=world["appraiser"])


def test_run_submit_sign_and_the_digest_in_the_ledger(client, world):
    created = _create(client, world, pledgee_uscc=world["bank_uscc"])
    assert created.status_code == 201, created.text
    case = created.json()
    version = world["dataset"]["versions"][0]
    assert case["status"] == "draft" and case["coefficient_table"] == "datadeed-qv/2026.1"
    assert case["inputs"]["quality"]["digest"] == version["report_digest"]
    assert set(case["result"]["approaches"]) == {"cost", "income"}
    r = case["result"]["range"]
    assert float(r["p5"]) <= float(case["value"]) * 1.2 and float(r["p5"]) < float(r["p95"])
    cid = case["id"]
    # The bank sees nothing until the report is signed; the holder sees the draft.
    assert_problem(client.get(f"/api/v1/valuations/{cid}", headers=world["bank"]), 404, "not_found")
    assert client.get(f"/api/v1/valuations/{cid}", headers=world["holder"]).status_code == 200
    assert (
        client.post(f"/api/v1/valuations/{cid}/submit", headers=world["appraiser"]).json()["status"]
        == "in_review"
    )
    signed = client.post(f"/api/v1/valuations/{cid}/sign", headers=world["appraiser"]).json()
    assert signed["status"] == "signed" and signed["report_no"].startswith("VAL-")
    entry = client.get(f"/api/v1/ledger/entries/{signed['ledger_index']}").json()
    body = entry["entry"]["body"]
    assert entry["kind"] == "report-digest/v1" and body["report_type"] == "valuation"
    assert body["digest"]["hex"] == signed["report_digest"]
    assert body["subject"] == f"dataset:{world['dataset']['id']}"
    assert body["signed_by"] == world["appraiser_user"].organization.uscc
    bank_view = client.get(f"/api/v1/valuations/{cid}", headers=world["bank"])
    assert bank_view.status_code == 200
    assert [c["id"] for c in client.get("/api/v1/valuations", headers=world["bank"]).json()] == [
        cid
    ]
    # Signed: no more edits or transitions.
    again = client.post(f"/api/v1/valuations/{cid}/sign", headers=world["appraiser"])
    assert_problem(again, 409, "invalid_transition")
    edit = client.put(
        f"/api/v1/valuations/{cid}/inputs", json={"case": CASE}, headers=world["appraiser"]
    )
    assert_problem(edit, 409, "invalid_transition")


def test_a_bank_can_check_the_signed_digest(client, world):
    cid = _create(client, world, pledgee_uscc=world["bank_uscc"]).json()["id"]
    client.post(f"/api/v1/valuations/{cid}/submit", headers=world["appraiser"])
    signed = client.post(f"/api/v1/valuations/{cid}/sign", headers=world["appraiser"]).json()
    document = client.get(f"/api/v1/valuations/{cid}/report.json", headers=world["bank"])
    assert document.status_code == 200
    assert sha256_hex(canonical_json(document.json())) == signed["report_digest"]
    assert document.json()["report_no"] == signed["report_no"]
    pdf = client.get(f"/api/v1/valuations/{cid}/report.pdf", headers=world["bank"])
    assert pdf.content.startswith(b"%PDF")


def test_editing_a_draft_reruns_it(client, world):
    cid = _create(client, world).json()["id"]
    cheaper = CASE | {"cost": CASE["cost"] | {"items": [{"category": "cleaning", "amount": 1}]}}
    edited = client.put(
        f"/api/v1/valuations/{cid}/inputs", json={"case": cheaper}, headers=world["appraiser"]
    )
    assert edited.status_code == 200, edited.text
    assert float(edited.json()["result"]["approaches"]["cost"]) < 2


def test_who_may_do_what(client, world):
    cid = _create(client, world).json()["id"]
    assert_problem(_create_as(client, world, "holder"), 403, "permission_denied")
    for who in ("stranger", "other_appraiser"):
        got = client.get(f"/api/v1/valuations/{cid}", headers=world[who])
        assert_problem(got, 404, "not_found")
        assert client.get("/api/v1/valuations", headers=world[who]).json() == []
    sign = client.post(f"/api/v1/valuations/{cid}/submit", headers=world["other_appraiser"])
    assert_problem(sign, 404, "not_found")
    assert_problem(
        client.post(f"/api/v1/valuations/{cid}/submit", headers=world["holder"]),
        403,
        "permission_denied",
    )


def _create_as(client, world, who):  # type: ignore[no-untyped-def]
    body = {"dataset_id": world["dataset"]["id"], "version_no": 1, "case": CASE}
    return client.post("/api/v1/valuations", json=body, headers=world[who])


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"version_no": 9}, 404, "not_found"),
        ({"case": CASE | {"quality": {"score": 99, "grade": "A"}}}, 400, "invalid_input"),
        ({"case": CASE | {"purpose": "gift"}}, 400, "invalid_input"),
        ({"case": {k: v for k, v in CASE.items() if k != "reconciliation"}}, 400, "invalid_input"),
        ({"certificate_no": "NO-SUCH-CERT"}, 400, "invalid_input"),
        ({"pledgee_uscc": "91330108MA00000000"}, 400, "invalid_input"),
    ],
)
def test_bad_cases_are_refused(client, world, change, status, code):
    assert_problem(_create(client, world, **change), status, code)


def test_weights_must_cover_the_approaches(client, world):
    bad = CASE | {"reconciliation": {"weights": {"cost": {"weight": 1, "reason": "x"}}}}
    response = _create(client, world, case=bad)
    assert_problem(response, 400, "invalid_input")
    assert "approaches used" in response.json()["detail"]


def test_pledgee_must_be_a_bank(client, world):
    enterprise = OrganizationFactory()
    assert_problem(_create(client, world, pledgee_uscc=enterprise.uscc), 400, "invalid_input")
