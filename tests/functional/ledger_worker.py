"""A separate process that appends to the ledger, for the reliability tests.

    python -m tests.functional.ledger_worker --url URL --home HOME --tag w0 steady 50
    python -m tests.functional.ledger_worker --url URL --home HOME --tag k3 forever

It builds its own engine, session and LedgerService the way the server does, prints
``ready`` once set up, and then one line ``<index> <digest> <tree size>`` per entry,
printed and flushed only after the transaction holding that entry (and the checkpoint
it signed at that tree size) has committed: a printed line is an acknowledgement.
``steady N`` waits for a line on stdin (so that all workers start together), appends N
entries one by one and exits. ``forever`` mixes single and batched appends until it is
killed.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from datadeed.config import Environment, Settings
from datadeed.db import Database
from datadeed.ledger.keys import LogKeyring
from datadeed.ledger.services import Appended, LedgerService

KIND = "evidence/v1"


def evidence_body(digest: str) -> dict[str, Any]:
    return {"algo": "sha256", "digest": digest, "submitted_at": "2026-11-29T03:00:00Z"}


def digests(tag: str) -> Iterator[str]:
    """Distinct digests per worker, so every acknowledged entry is recognisable."""
    n = 0
    while True:
        yield hashlib.sha256(f"{tag}:{n}".encode()).hexdigest()
        n += 1


def acknowledge(appended: list[Appended], batch: list[str]) -> None:
    lines = (f"{a.index} {d} {a.tree_size}\n" for a, d in zip(appended, batch, strict=True))
    sys.stdout.write("".join(lines))
    sys.stdout.flush()


def steady(ledger: LedgerService, tag: str, count: int) -> None:
    sys.stdin.readline()
    names = digests(tag)
    for _ in range(count):
        digest = next(names)
        appended = ledger.append(KIND, evidence_body(digest))
        ledger.session.commit()
        acknowledge([appended], [digest])


def forever(ledger: LedgerService, tag: str, seed: int) -> None:
    rng, names = random.Random(seed), digests(tag)
    while True:
        batch = [next(names) for _ in range(1 if rng.random() < 0.5 else rng.randint(2, 40))]
        appended = ledger.append_many([(KIND, evidence_body(d)) for d in batch])
        ledger.session.commit()
        acknowledge(appended, batch)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="ledger_worker")
    parser.add_argument("--url", required=True)
    parser.add_argument("--home", required=True, type=Path)
    parser.add_argument("--tag", required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("mode", choices=["steady", "forever"])
    parser.add_argument("count", type=int, nargs="?", default=0)
    args = parser.parse_args(argv)
    settings = Settings(
        env=Environment.TEST,
        home=args.home,
        database_url=args.url,
        secret_key=secrets.token_urlsafe(32),
    )
    keyring = LogKeyring.from_settings(settings)
    database = Database.from_url(args.url)
    with database.session() as session:
        ledger = LedgerService(session, settings, keyring)
        print("ready", flush=True)
        if args.mode == "steady":
            steady(ledger, args.tag, args.count)
        else:
            forever(ledger, args.tag, args.seed)
    database.bind.dispose()  # type: ignore[union-attr]


if __name__ == "__main__":
    main()
