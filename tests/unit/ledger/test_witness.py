"""Cosignatures against a live witness's signature, and a witness that refuses to be forked."""

from __future__ import annotations

import base64
import json
import threading
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from datadeed.ledger import tree
from datadeed.ledger.checkpoint import Checkpoint
from datadeed.ledger.note import (
    Ed25519Signer,
    InvalidSignatureError,
    NoteError,
    open_note,
    parse_vkey,
    sign_note,
)
from datadeed.ledger.witness import (
    ConflictError,
    CosignatureSigner,
    CosignatureVerifier,
    InconsistentCheckpointError,
    MalformedRequestError,
    StaleCheckpointError,
    UnsignedCheckpointError,
    Witness,
    WitnessError,
    WitnessStateError,
    cosignature_timestamp,
    cosigned_message,
    parse_cosigner_vkey,
)
from tests.unit.ledger.test_note import ARCHE_NOTE, ARCHE_VKEY

# A cosigner of the live arche2025h1 checkpoint in test_note, as published by its operator.
REMORA_VKEY = "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2"
FIXED_TIME = 1679315147


class Log:
    """A log built straight from tree.py: leaves, roots, proofs and signed checkpoints."""

    def __init__(self, signer: Ed25519Signer, *, hash_fn: tree.HashFn = tree.sha256) -> None:
        self.signer, self.hash_fn = signer, hash_fn
        self.leaves: list[bytes] = []

    def append(self, *entries: bytes) -> None:
        self.leaves += [tree.leaf_hash(e, hash_fn=self.hash_fn) for e in entries]

    def checkpoint(self, size: int | None = None) -> Checkpoint:
        size = len(self.leaves) if size is None else size
        root = tree.root_from_leaf_hashes(self.leaves[:size], hash_fn=self.hash_fn)
        return Checkpoint(self.signer.name, size, root)

    def note(self, size: int | None = None) -> str:
        return sign_note(self.checkpoint(size).body(), [self.signer])

    def proof(self, old: int, new: int | None = None) -> list[bytes]:
        new = len(self.leaves) if new is None else new
        return tree.consistency_proof(old, new, self.leaves, hash_fn=self.hash_fn)


@pytest.fixture(scope="module")
def log_key() -> Ed25519Signer:
    return Ed25519Signer.generate("log.example/evidence")


@pytest.fixture
def log(log_key: Ed25519Signer) -> Log:
    log = Log(log_key)
    log.append(*(f"entry {i}".encode() for i in range(3)))
    return log


@pytest.fixture(scope="module")
def cosigner() -> CosignatureSigner:
    return CosignatureSigner.generate("witness.example/w1", clock=lambda: FIXED_TIME)


@pytest.fixture
def witness(cosigner: CosignatureSigner, tmp_path: Path) -> Witness:
    return Witness(cosigner, tmp_path / "witness.json")


# --- Cosignatures -------------------------------------------------------------------------


def test_live_witness_cosignature_verifies() -> None:
    remora = parse_cosigner_vkey(REMORA_VKEY)
    assert (remora.name, remora.key_id.hex(), remora.vkey) == (
        "remora.n621.de",
        "da77ade7",
        REMORA_VKEY,
    )
    opened = open_note(ARCHE_NOTE, [remora])
    assert opened.verified == ("remora.n621.de",)
    line = next(x for x in ARCHE_NOTE.split("\n") if x.startswith("— remora"))
    assert cosignature_timestamp(base64.b64decode(line.split(" ")[2])[4:]) == 1779573024


def test_live_log_and_witness_verify_together() -> None:
    opened = open_note(ARCHE_NOTE, [parse_vkey(ARCHE_VKEY), parse_cosigner_vkey(REMORA_VKEY)])
    assert len(opened.verified) == 2
    assert opened.unknown == 4


def test_live_cosignature_over_another_body_is_tampering() -> None:
    with pytest.raises(InvalidSignatureError):
        open_note(
            ARCHE_NOTE.replace("1432088532", "1432088531"), [parse_cosigner_vkey(REMORA_VKEY)]
        )


def test_cosigned_message_matches_the_spec_example() -> None:
    body = b"example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    assert cosigned_message(body, FIXED_TIME) == (
        b"cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\n"
        b"CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    )


def test_cosignature_payload_is_timestamp_then_ed25519_signature() -> None:
    seed = bytes(range(32))
    key = Ed25519PrivateKey.from_private_bytes(seed)
    signer = CosignatureSigner("witness.example/w1", key, clock=lambda: FIXED_TIME)
    body = Checkpoint("log", 1, bytes(32)).body().encode()
    payload = signer.sign(body)
    assert payload[:8] == FIXED_TIME.to_bytes(8, "big")
    assert payload[8:] == key.sign(cosigned_message(body, FIXED_TIME))
    assert signer.key_id == CosignatureVerifier("witness.example/w1", signer.public_key).key_id


