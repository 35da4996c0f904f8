"""Assess a file or folder on this machine: intake into canonical Parquet, fingerprint,
run the quality engine, attach the fingerprint to the sealed report. Used by the CLI now,
and by the dataset service once datasets have tables."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datadeed.datasets.fingerprint import DatasetFingerprint, file_digests, fingerprint_parquet
from datadeed.datasets.formats import DetectedFormat
from datadeed.datasets.intake import IntakeLimits, normalize
from datadeed.datasets.minhash import DEFAULT_K, estimate_overlap
from datadeed.quality.engines import get_engine
from datadeed.quality.report import QualityReport
from datadeed.quality.rules import RuleSet

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Prepared:
    parquet: Path
    sha256: str
    sm3: str
    fingerprint: DatasetFingerprint
    detected: DetectedFormat
    column_count: int


def source_digests(path: Path) -> tuple[str, str]:
    """SHA-256 and SM3 of a file; of a folder, the digests of its sorted
    ``name<TAB>sha256`` lines (one line per file, names relative to the folder)."""
    if path.is_file():
        digests = file_digests(path)
        return digests.sha256, digests.sm3
    lines = "".join(
        f"{p.relative_to(path).as_posix()}\t{file_digests(p).sha256}\n"
        for p in sorted(path.rglob("*"))
        if p.is_file()
    ).encode()
    return hashlib.sha256(lines).hexdigest(), hashlib.new("sm3", lines).hexdigest()


def prepare(
    path: Path,
    work_dir: Path,
    limits: IntakeLimits | None = None,
    *,
    sketch_k: int = DEFAULT_K,
    digests: tuple[str, str] | None = None,
) -> Prepared:
    """Canonical Parquet of ``path`` in ``work_dir``, with its digests and fingerprint
    (overlap sketch of size ``sketch_k``). ``digests`` (SHA-256, SM3) when the caller
    already has them, as the blob store does for an upload: the file is not read again."""
    work_dir.mkdir(parents=True, exist_ok=True)
    limits = limits or IntakeLimits()
    if digests is not None:
        normalized = normalize(path, work_dir / "data.parquet", limits=limits)
        sha256, sm3 = digests
    else:  # hashlib releases the GIL: the digests are read while DuckDB reads the data
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(source_digests, path)
            normalized = normalize(path, work_dir / "data.parquet", limits=limits)
            sha256, sm3 = pending.result()
    fingerprint = fingerprint_parquet(
        normalized.path, k=sketch_k, memory_limit=limits.memory_limit, work_dir=work_dir
    )
    return Prepared(
        normalized.path, sha256, sm3, fingerprint, normalized.format, len(normalized.columns)
    )


def fingerprint_dict(prepared: Prepared) -> dict[str, Any]:
    content = prepared.fingerprint.content
    return {
        "sha256": prepared.sha256,
        "sm3": prepared.sm3,
        "content": content.content,
        "schema": content.schema,
        "rows": content.row_count,
        "distinct_rows": content.distinct_rows,
        "version": content.version,
    }


def assess_path(
    path: Path,
    ruleset: RuleSet | None = None,
    *,
    engine: str = "duckdb",
    limits: IntakeLimits | None = None,
    progress: Progress | None = None,
) -> QualityReport:
    """The sealed quality report of the file or folder at ``path``."""
    with tempfile.TemporaryDirectory(prefix="datadeed-assess-") as work:
        prepared = prepare(path, Path(work), limits)
        report = get_engine(engine).assess(prepared.parquet, ruleset, progress=progress)
        return report.with_fingerprint(fingerprint_dict(prepared))


def overlap_paths(a: Path, b: Path, limits: IntakeLimits | None = None) -> dict[str, Any]:
    """Estimated overlap of the rows of two datasets (bottom-k MinHash sketches)."""
    with tempfile.TemporaryDirectory(prefix="datadeed-overlap-") as work:
        first = prepare(a, Path(work) / "a", limits)
        second = prepare(b, Path(work) / "b", limits)
    sa, sb = first.fingerprint, second.fingerprint
    overlap = estimate_overlap(
        sa.sketch, sb.sketch, sa.content.distinct_rows, sb.content.distinct_rows
    )
    return {
        "a": {"path": str(a), "rows": sa.content.row_count, "content": sa.content.content},
        "b": {"path": str(b), "rows": sb.content.row_count, "content": sb.content.content},
        "identical_content": sa.content.content == sb.content.content,
        "jaccard": round(overlap.jaccard, 4),
        "containment_a_in_b": round(overlap.containment_a_in_b, 4),
        "containment_b_in_a": round(overlap.containment_b_in_a, 4),
        "method": f"bottom-{sa.sketch.k} MinHash over canonical row digests",
    }
