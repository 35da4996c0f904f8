"""The offline receipt verifier: receipts built here from tree.py and real keys, every
failure with the one line a user sees, and proof that it loads none of the server."""

from __future__ import annotations

import copy
import hashlib
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from datadeed.ledger import tree
from datadeed.ledger import verify as verify_module
from datadeed.ledger.checkpoint import Checkpoint
from datadeed.ledger.note import Ed25519Signer, NoteError, Signer, SM2Signer, sign_note
from datadeed.ledger.verify import (
    FORMATS,
    RECEIPT_V1,
    Check,
    TrustPolicy,
    hash_file,
    verify_receipt,
)
from datadeed.ledger.witness import CosignatureSigner

PROPERTY = settings(deadline=None, max_examples=25, database=None)
ROOT = Path(__file__).resolve().parents[3]
LOG = Ed25519Signer.generate("log.example/evidence")
W1 = CosignatureSigner.generate("witness.example/w1")
W2 = CosignatureSigner.generate("witness.example/w2")
EVIDENCE = b"the quarterly sales table, as registered\n"
HASHES = {"sha256": tree.sha256, "sm3": tree.sm3}


def entry(i: int, algo: str = "sha256", content: bytes = EVIDENCE) -> dict[str, Any]:
    digest = hashlib.new(algo, content).hexdigest()
    return {"kind": "evidence", "seq": i, "name": f"file-{i}.csv", "algo": algo, "digest": digest}


