"""datadeed-bundle/v1 offline verification, on a one-leaf log built here (no database)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import rfc8785

from datadeed.ledger import tree
from datadeed.ledger.checkpoint import Checkpoint
from datadeed.ledger.note import Ed25519Signer, sign_note
from datadeed.ledger.verify import certificate_signing_text, verify_receipt

ORIGIN = "test.example/log"
SIGNER = Ed25519Signer.generate(ORIGIN)


def _certificate(**changes: Any) -> dict[str, Any]:
    body = {
        "number": "DP20261133010000001",
        "registration_no": "2026110000000012",
        "holder": {"uscc": "91330108MA2D0EA06X", "name": "数谷智能语料科技有限公司"},
        "rights": ["hold", "use"],
        "object": {
            "name": "中文客服对话语料",
            "type": "data_resource",
            "fingerprint": {"sha256": "a" * 64, "content": "b" * 64},
        },
        "valid_from": "2026-11-29",
        "valid_to": (dt.date.today() + dt.timedelta(days=30)).isoformat(),
        "issuer": {"uscc": "91330108MA2D0RG02X", "name": "之江数据交易所有限公司"},
        "issued_at": "2026-11-29T02:00:00Z",
        "status": "valid",
    }
    body.update(changes)
    return body


def _bundle(certificate: dict[str, Any]) -> dict[str, Any]:
    entry = {"kind": "certificate/v1", "body": certificate}
    leaf = tree.leaf_hash(rfc8785.dumps(entry))
    note = sign_note(Checkpoint(ORIGIN, 1, leaf).body(), [SIGNER])
    receipt = {
        "format": "datadeed-receipt/v1",
        "hash_algorithm": "sha256",
        "entry": entry,
        "index": 0,
        "leaf_hash": leaf.hex(),
        "tree_size": 1,
        "root_hash": leaf.hex(),
        "inclusion_proof": [],
        "checkpoint": note,
    }
    signature = sign_note(certificate_signing_text(certificate), [SIGNER])
    bundle = {
        "format": "datadeed-bundle/v1",
        "number": certificate["number"],
        "certificate": certificate,
        "signature": signature,
        "receipt": receipt,
    }
    return json.loads(json.dumps(bundle))


def _failure(bundle: dict[str, Any], **kwargs: Any) -> str | None:
    return verify_receipt(bundle, trusted_keys=[SIGNER.vkey], **kwargs).first_failure


def test_a_good_bundle_passes():
    assert _failure(_bundle(_certificate())) is None


@pytest.mark.parametrize(
    ("status", "expected"),
    [("revoked", "is revoked"), ("cancelled", "is cancelled")],
)
def test_revoked_and_cancelled_fail_on_status(status, expected):
    failure = _failure(_bundle(_certificate(status=status)))
    assert failure is not None and failure.startswith("status:") and failure.endswith(expected)


def test_expired_fails_on_status():
    failure = _failure(_bundle(_certificate(valid_to="2020-01-01")))
    assert failure == "status: certificate DP20261133010000001 expired after 2020-01-01"


def test_missing_parts_and_wrong_receipt():
    bundle = _bundle(_certificate())
    del bundle["signature"]
    assert _failure(bundle) == "fields: the bundle has no 'signature'"
    bundle = _bundle(_certificate())
    bundle["receipt"]["format"] = "something/v9"
    assert _failure(bundle) == "fields: the bundle's receipt is not datadeed-receipt/v1"


def test_signature_problems():
    bundle = _bundle(_certificate())
    bundle["signature"] = "not a note"
    failure = _failure(bundle)
    assert failure is not None and failure.startswith("certificate_signature: the signature is not")
    bundle = _bundle(_certificate())
    text = bundle["signature"]
    bundle["signature"] = text.replace("中文客服", "中文客户", 1)
    assert _failure(bundle) == (
        "certificate_signature: the signature does not verify: the signed text was altered"
    )
    stranger = Ed25519Signer.generate(ORIGIN)
    bundle = _bundle(_certificate())
    bundle["signature"] = sign_note(certificate_signing_text(_certificate()), [stranger])
    assert _failure(bundle) == (
        "certificate_signature: the certificate is not signed by any trusted key"
    )


def test_registered_file(tmp_path):
    import hashlib

    data = b"id,city\n1,hangzhou\n"
    path = tmp_path / "data.csv"
    path.write_bytes(data)
    fingerprint = {"sha256": hashlib.sha256(data).hexdigest(), "content": "b" * 64}
    certificate = _certificate(
        object={"name": "x", "type": "data_resource", "fingerprint": fingerprint}
    )
    assert _failure(_bundle(certificate), file_path=path) is None
    path.write_bytes(data + b"2,ningbo\n")
    failure = _failure(_bundle(certificate), file_path=path)
    assert failure == "file: sha256 of file differs from the entry's digest"
