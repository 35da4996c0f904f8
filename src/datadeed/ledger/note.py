"""C2SP signed notes (https://c2sp.org/signed-note): keys, signing and offline verification.

A signed note is a text ending in a newline, a blank line, then one signature line per key::

    <text, one or more lines>\\n
    \\n
    — <key name> base64(4-byte key id || signature)\\n

The key id is ``SHA-256(name || 0x0A || signature type || public key)[:4]``. Verifier keys
(*vkeys*) are ``name+hexkeyid+base64(signature type || public key)`` and signer keys
(*skeys*) ``PRIVATE+KEY+name+hexkeyid+base64(signature type || private key)``, as in Go's
``golang.org/x/mod/sumdb/note``, whose test vectors this module reproduces byte for byte.
Signature types:

* ``0x01`` Ed25519 over the note text (the signed-note spec).
* ``0xff || "datadeed/sm2-sm3/v1\\n"`` SM2 (GB/T 32918) with SM3 and the default user id
  ``1234567812345678``, over the note text; signature ``r || s``, 32 bytes each; public key
  the 65-byte uncompressed point. The spec reserves 0xff, followed by a longer identifier,
  for types it has not assigned (see docs/decisions/0002-sm2-implementation.md).
* ``0x04`` witness cosignatures live in ``datadeed.ledger.witness``.

This module imports nothing from datadeed, so third parties can verify notes offline.

Errors::

    NoteError (ValueError)       a malformed note, key, name or signature line
    ├── InvalidSignatureError    a signature from a known key does not verify: tampering
    └── UnverifiedNoteError      no signature from any of the given keys is present
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

__all__ = [
    "ED25519_TYPE",
    "MAX_SIGNATURES",
    "SM2_DEFAULT_USER_ID",
    "SM2_TYPE",
    "Ed25519Signer",
    "Ed25519Verifier",
    "InvalidSignatureError",
    "NoteError",
    "OpenedNote",
    "SM2Signer",
    "SM2Verifier",
    "Signer",
    "UnverifiedNoteError",
    "Verifier",
    "b64decode",
    "check_key_id",
    "decode_skey",
    "decode_vkey",
    "encode_skey",
    "encode_vkey",
    "is_valid_name",
    "key_id",
    "open_note",
    "parse_skey",
    "parse_vkey",
    "sign_note",
    "signature_line",
]

ED25519_TYPE = b"\x01"
SM2_TYPE = b"\xffdatadeed/sm2-sm3/v1\n"
SM2_DEFAULT_USER_ID = b"1234567812345678"
MAX_SIGNATURES = 100
"""More signature lines than this make a note malformed (the spec requires at least 16)."""

_COSIGNATURE_TYPE = b"\x04"
_SIGNATURE_PREFIX = "— "
_HEX_KEY_ID = re.compile(r"[0-9a-fA-F]{8}")
_SM2_ORDER = 0xFFFFFFFE_FFFFFFFF_FFFFFFFF_FFFFFFFF_7203DF6B_21C6052B_53BBF409_39D54123


class NoteError(ValueError):
    """A malformed note, key, key name or signature line; the message says which."""


class InvalidSignatureError(NoteError):
    """A signature line from a known key (``name`` and ``key_id``) does not verify."""

    def __init__(self, name: str, key_id: bytes) -> None:
        super().__init__(
            f"the signature of {name}+{key_id.hex()} does not verify: "
            "the note was altered or the signature corrupted"
        )
        self.name = name
        self.key_id = key_id


class UnverifiedNoteError(NoteError):
    """The note is well formed but none of the given keys signed it."""


class Verifier(Protocol):
    """A public key that checks signatures of one signature type."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> bytes: ...

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` (without the key id) signs ``message``."""
        ...


class Signer(Protocol):
    """A private key that signs note texts."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> bytes: ...

    def sign(self, message: bytes) -> bytes:
        """The signature of ``message``, without the key id."""
        ...


# --- Names, key ids and key encodings -----------------------------------------------------


def is_valid_name(name: str) -> bool:
    """Key names are non-empty, with no spaces, no ``+`` and no control characters."""
    return bool(name) and "+" not in name and not any(c.isspace() or c < " " for c in name)


def key_id(name: str, key_material: bytes) -> bytes:
    """``SHA-256(name || 0x0A || key_material)[:4]``; ``key_material`` = type || public key."""
    return hashlib.sha256(name.encode() + b"\n" + key_material).digest()[:4]


def b64decode(text: str, what: str) -> bytes:
    """Strict standard base64 (RFC 4648 §4); NoteError naming ``what`` otherwise."""
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise NoteError(f"{what} is not valid base64") from None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def encode_vkey(name: str, key_material: bytes) -> str:
    """``name+hexkeyid+base64(key_material)``."""
    return f"{name}+{key_id(name, key_material).hex()}+{_b64(key_material)}"


def encode_skey(name: str, key_id_: bytes, private_material: bytes) -> str:
    """``PRIVATE+KEY+name+hexkeyid+base64(type || private key)``; the id is the public key's."""
    return f"PRIVATE+KEY+{name}+{key_id_.hex()}+{_b64(private_material)}"


def _decode_key(parts: list[str], what: str) -> tuple[str, bytes, bytes]:
    if len(parts) != 3:
        raise NoteError(f"{what} does not have the form name+keyid+base64")
    name, hex_id, material64 = parts
    if not is_valid_name(name):
        raise NoteError(f"{what} has an invalid key name {name!r}")
    if not _HEX_KEY_ID.fullmatch(hex_id):
        raise NoteError(f"{what} key id {hex_id!r} is not 8 hexadecimal digits")
    material = b64decode(material64, f"{what} key")
    if not material:
        raise NoteError(f"{what} has no key material")
    return name, bytes.fromhex(hex_id), material


def decode_vkey(vkey: str) -> tuple[str, bytes, bytes]:
    """Split a vkey into (name, key id, type || public key); checks syntax only."""
    return _decode_key(vkey.split("+", 2), "verifier key")


def decode_skey(skey: str) -> tuple[str, bytes, bytes]:
    """Split an skey into (name, key id, type || private key); checks syntax only."""
    parts = skey.split("+", 4)
    if parts[:2] != ["PRIVATE", "KEY"]:
        raise NoteError("signer key does not start with PRIVATE+KEY+")
    return _decode_key(parts[2:], "signer key")


def check_key_id(name: str, expected: bytes, actual: bytes) -> None:
    """NoteError unless a key's encoded id is the one its name and key hash to."""
    if expected != actual:
        raise NoteError(f"key id {expected.hex()} of {name!r} does not match its key")


def _check_name(name: str) -> None:
    if not is_valid_name(name):
        raise NoteError(f"invalid key name {name!r}: empty, or has a space, '+' or control")


# --- Ed25519 (type 0x01) ------------------------------------------------------------------


class Ed25519Verifier:
    """An Ed25519 note verifier key (signature type 0x01)."""

    def __init__(self, name: str, public_key: bytes) -> None:
        _check_name(name)
        if len(public_key) != 32:
            raise NoteError(f"an Ed25519 public key is 32 bytes, not {len(public_key)}")
        self._key = Ed25519PublicKey.from_public_bytes(public_key)
        self.name = name
        self.public_key = public_key
        self.key_id = key_id(name, ED25519_TYPE + public_key)

    @property
    def vkey(self) -> str:
        """``name+hexkeyid+base64(0x01 || public key)``."""
        return encode_vkey(self.name, ED25519_TYPE + self.public_key)

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` is this key's Ed25519 signature of ``message``."""
        try:
            self._key.verify(signature, message)
        except InvalidSignature:
            return False
        return True