def test_cosigner_keys_round_trip(cosigner: CosignatureSigner) -> None:
    loaded = CosignatureSigner.from_skey(cosigner.skey)
    assert (loaded.vkey, loaded.key_id) == (cosigner.vkey, cosigner.key_id)
    assert parse_cosigner_vkey(cosigner.vkey).key_id == cosigner.key_id
    assert cosigner.skey.startswith("PRIVATE+KEY+witness.example/w1+")


def test_note_keys_and_cosigner_keys_do_not_mix(cosigner: CosignatureSigner) -> None:
    with pytest.raises(NoteError, match="not a cosignature/v1 key"):
        parse_cosigner_vkey(Ed25519Signer.generate("x").vkey)
    with pytest.raises(NoteError, match="not a cosignature key"):
        CosignatureSigner.from_skey(Ed25519Signer.generate("x").skey)
    with pytest.raises(NoteError, match="witness cosignature key"):
        parse_vkey(cosigner.vkey)


def test_cosigner_refuses_to_sign_what_is_not_a_checkpoint(cosigner: CosignatureSigner) -> None:
    with pytest.raises(NoteError, match="at least 3 lines"):
        sign_note("hello\n", [cosigner])


def test_changed_timestamp_breaks_the_cosignature(cosigner: CosignatureSigner, log: Log) -> None:
    body = log.checkpoint().body().encode()
    payload = bytearray(cosigner.sign(body))
    assert cosigner.verifier().verify(body, bytes(payload))
    payload[7] ^= 1
    assert not cosigner.verifier().verify(body, bytes(payload))
    assert not cosigner.verifier().verify(body, bytes(payload[:-1]))
    assert not cosigner.verifier().verify(b"\xff" * 8 + bytes(payload[8:]), bytes(payload))


def test_cosignature_covers_extension_lines(cosigner: CosignatureSigner) -> None:
    body = Checkpoint("log", 1, bytes(32), ("ext",)).body()
    note = sign_note(body, [cosigner])
    with pytest.raises(InvalidSignatureError):
        open_note(note.replace("ext", "exT"), [cosigner.verifier()])


# --- The witness --------------------------------------------------------------------------


def test_first_cosignature_and_its_state(
    witness: Witness, log: Log, log_key: Ed25519Signer
) -> None:
    line = witness.cosign(log.note(), log_key.verifier(), [], 0)
    assert line.startswith("— witness.example/w1 ") and line.endswith("\n")
    opened = open_note(log.note() + line, [witness.signer.verifier(), log_key.verifier()])
    assert set(opened.verified) == {"witness.example/w1", "log.example/evidence"}
    state = json.loads(witness.state_path.read_text())
    assert state["logs"]["log.example/evidence"] == {
        "size": 3,
        "root_hash": base64.b64encode(log.checkpoint().root_hash).decode(),
    }


def test_grows_with_consistency_proofs_and_persists(
    witness: Witness, log: Log, log_key: Ed25519Signer
) -> None:
    witness.cosign(log.note(), log_key.verifier(), [], 0)
    log.append(b"four", b"five", b"six", b"seven")
    witness.cosign(log.note(), log_key.verifier(), log.proof(3), 3)
    reopened = Witness(witness.signer, witness.state_path)
    assert reopened.latest(log_key.name) == log.checkpoint()
    log.append(b"eight")
    reopened.cosign(log.note(), log_key.verifier(), log.proof(7), 7)
    assert witness.latest(log_key.name) == log.checkpoint(8)


def test_recosigning_the_same_checkpoint_is_allowed(
    witness: Witness, log: Log, log_key: Ed25519Signer
) -> None:
    witness.cosign(log.note(), log_key.verifier(), [], 0)
    assert witness.cosign(log.note(), log_key.verifier(), [], 3)


def test_refuses_an_inconsistent_fork(witness: Witness, log: Log, log_key: Ed25519Signer) -> None:
    witness.cosign(log.note(), log_key.verifier(), [], 0)
    honest = Log(log_key)
    honest.leaves = [*log.leaves, tree.leaf_hash(b"four")]
    fork = Log(log_key)
    fork.leaves = [log.leaves[0], tree.leaf_hash(b"rewritten"), log.leaves[2], honest.leaves[3]]
    with pytest.raises(
        InconsistentCheckpointError, match="not consistent with the cosigned size 3"
    ):
        witness.cosign(fork.note(), log_key.verifier(), honest.proof(3), 3)
    assert witness.latest(log_key.name) == log.checkpoint()


def test_refuses_a_smaller_checkpoint(witness: Witness, log: Log, log_key: Ed25519Signer) -> None:
    witness.cosign(log.note(), log_key.verifier(), [], 0)
    with pytest.raises(StaleCheckpointError, match="size 2 is smaller than size 3") as caught:
        witness.cosign(log.note(2), log_key.verifier(), [], 0)
    assert caught.value.latest_size == 3
    assert caught.value.code == "stale"


