"""Comparing two versions of a dataset: schema changes, row count, quality delta.

Pure over the two versions' rows and their latest reports; no queries of its own."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from datadeed.datasets.models import DatasetVersion
from datadeed.errors import NotFound
from datadeed.quality.indicators import Dimension


class ColumnType(BaseModel):
    name: str
    type: str


class ColumnRetyped(BaseModel):
    name: str
    old_type: str
    new_type: str


class ScoreDelta(BaseModel):
    """``old``/``new`` are None when not assessed; then ``delta`` is None too."""

    old: float | None
    new: float | None
    delta: float | None


class VersionComparison(BaseModel):
    dataset_id: int
    old_version: int
    new_version: int
    same_content: bool
    same_schema: bool
    added_columns: list[ColumnType]
    removed_columns: list[ColumnType]
    retyped_columns: list[ColumnRetyped]
    old_row_count: int
    new_row_count: int
    row_count_change: int
    row_count_change_pct: float | None  # None when the old version had no rows
    score: ScoreDelta
    grade: tuple[str | None, str | None]
    dimensions: dict[str, ScoreDelta]


def _report(version: DatasetVersion) -> dict[str, Any]:
    if not version.reports:
        raise NotFound(f"version {version.version_no} has no quality report to compare")
    return version.reports[-1].report


def _delta(old: float | None, new: float | None) -> ScoreDelta:
    delta = None if old is None or new is None else round(new - old, 2)
    return ScoreDelta(old=old, new=new, delta=delta)


def compare_versions(old: DatasetVersion, new: DatasetVersion) -> VersionComparison:
    """What changed from ``old`` to ``new`` (columns matched by name)."""
    old_report, new_report = _report(old), _report(new)
    old_cols = {c["name"]: c["type"] for c in old_report["columns"]}
    new_cols = {c["name"]: c["type"] for c in new_report["columns"]}
    change = new.row_count - old.row_count
    return VersionComparison(
        dataset_id=new.dataset_id,
        old_version=old.version_no,
        new_version=new.version_no,
        same_content=old.content_fingerprint == new.content_fingerprint,
        same_schema=old_cols == new_cols,
        added_columns=[
            ColumnType(name=n, type=t) for n, t in new_cols.items() if n not in old_cols
        ],
        removed_columns=[
            ColumnType(name=n, type=t) for n, t in old_cols.items() if n not in new_cols
        ],
        retyped_columns=[
            ColumnRetyped(name=n, old_type=old_cols[n], new_type=t)
            for n, t in new_cols.items()
            if n in old_cols and old_cols[n] != t
        ],
        old_row_count=old.row_count,
        new_row_count=new.row_count,
        row_count_change=change,
        row_count_change_pct=round(100 * change / old.row_count, 2) if old.row_count else None,
        score=_delta(old_report.get("score"), new_report.get("score")),
        grade=(old_report.get("grade"), new_report.get("grade")),
        dimensions={
            d.value: _delta(
                old_report["dimensions"].get(d.value, {}).get("score"),
                new_report["dimensions"].get(d.value, {}).get("score"),
            )
            for d in Dimension
        },
    )
