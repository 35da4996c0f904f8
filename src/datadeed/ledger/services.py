"""The ledger service ("personality" on top of tree math and storage): append typed
entries in the caller's transaction, sign a checkpoint for every new tree size, serve
proofs and receipts, and audit the stored tree."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from datadeed.config import Settings
from datadeed.db import serialize_appends
from datadeed.errors import Conflict, InvalidInput, NotFound
from datadeed.ledger import entries, tiles, tree
from datadeed.ledger.checkpoint import Checkpoint
from datadeed.ledger.keys import LogKeyring
from datadeed.ledger.models import LedgerCheckpoint, LedgerEntry, LedgerKey
from datadeed.ledger.note import sign_note
from datadeed.ledger.storage import SqlLedgerStore

HASH_FUNCTIONS: dict[str, tree.HashFn] = {"sha256": tree.sha256, "sm3": tree.sm3}
RECEIPT_FORMAT = "datadeed-receipt/v1"


class LedgerConflict(Conflict):
    code = "ledger_conflict"
    title = "Ledger conflict"


@dataclass(frozen=True)
class Appended:
    index: int
    kind: str
    leaf_hash: bytes
    tree_size: int


@dataclass(frozen=True)
class SignedCheckpoint:
    tree_size: int
    root_hash: bytes
    note: str


class LedgerService:
    """Every legally meaningful event is appended here, in the same transaction as the
    state change it records; the caller commits."""

    def __init__(self, session: Session, settings: Settings, keyring: LogKeyring) -> None:
        self.session = session
        self.settings = settings
        self.keyring = keyring
        self.hash_fn = HASH_FUNCTIONS[settings.ledger_hash]
        self.store = SqlLedgerStore(session, self.hash_fn)

    # -- writing -------------------------------------------------------------------

    def append(self, kind: str, body: dict[str, Any]) -> Appended:
        return self.append_many([(kind, body)])[0]

    def append_many(self, items: Sequence[tuple[str, dict[str, Any]]]) -> list[Appended]:
        """Validate, append and sign one checkpoint covering all of ``items``."""
        if not items:
            raise InvalidInput("nothing to append")
        encoded = [(kind, entries.encode_entry(kind, body)) for kind, body in items]
        serialize_appends(self.session)
        stored, root = self.store.append(encoded)
        size = stored[-1].index + 1
        self._sign_checkpoint(size, root)
        return [Appended(s.index, s.kind, s.leaf_hash, size) for s in stored]

    def _sign_checkpoint(self, size: int, root: bytes) -> LedgerCheckpoint:
        if self.session.get(LedgerCheckpoint, size) is not None:
            raise LedgerConflict(f"a checkpoint for size {size} already exists")
        signer = self.keyring.signer(self.session)
        body = Checkpoint(origin=self.settings.ledger_origin, size=size, root_hash=root).body()
        row = LedgerCheckpoint(
            tree_size=size,
            root_hash=root,
            note=sign_note(body, [signer]),
            key_id=signer.key_id.hex(),
        )
        self.session.add(row)
        self.session.flush()
        return row

    def add_cosignature(self, size: int, line: str) -> None:
        """Attach a witness's cosignature line to the checkpoint of ``size``. The signed
        body does not change; the note just carries one more signature."""
        row = self.session.get(LedgerCheckpoint, size)
        if row is None:
            raise NotFound(f"no checkpoint was signed at tree size {size}")
        line = line if line.endswith("\n") else line + "\n"
        if not line.startswith("— ") or line.count("\n") != 1:
            raise InvalidInput("a cosignature is one signature line of a signed note")
        if line not in row.note:
            row.note += line
            self.session.flush()

    # -- reading -------------------------------------------------------------------

    def latest_checkpoint(self) -> SignedCheckpoint:
        row = self.session.scalar(
            select(LedgerCheckpoint).order_by(LedgerCheckpoint.tree_size.desc()).limit(1)
        )
        if row is None:
            return self._empty_checkpoint()
        return SignedCheckpoint(row.tree_size, row.root_hash, row.note)

    def _empty_checkpoint(self) -> SignedCheckpoint:
        root = tree.empty_root(hash_fn=self.hash_fn)
        body = Checkpoint(origin=self.settings.ledger_origin, size=0, root_hash=root).body()
        return SignedCheckpoint(0, root, sign_note(body, [self.keyring.signer(self.session)]))

    def checkpoint_at(self, size: int) -> SignedCheckpoint:
        row = self.session.get(LedgerCheckpoint, size)
        if row is None:
            raise NotFound(f"no checkpoint was signed at tree size {size}")
        return SignedCheckpoint(row.tree_size, row.root_hash, row.note)

    def keys(self) -> list[LedgerKey]:
        self.keyring.signer(self.session)
        return list(self.session.scalars(select(LedgerKey).order_by(LedgerKey.activated_at)))

    def entry(self, index: int) -> LedgerEntry:
        row = self.store.entry(index)
        if row is None:
            raise NotFound(f"no ledger entry at index {index}")
        return row

    def find_by_leaf_hash(self, leaf_hash: bytes) -> LedgerEntry:
        row = self.session.scalar(
            select(LedgerEntry).where(LedgerEntry.leaf_hash == leaf_hash).order_by(LedgerEntry.idx)
        )
        if row is None:
            raise NotFound("no ledger entry has this leaf hash")
        return row

    def inclusion_proof(self, index: int, size: int | None = None) -> tuple[int, list[bytes]]:
        size = self._size_or_latest(size)
        if not 0 <= index < size:
            raise InvalidInput(f"index {index} is not in a tree of size {size}")
        return size, self.store.inclusion_proof(index, size)

    def consistency_proof(
        self, old: int, new: int | None = None
    ) -> tuple[list[bytes], bytes, bytes]:
        new = self._size_or_latest(new)
        if not 0 <= old <= new:
            raise InvalidInput(f"need 0 ≤ old ≤ new ≤ {self.store.size()}; got {old}, {new}")
        proof = self.store.consistency_proof(old, new) if old else []
        return proof, self.store.root(old), self.store.root(new)

    def _size_or_latest(self, size: int | None) -> int:
        latest = self.latest_checkpoint().tree_size
        if size is None:
            return latest
        if not 0 < size <= latest:
            raise InvalidInput(f"tree size must be between 1 and {latest}; got {size}")
        return size

    # -- C2SP tlog-tiles -------------------------------------------------------------

    def tile(self, level: int, index: int, width: int) -> bytes:
        """The concatenated node hashes of a tile inside the latest checkpoint."""
        size = self.latest_checkpoint().tree_size
        _start, end, _node_level = tiles.tile_hash_range(level, index, width)
        if end > size:
            raise NotFound(f"tile {tiles.tile_path(level, index, width)} is beyond the tree")
        coords = tiles.tile_node_coords(level, index, width)
        hashes = self.store.perfect_hashes(coords)
        return b"".join(hashes[c] for c in coords)

    def entry_bundle(self, index: int, width: int) -> bytes:
        size = self.latest_checkpoint().tree_size
        start = index * tiles.TILE_WIDTH
        if start + width > size:
            raise NotFound(f"entry tile {tiles.entries_path(index, width)} is beyond the tree")
        return tiles.encode_entry_bundle([e.data for e in self.store.leaves(start, start + width)])

    def receipt(self, index: int) -> dict[str, Any]:
        """Entry + inclusion proof + signed checkpoint, verifiable offline (ledger/verify.py)."""
        row = self.entry(index)
        checkpoint = self.latest_checkpoint()  # read once: the proof is for this size
        proof = self.store.inclusion_proof(index, checkpoint.tree_size)
        _kind, body = entries.decode_entry(row.data)
        return {
            "format": RECEIPT_FORMAT,
            "hash_algorithm": self.settings.ledger_hash,
            "origin": self.settings.ledger_origin,
            "index": row.idx,
            "kind": row.kind,
            "entry": entries.entry_document(row.kind, body),
            "leaf_hash": row.leaf_hash.hex(),
            "tree_size": checkpoint.tree_size,
            "root_hash": checkpoint.root_hash.hex(),
            "inclusion_proof": [h.hex() for h in proof],
            "checkpoint": checkpoint.note,
            "log_public_keys": self.keyring.public_keys(self.session),
        }
