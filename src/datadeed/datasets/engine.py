"""DuckDB connections and private work folders for intake and fingerprints.

A work folder is created beside the output (same file system, so the finished file is
renamed into place) and removed whatever happens; DuckDB spills to it when a sort or a
join outgrows ``memory_limit``.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

DEFAULT_MEMORY_LIMIT = "1GB"


@contextmanager
def workspace(beside: Path, prefix: str = ".intake-") -> Iterator[Path]:
    """A private folder in ``beside`` (a folder), removed on exit."""
    work = Path(tempfile.mkdtemp(prefix=prefix, dir=beside))
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


@contextmanager
def connect(
    work: Path, memory_limit: str = DEFAULT_MEMORY_LIMIT
) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB that spills to ``work/spill`` and renders times in UTC."""
    spill = work / "spill"
    spill.mkdir(exist_ok=True)
    conn = duckdb.connect(config={"memory_limit": memory_limit, "temp_directory": str(spill)})
    try:
        conn.execute("SET TimeZone = 'UTC'")
        conn.execute("SET enable_progress_bar = false")
        yield conn
    finally:
        conn.close()
