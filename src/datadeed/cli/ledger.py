"""ledger checkpoint/proof/consistency/audit/keys/rotate-key/witness, evidence add, verify."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import select

from datadeed.accounts.models import Organization
from datadeed.accounts.principal import Principal
from datadeed.cli.common import console, fail, open_session, print_json, settings
from datadeed.db import utc_stamp
from datadeed.errors import NotFound
from datadeed.evidence.services import EvidenceInput, EvidenceService, StreamingDigest
from datadeed.identifiers import normalize_uscc
from datadeed.ledger.audit import audit_ledger
from datadeed.ledger.keys import LogKeyring
from datadeed.ledger.note import parse_vkey
from datadeed.ledger.services import LedgerService
from datadeed.ledger.verify import verify_receipt
from datadeed.ledger.witness import CosignatureSigner, Witness

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def register(app: typer.Typer) -> None:
    ledger_app = typer.Typer(help="The tamper-evident ledger.", no_args_is_help=True)
    evidence_app = typer.Typer(help="Evidence storage (存证).", no_args_is_help=True)
    for name, fn in (
        ("checkpoint", ledger_checkpoint),
        ("proof", ledger_proof),
        ("consistency", ledger_consistency),
        ("audit", ledger_audit),
        ("keys", ledger_keys),
        ("rotate-key", ledger_rotate_key),
        ("witness-keygen", witness_keygen),
        ("witness", ledger_witness),
    ):
        ledger_app.command(name)(fn)
    evidence_app.command("add")(evidence_add)
    app.add_typer(ledger_app, name="ledger")
    app.add_typer(evidence_app, name="evidence")
    app.command("verify")(verify)


@contextmanager
def _ledger() -> Iterator[LedgerService]:
    s = settings()
    with open_session() as session:
        yield LedgerService(session, s, LogKeyring.from_settings(s))


def ledger_checkpoint(as_json: JsonOpt = False) -> None:
    """The latest signed checkpoint."""
    with _ledger() as ledger:
        cp = ledger.latest_checkpoint()
    if as_json:
        print_json(
            {
                "origin": settings().ledger_origin,
                "tree_size": cp.tree_size,
                "root_hash": cp.root_hash.hex(),
                "checkpoint": cp.note,
            }
        )
    else:
        sys.stdout.write(cp.note)


def ledger_proof(
    index: Annotated[int, typer.Option(help="Entry index.")],
    size: Annotated[int | None, typer.Option(help="Tree size (default: latest).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Inclusion proof of entry INDEX in the tree of SIZE entries."""
    with _ledger() as ledger:
        tree_size, proof = ledger.inclusion_proof(index, size)
        result = {
            "index": index,
            "tree_size": tree_size,
            "leaf_hash": ledger.entry(index).leaf_hash.hex(),
            "root_hash": ledger.store.root(tree_size).hex(),
            "inclusion_proof": [h.hex() for h in proof],
        }
        _emit(result, as_json)