class Ed25519Signer:
    """An Ed25519 note signer key (signature type 0x01)."""

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        _check_name(name)
        self.name = name
        self._key = private_key
        self.public_key = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.key_id = key_id(name, ED25519_TYPE + self.public_key)

    @classmethod
    def generate(cls, name: str) -> Ed25519Signer:
        """A new random key."""
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def from_skey(cls, skey: str) -> Ed25519Signer:
        """Load ``PRIVATE+KEY+name+hexkeyid+base64(0x01 || 32-byte seed)``."""
        name, expected_id, material = decode_skey(skey)
        if material[:1] != ED25519_TYPE or len(material) != 33:
            raise NoteError("signer key is not an Ed25519 key (0x01 and a 32-byte seed)")
        signer = cls(name, Ed25519PrivateKey.from_private_bytes(material[1:]))
        check_key_id(name, expected_id, signer.key_id)
        return signer

    @property
    def skey(self) -> str:
        """The secret encoding; keep it out of logs."""
        seed = self._key.private_bytes_raw()
        return encode_skey(self.name, self.key_id, ED25519_TYPE + seed)

    @property
    def vkey(self) -> str:
        """The public verifier key to hand to verifiers."""
        return self.verifier().vkey

    def verifier(self) -> Ed25519Verifier:
        """The matching verifier."""
        return Ed25519Verifier(self.name, self.public_key)

    def sign(self, message: bytes) -> bytes:
        """The 64-byte Ed25519 signature of ``message``."""
        return self._key.sign(message)


# --- SM2 with SM3 (type 0xff || "datadeed/sm2-sm3/v1\n") ---------------------------------


