"""Ledger entry kinds: canonical bytes (a contract), schema checks, decoding, frozen schemas."""

from __future__ import annotations

import copy
import hashlib
import importlib.util
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from datadeed.errors import InvalidInput
from datadeed.identifiers import USCC_CHARSET, make_uscc
from datadeed.ledger.entries import (
    KINDS,
    MAX_ENTRY_BYTES,
    EntryKind,
    InvalidEntry,
    decode_entry,
    encode_entry,
    entry_document,
    latest_kind,
    validate_entry,
)
from datadeed.ledger.tree import leaf_hash

ROOT = Path(__file__).resolve().parents[3]
SCHEMAS = ROOT / "src" / "datadeed" / "ledger" / "entries" / "schemas"
PROPERTY = settings(deadline=None, max_examples=150, database=None)

# Published schemas never change. A failure here means a published version was edited:
# restore it and add <name>.v<N+1>.json instead (then add the new file's hash below).
FROZEN = {
    "certificate.v1.json": "7799c85aaa0de61980140873c041a9cc992cc8d1f9cab62533f8b91625e0aeeb",
    "evidence.v1.json": "102ed8f93bd70ce9b096fcb2f61959be135f26585f35165237a2703f5fd367da",
    "key-rotation.v1.json": "66cd48688835ca53fe8eb063884f5b89290afb81d28e44d72a114417893114dc",
    "registration-event.v1.json": (
        "e3a860c779816cef70c182d460252c1df7d7abd9e7d47feb326e22fb29de9608"
    ),
    "report-digest.v1.json": "13a24320cbead5219b0a64a232be54c35c60f5c966623ec956f7e41654e284c9",
}

HOLDER = {"uscc": "91330108MA2H0XY81F", "name": "杭州示例数据科技有限公司"}
REGISTRAR = {"uscc": "12330000MB12345676", "name": "浙江省数据产权登记中心"}
KEY_2025 = "datadeed-log-2025+5bcd50d3+AQABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f"
KEY_2026 = "datadeed-log-2026+9085607a+ASAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nzg5Ojs8PT4/"
SHA256_HELLO = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"

EXAMPLES: dict[str, dict[str, Any]] = {
    "evidence/v1": {
        "algo": "sha256",
        "digest": SHA256_HELLO,
        "size_bytes": 5,
        "media_type": "text/csv",
        "filename": "订单明细 2025-07.csv",
        "submitter": HOLDER,
        "submitted_at": "2025-08-15T02:30:00Z",
        "metadata": {"来源": "ERP", "batch": "7"},
    },
    "registration-event/v1": {
        "case_no": "DJ-2025-000123",
        "event": "returned",
        "track": "data_property",
        "actor": {"uscc": REGISTRAR["uscc"], "role": "registrar"},
        "occurred_at": "2025-08-20T06:00:00.250Z",
        "reasons": "数据来源说明不完整。\nPlease attach the supply contract.",
        "details": {"correction_deadline": "2025-09-03", "attempt": 1, "public": False},
    },
    "certificate/v1": {
        "number": "20250844000000017",
        "registration_no": "ZJ-DP-2025-0017",
        "holder": HOLDER,
        "rights": ["hold", "use", "operate"],
        "object": {
            "name": "城市交通出行数据集",
            "type": "data_product",
            "fingerprint": {"sha256": SHA256_HELLO, "content": "0" * 63 + "1"},
        },
        "valid_from": "2025-08-15",
        "valid_to": "2028-08-14",
        "issuer": REGISTRAR,
        "issued_at": "2025-08-15T01:00:00Z",
        "status": "valid",
    },
    "report-digest/v1": {
        "report_type": "valuation",
        "report_id": "VAL-2025-0042",
        "digest": {"algo": "sm3", "hex": "f" * 64},
        "subject": "certificate:20250844000000017",
        "signed_by": "91330106MA2KABC3XE",
        "issued_at": "2025-09-01T08:15:30.123456Z",
    },
    "key-rotation/v1": {
        "old_key": KEY_2025,
        "new_key": KEY_2026,
        "rotated_at": "2026-01-01T00:00:00Z",
    },
}

