"""The ledger under stress and attack: parallel writer processes get dense indices and
consistent checkpoints; a writer killed with SIGKILL never loses an acknowledged entry;
no two checkpoints disagree; and every kind of row tampering is named by the audit and
breaks the offline verification of a receipt issued afterwards.

Writers are separate processes (``tests/functional/ledger_worker.py``), as in production
where several server processes share one database. Runs on the suite's dialect.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text

from datadeed import migrations
from datadeed.config import Settings
from datadeed.db import Database
from datadeed.ledger import tree
from datadeed.ledger.audit import AuditReport, audit_ledger
from datadeed.ledger.checkpoint import parse_checkpoint
from datadeed.ledger.keys import LogKeyring
from datadeed.ledger.models import LedgerCheckpoint, LedgerEntry, LedgerNode
from datadeed.ledger.note import open_note, parse_vkey
from datadeed.ledger.services import LedgerConflict, LedgerService
from datadeed.ledger.storage import LedgerCorrupt
from datadeed.ledger.verify import verify_receipt
from tests.conftest import ROOT, make_settings
from tests.functional.ledger_worker import KIND, digests, evidence_body

WORKERS, PER_WORKER = 4, 50
KILLS = 6
KILL_AFTER = (0.2, 1.5)
STARTUP_TIMEOUT = 60.0


@dataclass
class LedgerWorld:
    """One migrated database with its log key; services are built the way workers do."""

    url: str
    settings: Settings
    database: Database
    keyring: LogKeyring
    vkeys: list[str] = field(default_factory=list)

    @contextmanager
    def ledger(self) -> Iterator[LedgerService]:
        with self.database.session() as session:
            yield LedgerService(session, self.settings, self.keyring)

    def audit(self) -> AuditReport:
        with self.ledger() as ledger:
            return audit_ledger(
                ledger.session, ledger.hash_fn, self.keyring, self.settings.ledger_origin
            )

    def execute(self, sql: str, **params: Any) -> None:
        """Raw SQL in its own committed transaction, as an intruder with DB access would."""
        assert isinstance(self.database.bind, Engine)
        with self.database.bind.begin() as conn:
            conn.execute(text(sql), params)


@pytest.fixture
def world(tmp_path: Path, fresh_database_url: str) -> Iterator[LedgerWorld]:
    migrations.upgrade(fresh_database_url)
    settings = make_settings(tmp_path / "home", fresh_database_url)
    keyring = LogKeyring.from_settings(settings)
    database = Database.from_url(fresh_database_url)
    # The key file exists before any worker starts: see the report on the first-key race.
    with database.session() as session:
        vkeys = keyring.public_keys(session)
        session.commit()
    yield LedgerWorld(fresh_database_url, settings, database, keyring, vkeys)
    assert isinstance(database.bind, Engine)
    database.bind.dispose()


def spawn(
    world: LedgerWorld, tag: str, *args: str, stdout: Any, stderr: Any
) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "tests.functional.ledger_worker"]
    command += ["--url", world.url, "--home", str(world.settings.home), "--tag", tag, *args]
    return subprocess.Popen(
        command, cwd=ROOT, stdin=subprocess.PIPE, stdout=stdout, stderr=stderr, text=True
    )


def acknowledged(output: str) -> tuple[dict[int, str], set[int]]:
    """``index -> digest`` and the tree sizes committed, from a worker's complete output
    lines after ``ready``."""
    lines = output.split("\n")[:-1]  # a line cut short by SIGKILL was never acknowledged
    assert lines[:1] == ["ready"], output[:200]
    fields = [line.split(" ") for line in lines[1:]]
    acks = {int(index): digest for index, digest, _ in fields}
    assert len(acks) == len(fields), "an index was acknowledged twice"
    return acks, {int(size) for _, _, size in fields}


def stored_indices(ledger: LedgerService) -> list[int]:
    return list(ledger.session.scalars(select(LedgerEntry.idx).order_by(LedgerEntry.idx)))


def stored_digests(ledger: LedgerService) -> dict[int, str]:
    rows = ledger.session.execute(select(LedgerEntry.idx, LedgerEntry.data))
    return {idx: json.loads(data)["body"]["digest"] for idx, data in rows}


def checkpoint_roots(ledger: LedgerService) -> dict[int, bytes]:
    rows = ledger.session.execute(select(LedgerCheckpoint.tree_size, LedgerCheckpoint.root_hash))
    return dict(sorted((size, root) for size, root in rows))


# --- Parallel writers -----------------------------------------------------------------------


def test_parallel_writer_processes_get_dense_indices_and_consistent_checkpoints(
    world: LedgerWorld, tmp_path: Path
) -> None:
    logs = [tmp_path / f"w{n}.err" for n in range(WORKERS)]
    workers = []
    for n, log in enumerate(logs):
        with log.open("w") as stderr:
            workers.append(
                spawn(
                    world, f"w{n}", "steady", str(PER_WORKER), stdout=subprocess.PIPE, stderr=stderr
                )
            )
    for worker, log in zip(workers, logs, strict=True):
        assert worker.stdout is not None
        assert worker.stdout.readline() == "ready\n", log.read_text()
    for worker in workers:  # all start appending at once
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    outputs = ["ready\n" + worker.communicate(timeout=120)[0] for worker in workers]
    for worker, log in zip(workers, logs, strict=True):
        assert worker.returncode == 0, log.read_text()

    results = [acknowledged(output) for output in outputs]
    total = WORKERS * PER_WORKER
    for ack, _ in results:
        assert len(ack) == PER_WORKER
        assert list(ack) == sorted(ack)  # one writer's indices only grow
    merged = {index: digest for ack, _ in results for index, digest in ack.items()}
    assert sorted(merged) == list(range(total))
    committed = set().union(*(sizes for _, sizes in results))

    with world.ledger() as ledger:
        assert stored_indices(ledger) == list(range(total))
        assert stored_digests(ledger) == merged
        roots = checkpoint_roots(ledger)
        # Every commit appended one entry and signed the size it reached, and only that.
        assert list(roots) == sorted(committed) == list(range(1, total + 1))
        latest = ledger.latest_checkpoint()
        assert (latest.tree_size, latest.root_hash) == (total, roots[total])
        for size, root in roots.items():
            proof, old_root, new_root = ledger.consistency_proof(size, total)
            assert (old_root, new_root) == (root, latest.root_hash)
            assert tree.verify_consistency(size, total, root, latest.root_hash, proof), size
    report = world.audit()
    assert report.ok, report.problems
    assert (report.entries, report.checkpoints) == (total, total)


# --- SIGKILL ----------------------------------------------------------------------------------


def wait_for_ready(path: Path, worker: subprocess.Popen[str], errors: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not path.read_text().startswith("ready\n"):
        assert worker.poll() is None, errors.read_text()
        assert time.monotonic() < deadline, "the worker did not start"
        time.sleep(0.01)


def check_after_kill(
    world: LedgerWorld, acks: dict[int, str], committed: set[int], probe: str
) -> int:
    """Everything acknowledged is there, intact, under the checkpoints its commits signed;
    the log audits clean and appends on."""
    with world.ledger() as ledger:
        indices = stored_indices(ledger)
        size = len(indices)
        assert indices == list(range(size)), "a gap or a duplicate index"
        stored = stored_digests(ledger)
        lost = {i: d for i, d in acks.items() if stored.get(i) != d}
        assert not lost, f"acknowledged entries lost or changed: {sorted(lost)[:5]}"
        assert ledger.latest_checkpoint().tree_size == size
        report = audit_ledger(
            ledger.session, ledger.hash_fn, world.keyring, world.settings.ledger_origin
        )
        assert report.ok, report.problems
        signed = checkpoint_roots(ledger)
        assert committed <= signed.keys(), f"unsigned sizes {sorted(committed - signed.keys())}"
        assert max(signed) == size
        appended = ledger.append(KIND, evidence_body(probe))
        ledger.session.commit()
        assert appended.index == size
    acks[size] = probe
    committed.add(size + 1)
    return size


def test_writer_killed_mid_append_loses_nothing_it_acknowledged(
    world: LedgerWorld, tmp_path: Path
) -> None:
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    acks: dict[int, str] = {}
    committed: set[int] = set()
    probes = digests("probe")
    sizes = []
    for round_ in range(KILLS):
        out, err = tmp_path / f"kill{round_}.out", tmp_path / f"kill{round_}.err"
        with out.open("w") as stdout, err.open("w") as stderr:
            worker = spawn(
                world,
                f"k{round_}",
                "--seed",
                str(seed + round_),
                "forever",
                stdout=stdout,
                stderr=stderr,
            )
        wait_for_ready(out, worker, err)
        time.sleep(rng.uniform(*KILL_AFTER))
        worker.send_signal(signal.SIGKILL)
        assert worker.wait(timeout=30) == -signal.SIGKILL, err.read_text()
        if worker.stdin is not None:
            worker.stdin.close()
        new, sizes_committed = acknowledged(out.read_text())
        assert not new.keys() & acks.keys(), f"seed {seed}: an index was handed out twice"
        acks.update(new)
        committed |= sizes_committed
        sizes.append(check_after_kill(world, acks, committed, next(probes)))
    assert sizes == sorted(sizes) and sizes[-1] > 2 * KILLS, f"seed {seed}: {sizes}"


# --- Checkpoints never disagree ---------------------------------------------------------------


def grow(ledger: LedgerService, batches: list[int], tag: str) -> None:
    names = digests(tag)
    for count in batches:
        ledger.append_many([(KIND, evidence_body(next(names))) for _ in range(count)])
        ledger.session.commit()


def test_every_pair_of_checkpoints_is_consistent(world: LedgerWorld) -> None:
    rng = random.Random(6962)
    batches = [1 if step % 3 == 0 else rng.randint(2, 70) for step in range(40)]
    verifiers = [parse_vkey(v) for v in world.vkeys]
    with world.ledger() as ledger:
        grow(ledger, batches, "pairs")
        roots = checkpoint_roots(ledger)
        assert list(roots) == [sum(batches[: n + 1]) for n in range(len(batches))]
        for row in ledger.session.scalars(select(LedgerCheckpoint)):
            signed = parse_checkpoint(open_note(row.note, verifiers).text)
            assert (signed.size, signed.root_hash) == (row.tree_size, row.root_hash)
        for old, new in combinations(roots, 2):
            proof, _, _ = ledger.consistency_proof(old, new)
            assert tree.verify_consistency(old, new, roots[old], roots[new], proof), (old, new)
        # The check can fail: the same proof does not tie a different old root in.
        old, new = list(roots)[5], list(roots)[-1]
        proof, _, _ = ledger.consistency_proof(old, new)
        other = roots[list(roots)[4]]
        assert not tree.verify_consistency(old, new, other, roots[new], proof)


def test_a_second_checkpoint_for_a_signed_size_is_refused(world: LedgerWorld) -> None:
    with world.ledger() as ledger:
        grow(ledger, [1, 1, 1, 2], "conflict")
        signed = checkpoint_roots(ledger)
        assert list(signed) == [1, 2, 3, 5]
        with pytest.raises(LedgerConflict, match="size 3 already exists"):
            ledger._sign_checkpoint(3, signed[5])
        with pytest.raises(LedgerConflict, match="size 3 already exists"):
            ledger._sign_checkpoint(3, signed[3])  # not even the same root twice
        ledger.session.rollback()
        # A checkpoint already sits at the size the next append would reach.
        key_id = ledger.keyring.signer(ledger.session).key_id.hex()
        ledger.session.add(
            LedgerCheckpoint(tree_size=6, root_hash=bytes(32), note="forged\n", key_id=key_id)
        )
        ledger.session.commit()
        with pytest.raises(LedgerConflict, match="size 6 already exists"):
            ledger.append(KIND, evidence_body("ab" * 32))
        ledger.session.rollback()
        assert stored_indices(ledger) == list(range(5))
        assert {s: r for s, r in checkpoint_roots(ledger).items() if s < 6} == signed


# --- Tampering ----------------------------------------------------------------------------------

# 13 leaves: checkpoints at 1..5 and 13, and interior nodes on three levels.
TAMPER_BATCHES = [1, 1, 1, 1, 1, 8]
TAMPER_SIZE = 13


@pytest.fixture
def signed_log(world: LedgerWorld) -> LedgerWorld:
    with world.ledger() as ledger:
        grow(ledger, TAMPER_BATCHES, "tamper")
    assert world.audit().ok
    for index in (3, 4, 5, 6):
        assert not failed_checks(world, index)
    return world


def failed_checks(world: LedgerWorld, index: int) -> set[str]:
    """The checks that fail on a receipt the service issues now, verified against the
    log key pinned before any tampering; the receipt travels as JSON."""
    with world.ledger() as ledger:
        receipt = json.loads(json.dumps(ledger.receipt(index)))
    result = verify_receipt(receipt, trusted_keys=world.vkeys)
    return {check.name for check in result.failures}


def test_changed_leaf_data_is_caught(signed_log: LedgerWorld) -> None:
    with signed_log.ledger() as ledger:
        data = ledger.entry(5).data
    digest = json.loads(data)["body"]["digest"]
    forged = data.replace(digest.encode(), b"0" * 64)
    signed_log.execute("UPDATE ledger_entries SET data = :data WHERE idx = 5", data=forged)
    report = signed_log.audit()
    assert report.first_problem == "entries: stored leaf hash of entry 5 does not match its data"
    # Rebuilt from the forged data, the tree no longer has the signed roots.
    assert "checkpoint 13: root hash disagrees with the stored leaves" in report.problems
    assert "checkpoint 5: root hash disagrees with the stored leaves" not in report.problems
    assert failed_checks(signed_log, 5) == {"leaf"}


def test_changed_leaf_hash_is_caught(signed_log: LedgerWorld) -> None:
    signed_log.execute("UPDATE ledger_entries SET leaf_hash = :h WHERE idx = 5", h=b"\x07" * 32)
    assert signed_log.audit().problems == [
        "entries: stored leaf hash of entry 5 does not match its data"
    ]
    assert failed_checks(signed_log, 5) == {"leaf", "inclusion"}
    # Leaf 5 is leaf 4's sibling: the neighbour's proof breaks too.
    assert failed_checks(signed_log, 4) == {"inclusion"}


def test_changed_interior_hash_is_caught(signed_log: LedgerWorld) -> None:
    signed_log.execute(
        "UPDATE ledger_nodes SET hash = :h WHERE level = 1 AND idx = 2", h=b"\x07" * 32
    )
    assert signed_log.audit().problems == ["nodes: interior hash (1, 2) is wrong or missing"]
    # Node (1, 2) covers leaves 4 and 5; it is on the proof path of leaves 6 and 7.
    assert failed_checks(signed_log, 6) == {"inclusion"}
    assert failed_checks(signed_log, 3) == set()


def test_deleted_interior_node_is_caught(signed_log: LedgerWorld) -> None:
    with signed_log.ledger() as ledger:
        nodes = len(ledger.session.scalars(select(LedgerNode)).all())
    signed_log.execute("DELETE FROM ledger_nodes WHERE level = 1 AND idx = 2")
    assert signed_log.audit().problems == [
        "nodes: interior hash (1, 2) is wrong or missing",
        f"nodes: {nodes - 1} interior hashes stored, {nodes} expected",
    ]
    # No receipt can be issued for a leaf whose proof needs the missing node.
    with signed_log.ledger() as ledger, pytest.raises(LedgerCorrupt, match=r"\(1, 2\)"):
        ledger.receipt(6)


def test_changed_checkpoint_root_is_caught(signed_log: LedgerWorld) -> None:
    with signed_log.ledger() as ledger:
        older_root = ledger.checkpoint_at(5).root_hash
    signed_log.execute(
        "UPDATE ledger_checkpoints SET root_hash = :h WHERE tree_size = :size",
        h=older_root,
        size=TAMPER_SIZE,
    )
    assert signed_log.audit().problems == [
        f"checkpoint {TAMPER_SIZE}: root hash disagrees with the stored leaves"
    ]
    # The signed note still carries the true root, so the receipt contradicts itself.
    assert failed_checks(signed_log, 3) == {"checkpoint"}


def test_edited_checkpoint_note_is_caught(signed_log: LedgerWorld) -> None:
    with signed_log.ledger() as ledger:
        note = ledger.checkpoint_at(TAMPER_SIZE).note
    origin = signed_log.settings.ledger_origin
    edited = note.replace(f"{origin}\n{TAMPER_SIZE}\n", f"{origin}\n{TAMPER_SIZE + 1}\n", 1)
    assert edited != note
    signed_log.execute(
        "UPDATE ledger_checkpoints SET note = :note WHERE tree_size = :size",
        note=edited,
        size=TAMPER_SIZE,
    )
    problems = signed_log.audit().problems
    assert len(problems) == 1
    assert problems[0].startswith(f"checkpoint {TAMPER_SIZE}: signature or format invalid")
    failures = failed_checks(signed_log, 3)
    assert failures == {"signature", "checkpoint"}
