"""Offline verification of datadeed evidence receipts: no server, no database, no network.

A bank, a court or an auditor runs this with the log's public key pinned out of band. It
imports only the pure ledger modules (tree, note, checkpoint, witness), the standard
library, ``cryptography`` and ``rfc8785`` — never datadeed's settings, database or web
code — so it can be vendored on its own.

A ``datadeed-receipt/v1`` receipt is a JSON object::

    {"format": "datadeed-receipt/v1",
     "hash_algorithm": "sha256" | "sm3",        the Merkle tree's hash
     "entry": {...},                            leaf data = RFC 8785 canonical JSON of it
     "index": 5, "leaf_hash": hex, "tree_size": 9, "root_hash": hex,
     "inclusion_proof": [hex, ...],
     "checkpoint": "<signed note>",             C2SP checkpoint, log signature, cosignatures
     "log_public_keys": ["vkey", ...]}          informational only; never trusted from here

A ``datadeed-bundle/v1`` certificate bundle is a JSON object::

    {"format": "datadeed-bundle/v1",
     "number": "...",                           the certificate number, for people
     "certificate": {...},                      the certificate/v1 body as signed
     "signature": "<signed note>",              the platform's signature over it
     "receipt": {datadeed-receipt/v1},          its certificate/v1 ledger entry, inclusion
                                                proof and signed checkpoint
     "log_public_keys": ["vkey", ...]}          informational only; never trusted from here

It passes when the receipt verifies, the receipt's entry is exactly this certificate,
the signature over it verifies with a trusted key, and the certificate, as of its latest
entry, is neither cancelled, revoked nor past its validity. A bundle proves the state as
of its checkpoint; a later revocation shows only in a newer bundle or online.

``verify_receipt`` runs every check it can and reports each; ``first_failure`` names the
first that failed in one line. Other formats plug into ``FORMATS``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import rfc8785

from datadeed.ledger import tree
from datadeed.ledger.checkpoint import Checkpoint, parse_checkpoint
from datadeed.ledger.note import (
    InvalidSignatureError,
    NoteError,
    UnverifiedNoteError,
    Verifier,
    open_note,
    parse_vkey,
)
from datadeed.ledger.tree import ProofError
from datadeed.ledger.witness import CosignatureVerifier, parse_cosigner_vkey

__all__ = [
    "BUNDLE_V1",
    "CHUNK_SIZE",
    "FORMATS",
    "RECEIPT_V1",
    "Check",
    "TrustPolicy",
    "VerificationResult",
    "certificate_signing_text",
    "hash_file",
    "verify_receipt",
]

RECEIPT_V1 = "datadeed-receipt/v1"
BUNDLE_V1 = "datadeed-bundle/v1"
CERTIFICATE_KIND = "certificate/v1"
_CERTIFICATE_HEADER = "datadeed certificate/v1"
_LIVE_STATUSES = ("valid", "encumbered")
CHUNK_SIZE = 1 << 20
"""Files are hashed in 1 MiB reads, so evidence of any size fits in memory."""

_TREE_HASHES: dict[str, tree.HashFn] = {"sha256": tree.sha256, "sm3": tree.sm3}
_HEX_HASH = re.compile(r"[0-9a-fA-F]{64}")


@dataclass(frozen=True)
class Check:
    """One verification step: its name, whether it passed, and what was found."""

    name: str
    ok: bool
    detail: str

    def __str__(self) -> str:
        return f"{self.name}: {self.detail}"


@dataclass(frozen=True)
class VerificationResult:
    """Every check run on one receipt; ``ok`` only when there are checks and all pass."""

    format: str
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)

    @property
    def failures(self) -> tuple[Check, ...]:
        return tuple(check for check in self.checks if not check.ok)

    @property
    def first_failure(self) -> str | None:
        """``"name: detail"`` of the first failed check, or None when all passed."""
        failures = self.failures
        return str(failures[0]) if failures else None


@dataclass(frozen=True)
class TrustPolicy:
    """What the caller trusts: pinned log keys, witness keys and how many witnesses."""

    log_verifiers: tuple[Verifier, ...]
    witness_verifiers: tuple[CosignatureVerifier, ...] = ()
    min_witnesses: int = 0
    file_path: Path | None = None

    @classmethod
    def from_keys(
        cls,
        trusted_keys: Sequence[str],
        witness_keys: Sequence[str] = (),
        min_witnesses: int = 0,
        file_path: Path | None = None,
    ) -> TrustPolicy:
        """Parse vkeys; NoteError for a malformed key, since that is the caller's mistake."""
        if isinstance(trusted_keys, str) or isinstance(witness_keys, str):
            raise TypeError("trusted_keys and witness_keys are sequences of vkeys, not one str")
        if min_witnesses < 0:
            raise ValueError(f"min_witnesses is {min_witnesses}; it cannot be negative")
        return cls(
            log_verifiers=tuple(parse_vkey(key) for key in trusted_keys),
            witness_verifiers=tuple(parse_cosigner_vkey(key) for key in witness_keys),
            min_witnesses=min_witnesses,
            file_path=None if file_path is None else Path(file_path),
        )


