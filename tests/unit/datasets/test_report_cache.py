"""The report PDF cache stays under its size cap, least recently used out first."""

from __future__ import annotations

import os
from pathlib import Path

from datadeed.datasets.report_view import evict


def _pdf(folder: Path, name: str, size: int, used_at: float) -> Path:
    path = folder / f"{name}.pdf"
    path.write_bytes(b"%" * size)
    os.utime(path, (used_at, used_at))
    return path


def test_the_least_recently_used_pdfs_go_until_the_folder_fits(tmp_path: Path) -> None:
    old = _pdf(tmp_path, "old", 400, 1_000)
    middle = _pdf(tmp_path, "middle", 400, 2_000)
    recent = _pdf(tmp_path, "recent", 400, 3_000)
    other = tmp_path / "notes.txt"
    other.write_text("not a cached report")

    removed = evict(tmp_path, 900)

    assert removed == [old]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["middle.pdf", "notes.txt", "recent.pdf"]
    assert evict(tmp_path, 400) == [middle] and recent.exists()


def test_the_file_just_written_is_kept_even_when_it_alone_is_too_big(tmp_path: Path) -> None:
    older = _pdf(tmp_path, "older", 100, 1_000)
    new = _pdf(tmp_path, "new", 1_000, 500)  # written now, clock skew or not

    assert evict(tmp_path, 500, keep=new) == [older]
    assert new.exists()


def test_a_cap_of_zero_keeps_only_the_new_file(tmp_path: Path) -> None:
    files = [_pdf(tmp_path, f"r{i}", 10, 1_000 + i) for i in range(3)]

    assert evict(tmp_path, 0, keep=files[1]) == [files[0], files[2]]