def _sm2(private_key: bytes | None = None, public_key: bytes | None = None) -> Any:
    """A gmalg SM2 context (gmalg ships no type hints)."""
    # Imported here so that Ed25519-only verifiers need not install gmalg.
    import gmalg  # type: ignore[import-untyped]

    return gmalg.SM2(private_key, SM2_DEFAULT_USER_ID, public_key)


def _check_sm2_public_key(public_key: bytes) -> None:
    if len(public_key) != 65 or public_key[0] != 0x04:
        raise NoteError("an SM2 public key is 65 bytes: 0x04, then x and y")
    if not _sm2().verify_pk(public_key):
        raise NoteError("the SM2 public key is not a point of the SM2 curve group")


class SM2Verifier:
    """An SM2-with-SM3 note verifier key (type ``SM2_TYPE``), user id ``1234567812345678``."""

    def __init__(self, name: str, public_key: bytes) -> None:
        _check_name(name)
        _check_sm2_public_key(public_key)
        self.name = name
        self.public_key = public_key
        self.key_id = key_id(name, SM2_TYPE + public_key)
        self._sm2 = _sm2(public_key=public_key)

    @property
    def vkey(self) -> str:
        """``name+hexkeyid+base64(SM2_TYPE || 65-byte public key)``."""
        return encode_vkey(self.name, SM2_TYPE + self.public_key)

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` (``r || s``) is this key's SM2 signature of ``message``."""
        if len(signature) != 64:
            return False
        r, s = signature[:32], signature[32:]
        # Range checks here too: only canonical (r, s) count, so signatures are not malleable.
        if not all(0 < int.from_bytes(v, "big") < _SM2_ORDER for v in (r, s)):
            return False
        return bool(self._sm2.verify(message, r, s))


class SM2Signer:
    """An SM2-with-SM3 note signer key; nonces come from ``secrets`` (inside gmalg)."""

    def __init__(self, name: str, private_key: bytes) -> None:
        _check_name(name)
        if len(private_key) != 32 or not 0 < int.from_bytes(private_key, "big") < _SM2_ORDER - 1:
            raise NoteError("an SM2 private key is 32 bytes, in [1, n-2]")
        self.name = name
        self._private_key = private_key
        self._sm2 = _sm2(private_key=private_key)
        self.public_key: bytes = self._sm2.generate_pk(private_key)
        self.key_id = key_id(name, SM2_TYPE + self.public_key)

    @classmethod
    def generate(cls, name: str) -> SM2Signer:
        """A new random key."""
        secret = secrets.randbelow(_SM2_ORDER - 2) + 1
        return cls(name, secret.to_bytes(32, "big"))

    @classmethod
    def from_skey(cls, skey: str) -> SM2Signer:
        """Load ``PRIVATE+KEY+name+hexkeyid+base64(SM2_TYPE || 32-byte private key)``."""
        name, expected_id, material = decode_skey(skey)
        if not material.startswith(SM2_TYPE) or len(material) != len(SM2_TYPE) + 32:
            raise NoteError("signer key is not an SM2 key (SM2_TYPE and 32 bytes)")
        signer = cls(name, material[len(SM2_TYPE) :])
        check_key_id(name, expected_id, signer.key_id)
        return signer

    @property
    def skey(self) -> str:
        """The secret encoding; keep it out of logs."""
        return encode_skey(self.name, self.key_id, SM2_TYPE + self._private_key)

    @property
    def vkey(self) -> str:
        """The public verifier key to hand to verifiers."""
        return encode_vkey(self.name, SM2_TYPE + self.public_key)

    def verifier(self) -> SM2Verifier:
        """The matching verifier."""
        return SM2Verifier(self.name, self.public_key)

    def sign(self, message: bytes) -> bytes:
        """``r || s``, 32 bytes each, over ``SM3(Z_A || message)``."""
        r, s = self._sm2.sign(message)
        return bytes(r).rjust(32, b"\0") + bytes(s).rjust(32, b"\0")


# --- Parsing keys -------------------------------------------------------------------------


def parse_vkey(vkey: str) -> Verifier:
    """The verifier for a vkey, by its signature type; NoteError if unknown or inconsistent."""
    name, expected_id, material = decode_vkey(vkey)
    verifier: Ed25519Verifier | SM2Verifier
    if material[:1] == ED25519_TYPE:
        verifier = Ed25519Verifier(name, material[1:])
    elif material.startswith(SM2_TYPE):
        verifier = SM2Verifier(name, material[len(SM2_TYPE) :])
    elif material[:1] == _COSIGNATURE_TYPE:
        raise NoteError(
            f"{name!r} is a witness cosignature key (type 0x04); "
            "parse it with datadeed.ledger.witness.parse_cosigner_vkey"
        )
    else:
        raise NoteError(f"verifier key {name!r} has unknown signature type 0x{material[0]:02x}")
    check_key_id(name, expected_id, verifier.key_id)
    return verifier


def parse_skey(skey: str) -> Ed25519Signer | SM2Signer:
    """The signer for an skey, by its signature type."""
    _, _, material = decode_skey(skey)
    if material.startswith(SM2_TYPE):
        return SM2Signer.from_skey(skey)
    return Ed25519Signer.from_skey(skey)


# --- Signing and opening notes ------------------------------------------------------------


def _check_characters(text: str, what: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise NoteError(f"{what} is not valid UTF-8") from None
    bad = next((c for c in text if c < " " and c != "\n"), None)
    if bad is not None:
        raise NoteError(f"{what} contains the control character U+{ord(bad):04X}")


def signature_line(name: str, key_id_: bytes, signature: bytes) -> str:
    """``— name base64(key id || signature)\\n``."""
    _check_name(name)
    if len(key_id_) != 4:
        raise NoteError(f"a key id is 4 bytes, not {len(key_id_)}")
    return f"{_SIGNATURE_PREFIX}{name} {_b64(key_id_ + signature)}\n"


def sign_note(text: str, signers: Sequence[Signer]) -> str:
    """``text``, a blank line and one signature line per signer."""
    if not text.endswith("\n"):
        raise NoteError("a note text must end with a newline")
    if not signers:
        raise NoteError("a signed note needs at least one signer")
    _check_characters(text, "the note text")
    message = text.encode("utf-8")
    lines = [signature_line(s.name, s.key_id, s.sign(message)) for s in signers]
    return text + "\n" + "".join(lines)


@dataclass(frozen=True)
class OpenedNote:
    """A note whose signatures from the given keys all verified."""

    text: str
    verified: tuple[str, ...]
    """Names of the given keys whose signatures verified, in note order, each once."""
    unknown: int
    """Distinct signature lines from keys that were not given (ignored, as the spec says)."""


@dataclass(frozen=True)
class _SignatureLine:
    name: str
    key_id: bytes
    signature: bytes
    line: str


def _split_note(note: str) -> tuple[str, list[str]]:
    _check_characters(note, "the note")
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError("no blank line separates the note text from its signatures")
    text, block = note[: split + 1], note[split + 2 :]
    if not block or not block.endswith("\n"):
        raise NoteError("the signature block is empty or does not end with a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"the note has more than {MAX_SIGNATURES} signature lines")
    return text, lines


def _parse_signature_line(line: str) -> _SignatureLine:
    if not line.startswith(_SIGNATURE_PREFIX):
        raise NoteError(f"signature line {line[:40]!r} does not start with '— '")
    name, _, encoded = line[len(_SIGNATURE_PREFIX) :].partition(" ")
    if not is_valid_name(name):
        raise NoteError(f"signature line has an invalid key name {name!r}")
    raw = b64decode(encoded, f"the signature of {name!r}")
    if len(raw) < 5:
        raise NoteError(f"the signature of {name!r} is shorter than a key id and one byte")
    return _SignatureLine(name, raw[:4], raw[4:], line)


def _index_verifiers(verifiers: Sequence[Verifier]) -> dict[tuple[str, bytes], list[Verifier]]:
    known: dict[tuple[str, bytes], list[Verifier]] = {}
    for verifier in verifiers:
        known.setdefault((verifier.name, bytes(verifier.key_id)), []).append(verifier)
    return known


def open_note(note: str, verifiers: Sequence[Verifier]) -> OpenedNote:
    """Check ``note``'s signatures from ``verifiers``; the text is only trustworthy if this
    returns. Signatures from other keys are ignored. Raises NoteError when malformed,
    InvalidSignatureError when a known key's signature fails (the note was altered), and
    UnverifiedNoteError when none of the given keys signed it."""
    text, lines = _split_note(note)
    message = text.encode("utf-8")
    known = _index_verifiers(verifiers)
    verified: dict[tuple[str, bytes], str] = {}
    seen: set[str] = set()
    unknown = 0
    for sig in map(_parse_signature_line, lines):
        if sig.line in seen:
            continue
        seen.add(sig.line)
        candidates = known.get((sig.name, sig.key_id))
        if candidates is None:
            unknown += 1
            continue
        if len(candidates) > 1:
            raise NoteError(f"ambiguous key {sig.name}+{sig.key_id.hex()}: given twice")
        # Every line from a known key must verify, not just the first: a second, altered
        # line is as much tampering as the first one.
        if not candidates[0].verify(message, sig.signature):
            raise InvalidSignatureError(sig.name, sig.key_id)
        verified.setdefault((sig.name, sig.key_id), sig.name)
    if not verified:
        raise UnverifiedNoteError("the note has no signature from any of the given keys")
    return OpenedNote(text=text, verified=tuple(verified.values()), unknown=unknown)
