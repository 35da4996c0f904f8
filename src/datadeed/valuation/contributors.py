"""Per-contributor data value and revenue shares.

Values of training points (KNN-Shapley or Data-OOB) are summed per contributor (the
grouping column). Shapley values are additive, so a group's sum is the value its rows
bring in the valuation's utility.

Rule for negative values: a contributor whose total is zero or negative gets a share of
zero (its data did not help; it never owes the others). The positive totals are split in
proportion: share_g = max(v_g, 0) ÷ Σ_h max(v_h, 0). If no contributor has a positive
total, every contributor gets an equal share and ``no_positive_value`` is set.
Revenue is allocated in fen by the largest-remainder method, so the parts add up to the
revenue exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_FLOOR, Decimal
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from datadeed.errors import InvalidInput

__all__ = ["ContributorShare", "RevenueShares", "revenue_shares"]


class ContributorShare(BaseModel):
    model_config = ConfigDict(frozen=True)

    contributor: str
    rows: int
    value: float
    share: Decimal
    revenue: Decimal | None


class RevenueShares(BaseModel):
    model_config = ConfigDict(frozen=True)

    rule: str
    no_positive_value: bool
    contributors: list[ContributorShare]


RULE = "negative-to-zero/1"
_SHARE = Decimal("0.000001")
_FEN = Decimal("0.01")


def _allocate(revenue: Decimal, weights: list[float]) -> list[Decimal]:
    """Largest-remainder split of ``revenue`` in fen in proportion to ``weights``."""
    fen_total = int((revenue / _FEN).to_integral_value())
    total_w = sum(weights)
    exact = [Decimal(repr(w / total_w)) * fen_total for w in weights]
    floors = [int(e.to_integral_value(rounding=ROUND_FLOOR)) for e in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[: fen_total - sum(floors)]:
        floors[i] += 1
    return [Decimal(f) * _FEN for f in floors]


def revenue_shares(
    values: Sequence[float] | Any, groups: Sequence[Any] | Any, revenue: Decimal | None = None
) -> RevenueShares:
    """Group totals of ``values`` by ``groups`` and their revenue shares (rule in the docstring)."""
    vals = np.asarray(values, dtype=np.float64).ravel()
    keys = np.asarray(groups).ravel()
    if vals.size != keys.size or vals.size == 0:
        raise InvalidInput("values and groups must be non-empty and of the same length")
    if revenue is not None and revenue < 0:
        raise InvalidInput("revenue must not be negative")
    names, inverse = np.unique(keys.astype(str), return_inverse=True)
    totals = np.bincount(inverse, weights=np.nan_to_num(vals), minlength=names.size)
    rows = np.bincount(inverse, minlength=names.size)
    positive = np.maximum(totals, 0.0)
    no_positive = not positive.any()
    weights = [1.0] * names.size if no_positive else [float(p) for p in positive]
    total_w = sum(weights)
    money = _allocate(revenue, weights) if revenue is not None else [None] * names.size
    return RevenueShares(
        rule=RULE,
        no_positive_value=no_positive,
        contributors=[
            ContributorShare(
                contributor=str(name),
                rows=int(rows[i]),
                value=float(totals[i]),
                share=Decimal(repr(weights[i] / total_w)).quantize(_SHARE),
                revenue=money[i],
            )
            for i, name in enumerate(names)
        ],
    )
