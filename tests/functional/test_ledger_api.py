"""The ledger's public read API and C2SP tiles, checked with the offline verifier."""

from __future__ import annotations

from datadeed.accounts.principal import Principal
from datadeed.accounts.roles import OrgKind
from datadeed.evidence.services import EvidenceInput
from datadeed.ledger import tiles, tree
from datadeed.ledger.checkpoint import parse_checkpoint
from datadeed.ledger.note import open_note, parse_vkey
from datadeed.ledger.verify import verify_receipt
from tests.factories import OrganizationFactory
from tests.functional.helpers import assert_problem


def _lodge(evidence, n: int) -> list[str]:  # type: ignore[no-untyped-def]
    OrganizationFactory(kind=OrgKind.PLATFORM_OPERATOR)
    return [
        evidence.lodge(Principal.system(), EvidenceInput("sha256", f"{i:064x}")).receipt_id
        for i in range(n)
    ]


def _vkeys(client) -> list[str]:  # type: ignore[no-untyped-def]
    return [k["vkey"] for k in client.get("/api/v1/ledger/keys").json()]


def test_empty_log_has_a_signed_checkpoint(client):
    body = client.get("/api/v1/ledger/checkpoint").json()
    assert body["tree_size"] == 0
    opened = open_note(body["checkpoint"], [parse_vkey(v) for v in _vkeys(client)])
    assert parse_checkpoint(opened.text).root_hash == tree.empty_root()


def test_checkpoint_entries_and_proofs(client, evidence):
    _lodge(evidence, 7)
    cp = client.get("/api/v1/ledger/checkpoint").json()
    assert cp["tree_size"] == 7
    root = bytes.fromhex(cp["root_hash"])
    opened = open_note(cp["checkpoint"], [parse_vkey(v) for v in _vkeys(client)])
    assert parse_checkpoint(opened.text).root_hash == root
    entry = client.get("/api/v1/ledger/entries/3").json()
    assert entry["kind"] == "evidence/v1"
    assert entry["entry"]["body"]["digest"] == f"{3:064x}"
    by_index = client.get("/api/v1/ledger/proofs/inclusion", params={"index": 3}).json()
    by_hash = client.get(
        "/api/v1/ledger/proofs/inclusion", params={"leaf_hash": entry["leaf_hash"]}
    ).json()
    assert by_index == by_hash
    proof = [bytes.fromhex(h) for h in by_index["inclusion_proof"]]
    assert tree.verify_inclusion(3, 7, bytes.fromhex(entry["leaf_hash"]), proof, root)
    old = client.get("/api/v1/ledger/proofs/consistency", params={"old": 4}).json()
    assert tree.verify_consistency(
        4, 7, bytes.fromhex(old["old_root"]), root, [bytes.fromhex(h) for h in old["proof"]]
    )


def test_receipt_verifies_offline_with_the_pinned_key(client, evidence):
    receipt_id = _lodge(evidence, 3)[1]
    receipt = client.get(f"/api/v1/evidence/{receipt_id}").json()
    result = verify_receipt(receipt, trusted_keys=_vkeys(client))
    assert result.ok, result.first_failure
    other = verify_receipt(receipt, trusted_keys=[])
    assert not other.ok


def test_bad_proof_requests_are_problems(client, evidence):
    _lodge(evidence, 2)
    inclusion = "/api/v1/ledger/proofs/inclusion"
    assert_problem(client.get(inclusion, params={"index": 5}), 400, "invalid_input")
    assert_problem(client.get(inclusion, params={"index": 1, "size": 9}), 400, "invalid_input")
    assert_problem(client.get(inclusion), 400, "invalid_input")
    assert_problem(client.get(inclusion, params={"leaf_hash": "zz"}), 400, "invalid_input")
    assert_problem(client.get(inclusion, params={"leaf_hash": "00" * 32}), 404, "not_found")
    consistency = "/api/v1/ledger/proofs/consistency"
    assert_problem(client.get(consistency, params={"old": 3, "new": 2}), 400, "invalid_input")
    assert_problem(client.get("/api/v1/ledger/entries/99"), 404, "not_found")


def test_tiles_rebuild_the_root(client, evidence):
    _lodge(evidence, 5)
    checkpoint = client.get("/ledger/checkpoint")
    assert checkpoint.headers["content-type"].startswith("text/plain")
    size = parse_checkpoint(checkpoint.text.split("\n\n")[0] + "\n").size
    assert size == 5
    tile = client.get("/ledger/" + tiles.tile_path(0, 0, 5))
    hashes = [tile.content[i : i + 32] for i in range(0, len(tile.content), 32)]
    assert (
        tree.root_from_leaf_hashes(hashes).hex()
        == client.get("/api/v1/ledger/checkpoint").json()["root_hash"]
    )
    bundle = client.get("/ledger/" + tiles.entries_path(0, 5)).content
    assert [tree.leaf_hash(e) for e in tiles.decode_entry_bundle(bundle)] == hashes
    assert client.get("/ledger/" + tiles.tile_path(0, 0, 6)).status_code == 404
    assert client.get("/ledger/tile/0/x000").status_code == 404
