"""Ledger appends per second, through ``LedgerService`` as the application appends.

Two ways of appending "evidence/v1" entries, each signing a checkpoint per commit:

* one by one: ``append`` then commit, so one transaction and one signature per entry;
* batched: ``append_many`` of 1,000 entries then commit.

On SQLite (a file in a temporary folder) always, and on PostgreSQL when
DATADEED_BENCH_PG_URL (or else DATADEED_TEST_DATABASE_URL) names a server: the script
creates its own database there and drops it afterwards. Tessera's published figures are
printed beside ours for scale; they are quoted, not measured here.

    .venv/bin/python bench/ledger_append.py            # 5,000 single, 50,000 batched
    .venv/bin/python bench/ledger_append.py --quick    # 500 single, 5,000 batched
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchlib import migrated_ledger
from sqlalchemy import text
from sqlalchemy.engine import make_url

from datadeed.db import make_engine
from datadeed.ledger import entries
from datadeed.ledger.services import LedgerService

KIND = "evidence/v1"
BATCH = 1_000
BATCHED_TARGET = 5_000  # entries/s on SQLite, batched
TESSERA = (
    "Tessera (Go), published figures for its POSIX backend, quoted for scale and not "
    "measured here:\n"
    "  ≈2,900 writes/s on a mirrored pair of SAS spinning disks (≈1,600/s with antispam);\n"
    "  ≈10,000 writes/s on NVMe (figure given with this benchmark's brief; unverified)."
)


def evidence(i: int) -> tuple[str, dict[str, Any]]:
    digest = hashlib.sha256(f"bench entry {i}".encode()).hexdigest()
    return KIND, {"algo": "sha256", "digest": digest, "submitted_at": "2026-11-29T03:00:00Z"}


@dataclass(frozen=True)
class Rate:
    label: str
    entries: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.entries / self.seconds

    def line(self) -> str:
        return (
            f"  {self.label:<34} {self.entries:>7,} entries in {self.seconds:6.2f} s"
            f"  = {self.per_second:>8,.0f} entries/s"
        )


def timed(label: str, count: int, work: Callable[[], None]) -> Rate:
    start = time.perf_counter()
    work()
    return Rate(label, count, time.perf_counter() - start)


def one_by_one(ledger: LedgerService, start: int, count: int) -> None:
    for i in range(start, start + count):
        ledger.append(*evidence(i))
        ledger.session.commit()


def batched(ledger: LedgerService, start: int, count: int) -> None:
    for first in range(start, start + count, BATCH):
        ledger.append_many([evidence(i) for i in range(first, min(first + BATCH, start + count))])
        ledger.session.commit()


def encoding_only(count: int) -> None:
    for i in range(count):
        entries.encode_entry(*evidence(i))


def run(url: str, home: Path, singles: int, many: int) -> list[Rate]:
    settings, keyring, database = migrated_ledger(url, home)
    try:
        with database.session() as session:
            ledger = LedgerService(session, settings, keyring)
            ledger.append(*evidence(-1))  # the first key and checkpoint, outside the timing
            session.commit()
            return [
                timed("one by one (commit each)", singles, lambda: one_by_one(ledger, 0, singles)),
                timed(
                    f"batched ({BATCH:,} per commit)", many, lambda: batched(ledger, singles, many)
                ),
            ]
    finally:
        database.bind.dispose()  # type: ignore[union-attr]


@contextmanager
def sqlite_url() -> Iterator[tuple[str, Path]]:
    with tempfile.TemporaryDirectory(prefix="datadeed-bench-") as folder:
        yield f"sqlite:///{Path(folder) / 'ledger.db'}", Path(folder)


@contextmanager
def postgres_url(server: str) -> Iterator[tuple[str, Path]]:
    """A database of our own on ``server``, dropped afterwards."""
    name = f"datadeed_bench_{os.getpid()}"
    admin = make_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        with tempfile.TemporaryDirectory(prefix="datadeed-bench-") as folder:
            yield (
                make_url(server).set(database=name).render_as_string(hide_password=False),
                Path(folder),
            )
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def postgres_version(server: str) -> str:
    engine = make_engine(server)
    try:
        with engine.connect() as conn:
            return str(conn.execute(text("SHOW server_version")).scalar())
    finally:
        engine.dispose()


def report(title: str, rates: list[Rate]) -> None:
    print(title)
    for rate in rates:
        print(rate.line())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10x fewer entries")
    args = parser.parse_args()
    singles, many = (500, 5_000) if args.quick else (5_000, 50_000)
    print(
        f"ledger appends — {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}"
    )
    encode = timed("validate + encode only (no DB)", many, lambda: encoding_only(many))
    with sqlite_url() as (url, home):
        sqlite_rates = run(url, home, singles, many)
    report("SQLite (temporary file, WAL, synchronous=NORMAL):", sqlite_rates)
    print(encode.line())
    verdict = "meets" if sqlite_rates[1].per_second >= BATCHED_TARGET else "MISSES"
    print(f"  batched on SQLite {verdict} the target of {BATCHED_TARGET:,} entries/s")

    server = os.environ.get("DATADEED_BENCH_PG_URL") or os.environ.get("DATADEED_TEST_DATABASE_URL")
    if server:
        with postgres_url(server) as (url, home):
            report(f"PostgreSQL {postgres_version(server)}:", run(url, home, singles, many))
    else:
        print("PostgreSQL: skipped (set DATADEED_BENCH_PG_URL or DATADEED_TEST_DATABASE_URL)")
    print(TESSERA)


if __name__ == "__main__":
    main()
