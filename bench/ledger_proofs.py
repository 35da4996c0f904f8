"""Inclusion proofs at 1,000,000 entries: datadeed reading its SQL store beside pymerkle.

datadeed: a ledger of 1,000,000 "evidence/v1" entries in a SQLite file, built once through
``LedgerService.append_many`` (batches of 10,000) and cached under var/bench/ so a rerun
reuses it. Proofs come from ``SqlLedgerStore.inclusion_proof`` on a fresh session (two
indexed queries per proof) and are checked with ``tree.verify_inclusion``.

pymerkle: an ``InmemoryTree(algorithm="sha256")`` (RFC 6962 hashing) fed the same leaf
bytes, read back from that file; then its ``prove_inclusion`` and ``verify_inclusion`` on
the same random indices. Both must give the same root and the same audit paths.

    .venv/bin/python bench/ledger_proofs.py            # 1,000,000 entries, 2,000 proofs
    .venv/bin/python bench/ledger_proofs.py --quick    # 100,000 entries, 500 proofs
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import random
import resource
import sqlite3
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pymerkle  # type: ignore[import-untyped]
from benchlib import migrated_ledger
from sqlalchemy import select
from sqlalchemy.orm import Session

from datadeed.db import make_engine
from datadeed.ledger import tree
from datadeed.ledger.models import LedgerCheckpoint, LedgerEntry
from datadeed.ledger.services import LedgerService
from datadeed.ledger.storage import SqlLedgerStore

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "var" / "bench"
KIND = "evidence/v1"
BUILD_BATCH = 10_000
READ_CHUNK = 50_000
TARGET_MS = 1.0
PYMERKLE_BUDGET_S = 900.0  # stop feeding pymerkle past this and compare at the size reached
PROOF_BUDGET_S = 120.0  # stop proving past this (at least MIN_PROOFS) and say so
MIN_PROOFS = 100


def evidence(i: int) -> tuple[str, dict[str, Any]]:
    digest = hashlib.sha256(f"bench entry {i}".encode()).hexdigest()
    return KIND, {"algo": "sha256", "digest": digest, "submitted_at": "2026-11-29T03:00:00Z"}


# --- The cached datadeed ledger ---------------------------------------------------------------


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def stored_size(path: Path) -> int:
    engine = make_engine(sqlite_url(path))
    try:
        with Session(engine) as session:
            return SqlLedgerStore(session).size()
    finally:
        engine.dispose()


def build(path: Path, home: Path, size: int) -> None:
    """Append ``size`` entries through the service into a new file at ``path``."""
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    url = sqlite_url(partial)
    settings, keyring, database = migrated_ledger(url, home)
    start = time.perf_counter()
    with database.session() as session:
        ledger = LedgerService(session, settings, keyring)
        for first in range(0, size, BUILD_BATCH):
            ledger.append_many([evidence(i) for i in range(first, min(first + BUILD_BATCH, size))])
            session.commit()
            done = min(first + BUILD_BATCH, size)
            if done % (size // 10) == 0:
                elapsed = time.perf_counter() - start
                print(f"  built {done:>9,} entries in {elapsed:6.1f} s", flush=True)
    database.bind.dispose()  # type: ignore[union-attr]  # checkpoints and removes the WAL
    partial.rename(path)


def cached_ledger(size: int) -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"ledger-{size}.db"
    if path.exists() and stored_size(path) == size:
        print(f"reusing {path.relative_to(ROOT)} ({size:,} entries)")
        return path
    print(f"building {path.relative_to(ROOT)}: {size:,} entries through LedgerService …")
    build(path, CACHE / f"ledger-{size}-home", size)
    return path


def leaf_data(session: Session, size: int) -> Iterator[list[bytes]]:
    """The leaf bytes of ``[0, size)`` in order, in chunks."""
    for start in range(0, size, READ_CHUNK):
        end = min(start + READ_CHUNK, size)
        query = select(LedgerEntry.data).where(LedgerEntry.idx >= start, LedgerEntry.idx < end)
        yield list(session.scalars(query.order_by(LedgerEntry.idx)))


# --- Timing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    label: str
    seconds: list[float]

    @property
    def mean_ms(self) -> float:
        return statistics.fmean(self.seconds) * 1e3

    def quantile_ms(self, q: int) -> float:
        return statistics.quantiles(self.seconds, n=100)[q - 1] * 1e3

    def line(self) -> str:
        return (
            f"  {self.label:<40} mean {self.mean_ms:7.3f} ms   p50 {self.quantile_ms(50):7.3f} ms"
            f"   p95 {self.quantile_ms(95):7.3f} ms"
        )


def each(
    items: Sequence[Any], work: Callable[[Any], Any], budget: float = float("inf")
) -> tuple[list[float], list[Any]]:
    """Time ``work`` on each item, stopping once ``budget`` seconds are spent."""
    seconds: list[float] = []
    results: list[Any] = []
    for item in items:
        start = time.perf_counter()
        results.append(work(item))
        seconds.append(time.perf_counter() - start)
        if len(seconds) >= MIN_PROOFS and sum(seconds) > budget:
            break
    return seconds, results


@dataclass
class Ours:
    root: bytes
    proofs: list[list[bytes]]
    prove: Timing
    verify: Timing


def time_ours(path: Path, size: int, indices: list[int]) -> Ours:
    engine = make_engine(sqlite_url(path))
    try:
        with Session(engine) as session:  # fresh: nothing cached in the session
            store = SqlLedgerStore(session)
            root = store.root(size)
            leaves = store.perfect_hashes((0, i) for i in indices)
            prove, proofs = each(indices, lambda i: store.inclusion_proof(i, size), PROOF_BUDGET_S)
        if len(proofs) < len(indices):
            print(f"  datadeed proofs stopped after {PROOF_BUDGET_S:.0f} s: {len(proofs):,} timed")
        cases = list(zip(indices, proofs, strict=False))
        verify, oks = each(
            cases, lambda c: tree.verify_inclusion(c[0], size, leaves[(0, c[0])], c[1], root)
        )
        assert all(oks), "a datadeed proof did not verify"
    finally:
        engine.dispose()
    return Ours(
        root,
        proofs,
        Timing("datadeed prove (SQLite, fresh session)", prove),
        Timing("datadeed verify (tree.verify_inclusion)", verify),
    )


@dataclass
class Theirs:
    size: int
    build_seconds: float
    compact_root: bytes
    tree: pymerkle.InmemoryTree


def feed_pymerkle(path: Path, size: int) -> Theirs:
    """Append the stored leaf bytes to pymerkle, within the time budget; also fold them
    into our own CompactRange, outside the timing, for the root cross-check."""
    theirs = pymerkle.InmemoryTree(algorithm="sha256")
    compact = tree.CompactRange()
    spent = 0.0
    engine = make_engine(sqlite_url(path))
    with Session(engine) as session:
        for chunk in leaf_data(session, size):
            start = time.perf_counter()
            for data in chunk:
                theirs.append_entry(data)
            spent += time.perf_counter() - start
            compact.extend(tree.leaf_hash(data) for data in chunk)
            if spent > PYMERKLE_BUDGET_S:
                print(f"  pymerkle stopped after {PYMERKLE_BUDGET_S:.0f} s")
                break
    engine.dispose()
    return Theirs(theirs.get_size(), spent, compact.root(), theirs)


def time_pymerkle(theirs: Theirs, indices: list[int]) -> tuple[Timing, Timing, list[Any]]:
    size, pm = theirs.size, theirs.tree
    root = pm.get_root(size)
    prove, proofs = each(indices, lambda i: pm.prove_inclusion(i + 1, size))
    leaves = [pm.get_leaf(i + 1) for i in indices]
    verify, _ = each(
        list(zip(leaves, proofs, strict=True)),
        lambda c: pymerkle.verify_inclusion(c[0], root, c[1]),  # raises InvalidProof
    )
    return (
        Timing("pymerkle prove (InmemoryTree)", prove),
        Timing("pymerkle verify (verify_inclusion)", verify),
        proofs,
    )


# --- Report -------------------------------------------------------------------------------------


def compare(size: int, path: Path, theirs: Theirs, count: int, seed: int) -> None:
    indices = random.Random(seed).sample(range(size), count)
    ours = time_ours(path, size, indices)
    indices = indices[: len(ours.proofs)]
    engine = make_engine(sqlite_url(path))
    with Session(engine) as session:
        signed = session.get(LedgerCheckpoint, size)
    engine.dispose()
    roots = {
        "datadeed store": ours.root,
        "CompactRange over the leaf bytes": theirs.compact_root,
        "pymerkle": theirs.tree.get_root(size),
    }
    if signed is not None:
        roots["signed checkpoint"] = signed.root_hash
    assert len(set(roots.values())) == 1, {k: v.hex() for k, v in roots.items()}
    print(f"  same root from {', '.join(roots)}: {ours.root.hex()[:16]}…")
    prove, verify, their_proofs = time_pymerkle(theirs, indices)
    same = all(p.path[1:] == q for p, q in zip(their_proofs, ours.proofs, strict=True))
    assert same, "pymerkle and datadeed give different audit paths"
    print(f"  same audit paths for all {len(indices):,} indices")
    for timing in (ours.prove, prove, ours.verify, verify):
        print(timing.line())
    print(
        f"  ratio datadeed/pymerkle: prove {ours.prove.mean_ms / prove.mean_ms:.2f}×, "
        f"verify {ours.verify.mean_ms / verify.mean_ms:.2f}× (mean per proof)"
    )
    verdict = "meets" if ours.prove.mean_ms < TARGET_MS else "MISSES"
    print(f"  datadeed proof read from storage {verdict} the target of < {TARGET_MS} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 entries, 500 proofs")
    args = parser.parse_args()
    size, count = (100_000, 500) if args.quick else (1_000_000, 2_000)
    print(
        f"ledger proofs — {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, pymerkle {pymerkle.__version__}"
    )
    path = cached_ledger(size)
    theirs = feed_pymerkle(path, size)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"pymerkle InmemoryTree: {theirs.size:,} entries appended in {theirs.build_seconds:.1f} s"
        f" ({theirs.size / theirs.build_seconds:,.0f}/s); peak RSS of this process {rss:,.0f} MiB"
    )
    if theirs.size < size:
        print(f"pymerkle reached only {theirs.size:,} entries; comparing at that size")
    print(f"{count:,} random leaves of a tree of {theirs.size:,}:")
    compare(theirs.size, path, theirs, count, seed=6962)


if __name__ == "__main__":
    main()