# The exact bytes appended to the log for each example. These are a contract with every
# verifier holding a receipt: a change here means old receipts stop verifying.
CANONICAL = {
    "evidence/v1": (
        '{"body":{"algo":"sha256",'
        '"digest":"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",'
        '"filename":"订单明细 2025-07.csv","media_type":"text/csv",'
        '"metadata":{"batch":"7","来源":"ERP"},"size_bytes":5,'
        '"submitted_at":"2025-08-15T02:30:00Z",'
        '"submitter":{"name":"杭州示例数据科技有限公司","uscc":"91330108MA2H0XY81F"}},'
        '"kind":"evidence/v1"}'
    ),
    "registration-event/v1": (
        '{"body":{"actor":{"role":"registrar","uscc":"12330000MB12345676"},'
        '"case_no":"DJ-2025-000123","details":{"attempt":1,'
        '"correction_deadline":"2025-09-03","public":false},"event":"returned",'
        '"occurred_at":"2025-08-20T06:00:00.250Z",'
        '"reasons":"数据来源说明不完整。\\nPlease attach the supply contract.",'
        '"track":"data_property"},"kind":"registration-event/v1"}'
    ),
    "certificate/v1": (
        '{"body":{"holder":{"name":"杭州示例数据科技有限公司","uscc":"91330108MA2H0XY81F"},'
        '"issued_at":"2025-08-15T01:00:00Z","issuer":{"name":"浙江省数据产权登记中心",'
        '"uscc":"12330000MB12345676"},"number":"20250844000000017",'
        '"object":{"fingerprint":{"content":"0000000000000000000000000000000000000000000000000000000000000001",'
        '"sha256":"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"},'
        '"name":"城市交通出行数据集","type":"data_product"},'
        '"registration_no":"ZJ-DP-2025-0017","rights":["hold","use","operate"],'
        '"status":"valid","valid_from":"2025-08-15","valid_to":"2028-08-14"},'
        '"kind":"certificate/v1"}'
    ),
    "report-digest/v1": (
        '{"body":{"digest":{"algo":"sm3",'
        '"hex":"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"},'
        '"issued_at":"2025-09-01T08:15:30.123456Z","report_id":"VAL-2025-0042",'
        '"report_type":"valuation","signed_by":"91330106MA2KABC3XE",'
        '"subject":"certificate:20250844000000017"},"kind":"report-digest/v1"}'
    ),
    "key-rotation/v1": (
        '{"body":{"new_key":"datadeed-log-2026+9085607a+ASAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nzg5Ojs8PT4/",'
        '"old_key":"datadeed-log-2025+5bcd50d3+AQABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f",'
        '"rotated_at":"2026-01-01T00:00:00Z"},"kind":"key-rotation/v1"}'
    ),
}


def _body(kind: str) -> dict[str, Any]:
    return copy.deepcopy(EXAMPLES[kind])


def _parts(pointer: str) -> list[Any]:
    return [int(p) if p.isdigit() else p for p in pointer.split("/")[1:]]


def _get(body: Any, pointer: str) -> Any:
    """The member at ``pointer`` (``/a/0/b``; ``""`` is the whole body)."""
    for part in _parts(pointer):
        body = body[part]
    return body


def _set(body: dict[str, Any], pointer: str, value: Any) -> dict[str, Any]:
    """A copy of ``body`` with the member at ``pointer`` replaced."""
    body = copy.deepcopy(body)
    *parents, last = _parts(pointer)
    target: Any = body
    for part in parents:
        target = target[part]
    target[last] = value
    return body


