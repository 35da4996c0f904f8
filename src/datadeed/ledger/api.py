"""The ledger's public read API (for auditors, banks, courts: no login), and the same log
as C2SP tlog-tiles under /ledger/ so that standard tooling can mirror it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse, Response

from datadeed.errors import InvalidInput, NotFound
from datadeed.ledger import entries, tiles
from datadeed.ledger.schemas import (
    CheckpointOut,
    ConsistencyProofOut,
    EntryOut,
    InclusionProofOut,
    KeyOut,
)
from datadeed.web.deps import LedgerDep

router = APIRouter(prefix="/ledger", tags=["ledger"])
tiles_router = APIRouter(prefix="/ledger", tags=["ledger tiles"])
IMMUTABLE = "public, max-age=31536000, immutable"


def _hex(value: str, what: str) -> bytes:
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        raise InvalidInput(f"{what} must be hex") from None
    if len(raw) != 32:
        raise InvalidInput(f"{what} must be 32 bytes (64 hex digits)")
    return raw


@router.get("/checkpoint", response_model=CheckpointOut)
def latest_checkpoint(ledger: LedgerDep) -> CheckpointOut:
    cp = ledger.latest_checkpoint()
    return CheckpointOut(
        origin=ledger.settings.ledger_origin,
        tree_size=cp.tree_size,
        root_hash=cp.root_hash.hex(),
        checkpoint=cp.note,
    )


@router.get("/entries/{index}", response_model=EntryOut)
def get_entry(index: int, ledger: LedgerDep) -> EntryOut:
    row = ledger.entry(index)
    kind, body = entries.decode_entry(row.data)
    return EntryOut(
        index=row.idx,
        kind=kind,
        leaf_hash=row.leaf_hash.hex(),
        entry=entries.entry_document(kind, body),
    )


@router.get("/proofs/inclusion", response_model=InclusionProofOut)
def inclusion_proof(
    ledger: LedgerDep,
    index: int | None = Query(default=None, ge=0),
    leaf_hash: str | None = Query(default=None, description="hex leaf hash, instead of index"),
    size: int | None = Query(default=None, ge=1, description="tree size; default latest"),
) -> InclusionProofOut:
    if (index is None) == (leaf_hash is None):
        raise InvalidInput("give exactly one of index and leaf_hash")
    if leaf_hash is not None:
        index = ledger.find_by_leaf_hash(_hex(leaf_hash, "leaf_hash")).idx
    assert index is not None
    tree_size, proof = ledger.inclusion_proof(index, size)
    return InclusionProofOut(
        index=index,
        tree_size=tree_size,
        leaf_hash=ledger.entry(index).leaf_hash.hex(),
        inclusion_proof=[h.hex() for h in proof],
    )


@router.get("/proofs/consistency", response_model=ConsistencyProofOut)
def consistency_proof(
    ledger: LedgerDep,
    old: int = Query(ge=0),
    new: int | None = Query(default=None, ge=1),
) -> ConsistencyProofOut:
    proof, old_root, new_root = ledger.consistency_proof(old, new)
    new_size = new if new is not None else ledger.latest_checkpoint().tree_size
    return ConsistencyProofOut(
        old_size=old,
        new_size=new_size,
        old_root=old_root.hex(),
        new_root=new_root.hex(),
        proof=[h.hex() for h in proof],
    )


@router.get("/keys", response_model=list[KeyOut])
def keys(ledger: LedgerDep) -> list[KeyOut]:
    return [
        KeyOut(key_id=k.key_id, algorithm=k.algorithm, vkey=k.vkey, active=k.retired_at is None)
        for k in ledger.keys()
    ]


@router.get("/receipts/{index}")
def receipt(index: int, ledger: LedgerDep) -> dict[str, Any]:
    """Entry + inclusion proof + signed checkpoint: verify offline with `datadeed verify`."""
    return ledger.receipt(index)


@tiles_router.get("/checkpoint", response_class=PlainTextResponse)
def tiles_checkpoint(ledger: LedgerDep) -> PlainTextResponse:
    return PlainTextResponse(ledger.latest_checkpoint().note, headers={"Cache-Control": "no-store"})


@tiles_router.get("/tile/{path:path}")
def tile(path: str, ledger: LedgerDep) -> Response:
    try:
        level, index, width, is_entries = tiles.parse_tile_path(f"tile/{path}")
    except ValueError as exc:
        raise NotFound(str(exc)) from None
    data = ledger.entry_bundle(index, width) if is_entries else ledger.tile(level, index, width)
    cache = IMMUTABLE if width == tiles.TILE_WIDTH else "no-store"
    return Response(data, media_type="application/octet-stream", headers={"Cache-Control": cache})