def test_refuses_a_stale_old_size(witness: Witness, log: Log, log_key: Ed25519Signer) -> None:
    witness.cosign(log.note(), log_key.verifier(), [], 0)
    log.append(b"four")
    with pytest.raises(ConflictError, match="old size 2 is not the cosigned size 3") as caught:
        witness.cosign(log.note(), log_key.verifier(), log.proof(2), 2)
    assert caught.value.latest_size == 3


def test_refuses_another_root_at_the_same_size(
    witness: Witness, log: Log, log_key: Ed25519Signer
) -> None:
    witness.cosign(log.note(), log_key.verifier(), [], 0)
    other = Log(log_key)
    other.append(b"x", b"y", b"z")
    with pytest.raises(ConflictError, match="different root"):
        witness.cosign(other.note(), log_key.verifier(), [], 3)


@pytest.mark.parametrize("how", ["other-key", "altered", "unsigned-text"])
def test_refuses_checkpoints_the_log_did_not_sign(
    witness: Witness, log: Log, log_key: Ed25519Signer, how: str
) -> None:
    note = {
        "other-key": sign_note(log.checkpoint().body(), [Ed25519Signer.generate(log_key.name)]),
        "altered": log.note().replace("\n3\n", "\n4\n", 1),
        "unsigned-text": log.note().split("\n\n")[0] + "\n\n— someone AAAAAAA=\n",
    }[how]
    with pytest.raises(UnsignedCheckpointError, match="not signed by the log key"):
        witness.cosign(note, log_key.verifier(), [], 0)
    assert witness.latest(log_key.name) is None


@pytest.mark.parametrize(
    ("note", "proof", "old", "reason"),
    [
        ("no blank line\n", [], 0, "malformed note"),
        (None, [bytes(32)] * 64, 0, "at most 63"),
        (None, [], -1, "negative"),
        (None, [], 5, "old size 5 exceeds checkpoint size 3"),
    ],
)
def test_refuses_malformed_requests(
    witness: Witness,
    log: Log,
    log_key: Ed25519Signer,
    note: str | None,
    proof: list[bytes],
    old: int,
    reason: str,
) -> None:
    with pytest.raises(MalformedRequestError, match=reason):
        witness.cosign(note or log.note(), log_key.verifier(), proof, old)


def test_refuses_a_signed_note_that_is_not_a_checkpoint(
    witness: Witness, log_key: Ed25519Signer
) -> None:
    with pytest.raises(MalformedRequestError, match="malformed checkpoint"):
        witness.cosign(sign_note("just text\n", [log_key]), log_key.verifier(), [], 0)


def test_a_damaged_state_file_is_never_read_as_empty(
    witness: Witness, log: Log, log_key: Ed25519Signer
) -> None:
    witness.state_path.write_text("{not json")
    with pytest.raises(WitnessStateError, match="unreadable state"):
        witness.cosign(log.note(), log_key.verifier(), [], 0)
    assert issubclass(WitnessStateError, WitnessError)


def test_sm3_tree_witness(
    cosigner: CosignatureSigner, tmp_path: Path, log_key: Ed25519Signer
) -> None:
    sm3_log = Log(log_key, hash_fn=tree.sm3)
    sm3_log.append(b"a", b"b", b"c")
    witness = Witness(cosigner, tmp_path / "sm3.json", hash_fn=tree.sm3)
    witness.cosign(sm3_log.note(), log_key.verifier(), [], 0)
    sm3_log.append(b"d", b"e")
    sha_log = Log(log_key)
    sha_log.append(b"a", b"b", b"c", b"d", b"e")
    with pytest.raises(InconsistentCheckpointError):
        witness.cosign(sm3_log.note(), log_key.verifier(), sha_log.proof(3), 3)
    witness.cosign(sm3_log.note(), log_key.verifier(), sm3_log.proof(3), 3)
    assert witness.latest(log_key.name) == sm3_log.checkpoint()


def test_concurrent_requests_cannot_roll_the_state_back(
    witness: Witness, log: Log, log_key: Ed25519Signer
) -> None:
    """tlog-witness's race: two requests from the same old size; one must lose."""
    witness.cosign(log.note(), log_key.verifier(), [], 0)
    log.append(*(bytes([i]) for i in range(8)))
    results: list[str] = []

    def request(size: int) -> None:
        try:
            witness.cosign(log.note(size), log_key.verifier(), log.proof(3, size), 3)
            results.append(f"ok {size}")
        except ConflictError:
            results.append(f"conflict {size}")

    threads = [threading.Thread(target=request, args=(size,)) for size in (5, 11)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.split()[0] for r in results) == ["conflict", "ok"]
    winner = int(next(r for r in results if r.startswith("ok")).split()[1])
    assert witness.latest(log_key.name) == log.checkpoint(winner)