def _nodes(value: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    """Every member and item below the root, with its JSON Pointer."""
    children = value.items() if isinstance(value, dict) else enumerate(value)
    for key, child in children:
        path = f"{pointer}/{key}"
        yield path, child
        if isinstance(child, dict | list):
            yield from _nodes(child, path)


def _reject(kind: str, body: Any) -> InvalidEntry:
    with pytest.raises(InvalidEntry) as caught:
        encode_entry(kind, body)
    assert caught.value.kind == kind
    return caught.value


# --- Registry ----------------------------------------------------------------------------


def test_the_registry_has_the_v1_kinds() -> None:
    assert sorted(KINDS) == sorted(EXAMPLES)
    evidence = KINDS["evidence/v1"]
    assert (evidence.name, evidence.version, evidence.kind) == ("evidence", 1, "evidence/v1")
    assert evidence.schema_file == "evidence.v1.json"
    assert "存证" in evidence.description


def test_latest_kind_is_the_highest_version() -> None:
    assert latest_kind("certificate") is KINDS["certificate/v1"]
    with pytest.raises(InvalidEntry, match="no entry kind is called 'pledge'"):
        latest_kind("pledge")


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_schemas_are_draft_2020_12_with_closed_objects(kind: str) -> None:
    entry_kind = KINDS[kind]
    schema = dict(entry_kind.schema)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == kind
    assert schema["$id"] == f"urn:datadeed:ledger-entry:{entry_kind.name}:v{entry_kind.version}"
    nested = [s for _, s in _nodes(schema) if isinstance(s, dict) and "properties" in s]
    objects = [schema, *nested]
    assert all(s.get("additionalProperties") is False for s in objects)


def test_schema_patterns_end_only_at_end_of_input() -> None:
    # Python's "$" also matches before a final newline; the validator makes it ECMA's.
    for kind in EXAMPLES:
        patterns = [
            s["pattern"]
            for _, s in _nodes(dict(KINDS[kind].schema))
            if isinstance(s, dict) and "pattern" in s
        ]
        assert all(p.startswith("^") and p.endswith("$") for p in patterns), kind


# --- Canonical bytes ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_canonical_entry_bytes(kind: str) -> None:
    assert encode_entry(kind, _body(kind)) == CANONICAL[kind].encode("utf-8")


def test_the_leaf_hash_of_an_evidence_entry() -> None:
    data = encode_entry("evidence/v1", _body("evidence/v1"))
    assert leaf_hash(data).hex() == (
        "631b8834985002c5194b9386e7740928bd365455ab2b599015938ea71fcdef55"
    )


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_examples_decode_to_what_was_encoded(kind: str) -> None:
    data = encode_entry(kind, _body(kind))
    assert decode_entry(data) == (kind, EXAMPLES[kind])


def test_member_order_does_not_change_the_bytes() -> None:
    body = _body("evidence/v1")
    reordered = dict(reversed(list(body.items())))
    reordered["submitter"] = {"name": HOLDER["name"], "uscc": HOLDER["uscc"]}
    assert encode_entry("evidence/v1", reordered) == encode_entry("evidence/v1", body)


def test_entry_document_is_kind_and_body() -> None:
    body = _body("key-rotation/v1")
    assert entry_document("key-rotation/v1", body) == {"kind": "key-rotation/v1", "body": body}
    with pytest.raises(InvalidEntry):
        entry_document("key-rotation/v1", {**body, "rotated_at": "yesterday"})


def test_optional_members_may_be_left_out() -> None:
    body = {k: v for k, v in _body("evidence/v1").items() if k not in {"size_bytes", "metadata"}}
    body.pop("media_type")
    body.pop("filename")
    assert decode_entry(encode_entry("evidence/v1", body)) == ("evidence/v1", body)


# --- What every schema rejects -----------------------------------------------------------


def _closed_objects() -> Iterator[tuple[str, str]]:
    free_form = {"/metadata", "/details"}
    for kind, body in EXAMPLES.items():
        yield kind, ""
        for pointer, value in _nodes(body):
            if isinstance(value, dict) and pointer not in free_form:
                yield kind, pointer


@pytest.mark.parametrize(("kind", "pointer"), list(_closed_objects()))
def test_extra_members_are_refused(kind: str, pointer: str) -> None:
    extended = {**_get(_body(kind), pointer), "extra": "x"}
    body = _set(_body(kind), pointer, extended) if pointer else extended
    error = _reject(kind, body)
    assert error.path == "/body" + pointer
    assert "'extra' was unexpected" in error.reason


def _every_member() -> Iterator[tuple[str, str]]:
    for kind, body in EXAMPLES.items():
        for pointer, _ in _nodes(body):
            yield kind, pointer


@pytest.mark.parametrize(("kind", "pointer"), list(_every_member()))
def test_null_is_the_wrong_type_everywhere(kind: str, pointer: str) -> None:
    error = _reject(kind, _set(_body(kind), pointer, None))
    assert error.path == "/body" + pointer


@pytest.mark.parametrize(("kind", "pointer"), list(_every_member()))
def test_wrong_types_are_refused(kind: str, pointer: str) -> None:
    value = _get(_body(kind), pointer)
    if pointer.startswith("/details/"):  # strings, integers and booleans are all allowed
        wrong: Any = ["a list"]
    elif isinstance(value, str):
        wrong = 7
    elif isinstance(value, bool | int):
        wrong = "7"
    else:
        wrong = "a string"
    error = _reject(kind, _set(_body(kind), pointer, wrong))
    assert error.path == "/body" + pointer


@pytest.mark.parametrize(
    ("kind", "member"),
    [(kind, name) for kind in EXAMPLES for name in KINDS[kind].schema["required"]],
)
def test_required_members_are_required(kind: str, member: str) -> None:
    body = _body(kind)
    del body[member]
    error = _reject(kind, body)
    assert error.path == "/body"
    assert error.reason == f"{member!r} is a required property"


HEX_FIELDS = [
    ("evidence/v1", "/digest"),
    ("certificate/v1", "/object/fingerprint/sha256"),
    ("certificate/v1", "/object/fingerprint/content"),
    ("report-digest/v1", "/digest/hex"),
]
BAD_HEX = [
    SHA256_HELLO.upper(),
    SHA256_HELLO[:-1],
    SHA256_HELLO + "0",
    SHA256_HELLO[:-1] + "g",
    SHA256_HELLO[:-1] + "\n",
    SHA256_HELLO + "\n",
    " " + SHA256_HELLO[1:],
    "",
]


@pytest.mark.parametrize(("kind", "pointer"), HEX_FIELDS)
@pytest.mark.parametrize("bad", BAD_HEX)
def test_bad_hex_is_refused(kind: str, pointer: str, bad: str) -> None:
    error = _reject(kind, _set(_body(kind), pointer, bad))
    assert error.path == "/body" + pointer


TIMESTAMP_FIELDS = [
    ("evidence/v1", "/submitted_at"),
    ("registration-event/v1", "/occurred_at"),
    ("certificate/v1", "/issued_at"),
    ("report-digest/v1", "/issued_at"),
    ("key-rotation/v1", "/rotated_at"),
]
BAD_TIMESTAMPS = [
    "2025-08-15T10:30:00+08:00",  # RFC 3339, but not UTC
    "2025-08-15T02:30:00",  # no offset
    "2025-08-15 02:30:00Z",
    "2025-08-15t02:30:00z",  # RFC 3339 allows these; the ledger writes one spelling
    "2025-08-15T02:30Z",
    "2025-08-15T02:30:00.Z",
    "2025-08-15T02:30:00.1234567Z",  # finer than microseconds
    "2025-13-01T00:00:00Z",
    "2025-02-29T00:00:00Z",  # not a leap year
    "2025-04-31T00:00:00Z",
    "2025-08-15T24:00:00Z",
    "2025-08-15T23:60:00Z",
    "2025-08-15T23:59:60Z",  # leap seconds are not representable
    "2025-08-15T02:30:00Z\n",
    "２０２５-08-15T02:30:00Z",
    "20250815T023000Z",
    "",
]


@pytest.mark.parametrize(("kind", "pointer"), TIMESTAMP_FIELDS)
@pytest.mark.parametrize("bad", BAD_TIMESTAMPS)
def test_bad_date_times_are_refused(kind: str, pointer: str, bad: str) -> None:
    error = _reject(kind, _set(_body(kind), pointer, bad))
    assert error.path == "/body" + pointer


@pytest.mark.parametrize(
    "good",
    [
        "2024-02-29T23:59:59Z",
        "0001-01-01T00:00:00Z",
        "2025-08-15T02:30:00.5Z",
        "9999-12-31T23:59:59.999999Z",
    ],
)
def test_good_date_times_are_accepted(good: str) -> None:
    encode_entry("evidence/v1", _set(_body("evidence/v1"), "/submitted_at", good))


@pytest.mark.parametrize("pointer", ["/valid_from", "/valid_to"])
@pytest.mark.parametrize(
    "bad", ["2025-02-29", "2025-8-15", "2025-08-15T00:00:00Z", "2025/08/15", "2025-08-15\n"]
)
def test_bad_dates_are_refused(pointer: str, bad: str) -> None:
    error = _reject("certificate/v1", _set(_body("certificate/v1"), pointer, bad))
    assert error.path == "/body" + pointer


USCC_FIELDS = [
    ("evidence/v1", "/submitter/uscc"),
    ("registration-event/v1", "/actor/uscc"),
    ("certificate/v1", "/holder/uscc"),
    ("certificate/v1", "/issuer/uscc"),
    ("report-digest/v1", "/signed_by"),
]


@pytest.mark.parametrize(("kind", "pointer"), USCC_FIELDS)
@pytest.mark.parametrize(
    "bad",
    [
        "91330108MA2H0XY81A",  # wrong check character
        "91330108ma2h0xy81f",  # valid once uppercased, but entries hold the normal form
        "91330108MA2H0XY81",
        "91330108MA2H0XY81FF",
        "91330108MA2H0XO81F",  # O is not in the GB 32100 alphabet
        "91330108MA2H0XY81F\n",
    ],
)
def test_bad_credit_codes_are_refused(kind: str, pointer: str, bad: str) -> None:
    error = _reject(kind, _set(_body(kind), pointer, bad))
    assert error.path == "/body" + pointer


@pytest.mark.parametrize(
    "bad",
    [
        KEY_2025.replace("+5bcd50d3+", "+5bcd50d4+"),  # key id does not match
        KEY_2025.replace("datadeed-log-2025", "datadeed-log-2024"),
        KEY_2025[:-4],  # an Ed25519 key is 32 bytes
        "datadeed log+5bcd50d3+AQABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f",
        "datadeed-log-2025+5bcd50d3+not base64",
        "datadeed-log-2025+5BCD50D3+AQABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f",
        KEY_2025 + "\n",
        "datadeed-log-2025",
    ],
)
def test_bad_verifier_keys_are_refused(bad: str) -> None:
    error = _reject("key-rotation/v1", _set(_body("key-rotation/v1"), "/new_key", bad))
    assert error.path == "/body/new_key"


@pytest.mark.parametrize(
    ("kind", "pointer", "bad"),
    [
        ("evidence/v1", "/algo", "md5"),
        ("evidence/v1", "/algo", "SHA256"),
        ("evidence/v1", "/size_bytes", -1),
        ("evidence/v1", "/size_bytes", 2**53),
        ("evidence/v1", "/media_type", "Text/CSV"),
        ("evidence/v1", "/media_type", "text/csv; charset=utf-8"),
        ("evidence/v1", "/filename", "../etc/passwd"),
        ("evidence/v1", "/filename", "a\\b.csv"),
        ("evidence/v1", "/filename", "line\nbreak.csv"),
        ("evidence/v1", "/filename", "trailing-newline.csv\n"),
        ("evidence/v1", "/filename", ""),
        ("evidence/v1", "/submitter/name", ""),
        ("evidence/v1", "/submitter/name", "名" * 201),
        ("evidence/v1", "/metadata", {str(i): "v" for i in range(33)}),
        ("evidence/v1", "/metadata", {"": "v"}),
        ("evidence/v1", "/metadata", {"k": "\x1b[31m"}),
        ("evidence/v1", "/metadata", {"k": "v\n"}),
        ("evidence/v1", "/metadata", {"k\n": "v"}),
        ("registration-event/v1", "/event", "approved"),
        ("registration-event/v1", "/track", "data-property"),
        ("registration-event/v1", "/actor/role", "Registrar"),
        ("registration-event/v1", "/reasons", "tab\there"),
        ("registration-event/v1", "/details", {"amount": 1.5}),
        ("registration-event/v1", "/details", {"nested": {"a": "b"}}),
        ("certificate/v1", "/rights", []),
        ("certificate/v1", "/rights", ["hold", "hold"]),
        ("certificate/v1", "/rights", ["own"]),
        ("certificate/v1", "/object/type", "dataset"),
        ("certificate/v1", "/status", "pledged"),
        ("report-digest/v1", "/report_type", "audit"),
        ("report-digest/v1", "/subject", "order:17"),
        ("report-digest/v1", "/subject", "dataset:"),
        ("report-digest/v1", "/digest/algo", "sha1"),
    ],
)
def test_values_outside_the_schema_are_refused(kind: str, pointer: str, bad: Any) -> None:
    error = _reject(kind, _set(_body(kind), pointer, bad))
    assert error.path.startswith("/body" + pointer)


def test_numbers_must_be_integers() -> None:
    error = _reject("evidence/v1", _set(_body("evidence/v1"), "/size_bytes", 5.0))
    assert error.path == "/body/size_bytes"
    assert "ledger numbers are integers" in error.reason


@pytest.mark.parametrize("value", [b"bytes", ("a", "tuple"), datetime(2025, 1, 1)])
def test_python_values_that_are_not_json_are_refused(value: Any) -> None:
    error = _reject("evidence/v1", _set(_body("evidence/v1"), "/filename", value))
    assert error.path == "/body/filename"


def test_lone_surrogates_cannot_be_encoded() -> None:
    error = _reject("evidence/v1", _set(_body("evidence/v1"), "/filename", "a\ud800.csv"))
    assert error.path == "/body"


def test_an_entry_must_fit_a_bundle() -> None:
    metadata = {f"键{i:02d}": "值" * 1024 for i in range(32)}  # schema-valid, ~100 kB
    validate_entry("evidence/v1", _set(_body("evidence/v1"), "/metadata", metadata))
    error = _reject("evidence/v1", _set(_body("evidence/v1"), "/metadata", metadata))
    assert f"holds {MAX_ENTRY_BYTES}" in error.reason


def test_unknown_kinds_are_refused() -> None:
    with pytest.raises(InvalidEntry) as caught:
        encode_entry("evidence/v2", _body("evidence/v1"))
    assert (caught.value.kind, caught.value.path) == (None, "/kind")
    assert "unknown entry kind 'evidence/v2'" in caught.value.message


def test_invalid_entry_is_invalid_input_with_a_stable_code() -> None:
    error = _reject("evidence/v1", _set(_body("evidence/v1"), "/digest", "abc"))
    assert isinstance(error, InvalidInput)
    assert (error.code, error.status) == ("invalid_entry", 422)
    assert error.extra == {"kind": "evidence/v1", "path": "/body/digest", "reason": error.reason}
    assert error.message == f"invalid evidence/v1 entry at /body/digest: {error.reason}"


# --- Decoding refuses anything but the canonical bytes -----------------------------------


def _canonical(kind: str = "evidence/v1") -> bytes:
    return encode_entry(kind, _body(kind))


def _respell(data: bytes, **dumps: Any) -> bytes:
    return json.dumps(json.loads(data), **dumps).encode()


@pytest.mark.parametrize(
    ("label", "data"),
    [
        ("spaces", _respell(_canonical(), ensure_ascii=False)),
        ("indented", _respell(_canonical(), ensure_ascii=False, indent=1)),
        ("escaped non-ASCII", _respell(_canonical(), separators=(",", ":"))),
        (
            "members out of order",
            _respell(_canonical(), separators=(",", ":"), ensure_ascii=False, sort_keys=False)
            .replace(b'{"body":', b'{"kind":"evidence/v1","body":', 1)
            .replace(b',"kind":"evidence/v1"}', b"}", 1),
        ),
        ("trailing newline", _canonical() + b"\n"),
        ("leading space", b" " + _canonical()),
        ("byte order mark", b"\xef\xbb\xbf" + _canonical()),
        ("integer as float", _canonical().replace(b'"size_bytes":5', b'"size_bytes":5.0')),
        ("integer with exponent", _canonical().replace(b'"size_bytes":5', b'"size_bytes":5e0')),
        ("escaped slash", _canonical().replace(b"text/csv", b"text\\/csv")),
        ("unicode escape", _canonical().replace(b'"algo"', b'"\\u0061lgo"')),
        ("UTF-16", _canonical().decode().encode("utf-16")),
    ],
)
def test_non_canonical_bytes_are_refused(label: str, data: bytes) -> None:
    assert data != _canonical(), label
    with pytest.raises(InvalidEntry):
        decode_entry(data)


def test_the_refusal_says_the_bytes_are_not_canonical() -> None:
    with pytest.raises(InvalidEntry, match="not the RFC 8785 canonical encoding"):
        decode_entry(_canonical() + b" ")


@pytest.mark.parametrize(
    ("data", "path", "reason"),
    [
        (b"", "", "not UTF-8 JSON"),
        (b"\xff", "", "not UTF-8 JSON"),
        (b"[]", "", 'exactly "kind" and "body"'),
        (b'{"body":{}}', "", 'exactly "kind" and "body"'),
        (b'{"body":{},"kind":"evidence/v1","x":1}', "", 'exactly "kind" and "body"'),
        (b'{"body":{},"kind":1}', "/kind", "not a string"),
        (b'{"body":{},"kind":"evidence"}', "/kind", "unknown entry kind"),
        (b'{"body":[],"kind":"evidence/v1"}', "/body", "not an object"),
        (b'{"body":{},"kind":"evidence/v1"}', "/body", "is a required property"),
        (b'{"body":{},"body":{},"kind":"evidence/v1"}', "", "appears twice"),
        (b'{"body":NaN,"kind":"evidence/v1"}', "", "NaN is not JSON"),
        (b"[" * 100_000, "", "bytes is more than a log entry holds"),
        (b"[" * 60_000, "", "not UTF-8 JSON"),
    ],
)
def test_malformed_entries_are_refused(data: bytes, path: str, reason: str) -> None:
    with pytest.raises(InvalidEntry) as caught:
        decode_entry(data)
    assert caught.value.path == path
    assert reason in caught.value.reason


def test_escaped_lone_surrogates_are_refused() -> None:
    data = _canonical().replace("订单明细 2025-07.csv".encode(), b"\\ud800.csv")
    with pytest.raises(InvalidEntry, match="UTF-8"):
        decode_entry(data)


def test_decoding_checks_the_schema_too() -> None:
    data = _canonical().replace(SHA256_HELLO.encode(), SHA256_HELLO[:-1].encode() + b"G")
    with pytest.raises(InvalidEntry) as caught:
        decode_entry(data)
    assert caught.value.path == "/body/digest"


# --- Round trips of generated evidence ---------------------------------------------------

_one_line = st.characters(
    codec="utf-8", exclude_categories=("Cs",), exclude_characters="".join(map(chr, range(32)))
).filter(lambda c: c != "\x7f")
_file_char = _one_line.filter(lambda c: c not in "/\\")


def _timestamp(moment: datetime, timespec: str) -> str:
    return moment.isoformat(timespec=timespec) + "Z"


evidence_bodies = st.fixed_dictionaries(
    {
        "algo": st.sampled_from(["sha256", "sm3"]),
        "digest": st.binary(min_size=32, max_size=32).map(bytes.hex),
        "submitter": st.fixed_dictionaries(
            {
                "uscc": st.text(USCC_CHARSET, min_size=17, max_size=17).map(make_uscc),
                "name": st.text(_one_line, min_size=1, max_size=60),
            }
        ),
        "submitted_at": st.builds(
            _timestamp,
            st.datetimes(),
            st.sampled_from(["seconds", "milliseconds", "microseconds"]),
        ),
    },
    optional={
        "size_bytes": st.integers(min_value=0, max_value=2**53 - 1),
        "media_type": st.from_regex(
            r"[a-z0-9][a-z0-9!#$&^_.+-]{0,20}/[a-z0-9][a-z0-9!#$&^_.+-]{0,20}", fullmatch=True
        ),
        "filename": st.text(_file_char, min_size=1, max_size=80),
        "metadata": st.dictionaries(
            st.text(_one_line, min_size=1, max_size=20),
            st.text(_one_line, max_size=80),
            max_size=8,
        ),
    },
)


@PROPERTY
@given(evidence_bodies)
def test_evidence_round_trips(body: dict[str, Any]) -> None:
    data = encode_entry("evidence/v1", body)
    assert decode_entry(data) == ("evidence/v1", body)
    assert encode_entry("evidence/v1", decode_entry(data)[1]) == data
    assert data.startswith(b'{"body":{"algo":"')
    assert data.endswith(b'},"kind":"evidence/v1"}')


@PROPERTY
@given(evidence_bodies, st.data())
def test_one_more_byte_of_whitespace_is_refused(body: dict[str, Any], data: st.DataObject) -> None:
    encoded = encode_entry("evidence/v1", body)
    # Between two tokens outside strings: right after the first "{" or before the last "}".
    position = data.draw(st.sampled_from([1, len(encoded) - 1]))
    with pytest.raises(InvalidEntry):
        decode_entry(encoded[:position] + b" " + encoded[position:])


# --- Published schemas are frozen, and documented -----------------------------------------


def test_published_schemas_are_frozen() -> None:
    on_disk = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in SCHEMAS.glob("*.json")}
    unpinned = sorted(set(on_disk) - set(FROZEN))
    assert not unpinned, f"new schema files {unpinned}: add their SHA-256 to FROZEN"
    for name, digest in FROZEN.items():
        assert name in on_disk, f"published schema {name} was removed"
        assert on_disk[name] == digest, (
            f"published schema changed: add a new version instead ({name})"
        )


