"""ML data value of files: read a training and a test file through intake (any format
and encoding intake accepts), take the numeric feature columns, and value each training
row by KNN-Shapley or Data-OOB, with per-contributor revenue shares."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from datadeed.datasets.intake import IntakeLimits, normalize
from datadeed.errors import InvalidInput
from datadeed.valuation.contributors import RevenueShares, revenue_shares
from datadeed.valuation.shapley import knn_shapley

__all__ = ["LabelledTable", "read_labelled", "value_files"]


@dataclass(frozen=True)
class LabelledTable:
    features: npt.NDArray[np.float64]
    labels: npt.NDArray[Any]
    groups: npt.NDArray[Any] | None
    feature_names: list[str]


def _column(table: pa.Table, name: str, path: Path) -> pa.ChunkedArray[Any]:
    if name not in table.column_names:
        raise InvalidInput(f"{path.name} has no column {name!r}")
    column = table.column(name)
    if column.null_count:
        raise InvalidInput(f"{path.name}: column {name!r} has {column.null_count} empty values")
    return column


def _feature_names(table: pa.Table, skip: set[str], wanted: list[str] | None) -> list[str]:
    if wanted:
        return wanted
    names = [
        f.name
        for f in table.schema
        if f.name not in skip and (pa.types.is_integer(f.type) or pa.types.is_floating(f.type))
    ]
    return names


def read_labelled(
    path: Path,
    label: str,
    *,
    group: str | None = None,
    features: list[str] | None = None,
    limits: IntakeLimits | None = None,
) -> LabelledTable:
    """Numeric features, labels and (optionally) contributor groups of one file."""
    with tempfile.TemporaryDirectory() as tmp:
        data = normalize(path, Path(tmp) / "data.parquet", limits=limits)
        table = pq.read_table(data.path)
    names = _feature_names(table, {label, group or ""}, features)
    if not names:
        raise InvalidInput(f"{path.name} has no numeric feature columns besides {label!r}")
    columns = []
    for name in names:
        column = _column(table, name, path)
        if not (pa.types.is_integer(column.type) or pa.types.is_floating(column.type)):
            raise InvalidInput(f"{path.name}: feature column {name!r} is not numeric")
        columns.append(pc.cast(column, pa.float64()).to_numpy())
    return LabelledTable(
        features=np.column_stack(columns),
        labels=_column(table, label, path).to_numpy(zero_copy_only=False),
        groups=_column(table, group, path).to_numpy(zero_copy_only=False) if group else None,
        feature_names=names,
    )


def value_files(
    train: Path,
    test: Path | None,
    label: str,
    *,
    method: str = "knn-shapley",
    k: int = 5,
    group: str | None = None,
    revenue: Decimal | None = None,
    seed: int = 0,
    features: list[str] | None = None,
    limits: IntakeLimits | None = None,
) -> dict[str, Any]:
    """Per-row values, their sum and, with ``group``, per-contributor revenue shares."""
    tr = read_labelled(train, label, group=group, features=features, limits=limits)
    if method == "knn-shapley":
        if test is None:
            raise InvalidInput("KNN-Shapley needs a test file")
        te = read_labelled(test, label, features=tr.feature_names, limits=limits)
        values = knn_shapley(tr.features, tr.labels, te.features, te.labels, k)
    elif method == "data-oob":
        from datadeed.valuation.oob import data_oob  # scikit-learn loads only for this

        raw = data_oob(tr.features, tr.labels, seed=seed)
        # Centred, so that rows predicted worse than average count as negative.
        values = raw - np.nanmean(raw)
    else:
        raise InvalidInput(f"method must be knn-shapley or data-oob, not {method!r}")
    out: dict[str, Any] = {
        "method": method,
        "k": k if method == "knn-shapley" else None,
        "features": tr.feature_names,
        "rows": int(values.size),
        "total": float(np.nansum(values)),
        "values": [None if np.isnan(v) else float(v) for v in values],
    }
    if tr.groups is not None:
        shares: RevenueShares = revenue_shares(values, tr.groups, revenue)
        out["contributors"] = shares.model_dump(mode="json")
    return out