def ledger_consistency(
    old: Annotated[int, typer.Option(help="Older tree size.")],
    new: Annotated[int | None, typer.Option(help="Newer tree size (default: latest).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Consistency proof between two tree sizes."""
    with _ledger() as ledger:
        proof, old_root, new_root = ledger.consistency_proof(old, new)
        new_size = new if new is not None else ledger.latest_checkpoint().tree_size
        result = {
            "old_size": old,
            "new_size": new_size,
            "old_root": old_root.hex(),
            "new_root": new_root.hex(),
            "proof": [h.hex() for h in proof],
        }
        _emit(result, as_json)


def ledger_audit(as_json: JsonOpt = False) -> None:
    """Recompute the tree from the stored leaves; check every stored hash and checkpoint."""
    with _ledger() as ledger:
        report = audit_ledger(
            ledger.session, ledger.hash_fn, ledger.keyring, settings().ledger_origin
        )
        if as_json:
            print_json(report.as_dict())
        else:
            console.print(report.summary())
        if not report.ok:
            fail(report.first_problem or "audit failed", code="ledger_audit_failed")


def ledger_keys(
    out: Annotated[Path | None, typer.Option(help="Also write the vkeys to this file.")] = None,
) -> None:
    """Print every public key (vkey) the log has signed with; pin them to verify offline."""
    with _ledger() as ledger:
        vkeys = ledger.keyring.public_keys(ledger.session)
        ledger.session.commit()
        text = "".join(v + "\n" for v in vkeys)
        if out is not None:
            out.write_text(text, encoding="ascii")
        sys.stdout.write(text)


def ledger_rotate_key() -> None:
    """Start signing with a new key; the old public key stays published and verifiable."""
    with _ledger() as ledger:
        old = ledger.keyring.signer(ledger.session).vkey
        new = ledger.keyring.rotate(ledger.session)
        ledger.append(
            "key-rotation/v1", {"old_key": old, "new_key": new.vkey, "rotated_at": utc_stamp()}
        )
        ledger.session.commit()
        console.print(f"now signing with {new.vkey}")


def witness_keygen(
    name: Annotated[str, typer.Option(help="Witness name, e.g. witness.example/w1.")],
    out: Annotated[Path, typer.Option(help="Where to write the private key (mode 0600).")],
) -> None:
    """Create a witness cosigning key; prints the public key to give to verifiers."""
    signer = CosignatureSigner.generate(name)
    out.touch(mode=0o600, exist_ok=False)
    out.write_text(signer.skey + "\n", encoding="ascii")
    sys.stdout.write(signer.vkey + "\n")


def ledger_witness(
    key: Annotated[Path, typer.Option(help="The witness's private key file.")],
    state: Annotated[Path, typer.Option(help="The witness's state file (JSON).")],
) -> None:
    """Act as a witness on this machine: check the latest checkpoint's consistency with
    the last one this witness cosigned, then add its cosignature to the checkpoint."""
    with _ledger() as ledger:
        witness = Witness(
            CosignatureSigner.from_skey(key.read_text(encoding="ascii").strip()),
            state,
            hash_fn=ledger.hash_fn,
        )
        checkpoint = ledger.latest_checkpoint()
        last = witness.latest(settings().ledger_origin)
        old = last.size if last else 0
        proof = ledger.consistency_proof(old, checkpoint.tree_size)[0] if old else []
        verifier = parse_vkey(ledger.keyring.signer(ledger.session).vkey)
        line = witness.cosign(checkpoint.note, verifier, proof, old)
        ledger.add_cosignature(checkpoint.tree_size, line)
        ledger.session.commit()
        console.print(f"cosigned tree size {checkpoint.tree_size}")


def evidence_add(
    path: Annotated[Path, typer.Argument(help="File to hash and lodge.")],
    algo: Annotated[str, typer.Option(help="sha256 or sm3.")] = "sha256",
    org: Annotated[str | None, typer.Option(help="USCC of the organization lodging it.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Hash PATH while streaming it, lodge the digest in the ledger, print the receipt."""
    hashed = _hash_file(path, algo)
    with _ledger() as ledger:
        service = EvidenceService(ledger.session, settings(), ledger)
        data = EvidenceInput(
            algo=algo, digest=hashed.hexdigest, size_bytes=hashed.size, filename=path.name[:255]
        )
        record = service.lodge(Principal.system(), data, organization_id=_org_id(service, org))
        receipt = service.receipt(record.receipt_id)
        if as_json:
            print_json(receipt)
        else:
            console.print(
                f"lodged {algo}:{hashed.hexdigest} as ledger entry {receipt['index']}; "
                f"receipt {record.receipt_id}"
            )


def _hash_file(path: Path, algo: str) -> StreamingDigest:
    if not path.is_file():
        fail(f"not a readable file: {path}", code="invalid_input")
    hashed = StreamingDigest(algo, settings().upload_max_bytes)
    with path.open("rb") as fh:
        return hashed.consume(iter(lambda: fh.read(1 << 20), b""))


def _org_id(service: EvidenceService, uscc: str | None) -> int | None:
    if uscc is None:
        return None
    org_id = service.session.scalar(
        select(Organization.id).where(Organization.uscc == normalize_uscc(uscc))
    )
    if org_id is None:
        raise NotFound(f"no organization with USCC {uscc}")
    return int(org_id)


def verify(
    receipt_path: Annotated[Path, typer.Argument(metavar="FILE")],
    file: Annotated[Path | None, typer.Option(help="Check that this file matches.")] = None,
    pubkey: Annotated[Path | None, typer.Option(help="File of trusted log vkeys.")] = None,
    witness_key: Annotated[list[str] | None, typer.Option(help="Trusted witness vkey.")] = None,
    min_witnesses: Annotated[int, typer.Option(help="Cosignatures required.")] = 0,
) -> None:
    """Verify an evidence receipt or a certificate bundle (datadeed-bundle/v1) offline:
    signatures, inclusion, the certificate's status, and (with --file) the data's digest.
    Exit 0 only if everything holds; otherwise one line saying what failed."""
    receipt = _read_json(receipt_path)
    trusted, pinned = _trusted_keys(receipt, pubkey)
    result = verify_receipt(
        receipt,
        trusted_keys=trusted,
        witness_keys=witness_key or (),
        min_witnesses=min_witnesses,
        file_path=file,
    )
    if not result.ok:
        fail(result.first_failure or "verification failed", code="verification_failed")
    if not pinned:
        sys.stderr.write("warning: no --pubkey given; trusted the keys named in the receipt\n")
    console.print(f"OK: {', '.join(c.name for c in result.checks)}")


def _read_json(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        fail(f"cannot read {path} as JSON: {exc}", code="invalid_input")
    if not isinstance(value, dict):
        fail(f"{path} is not a JSON object", code="invalid_input")
    return value


def _trusted_keys(receipt: dict[str, Any], pubkey: Path | None) -> tuple[list[str], bool]:
    """Pinned keys from --pubkey, else (with a warning) the keys the receipt names."""
    if pubkey is not None:
        try:
            lines = pubkey.read_text(encoding="ascii").split()
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"cannot read the public key file {pubkey}: {exc}", code="invalid_input")
        return lines, True
    keys = receipt.get("log_public_keys")
    return (list(keys) if isinstance(keys, list) else []), False


def _emit(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(result)
    else:
        for key, value in result.items():
            console.print(f"{key}: {value}")
