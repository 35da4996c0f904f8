"""Overlap search among many registered datasets: the indexed search beside a comparison
with every other holder's sketch (the implementation before the index), in one run.

Builds N dataset versions in a SQLite file (each with a bottom-256 sketch of a random set
of row hashes, indexed in ``dataset_sketch_hashes``; 1% of them share half their rows with
the probe), then times ``find_overlaps`` for probe versions both ways and checks that they
flag the same datasets.

    .venv/bin/python bench/overlap_search.py            # 10,000 versions, 20 probes
    .venv/bin/python bench/overlap_search.py --quick    # 1,000 versions, 5 probes
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import migrated_ledger

from datadeed.accounts.models import Organization
from datadeed.datasets.minhash import signed64, sketch_from_hashes
from datadeed.datasets.models import Dataset, DatasetVersion, SketchHash
from datadeed.datasets.overlaps import find_overlaps

K = 256


def _rows(rng: random.Random, n: int) -> list[int]:
    return [rng.getrandbits(64) for _ in range(n)]


def build(session, n: int, rng: random.Random, probes_wanted: int) -> list[int]:  # type: ignore[no-untyped-def]
    """N versions of N datasets held by 100 organizations; returns probe versions' ids."""
    orgs = [
        Organization(
            name=f"机构{i}", uscc=f"91330100MA{i:07d}X", kind="enterprise", region_code="330100"
        )
        for i in range(100)
    ]
    session.add_all(orgs)
    session.flush()
    shared = _rows(rng, 2000)
    probes: list[int] = []
    for start in range(0, n, 1000):
        datasets = [
            {"organization_id": orgs[i % 100].id, "name": f"数据集{i}"}
            for i in range(start, min(n, start + 1000))
        ]
        ids = session.execute(insert(Dataset).returning(Dataset.id), datasets).scalars().all()
        versions, sketches = [], []
        for offset, dataset_id in enumerate(ids):
            i = start + offset
            rows = _rows(rng, 2000)
            if i % 100 == 0:  # shares half its rows with the probe set
                rows = rows[:1000] + shared[:1000]
            sketch = sketch_from_hashes(rows, K)
            sketches.append(sketch)
            versions.append(
                {
                    "dataset_id": dataset_id,
                    "version_no": 1,
                    "format": "csv",
                    "size_bytes": 1,
                    "sha256": f"{i:064x}",
                    "sm3": f"{i:064x}",
                    "content_fingerprint": f"{i:064x}",
                    "schema_fingerprint": "0" * 64,
                    "row_count": 2000,
                    "column_count": 1,
                    "overlap_sketch": sketch.to_bytes(),
                }
            )
        version_ids = (
            session.execute(insert(DatasetVersion).returning(DatasetVersion.id), versions)
            .scalars()
            .all()
        )
        session.execute(
            insert(SketchHash),
            [
                {"dataset_version_id": v, "hash": signed64(h)}
                for v, sketch in zip(version_ids, sketches, strict=True)
                for h in sketch.hashes
            ],
        )
        probes.extend(version_ids)
    session.commit()
    return rng.sample(probes, probes_wanted)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n, probes_wanted = (1000, 5) if args.quick else (10_000, 20)
    rng = random.Random(2026)
    with tempfile.TemporaryDirectory(prefix="datadeed-bench-overlap-") as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        _settings, _keyring, database = migrated_ledger(url, Path(tmp))
        started = time.perf_counter()
        with database.session() as session:
            probes = build(session, n, rng, probes_wanted)
        print(f"{n:,} versions built in {time.perf_counter() - started:.1f} s")
        indexed_t, linear_t = [], []
        for probe in probes:
            with database.session() as session:
                t = time.perf_counter()
                indexed = sorted(f.dataset_id for f in find_overlaps(session, probe))
                indexed_t.append(time.perf_counter() - t)
            with database.session() as session:
                t = time.perf_counter()
                every = sorted(f.dataset_id for f in find_overlaps(session, probe, use_index=False))
                linear_t.append(time.perf_counter() - t)
            assert indexed == every, (probe, indexed, every)
        a, b = statistics.median(indexed_t), statistics.median(linear_t)
        print(f"probes: {len(probes)}; flags agree")
        print(f"indexed search   median {a * 1000:8.1f} ms")
        print(f"every sketch     median {b * 1000:8.1f} ms")
        print(f"ratio (every ÷ indexed): {b / a:.1f}x")
        database.dispose()


if __name__ == "__main__":
    main()
