"""Ledger storage in the SQL database: leaves and the perfect-subtree hashes that proofs
and C2SP tiles read. Appends must run under ``db.serialize_appends`` so that indices are
dense and the right edge of the tree cannot change under us."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from datadeed.db import utcnow
from datadeed.errors import DatadeedError
from datadeed.ledger import tree
from datadeed.ledger.models import LedgerEntry, LedgerNode


class LedgerCorrupt(DatadeedError):
    """Stored hashes that proofs need are missing: the database was damaged or edited."""

    code = "ledger_corrupt"
    status = 500
    title = "Ledger storage is damaged"


@dataclass(frozen=True)
class StoredLeaf:
    index: int
    kind: str
    data: bytes
    leaf_hash: bytes


class SqlLedgerStore:
    """Reads and appends the tree; ``hash_fn`` is the log's hash (SHA-256 or SM3)."""

    def __init__(self, session: Session, hash_fn: tree.HashFn = tree.sha256) -> None:
        self.session = session
        self.hash_fn = hash_fn

    # -- reading -------------------------------------------------------------------

    def size(self) -> int:
        top = self.session.scalar(select(func.max(LedgerEntry.idx)))
        return 0 if top is None else int(top) + 1

    def entry(self, index: int) -> LedgerEntry | None:
        return self.session.get(LedgerEntry, index)

    def perfect_hashes(self, coords: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        """Hashes of aligned blocks (level, index): one query for leaves, one for nodes.

        Proof reads are the hot path, so the SQL is written directly: nodes are matched as
        ``level = L AND idx IN (…)`` per level, OR-ed, which SQLite and PostgreSQL answer from
        the primary key (a row-value IN list makes SQLite scan the table, and building the
        same query as an expression tree costs more than running it). Only Python ints are
        formatted into it."""
        wanted = {(int(level), int(idx)) for level, idx in coords}
        found: dict[tuple[int, int], bytes] = {}
        conn = self.session.connection()
        leaves = sorted(i for level, i in wanted if level == 0)
        if leaves:
            sql = f"SELECT idx, leaf_hash FROM ledger_entries WHERE idx IN ({_ints(leaves)})"  # noqa: S608
            found.update({(0, idx): bytes(h) for idx, h in conn.exec_driver_sql(sql)})
        by_level: dict[int, list[int]] = {}
        for level, idx in sorted(wanted):
            if level > 0:
                by_level.setdefault(level, []).append(idx)
        if by_level:
            where = " OR ".join(
                f"(level = {lv} AND idx IN ({_ints(ix)}))" for lv, ix in by_level.items()
            )
            sql = f"SELECT level, idx, hash FROM ledger_nodes WHERE {where}"  # noqa: S608 - ints only
            found.update({(lv, idx): bytes(h) for lv, idx, h in conn.exec_driver_sql(sql)})
        missing = wanted - found.keys()
        if missing:
            raise LedgerCorrupt(
                f"ledger storage lacks subtree hashes {sorted(missing)[:4]}; "
                "run `datadeed ledger audit`"
            )
        return found

    def node_source(self, ranges: Sequence[tuple[int, int]]) -> tree.NodeSource:
        """A NodeSource answering ``ranges`` (and their parts) from one prefetch."""
        coords = [
            _coord(s, e) for start, end in ranges for s, e in tree.perfect_subtrees(start, end)
        ]
        cache = self.perfect_hashes(coords)
        return tree.PerfectSubtreeSource(lambda level, i: cache[(level, i)], hash_fn=self.hash_fn)

    def root(self, size: int) -> bytes:
        if size == 0:
            return tree.empty_root(hash_fn=self.hash_fn)
        return tree.root_from(self.node_source([(0, size)]), size, hash_fn=self.hash_fn)

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        ranges = tree.inclusion_proof_ranges(index, size)
        return tree.inclusion_proof_from(self.node_source(ranges), index, size)

    def consistency_proof(self, old: int, new: int) -> list[bytes]:
        ranges = tree.consistency_proof_ranges(old, new)
        return tree.consistency_proof_from(self.node_source(ranges), old, new)

    def leaves(self, start: int, end: int) -> list[LedgerEntry]:
        query = select(LedgerEntry).where(LedgerEntry.idx >= start, LedgerEntry.idx < end)
        return list(self.session.scalars(query.order_by(LedgerEntry.idx)))

    # -- appending -----------------------------------------------------------------

    def append(self, leaves: Sequence[tuple[str, bytes]]) -> tuple[list[StoredLeaf], bytes]:
        """Append (kind, data) leaves; returns them with their indices, and the new root.
        The caller holds the append lock and commits."""
        size = self.size()
        edge = self._right_edge(size)
        stored: list[StoredLeaf] = []
        new_nodes: dict[tuple[int, int], bytes] = {}
        for offset, (kind, data) in enumerate(leaves):
            index = size + offset
            leaf_hash = tree.leaf_hash(data, hash_fn=self.hash_fn)
            stored.append(StoredLeaf(index, kind, data, leaf_hash))
            new_nodes.update(push_leaf(edge, leaf_hash, index + 1, self.hash_fn))
        # Core inserts: the ORM's per-object bookkeeping costs more than the hashing here.
        now = utcnow()
        entry_rows = [
            {
                "idx": s.index,
                "kind": s.kind,
                "data": s.data,
                "leaf_hash": s.leaf_hash,
                "created_at": now,
            }
            for s in stored
        ]
        self.session.execute(insert(LedgerEntry), entry_rows)
        if new_nodes:
            node_rows = [{"level": lv, "idx": i, "hash": h} for (lv, i), h in new_nodes.items()]
            self.session.execute(insert(LedgerNode), node_rows)
        return stored, self._fold(edge)

    def _right_edge(self, size: int) -> list[tuple[int, bytes]]:
        """The perfect subtrees covering [0, size), largest first, as (level, hash)."""
        ranges = tree.perfect_subtrees(0, size) if size else []
        coords = [_coord(s, e) for s, e in ranges]
        hashes = self.perfect_hashes(coords)
        return [(level, hashes[(level, i)]) for level, i in coords]

    def _fold(self, edge: list[tuple[int, bytes]]) -> bytes:
        if not edge:
            return tree.empty_root(hash_fn=self.hash_fn)
        return tree.combine_subtree_hashes([h for _, h in edge], hash_fn=self.hash_fn)


def _ints(values: Iterable[int]) -> str:
    return ", ".join(str(int(v)) for v in values)


def push_leaf(
    edge: list[tuple[int, bytes]], leaf_hash: bytes, new_size: int, hash_fn: tree.HashFn
) -> dict[tuple[int, int], bytes]:
    """Append a leaf to the right edge (perfect subtrees as (level, hash), largest first);
    return the interior nodes it completes, keyed (level, index)."""
    completed: dict[tuple[int, int], bytes] = {}
    edge.append((0, leaf_hash))
    while len(edge) >= 2 and edge[-1][0] == edge[-2][0]:
        (level, right), (_, left) = edge.pop(), edge.pop()
        merged = tree.node_hash(left, right, hash_fn=hash_fn)
        edge.append((level + 1, merged))
        completed[(level + 1, (new_size >> (level + 1)) - 1)] = merged
    return completed


def _coord(start: int, end: int) -> tuple[int, int]:
    level = (end - start).bit_length() - 1
    return level, start >> level
