"""Overlap estimates against exact Jaccard similarity and containment."""

from __future__ import annotations

import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from datadeed.datasets.errors import InvalidSketch
from datadeed.datasets.fingerprint import fingerprint_parquet
from datadeed.datasets.minhash import MinHashSketch, estimate_overlap, sketch_from_hashes

# k = 256: the standard error is at most 0.031; 0.1 is more than three of them.
TOLERANCE = 0.1


def overlapping_sets(n: int, jaccard: float, seed: int) -> tuple[set[int], set[int]]:
    rng = random.Random(seed)
    shared = round(2 * n * jaccard / (1 + jaccard))
    pool = rng.sample(range(1, 1 << 62), 2 * n)
    common, rest = pool[:shared], pool[shared:]
    return set(common + rest[: n - shared]), set(common + rest[n - shared : 2 * (n - shared)])


@pytest.mark.parametrize("jaccard", [0.0, 0.3, 0.7, 1.0])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_jaccard_estimate_is_within_tolerance(jaccard: float, seed: int) -> None:
    a, b = overlapping_sets(20_000, jaccard, seed)
    exact = len(a & b) / len(a | b)

    estimate = estimate_overlap(sketch_from_hashes(a), sketch_from_hashes(b), len(a), len(b))

    assert abs(estimate.jaccard - exact) <= TOLERANCE
    assert abs(estimate.containment_a_in_b - len(a & b) / len(a)) <= TOLERANCE


def test_containment_of_a_subset() -> None:
    rng = random.Random(7)
    big = set(rng.sample(range(1, 1 << 62), 8000))
    small = set(rng.sample(sorted(big), 2000))

    estimate = estimate_overlap(sketch_from_hashes(small), sketch_from_hashes(big))

    assert estimate.containment_a_in_b == pytest.approx(1.0, abs=TOLERANCE)
    assert estimate.containment_b_in_a == pytest.approx(0.25, abs=TOLERANCE)
    assert estimate.jaccard == pytest.approx(0.25, abs=TOLERANCE)


@given(st.sets(st.integers(0, 2**64 - 1), max_size=100), st.sets(st.integers(0, 2**64 - 1)))
def test_small_sets_are_estimated_exactly(a: set[int], b: set[int]) -> None:
    estimate = estimate_overlap(sketch_from_hashes(a), sketch_from_hashes(b))
    if a and b:
        assert estimate.jaccard == len(a & b) / len(a | b)


def _rows(path: Path, ids: range) -> Path:
    pq.write_table(pa.table({"id": list(ids), "name": [f"客户{i}" for i in ids]}), path)
    return path


def test_overlap_of_real_datasets(tmp_path: Path) -> None:
    first = fingerprint_parquet(_rows(tmp_path / "a.parquet", range(0, 10_000)))
    second = fingerprint_parquet(_rows(tmp_path / "b.parquet", range(5_000, 15_000)))

    estimate = estimate_overlap(first.sketch, second.sketch)

    assert estimate.jaccard == pytest.approx(1 / 3, abs=TOLERANCE)
    assert estimate.containment_a_in_b == pytest.approx(0.5, abs=TOLERANCE)
    assert first.sketch.distinct_rows == 10_000
    assert len(first.sketch.hashes) == 256


def test_sketch_bytes_round_trip() -> None:
    sketch = sketch_from_hashes(range(1000, 5000, 7), k=128)

    assert MinHashSketch.from_bytes(sketch.to_bytes()) == sketch
    assert len(sketch.to_bytes()) == 17 + 8 * 128


@pytest.mark.parametrize("data", [b"", b"XXXX" + bytes(13), b"DDMH\x01" + bytes(11) + b"\x01"])
def test_malformed_sketch_bytes_are_refused(data: bytes) -> None:
    with pytest.raises(InvalidSketch):
        MinHashSketch.from_bytes(data)


def test_sketches_of_different_k_cannot_be_compared() -> None:
    with pytest.raises(InvalidSketch):
        estimate_overlap(sketch_from_hashes([1], k=128), sketch_from_hashes([1], k=256))
