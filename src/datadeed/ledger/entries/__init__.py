"""Typed, versioned ledger entries and their one canonical byte encoding.

Every entry appended to the log is a JSON document ``{"kind": "<name>/v<N>", "body": {…}}``
encoded with RFC 8785 (JCS); those bytes are the Merkle leaf data, so they are a contract
with every verifier holding an old receipt. As in Rekor, each kind has one JSON Schema
(draft 2020-12) per version, ``schemas/<name>.v<N>.json``, and a published version never
changes: a change is a new version, and old entries keep verifying against the old one.
``tests/unit/ledger/test_entries.py`` pins the schema files' hashes to enforce that.

Rules every kind follows:

* closed objects (``additionalProperties: false``), lowercase hex, RFC 3339 UTC times;
* numbers are integers within ±(2^53 − 1) — JCS cannot carry other numbers exactly, and
  money travels as decimal strings;
* an encoded entry fits a tlog-tiles entry bundle: at most ``MAX_ENTRY_BYTES``.

Errors are :class:`InvalidEntry` (``invalid_entry``), carrying the kind, a JSON Pointer
into the entry document (``/body/submitter/uscc``) and the reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from types import MappingProxyType
from typing import Any, NoReturn

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.protocols import Validator

from datadeed.canonical import canonical_json
from datadeed.errors import InvalidInput
from datadeed.ledger.entries.formats import ENTRY_FORMATS, EntryValidator

__all__ = [
    "KINDS",
    "MAX_ENTRY_BYTES",
    "EntryKind",
    "InvalidEntry",
    "decode_entry",
    "encode_entry",
    "entry_document",
    "latest_kind",
    "validate_entry",
]

MAX_ENTRY_BYTES = 0xFFFF
"""Largest encoded entry: tlog-tiles bundles store each entry behind a uint16 length."""

_SAFE_INTEGER = 2**53 - 1
_SCHEMA_FILE = re.compile(
    r"(?P<name>[a-z][a-z0-9]*(?:-[a-z0-9]+)*)\.v(?P<version>[1-9][0-9]*)\.json"
)


class InvalidEntry(InvalidInput):
    """A ledger entry that does not match its kind's schema or is not canonical.

    ``path`` is a JSON Pointer into the entry document (``""`` for the whole document),
    ``kind`` is ``None`` when the document does not name a known kind.
    """

    code = "invalid_entry"
    status = 422
    title = "Invalid ledger entry"

    def __init__(self, kind: str | None, path: str, reason: str) -> None:
        where = f" at {path}" if path else ""
        super().__init__(
            f"invalid {kind or 'ledger'} entry{where}: {reason}",
            kind=kind,
            path=path,
            reason=reason,
        )
        self.kind = kind
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class EntryKind:
    """One published version of one kind of entry."""

    name: str
    version: int
    schema: Mapping[str, Any] = field(repr=False)
    description: str

    @property
    def kind(self) -> str:
        """What the entry's ``kind`` member says: ``"<name>/v<version>"``."""
        return f"{self.name}/v{self.version}"

    @property
    def schema_file(self) -> str:
        """The schema's file name under ``schemas/``."""
        return f"{self.name}.v{self.version}.json"


def _load_kinds() -> dict[str, EntryKind]:
    kinds: dict[str, EntryKind] = {}
    folder = resources.files(__name__).joinpath("schemas")
    for resource in sorted(folder.iterdir(), key=lambda r: r.name):
        match = _SCHEMA_FILE.fullmatch(resource.name)
        if match is None:
            continue
        schema = json.loads(resource.read_bytes())
        kind = EntryKind(
            name=match["name"],
            version=int(match["version"]),
            schema=MappingProxyType(schema),
            description=schema["description"],
        )
        kinds[kind.kind] = kind
    return kinds


KINDS: Mapping[str, EntryKind] = MappingProxyType(_load_kinds())
"""Every published entry kind, by ``"<name>/v<N>"``."""

_VALIDATORS: dict[str, Validator] = {
    kind: EntryValidator(dict(entry_kind.schema), format_checker=ENTRY_FORMATS)
    for kind, entry_kind in KINDS.items()
}


def latest_kind(name: str) -> EntryKind:
    """The newest version of the kind ``name``, which is what new entries should use."""
    versions = [k for k in KINDS.values() if k.name == name]
    if not versions:
        raise InvalidEntry(None, "/kind", f"no entry kind is called {name!r}")
    return max(versions, key=lambda k: k.version)


# --- Validation --------------------------------------------------------------------------