FormatVerifier = Callable[[Mapping[str, Any], TrustPolicy], list[Check]]


def verify_receipt(
    receipt: Mapping[str, Any],
    *,
    trusted_keys: Sequence[str],
    witness_keys: Sequence[str] = (),
    min_witnesses: int = 0,
    file_path: Path | None = None,
) -> VerificationResult:
    """Verify an evidence receipt against pinned keys (vkeys), and optionally a file."""
    policy = TrustPolicy.from_keys(trusted_keys, witness_keys, min_witnesses, file_path)
    name = receipt.get("format") if isinstance(receipt, Mapping) else None
    verify = FORMATS.get(name) if isinstance(name, str) else None
    if verify is None:
        known = ", ".join(sorted(FORMATS))
        detail = f"unknown receipt format {name!r}; this verifier reads {known}"
        return VerificationResult(str(name), (Check("format", False, detail),))
    assert isinstance(name, str)
    return VerificationResult(name, (Check("format", True, name), *verify(receipt, policy)))


# --- datadeed-receipt/v1 ------------------------------------------------------------------


class _FieldError(ValueError):
    pass


@dataclass(frozen=True)
class _ReceiptV1:
    hash_fn: tree.HashFn
    entry: Mapping[str, Any]
    index: int
    leaf_hash: bytes
    tree_size: int
    root_hash: bytes
    inclusion_proof: tuple[bytes, ...]
    checkpoint: str


