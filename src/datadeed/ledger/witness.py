"""Witness cosignatures (c2sp.org/tlog-cosignature v1, Ed25519) and a tlog-witness.

A cosignature is a note signature of type ``0x04`` on a checkpoint. It signs::

    cosignature/v1\\n
    time <POSIX seconds>\\n
    <the whole checkpoint body>

and its payload is ``8-byte big-endian timestamp || 64-byte Ed25519 signature``. The key id
is ``SHA-256(name || 0x0A || 0x04 || 32-byte public key)[:4]``. Its statement: as of that
time, this is the largest checkpoint of the origin the witness has seen, and it is
consistent with every earlier one it cosigned.

``CosignatureVerifier`` plugs into ``datadeed.ledger.note.open_note``. ``Witness`` keeps,
per origin, the last (size, root) it cosigned in a JSON file and cosigns only checkpoints
that the log signed and that a consistency proof shows extend that state.

Errors::

    WitnessError (ValueError)           the witness refuses; ``code`` is stable
    ├── MalformedRequestError           "malformed": bad note or checkpoint, old size > size
    ├── UnsignedCheckpointError         "unsigned": no valid signature by the log's key
    ├── ConflictError                   "conflict": old size is not the last cosigned size
    │   └── StaleCheckpointError        "stale": smaller than the last cosigned checkpoint
    ├── InconsistentCheckpointError     "inconsistent": the consistency proof fails
    └── WitnessStateError               "state": the state file is unreadable
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from datadeed.ledger.checkpoint import Checkpoint, parse_checkpoint
from datadeed.ledger.note import (
    InvalidSignatureError,
    NoteError,
    UnverifiedNoteError,
    Verifier,
    check_key_id,
    decode_skey,
    decode_vkey,
    encode_skey,
    encode_vkey,
    is_valid_name,
    key_id,
    open_note,
    signature_line,
)
from datadeed.ledger.tree import HashFn, ProofError, check_consistency, empty_root, sha256

try:  # POSIX: serialise witnesses in several processes sharing one state file.
    import fcntl
except ImportError:  # pragma: no cover - Windows runs only the offline verifier
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "COSIGNATURE_TYPE",
    "MAX_PROOF_HASHES",
    "ConflictError",
    "CosignatureSigner",
    "CosignatureVerifier",
    "InconsistentCheckpointError",
    "MalformedRequestError",
    "StaleCheckpointError",
    "UnsignedCheckpointError",
    "Witness",
    "WitnessError",
    "WitnessStateError",
    "cosignature_timestamp",
    "cosigned_message",
    "parse_cosigner_vkey",
]

COSIGNATURE_TYPE = b"\x04"
MAX_PROOF_HASHES = 63
"""tlog-witness: a client MUST NOT send more consistency proof lines than this."""

_MAX_TIMESTAMP = 2**63 - 1
_STATE_FORMAT = "datadeed-witness-state/v1"


def cosigned_message(body: bytes, timestamp: int) -> bytes:
    """The bytes a v1 cosignature signs: header, time line, then the checkpoint body."""
    if not 0 <= timestamp <= _MAX_TIMESTAMP:
        raise NoteError(f"cosignature timestamp {timestamp} is outside [0, 2^63 - 1]")
    return f"cosignature/v1\ntime {timestamp}\n".encode() + body


def cosignature_timestamp(signature: bytes) -> int:
    """The POSIX time inside a cosignature payload (without its key id)."""
    if len(signature) != 72:
        raise NoteError(f"an Ed25519 cosignature is 72 bytes, not {len(signature)}")
    return int.from_bytes(signature[:8], "big")


class CosignatureVerifier:
    """A witness's Ed25519 cosignature/v1 verifier key (type 0x04), for ``open_note``."""

    def __init__(self, name: str, public_key: bytes) -> None:
        if not is_valid_name(name):
            raise NoteError(f"invalid cosigner name {name!r}")
        if len(public_key) != 32:
            raise NoteError(f"an Ed25519 public key is 32 bytes, not {len(public_key)}")
        self._key = Ed25519PublicKey.from_public_bytes(public_key)
        self.name = name
        self.public_key = public_key
        self.key_id = key_id(name, COSIGNATURE_TYPE + public_key)

    @property
    def vkey(self) -> str:
        """``name+hexkeyid+base64(0x04 || public key)``."""
        return encode_vkey(self.name, COSIGNATURE_TYPE + self.public_key)

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` cosigns the checkpoint body ``message``."""
        if len(signature) != 72:
            return False
        timestamp = int.from_bytes(signature[:8], "big")
        if timestamp > _MAX_TIMESTAMP:
            return False
        try:
            self._key.verify(signature[8:], cosigned_message(message, timestamp))
        except InvalidSignature:
            return False
        return True


def parse_cosigner_vkey(vkey: str) -> CosignatureVerifier:
    """The verifier for a witness vkey ``name+hexkeyid+base64(0x04 || public key)``."""
    name, expected_id, material = decode_vkey(vkey)
    if material[:1] != COSIGNATURE_TYPE:
        raise NoteError(f"{name!r} is not a cosignature/v1 key (type 0x04)")
    verifier = CosignatureVerifier(name, material[1:])
    check_key_id(name, expected_id, verifier.key_id)
    return verifier


class CosignatureSigner:
    """A witness's Ed25519 cosigning key; signs checkpoint bodies with the current time."""

    def __init__(
        self, name: str, private_key: Ed25519PrivateKey, *, clock: Callable[[], float] = time.time
    ) -> None:
        if not is_valid_name(name):
            raise NoteError(f"invalid cosigner name {name!r}")
        self.name = name
        self._key = private_key
        self._clock = clock
        self.public_key = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.key_id = key_id(name, COSIGNATURE_TYPE + self.public_key)

    @classmethod
    def generate(cls, name: str, *, clock: Callable[[], float] = time.time) -> CosignatureSigner:
        """A new random key."""
        return cls(name, Ed25519PrivateKey.generate(), clock=clock)

    @classmethod
    def from_skey(cls, skey: str, *, clock: Callable[[], float] = time.time) -> CosignatureSigner:
        """Load ``PRIVATE+KEY+name+hexkeyid+base64(0x04 || 32-byte seed)``."""
        name, expected_id, material = decode_skey(skey)
        if material[:1] != COSIGNATURE_TYPE or len(material) != 33:
            raise NoteError("signer key is not a cosignature key (0x04 and a 32-byte seed)")
        signer = cls(name, Ed25519PrivateKey.from_private_bytes(material[1:]), clock=clock)
        check_key_id(name, expected_id, signer.key_id)
        return signer

    @property
    def skey(self) -> str:
        """The secret encoding; keep it out of logs."""
        seed = self._key.private_bytes_raw()
        return encode_skey(self.name, self.key_id, COSIGNATURE_TYPE + seed)

    @property
    def vkey(self) -> str:
        """The public verifier key to publish."""
        return self.verifier().vkey

    def verifier(self) -> CosignatureVerifier:
        """The matching verifier."""
        return CosignatureVerifier(self.name, self.public_key)

    def sign(self, message: bytes) -> bytes:
        """``timestamp || Ed25519 signature`` over a checkpoint body; refuses other texts."""
        parse_checkpoint(message.decode("utf-8"))
        timestamp = int(self._clock())
        signed = cosigned_message(message, timestamp)
        return timestamp.to_bytes(8, "big") + self._key.sign(signed)


# --- The witness --------------------------------------------------------------------------


class WitnessError(ValueError):
    """The witness refuses to cosign; ``code`` names the reason for callers and HTTP."""

    code: ClassVar[str] = "witness"


class MalformedRequestError(WitnessError):
    code = "malformed"


class UnsignedCheckpointError(WitnessError):
    code = "unsigned"


class ConflictError(WitnessError):
    """The request's old size is not the size this witness last cosigned."""

    code = "conflict"

    def __init__(self, message: str, latest_size: int) -> None:
        super().__init__(message)
        self.latest_size = latest_size


class StaleCheckpointError(ConflictError):
    code = "stale"


class InconsistentCheckpointError(WitnessError):
    code = "inconsistent"


class WitnessStateError(WitnessError):
    code = "state"


class Witness:
    """Cosigns checkpoints that extend, by a consistency proof, the last one it cosigned.

    State: ``{"format": ..., "logs": {origin: {"size": n, "root_hash": base64}}}`` in
    ``state_path``, replaced atomically, checked and updated under one lock (tlog-witness
    warns that otherwise two requests can roll the state back).
    """

    def __init__(
        self, signer: CosignatureSigner, state_path: Path, *, hash_fn: HashFn = sha256
    ) -> None:
        self.signer = signer
        self.state_path = Path(state_path)
        self._hash_fn = hash_fn
        self._lock = threading.Lock()

    def latest(self, origin: str) -> Checkpoint | None:
        """The last checkpoint cosigned for ``origin``, if any."""
        with self._locked():
            entry = self._load().get(origin)
        return None if entry is None else Checkpoint(origin, *entry)

    def cosign(
        self, note_text: str, log_verifier: Verifier, consistency_proof: list[bytes], old_size: int
    ) -> str:
        """The witness's cosignature line(s) on the signed checkpoint ``note_text``.

        ``old_size`` is the size the caller believes this witness last cosigned (0 at
        first) and ``consistency_proof`` the RFC 6962 proof from it to the checkpoint.
        """
        checkpoint = _open_checkpoint(note_text, log_verifier)
        _check_request(checkpoint, consistency_proof, old_size)
        with self._locked():
            logs = self._load()
            size, root = logs.get(checkpoint.origin, (0, empty_root(hash_fn=self._hash_fn)))
            self._check_extends(checkpoint, size, root, consistency_proof, old_size)
            body = checkpoint.body().encode("utf-8")
            line = signature_line(self.signer.name, self.signer.key_id, self.signer.sign(body))
            logs[checkpoint.origin] = (checkpoint.size, checkpoint.root_hash)
            self._save(logs)
        return line

    def _check_extends(
        self, checkpoint: Checkpoint, size: int, root: bytes, proof: Sequence[bytes], old: int
    ) -> None:
        origin = checkpoint.origin
        if checkpoint.size < size:
            raise StaleCheckpointError(
                f"{origin}: checkpoint size {checkpoint.size} is smaller than size {size}, "
                "which this witness already cosigned",
                size,
            )
        if old > checkpoint.size:
            raise MalformedRequestError(f"old size {old} exceeds checkpoint size {checkpoint.size}")
        if old != size:
            raise ConflictError(f"{origin}: old size {old} is not the cosigned size {size}", size)
        if checkpoint.size == size and checkpoint.root_hash != root:
            raise ConflictError(f"{origin}: a different root for the cosigned size {size}", size)
        try:
            check_consistency(
                size, checkpoint.size, root, checkpoint.root_hash, proof, hash_fn=self._hash_fn
            )
        except ProofError as error:
            raise InconsistentCheckpointError(
                f"{origin}: not consistent with the cosigned size {size}: {error}"
            ) from None

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        lock_path = self.state_path.with_name(self.state_path.name + ".lock")
        with self._lock, open(lock_path, "a") as lock_file:
            if fcntl is not None:
                fcntl.flock(lock_file, fcntl.LOCK_EX)
            yield

    def _load(self) -> dict[str, tuple[int, bytes]]:
        try:
            raw = self.state_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        try:
            return _decode_state(json.loads(raw))
        except (ValueError, TypeError, KeyError) as error:
            # Never treat a damaged file as empty: that would let a log roll the witness back.
            raise WitnessStateError(f"{self.state_path}: unreadable state: {error}") from None

    def _save(self, logs: dict[str, tuple[int, bytes]]) -> None:
        encoded = {
            origin: {"size": size, "root_hash": base64.b64encode(root).decode("ascii")}
            for origin, (size, root) in sorted(logs.items())
        }
        data = json.dumps({"format": _STATE_FORMAT, "logs": encoded}, indent=2) + "\n"
        temporary = self.state_path.with_name(self.state_path.name + ".tmp")
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.state_path)


def _decode_state(state: Any) -> dict[str, tuple[int, bytes]]:
    if not isinstance(state, dict) or state.get("format") != _STATE_FORMAT:
        raise ValueError(f"not a {_STATE_FORMAT} document")
    logs: dict[str, tuple[int, bytes]] = {}
    for origin, entry in state["logs"].items():
        size, root = entry["size"], base64.b64decode(entry["root_hash"], validate=True)
        if not isinstance(size, int) or size < 0:
            raise ValueError(f"bad size for {origin}")
        logs[origin] = (size, root)
    return logs


def _open_checkpoint(note_text: str, log_verifier: Verifier) -> Checkpoint:
    try:
        opened = open_note(note_text, [log_verifier])
    except (InvalidSignatureError, UnverifiedNoteError) as error:
        raise UnsignedCheckpointError(
            f"not signed by the log key {log_verifier.name}: {error}"
        ) from None
    except NoteError as error:
        raise MalformedRequestError(f"malformed note: {error}") from None
    try:
        return parse_checkpoint(opened.text)
    except NoteError as error:
        raise MalformedRequestError(f"malformed checkpoint: {error}") from None


def _check_request(checkpoint: Checkpoint, proof: Sequence[bytes], old_size: int) -> None:
    if len(proof) > MAX_PROOF_HASHES:
        raise MalformedRequestError(f"{len(proof)} proof hashes; at most {MAX_PROOF_HASHES}")
    if old_size < 0:
        raise MalformedRequestError(f"old size {old_size} is negative")
