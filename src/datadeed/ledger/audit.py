"""`datadeed ledger audit`: rebuild the tree from the stored leaves and compare every
stored leaf hash, interior hash and checkpoint (root and signature) against it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from datadeed.ledger import tree
from datadeed.ledger.checkpoint import parse_checkpoint
from datadeed.ledger.keys import LogKeyring
from datadeed.ledger.models import LedgerCheckpoint, LedgerEntry, LedgerNode
from datadeed.ledger.note import NoteError, open_note, parse_vkey
from datadeed.ledger.storage import push_leaf

BATCH = 10_000


@dataclass
class AuditReport:
    entries: int = 0
    nodes: int = 0
    checkpoints: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_problem(self) -> str | None:
        return self.problems[0] if self.problems else None

    def summary(self) -> str:
        verdict = "OK" if self.ok else f"{len(self.problems)} problem(s): {self.first_problem}"
        return (
            f"ledger audit {verdict} — {self.entries} entries, {self.nodes} interior hashes, "
            f"{self.checkpoints} checkpoints checked"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "nodes": self.nodes,
            "checkpoints": self.checkpoints,
            "problems": self.problems,
        }


def audit_ledger(
    session: Session, hash_fn: tree.HashFn, keyring: LogKeyring, origin: str
) -> AuditReport:
    report = AuditReport()
    checkpoints = {c.tree_size: c for c in session.scalars(select(LedgerCheckpoint))}
    roots: dict[int, bytes] = {}
    edge: list[tuple[int, bytes]] = []
    for start, rows in _batches(session):
        expected = _replay(rows, start, edge, hash_fn, report, checkpoints, roots)
        _compare_nodes(session, expected, report)
    _check_node_count(session, report)
    _check_checkpoints(session, checkpoints, roots, keyring, origin, hash_fn, report)
    return report


def _batches(session: Session) -> Iterator[tuple[int, list[LedgerEntry]]]:
    start = 0
    while True:
        query = select(LedgerEntry).where(LedgerEntry.idx >= start).order_by(LedgerEntry.idx)
        rows = list(session.scalars(query.limit(BATCH)))
        if not rows:
            return
        yield start, rows
        start = rows[-1].idx + 1
        session.expunge_all()


def _replay(
    rows: list[LedgerEntry],
    start: int,
    edge: list[tuple[int, bytes]],
    hash_fn: tree.HashFn,
    report: AuditReport,
    checkpoints: dict[int, LedgerCheckpoint],
    roots: dict[int, bytes],
) -> dict[tuple[int, int], bytes]:
    """Push each leaf onto the right edge; return the interior nodes it completes."""
    expected: dict[tuple[int, int], bytes] = {}
    for offset, row in enumerate(rows):
        index = start + offset
        if row.idx != index:
            report.problems.append(f"entries: index {index} is missing (next stored is {row.idx})")
            return expected
        leaf = tree.leaf_hash(row.data, hash_fn=hash_fn)
        if leaf != row.leaf_hash:
            report.problems.append(
                f"entries: stored leaf hash of entry {index} does not match its data"
            )
        report.entries += 1
        expected.update(push_leaf(edge, leaf, index + 1, hash_fn))
        if index + 1 in checkpoints:
            roots[index + 1] = tree.combine_subtree_hashes([h for _, h in edge], hash_fn=hash_fn)
    return expected


def _compare_nodes(
    session: Session, expected: dict[tuple[int, int], bytes], report: AuditReport
) -> None:
    for level in sorted({lv for lv, _ in expected}):
        wanted = sorted(i for lv, i in expected if lv == level)
        rows = session.execute(
            select(LedgerNode.idx, LedgerNode.hash).where(
                LedgerNode.level == level, LedgerNode.idx.between(wanted[0], wanted[-1])
            )
        )
        stored = {idx: h for idx, h in rows}
        for idx in wanted:
            report.nodes += 1
            if stored.get(idx) != expected[(level, idx)]:
                report.problems.append(f"nodes: interior hash ({level}, {idx}) is wrong or missing")


def _check_node_count(session: Session, report: AuditReport) -> None:
    stored = session.scalar(select(func.count()).select_from(LedgerNode)) or 0
    if stored != report.nodes:
        report.problems.append(f"nodes: {stored} interior hashes stored, {report.nodes} expected")


def _check_checkpoints(
    session: Session,
    checkpoints: dict[int, LedgerCheckpoint],
    roots: dict[int, bytes],
    keyring: LogKeyring,
    origin: str,
    hash_fn: tree.HashFn,
    report: AuditReport,
) -> None:
    verifiers = [parse_vkey(v) for v in keyring.public_keys(session)]
    for size, row in sorted(checkpoints.items()):
        report.checkpoints += 1
        where = f"checkpoint {size}"
        root = roots.get(size) if size else tree.empty_root(hash_fn=hash_fn)
        if root is None:
            report.problems.append(f"{where}: signed for more entries than are stored")
            continue
        try:
            opened = open_note(row.note, verifiers)
            body = parse_checkpoint(opened.text)
        except (NoteError, ValueError) as exc:
            report.problems.append(f"{where}: signature or format invalid: {exc}")
            continue
        if body.origin != origin or body.size != size:
            report.problems.append(f"{where}: signed body names {body.origin} size {body.size}")
        if body.root_hash != root or row.root_hash != root:
            report.problems.append(f"{where}: root hash disagrees with the stored leaves")