def test_every_schema_file_is_a_registered_kind() -> None:
    assert sorted(k.schema_file for k in KINDS.values()) == sorted(FROZEN)


def _doc_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "ledger_entries_doc", ROOT / "scripts" / "ledger_entries_doc.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_entry_kinds_page_is_up_to_date() -> None:
    script = _doc_script()
    on_disk = (ROOT / "docs" / "ledger-entries.md").read_text(encoding="utf-8")
    assert on_disk == script.render(), (
        "docs/ledger-entries.md is out of date: run .venv/bin/python scripts/ledger_entries_doc.py"
    )


def test_the_entry_kinds_page_lists_every_field() -> None:
    page = _doc_script().render()
    for kind, example in EXAMPLES.items():
        assert f"## `{kind}`" in page
        for pointer, _ in _nodes(example):
            if not pointer.startswith(("/metadata/", "/details/", "/rights/")):
                assert f"| `{pointer[1:].replace('/', '.')}` |" in page, pointer


def test_entry_kind_is_immutable() -> None:
    kind: EntryKind = KINDS["evidence/v1"]
    with pytest.raises(AttributeError):
        kind.version = 2  # type: ignore[misc]
    with pytest.raises(TypeError):
        kind.schema["title"] = "changed"  # type: ignore[index]
