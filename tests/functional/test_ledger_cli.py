"""`datadeed evidence add`, `ledger …` and `verify` as a user would run them."""

from __future__ import annotations

import json
from pathlib import Path

from datadeed.ledger import tree
from tests.functional.helpers import one_error_line, run


def _add(env: dict[str, str], path: Path, *extra: str) -> dict:  # type: ignore[type-arg]
    result = run(env, "evidence", "add", str(path), "--json", *extra)
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def test_evidence_add_prints_a_receipt_that_verifies(migrated, tmp_path):
    data = tmp_path / "语料.jsonl"
    data.write_text('{"text": "你好"}\n', encoding="utf-8")
    receipt = _add(migrated, data)
    for key in ("index", "leaf_hash", "tree_size", "root_hash", "inclusion_proof", "checkpoint"):
        assert key in receipt
    assert receipt["index"] == 0 and receipt["tree_size"] == 1
    (tmp_path / "r.json").write_text(json.dumps(receipt), encoding="utf-8")
    keys = tmp_path / "ledger.vkey"
    assert run(migrated, "ledger", "keys", "--out", str(keys)).returncode == 0
    ok = run(
        migrated, "verify", str(tmp_path / "r.json"), "--file", str(data), "--pubkey", str(keys)
    )
    assert ok.returncode == 0, ok.stderr
    data.write_text('{"text": "您好"}\n', encoding="utf-8")
    line = one_error_line(
        run(
            migrated, "verify", str(tmp_path / "r.json"), "--file", str(data), "--pubkey", str(keys)
        ),
        "verification_failed",
    )
    assert "file:" in line


def test_verify_refuses_an_unpinned_forgery(migrated, tmp_path):
    data = tmp_path / "a.bin"
    data.write_bytes(b"\x00\x01")
    receipt = _add(migrated, data, "--algo", "sm3")
    assert receipt["entry"]["body"]["algo"] == "sm3"
    receipt["entry"]["body"]["digest"] = "0" * 64
    (tmp_path / "forged.json").write_text(json.dumps(receipt), encoding="utf-8")
    line = one_error_line(
        run(migrated, "verify", str(tmp_path / "forged.json")), "verification_failed"
    )
    assert line.startswith("error [verification_failed]: leaf:")
    (tmp_path / "junk.json").write_text("{not json", encoding="utf-8")
    one_error_line(run(migrated, "verify", str(tmp_path / "junk.json")), "invalid_input")


def test_checkpoint_proof_consistency_and_audit(migrated, tmp_path):
    for i in range(6):
        (tmp_path / f"f{i}").write_bytes(bytes([i]))
        _add(migrated, tmp_path / f"f{i}")
    cp = json.loads(run(migrated, "ledger", "checkpoint", "--json").stdout)
    assert cp["tree_size"] == 6 and cp["checkpoint"].startswith(cp["origin"] + "\n6\n")
    proof = json.loads(
        run(migrated, "ledger", "proof", "--index", "2", "--size", "5", "--json").stdout
    )
    assert tree.verify_inclusion(
        2,
        5,
        bytes.fromhex(proof["leaf_hash"]),
        [bytes.fromhex(h) for h in proof["inclusion_proof"]],
        bytes.fromhex(proof["root_hash"]),
    )
    cons = json.loads(
        run(migrated, "ledger", "consistency", "--old", "3", "--new", "6", "--json").stdout
    )
    assert tree.verify_consistency(
        3,
        6,
        bytes.fromhex(cons["old_root"]),
        bytes.fromhex(cons["new_root"]),
        [bytes.fromhex(h) for h in cons["proof"]],
    )
    assert cons["new_root"] == cp["root_hash"]
    audit = run(migrated, "ledger", "audit", "--json")
    assert audit.returncode == 0 and json.loads(audit.stdout)["ok"] is True
    one_error_line(run(migrated, "ledger", "proof", "--index", "9", "--json"), "invalid_input")


def test_rotated_key_keeps_old_receipts_verifiable(migrated, tmp_path):
    (tmp_path / "a").write_bytes(b"a")
    old_receipt = _add(migrated, tmp_path / "a")
    assert run(migrated, "ledger", "rotate-key").returncode == 0
    (tmp_path / "b").write_bytes(b"b")
    new_receipt = _add(migrated, tmp_path / "b")
    assert new_receipt["index"] == 2  # the rotation itself is entry 1
    keys = tmp_path / "keys.vkey"
    run(migrated, "ledger", "keys", "--out", str(keys))
    assert len(keys.read_text().split()) == 2
    for name, receipt in (("old", old_receipt), ("new", new_receipt)):
        (tmp_path / f"{name}.json").write_text(json.dumps(receipt), encoding="utf-8")
        result = run(migrated, "verify", str(tmp_path / f"{name}.json"), "--pubkey", str(keys))
        assert result.returncode == 0, result.stderr
    assert run(migrated, "ledger", "audit").returncode == 0


def test_witness_cosigns_and_verification_can_demand_it(migrated, tmp_path):
    (tmp_path / "a").write_bytes(b"a")
    _add(migrated, tmp_path / "a")
    wkey = tmp_path / "witness.skey"
    wvkey = run(
        migrated, "ledger", "witness-keygen", "--name", "witness.test/w1", "--out", str(wkey)
    )
    assert wvkey.returncode == 0
    state = tmp_path / "witness.json"
    assert (
        run(migrated, "ledger", "witness", "--key", str(wkey), "--state", str(state)).returncode
        == 0
    )
    (tmp_path / "b").write_bytes(b"b")
    receipt = _add(migrated, tmp_path / "b")  # size 2: not cosigned yet
    (tmp_path / "r.json").write_text(json.dumps(receipt), encoding="utf-8")
    args = [
        "verify",
        str(tmp_path / "r.json"),
        "--witness-key",
        wvkey.stdout.strip(),
        "--min-witnesses",
        "1",
    ]
    assert "witnesses:" in one_error_line(run(migrated, *args), "verification_failed")
    assert (
        run(migrated, "ledger", "witness", "--key", str(wkey), "--state", str(state)).returncode
        == 0
    )
    fresh = json.loads(run(migrated, "ledger", "checkpoint", "--json").stdout)["checkpoint"]
    receipt["checkpoint"] = fresh
    (tmp_path / "r.json").write_text(json.dumps(receipt), encoding="utf-8")
    result = run(migrated, *args)
    assert result.returncode == 0, result.stderr