def build_receipt(
    size: int = 8,
    index: int = 5,
    *,
    hash_algorithm: str = "sha256",
    signers: tuple[Signer, ...] = (LOG,),
    entries: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A receipt for leaf ``index`` of a log of ``size`` entries, signed by ``signers``."""
    hash_fn = HASHES[hash_algorithm]
    entries = entries or [
        entry(i, "sm3" if hash_algorithm == "sm3" else "sha256") for i in range(size)
    ]
    leaves = [tree.leaf_hash(rfc8785.dumps(e), hash_fn=hash_fn) for e in entries]
    root = tree.root_from_leaf_hashes(leaves, hash_fn=hash_fn)
    body = Checkpoint(LOG.name, size, root).body()
    return {
        "format": RECEIPT_V1,
        "hash_algorithm": hash_algorithm,
        "entry": entries[index],
        "index": index,
        "leaf_hash": leaves[index].hex(),
        "tree_size": size,
        "root_hash": root.hex(),
        "inclusion_proof": [h.hex() for h in tree.inclusion_proof(index, leaves, hash_fn=hash_fn)],
        "checkpoint": sign_note(body, list(signers)),
        "log_public_keys": [s.verifier().vkey for s in signers if isinstance(s, Ed25519Signer)],
    }


@pytest.fixture
def evidence_file(tmp_path: Path) -> Path:
    path = tmp_path / "file-5.csv"
    path.write_bytes(EVIDENCE)
    return path


def test_valid_receipt_passes_every_check() -> None:
    result = verify_receipt(build_receipt(), trusted_keys=[LOG.vkey])
    assert [c.name for c in result.checks] == [
        "format",
        "fields",
        "signature",
        "checkpoint",
        "leaf",
        "inclusion",
    ]
    assert result.ok
    assert result.first_failure is None
    assert result.format == RECEIPT_V1


def test_valid_receipt_with_witnesses_and_file(evidence_file: Path) -> None:
    receipt = build_receipt(signers=(LOG, W1, W2))
    result = verify_receipt(
        receipt,
        trusted_keys=[LOG.vkey],
        witness_keys=[W1.vkey, W2.vkey],
        min_witnesses=2,
        file_path=evidence_file,
    )
    assert result.ok, result.first_failure
    details = {c.name: c.detail for c in result.checks}
    assert (
        details["witnesses"]
        == "2 of 2 required cosignatures: witness.example/w1, witness.example/w2"
    )
    assert details["file"] == "sha256 of file-5.csv matches the entry's digest"


def test_sm3_tree_and_sm3_file_digest(tmp_path: Path) -> None:
    path = tmp_path / "evidence"
    path.write_bytes(EVIDENCE)
    result = verify_receipt(
        build_receipt(hash_algorithm="sm3"), trusted_keys=[LOG.vkey], file_path=path
    )
    assert result.ok, result.first_failure


def test_sm2_signed_checkpoint() -> None:
    sm2_log = SM2Signer.generate(LOG.name)
    result = verify_receipt(build_receipt(signers=(sm2_log,)), trusted_keys=[sm2_log.vkey])
    assert result.ok, result.first_failure


def _set(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda receipt: receipt.__setitem__(key, value)


def _flip_proof(receipt: dict[str, Any]) -> None:
    first = bytearray.fromhex(receipt["inclusion_proof"][0])
    first[0] ^= 1
    receipt["inclusion_proof"][0] = first.hex()


FAILURES: list[tuple[str, Callable[[dict[str, Any]], None], dict[str, Any], str]] = [
    (
        "untrusted-key",
        lambda r: None,
        {"trusted_keys": [Ed25519Signer.generate(LOG.name).vkey]},
        "signature: checkpoint is not signed by any trusted key",
    ),
    (
        "no-pinned-key",
        lambda r: None,
        {"trusted_keys": []},
        "signature: no trusted log key was given (the receipt's own keys are not trusted)",
    ),
    (
        "altered-checkpoint",
        lambda r: r.__setitem__("checkpoint", r["checkpoint"].replace("\n8\n", "\n9\n", 1)),
        {},
        "signature: checkpoint was altered: trusted key log.example/evidence's signature does "
        "not verify",
    ),
    (
        "altered-entry",
        lambda r: r["entry"].__setitem__("name", "forged.csv"),
        {},
        "leaf: entry does not hash to leaf_hash",
    ),
    (
        "altered-proof",
        _flip_proof,
        {},
        "inclusion: proof does not lead to the checkpoint's root",
    ),
    (
        "short-proof",
        lambda r: r["inclusion_proof"].pop(),
        {},
        "inclusion: proof is malformed: the proof has 2 hashes; leaf 5 of 8 needs 3",
    ),
    (
        "index-outside",
        _set("index", 100),
        {},
        "inclusion: proof is malformed: leaf index 100 is outside a tree of size 8",
    ),
    (
        "tree-size",
        _set("tree_size", 9),
        {},
        "checkpoint: size 8 differs from the receipt's tree_size 9",
    ),
    (
        "root-hash",
        _set("root_hash", "ab" * 32),
        {},
        "checkpoint: root differs from the receipt's root_hash",
    ),
    (
        "unknown-format",
        _set("format", "datadeed-receipt/v9"),
        {},
        "format: unknown receipt format 'datadeed-receipt/v9'; this verifier reads "
        "datadeed-bundle/v1, datadeed-receipt/v1",
    ),
    ("missing-field", lambda r: r.pop("index"), {}, "fields: the receipt has no 'index'"),
    ("bool-index", _set("index", True), {}, "fields: 'index' has the wrong type bool"),
    ("negative", _set("tree_size", -1), {}, "fields: index and tree_size cannot be negative"),
    ("bad-hex", _set("leaf_hash", "zz"), {}, "fields: leaf_hash is not 64 hexadecimal digits"),
    (
        "bad-proof-hex",
        _set("inclusion_proof", ["00"]),
        {},
        "fields: inclusion_proof[0] is not 64 hexadecimal digits",
    ),
    (
        "hash-algorithm",
        _set("hash_algorithm", "md5"),
        {},
        "fields: hash_algorithm 'md5' is not one of sha256, sm3",
    ),
    (
        "other-tree-hash",
        _set("hash_algorithm", "sm3"),
        {},
        "leaf: entry does not hash to leaf_hash",
    ),
    (
        "one-witness-of-two",
        lambda r: None,
        {"witness_keys": [W1.vkey, W2.vkey], "min_witnesses": 2},
        "witnesses: 1 of 2 required cosignatures",
    ),
    (
        "unknown-witness",
        lambda r: None,
        {"witness_keys": [CosignatureSigner.generate("w3").vkey], "min_witnesses": 1},
        "witnesses: 0 of 1 required cosignatures",
    ),
    (
        "malformed-cosignature-line",
        lambda r: r.__setitem__(
            "checkpoint",
            r["checkpoint"].replace("— witness.example/w1 ", "— witness.example/w1 A", 1),
        ),
        {"witness_keys": [W1.vkey], "min_witnesses": 1},
        "signature: checkpoint is not a well-formed note: the signature of "
        "'witness.example/w1' is not valid base64",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "options", "expected"),
    [failure[1:] for failure in FAILURES],
    ids=[failure[0] for failure in FAILURES],
)
def test_each_failure_names_what_failed_in_one_line(
    mutate: Callable[[dict[str, Any]], None], options: dict[str, Any], expected: str
) -> None:
    receipt = build_receipt(signers=(LOG, W1))
    mutate(receipt)
    result = verify_receipt(receipt, **{"trusted_keys": [LOG.vkey], **options})
    assert not result.ok
    assert result.first_failure is not None
    assert result.first_failure.startswith(expected), result.first_failure
    assert "\n" not in result.first_failure


def test_an_altered_cosignature_fails_only_the_witness_check() -> None:
    receipt = build_receipt(signers=(LOG, W1))
    lines = receipt["checkpoint"].split("\n")
    cosignature = next(i for i, line in enumerate(lines) if "witness.example/w1" in line)
    head, encoded = lines[cosignature].rsplit(" ", 1)
    lines[cosignature] = f"{head} {encoded[:-8]}AAAAAAA="
    receipt["checkpoint"] = "\n".join(lines)
    result = verify_receipt(receipt, trusted_keys=[LOG.vkey], witness_keys=[W1.vkey])
    assert [c.name for c in result.failures] == ["witnesses"]
    assert result.first_failure is not None
    assert result.first_failure == (
        "witnesses: the cosignature of witness.example/w1 does not verify"
    )


def test_every_check_runs_even_after_a_failure() -> None:
    receipt = build_receipt()
    receipt["entry"]["seq"] = 99
    _flip_proof(receipt)
    result = verify_receipt(receipt, trusted_keys=[Ed25519Signer.generate("x").vkey])
    assert [c.name for c in result.failures] == ["signature", "checkpoint", "leaf", "inclusion"]
    assert str(result.failures[2]) == "leaf: entry does not hash to leaf_hash"


def test_the_receipts_own_keys_are_never_trusted() -> None:
    forger = Ed25519Signer.generate(LOG.name)
    receipt = build_receipt(signers=(forger,))
    assert receipt["log_public_keys"] == [forger.vkey]
    result = verify_receipt(receipt, trusted_keys=[LOG.vkey])
    assert result.first_failure == "signature: checkpoint is not signed by any trusted key"


@pytest.mark.parametrize(
    ("content", "entry_fields", "expected"),
    [
        (b"edited", {}, "file: sha256 of file differs from the entry's digest"),
        (EVIDENCE, {"algo": "md5"}, "file: the entry has no algo (sha256 or sm3) and digest"),
        (EVIDENCE, {"digest": None}, "file: the entry has no algo (sha256 or sm3) and digest"),
    ],
)
def test_file_failures(
    tmp_path: Path, content: bytes, entry_fields: dict[str, Any], expected: str
) -> None:
    entries = [entry(i) for i in range(8)]
    entries[5].update(entry_fields)
    path = tmp_path / "evidence"
    path.write_bytes(content)
    result = verify_receipt(build_receipt(entries=entries), trusted_keys=[LOG.vkey], file_path=path)
    assert result.first_failure is not None
    assert result.first_failure.startswith(expected)


def test_missing_file(tmp_path: Path) -> None:
    result = verify_receipt(
        build_receipt(), trusted_keys=[LOG.vkey], file_path=tmp_path / "absent.csv"
    )
    assert result.first_failure is not None
    assert result.first_failure.startswith("file: cannot read ")


def test_digest_hex_case_does_not_matter(evidence_file: Path) -> None:
    entries = [entry(i) for i in range(8)]
    entries[5]["digest"] = entries[5]["digest"].upper()
    result = verify_receipt(
        build_receipt(entries=entries), trusted_keys=[LOG.vkey], file_path=evidence_file
    )
    assert result.ok, result.first_failure


def test_files_are_hashed_in_one_mebibyte_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.bin"
    content = bytes(range(256)) * (10 * 1024 + 7)  # about 2.5 MiB
    path.write_bytes(content)
    reads: list[int] = []
    real_open = open

    class Spy:
        def __init__(self, *args: Any) -> None:
            self._file = real_open(*args)

        def __enter__(self) -> Spy:
            return self

        def __exit__(self, *exc: object) -> None:
            self._file.close()

        def read(self, size: int) -> bytes:
            reads.append(size)
            return bytes(self._file.read(size))

    monkeypatch.setattr(verify_module, "open", Spy, raising=False)
    assert hash_file(path, "sha256") == hashlib.sha256(content).hexdigest()
    assert set(reads) == {1 << 20}
    assert len(reads) == 4


def test_bad_pinned_keys_are_the_callers_error() -> None:
    with pytest.raises(NoteError, match="name\\+keyid\\+base64"):
        verify_receipt(build_receipt(), trusted_keys=["not a key"])
    with pytest.raises(TypeError, match="sequences of vkeys"):
        verify_receipt(build_receipt(), trusted_keys=LOG.vkey)
    with pytest.raises(NoteError, match="not a cosignature/v1 key"):
        verify_receipt(build_receipt(), trusted_keys=[LOG.vkey], witness_keys=[LOG.vkey])
    with pytest.raises(ValueError, match="negative"):
        verify_receipt(build_receipt(), trusted_keys=[LOG.vkey], min_witnesses=-1)


def test_not_an_object() -> None:
    result = verify_receipt([], trusted_keys=[LOG.vkey])  # type: ignore[arg-type]
    assert result.first_failure == (
        "format: unknown receipt format None; this verifier reads "
        "datadeed-bundle/v1, datadeed-receipt/v1"
    )


def test_another_format_plugs_in(monkeypatch: pytest.MonkeyPatch) -> None:
    def verify_bundle(receipt: Any, policy: TrustPolicy) -> list[Check]:
        return [Check("bundle", len(policy.log_verifiers) == 1, "one key")]

    monkeypatch.setitem(FORMATS, "datadeed-bundle/v1", verify_bundle)
    result = verify_receipt({"format": "datadeed-bundle/v1"}, trusted_keys=[LOG.vkey])
    assert (result.format, result.ok, [c.name for c in result.checks]) == (
        "datadeed-bundle/v1",
        True,
        ["format", "bundle"],
    )


def test_receipts_survive_a_json_round_trip() -> None:
    receipt = json.loads(json.dumps(build_receipt(signers=(LOG, W1))))
    assert verify_receipt(receipt, trusted_keys=[LOG.vkey], witness_keys=[W1.vkey]).ok


@PROPERTY
@given(data=st.data(), size=st.integers(1, 40))
def test_every_leaf_of_every_size_verifies_and_any_flipped_bit_fails(
    data: st.DataObject, size: int
) -> None:
    index = data.draw(st.integers(0, size - 1))
    receipt = build_receipt(size, index)
    assert verify_receipt(receipt, trusted_keys=[LOG.vkey]).ok
    if not receipt["inclusion_proof"]:
        return
    tampered = copy.deepcopy(receipt)
    which = data.draw(st.integers(0, len(tampered["inclusion_proof"]) - 1))
    bit = data.draw(st.integers(0, 255))
    node = bytearray.fromhex(tampered["inclusion_proof"][which])
    node[bit // 8] ^= 1 << (bit % 8)
    tampered["inclusion_proof"][which] = node.hex()
    result = verify_receipt(tampered, trusted_keys=[LOG.vkey])
    assert result.first_failure == "inclusion: proof does not lead to the checkpoint's root"


ISOLATION_PROBE = """
import sys

BLOCKED = ("datadeed.config", "datadeed.db", "datadeed.app", "datadeed.models", "datadeed.web",
           "datadeed.cli", "datadeed.errors", "datadeed.canonical", "datadeed.accounts",
           "datadeed.ledger.services", "datadeed.ledger.storage", "datadeed.ledger.models",
           "datadeed.ledger.api", "fastapi", "starlette", "sqlalchemy", "pydantic",
           "pydantic_settings", "alembic", "gmalg")

class Block:
    def find_spec(self, name, path=None, target=None):
        if name in BLOCKED or name.startswith(tuple(b + "." for b in BLOCKED)):
            raise ImportError("blocked for the offline verifier: " + name)
        return None

sys.meta_path.insert(0, Block())
import datadeed.ledger.verify
print("\\n".join(sorted(m for m in sys.modules if m.startswith("datadeed"))))
"""


def test_verifier_imports_none_of_the_server() -> None:
    """A bank or court runs verify.py alone: it must load without settings, DB or web code."""
    completed = subprocess.run(
        [sys.executable, "-c", ISOLATION_PROBE],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
        check=False,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    loaded = set(completed.stdout.split())
    allowed = {
        "datadeed",
        "datadeed.ledger",
        "datadeed.ledger.tree",
        "datadeed.ledger.note",
        "datadeed.ledger.checkpoint",
        "datadeed.ledger.witness",
        "datadeed.ledger.verify",
    }
    assert loaded <= allowed, loaded - allowed
    assert "datadeed.ledger.verify" in loaded