def _field(receipt: Mapping[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    if key not in receipt:
        raise _FieldError(f"the receipt has no {key!r}")
    value = receipt[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise _FieldError(f"{key!r} has the wrong type {type(value).__name__}")
    return value


def _hex_hash(value: Any, what: str) -> bytes:
    if not isinstance(value, str) or not _HEX_HASH.fullmatch(value):
        raise _FieldError(f"{what} is not 64 hexadecimal digits")
    return bytes.fromhex(value)


def _tree_hash(receipt: Mapping[str, Any]) -> tree.HashFn:
    name = _field(receipt, "hash_algorithm", str)
    hash_fn = _TREE_HASHES.get(name)
    if hash_fn is None:
        raise _FieldError(f"hash_algorithm {name!r} is not one of {', '.join(_TREE_HASHES)}")
    try:
        hash_fn(b"")
    except ValueError:
        raise _FieldError(f"{name} is not available in this Python's OpenSSL") from None
    return hash_fn


def _parse_receipt_v1(receipt: Mapping[str, Any]) -> _ReceiptV1:
    hash_fn = _tree_hash(receipt)
    index, size = _field(receipt, "index", int), _field(receipt, "tree_size", int)
    if index < 0 or size < 0:
        raise _FieldError("index and tree_size cannot be negative")
    proof = _field(receipt, "inclusion_proof", list)
    return _ReceiptV1(
        hash_fn=hash_fn,
        entry=_field(receipt, "entry", dict),
        index=index,
        leaf_hash=_hex_hash(receipt.get("leaf_hash"), "leaf_hash"),
        tree_size=size,
        root_hash=_hex_hash(receipt.get("root_hash"), "root_hash"),
        inclusion_proof=tuple(_hex_hash(h, f"inclusion_proof[{i}]") for i, h in enumerate(proof)),
        checkpoint=_field(receipt, "checkpoint", str),
    )


def _check_signature(note: str, policy: TrustPolicy) -> tuple[Check, str | None]:
    if not policy.log_verifiers:
        detail = "no trusted log key was given (the receipt's own keys are not trusted)"
        return Check("signature", False, detail), None
    try:
        opened = open_note(note, policy.log_verifiers)
    except UnverifiedNoteError:
        return Check("signature", False, "checkpoint is not signed by any trusted key"), None
    except InvalidSignatureError as error:
        detail = f"checkpoint was altered: trusted key {error.name}'s signature does not verify"
        return Check("signature", False, detail), None
    except NoteError as error:
        return Check("signature", False, f"checkpoint is not a well-formed note: {error}"), None
    return Check("signature", True, f"signed by {', '.join(opened.verified)}"), opened.text


def _check_checkpoint(text: str | None, receipt: _ReceiptV1) -> tuple[Check, Checkpoint | None]:
    if text is None:
        return Check("checkpoint", False, "not read, as its signature did not verify"), None
    try:
        checkpoint = parse_checkpoint(text)
    except NoteError as error:
        return Check("checkpoint", False, str(error)), None
    if checkpoint.size != receipt.tree_size:
        detail = f"size {checkpoint.size} differs from the receipt's tree_size {receipt.tree_size}"
        return Check("checkpoint", False, detail), checkpoint
    if checkpoint.root_hash != receipt.root_hash:
        return Check("checkpoint", False, "root differs from the receipt's root_hash"), checkpoint
    detail = f"{checkpoint.origin} at size {checkpoint.size}"
    return Check("checkpoint", True, detail), checkpoint


def _check_leaf(receipt: _ReceiptV1) -> Check:
    try:
        data = rfc8785.dumps(receipt.entry)
    except (TypeError, ValueError) as error:  # rfc8785.CanonicalizationError is a ValueError
        return Check("leaf", False, f"entry has no canonical JSON form: {error}")
    if tree.leaf_hash(data, hash_fn=receipt.hash_fn) != receipt.leaf_hash:
        return Check("leaf", False, "entry does not hash to leaf_hash")
    return Check("leaf", True, "entry hashes to leaf_hash")


def _check_inclusion(receipt: _ReceiptV1, checkpoint: Checkpoint | None) -> Check:
    size, root = receipt.tree_size, receipt.root_hash
    whose = "the receipt's root_hash"
    if checkpoint is not None:
        size, root, whose = checkpoint.size, checkpoint.root_hash, "the checkpoint's root"
    try:
        computed = tree.root_from_inclusion_proof(
            receipt.index, size, receipt.leaf_hash, receipt.inclusion_proof, hash_fn=receipt.hash_fn
        )
    except ProofError as error:
        return Check("inclusion", False, f"proof is malformed: {error}")
    if computed != root:
        return Check("inclusion", False, f"proof does not lead to {whose}")
    return Check("inclusion", True, f"leaf {receipt.index} is in the tree of size {size}")


def _check_witnesses(note: str, policy: TrustPolicy) -> Check:
    required = policy.min_witnesses
    try:
        names = set(open_note(note, policy.witness_verifiers).verified)
    except UnverifiedNoteError:
        names = set()
    except InvalidSignatureError as error:
        return Check("witnesses", False, f"the cosignature of {error.name} does not verify")
    except NoteError as error:
        return Check("witnesses", False, f"checkpoint is not a well-formed note: {error}")
    detail = f"{len(names)} of {required} required cosignatures"
    if len(names) < required:
        return Check("witnesses", False, detail)
    return Check("witnesses", True, f"{detail}: {', '.join(sorted(names)) or 'none'}")


def hash_file(path: Path, algorithm: str) -> str:
    """Hex digest of a file, read in ``CHUNK_SIZE`` pieces; ValueError for unknown algorithms."""
    digest = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK_SIZE):
            digest.update(chunk)
    return digest.hexdigest()


def _check_file(entry: Mapping[str, Any], path: Path) -> Check:
    # Ledger entries are {"kind": ..., "body": {...}}; the digest sits in the body.
    body = entry.get("body")
    fields = body if isinstance(body, Mapping) else entry
    algorithm, expected = fields.get("algo"), fields.get("digest")
    if algorithm not in ("sha256", "sm3") or not isinstance(expected, str):
        return Check("file", False, "the entry has no algo (sha256 or sm3) and digest to compare")
    assert isinstance(algorithm, str)
    try:
        actual = hash_file(path, algorithm)
    except OSError as error:
        return Check("file", False, f"cannot read {path}: {error.strerror or error}")
    except ValueError:
        return Check("file", False, f"{algorithm} is not available in this Python's OpenSSL")
    if actual != expected.lower():
        return Check("file", False, f"{algorithm} of file differs from the entry's digest")
    return Check("file", True, f"{algorithm} of {path.name} matches the entry's digest")


def _verify_receipt_v1(raw: Mapping[str, Any], policy: TrustPolicy) -> list[Check]:
    try:
        receipt = _parse_receipt_v1(raw)
    except _FieldError as error:
        return [Check("fields", False, str(error))]
    signature, text = _check_signature(receipt.checkpoint, policy)
    checkpoint_check, checkpoint = _check_checkpoint(text, receipt)
    checks = [Check("fields", True, "all present and well typed"), signature, checkpoint_check]
    checks += [_check_leaf(receipt), _check_inclusion(receipt, checkpoint)]
    if policy.min_witnesses or policy.witness_verifiers:
        checks.append(_check_witnesses(receipt.checkpoint, policy))
    if policy.file_path is not None:
        checks.append(_check_file(receipt.entry, policy.file_path))
    return checks


# --- datadeed-bundle/v1 -------------------------------------------------------------------


def certificate_signing_text(certificate: Mapping[str, Any]) -> str:
    """The note text the platform signs for a certificate: a header line and its canonical
    JSON on one line (JCS escapes every control character, so it stays one line)."""
    return f"{_CERTIFICATE_HEADER}\n{rfc8785.dumps(dict(certificate)).decode('utf-8')}\n"


def _check_certificate_signature(
    note: str, certificate: Mapping[str, Any], policy: TrustPolicy
) -> Check:
    name = "certificate_signature"
    if not policy.log_verifiers:
        return Check(name, False, "no trusted key was given to check the platform's signature")
    try:
        opened = open_note(note, policy.log_verifiers)
    except UnverifiedNoteError:
        return Check(name, False, "the certificate is not signed by any trusted key")
    except InvalidSignatureError:
        return Check(name, False, "the signature does not verify: the signed text was altered")
    except NoteError as error:
        return Check(name, False, f"the signature is not a well-formed note: {error}")
    try:
        expected = certificate_signing_text(certificate)
    except (TypeError, ValueError) as error:
        return Check(name, False, f"the certificate has no canonical JSON form: {error}")
    if opened.text != expected:
        return Check(name, False, "the signature is over a different certificate")
    return Check(name, True, f"signed by {', '.join(opened.verified)}")


def _check_entry(receipt: Mapping[str, Any], certificate: Mapping[str, Any]) -> Check:
    if receipt.get("entry") != {"kind": CERTIFICATE_KIND, "body": certificate}:
        return Check("entry", False, "the ledger entry is not this certificate")
    return Check("entry", True, f"the ledger entry is this {CERTIFICATE_KIND}")


def _check_status(certificate: Mapping[str, Any], today: dt.date) -> Check:
    status, valid_to = certificate.get("status"), certificate.get("valid_to")
    number = certificate.get("number")
    if status not in _LIVE_STATUSES:
        return Check("status", False, f"certificate {number} is {status}")
    try:
        last_day = dt.date.fromisoformat(str(valid_to))
    except ValueError:
        return Check("status", False, f"valid_to {valid_to!r} is not a date")
    if today > last_day:
        return Check("status", False, f"certificate {number} expired after {last_day}")
    return Check("status", True, f"{status} until {last_day}")


def _verify_bundle_v1(raw: Mapping[str, Any], policy: TrustPolicy) -> list[Check]:
    try:
        certificate = _field(raw, "certificate", dict)
        signature = _field(raw, "signature", str)
        receipt = _field(raw, "receipt", dict)
    except _FieldError as error:
        return [Check("fields", False, str(error).replace("receipt has", "bundle has"))]
    if receipt.get("format") != RECEIPT_V1:
        return [Check("fields", False, f"the bundle's receipt is not {RECEIPT_V1}")]
    checks = _verify_receipt_v1(receipt, replace(policy, file_path=None))
    checks.append(_check_entry(receipt, certificate))
    checks.append(_check_certificate_signature(signature, certificate, policy))
    checks.append(_check_status(certificate, dt.datetime.now(dt.UTC).date()))
    if policy.file_path is not None:
        checks.append(_check_registered_file(certificate, policy.file_path))
    return checks


def _check_registered_file(certificate: Mapping[str, Any], path: Path) -> Check:
    """The file is the data the certificate was registered over (its SHA-256)."""
    obj = certificate.get("object")
    fingerprint = obj.get("fingerprint") if isinstance(obj, Mapping) else None
    expected = fingerprint.get("sha256") if isinstance(fingerprint, Mapping) else None
    if not isinstance(expected, str):
        return Check("file", False, "the certificate names no sha256 of the registered data")
    return _check_file({"algo": "sha256", "digest": expected}, path)


FORMATS: dict[str, FormatVerifier] = {
    RECEIPT_V1: _verify_receipt_v1,
    BUNDLE_V1: _verify_bundle_v1,
}
"""Receipt format name -> verifier; a bundle format registers its own function here."""