def _pointer(parts: Any) -> str:
    """RFC 6901 JSON Pointer of a path given as keys and indices."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _reject(kind: str | None, parts: Any, reason: str) -> NoReturn:
    raise InvalidEntry(kind, _pointer(parts), reason)


def _check_json_values(kind: str, value: Any, parts: tuple[Any, ...]) -> None:
    """Refuse what JSON Schema would let through but JCS cannot encode exactly."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                _reject(kind, parts, f"member name {key!r} is not a string")
            _check_json_values(kind, item, (*parts, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_json_values(kind, item, (*parts, index))
    elif isinstance(value, bool) or value is None or isinstance(value, str):
        return
    elif isinstance(value, int):
        if abs(value) > _SAFE_INTEGER:
            _reject(kind, parts, f"{value} is outside ±(2^53 - 1)")
    elif isinstance(value, float):
        _reject(kind, parts, f"{value!r} is not an integer; ledger numbers are integers")
    else:
        _reject(kind, parts, f"{type(value).__name__} is not a JSON value")


def _kind_validator(kind: str) -> Validator:
    validator = _VALIDATORS.get(kind)
    if validator is None:
        raise InvalidEntry(None, "/kind", f"unknown entry kind {kind!r}")
    return validator


def validate_entry(kind: str, body: Any) -> None:
    """Raise InvalidEntry unless ``body`` is a valid body of ``kind`` ("evidence/v1")."""
    validator = _kind_validator(kind)
    _check_json_values(kind, body, ("body",))
    if validator.is_valid(body):  # the common case; best_match walks every error
        return
    error: ValidationError | None = best_match(validator.iter_errors(body))
    if error is not None:
        _reject(kind, ("body", *error.absolute_path), error.message)


# --- Encoding ----------------------------------------------------------------------------


def entry_document(kind: str, body: dict[str, Any]) -> dict[str, Any]:
    """The validated JSON document ``{"kind": kind, "body": body}`` of an entry."""
    validate_entry(kind, body)
    return {"kind": kind, "body": body}


def encode_entry(kind: str, body: dict[str, Any]) -> bytes:
    """The canonical (RFC 8785) bytes of a valid entry: the Merkle leaf data."""
    data = _canonical(kind, entry_document(kind, body))
    if len(data) > MAX_ENTRY_BYTES:
        raise InvalidEntry(
            kind, "", f"the entry is {len(data)} bytes; a log entry holds {MAX_ENTRY_BYTES}"
        )
    return data


def _canonical(kind: str, document: dict[str, Any]) -> bytes:
    try:
        return canonical_json(document)
    except ValueError as exc:  # JCS refuses e.g. lone surrogates in strings
        raise InvalidEntry(kind, "/body", str(exc)) from exc


def _no_duplicate_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    members = dict(pairs)
    if len(members) != len(pairs):
        names = [name for name, _ in pairs]
        duplicate = next(n for n in names if names.count(n) > 1)
        raise InvalidEntry(None, "", f"member {duplicate!r} appears twice")
    return members


def _no_constants(name: str) -> NoReturn:
    raise InvalidEntry(None, "", f"{name} is not JSON")


def _parse(data: bytes) -> Any:
    if len(data) > MAX_ENTRY_BYTES:
        raise InvalidEntry(None, "", f"{len(data)} bytes is more than a log entry holds")
    try:
        return json.loads(
            data.decode("utf-8"),
            object_pairs_hook=_no_duplicate_members,
            parse_constant=_no_constants,
        )
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise InvalidEntry(None, "", f"not UTF-8 JSON: {exc}") from exc


def _split_document(document: Any) -> tuple[str, dict[str, Any]]:
    if not isinstance(document, dict) or set(document) != {"kind", "body"}:
        raise InvalidEntry(None, "", 'an entry is an object with exactly "kind" and "body"')
    kind, body = document["kind"], document["body"]
    if not isinstance(kind, str):
        raise InvalidEntry(None, "/kind", "the kind is not a string")
    _kind_validator(kind)
    if not isinstance(body, dict):
        raise InvalidEntry(kind, "/body", "the body is not an object")
    return kind, body


def decode_entry(data: bytes) -> tuple[str, dict[str, Any]]:
    """Parse and validate entry bytes; refuses any encoding but the canonical one."""
    document = _parse(data)
    kind, body = _split_document(document)
    validate_entry(kind, body)
    if _canonical(kind, document) != data:
        raise InvalidEntry(kind, "", "the bytes are not the RFC 8785 canonical encoding")
    return kind, body
