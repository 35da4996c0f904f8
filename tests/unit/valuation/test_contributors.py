"""Per-contributor shares, the negative-value rule, and Data-OOB."""

from __future__ import annotations

from decimal import Decimal as D

import numpy as np
import pytest

from datadeed.errors import InvalidInput
from datadeed.valuation.contributors import revenue_shares
from datadeed.valuation.oob import data_oob


def test_negative_totals_get_zero_and_revenue_adds_up_to_the_fen():
    shares = revenue_shares([0.3, 0.1, -0.5, 0.2, 0.1], ["a", "a", "b", "c", "c"], D("100.00"))
    got = {c.contributor: c for c in shares.contributors}
    assert got["b"].share == 0 and got["b"].revenue == D("0.00")
    assert got["a"].share == D("0.571429")  # 0.4 ÷ 0.7
    assert got["c"].share == D("0.428571")  # 0.3 ÷ 0.7
    assert got["a"].revenue + got["c"].revenue == D("100.00")
    assert (got["a"].revenue, got["c"].revenue) == (D("57.14"), D("42.86"))
    assert got["a"].rows == 2 and not shares.no_positive_value


def test_largest_remainder_keeps_the_total():
    shares = revenue_shares([1.0, 1.0, 1.0], ["x", "y", "z"], D("100.00"))
    assert sorted(c.revenue for c in shares.contributors) == [D("33.33"), D("33.33"), D("33.34")]


def test_no_positive_value_splits_equally():
    shares = revenue_shares([-1.0, -2.0], ["p", "q"], D("10.00"))
    assert shares.no_positive_value
    assert [c.revenue for c in shares.contributors] == [D("5.00"), D("5.00")]


def test_bad_share_input():
    with pytest.raises(InvalidInput, match="same length"):
        revenue_shares([1.0], ["a", "b"])
    with pytest.raises(InvalidInput, match="negative"):
        revenue_shares([1.0], ["a"], D("-1"))


def test_data_oob_finds_flipped_labels():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 3))
    y = (x[:, 0] > 0).astype(int)
    y[:15] = 1 - y[:15]  # noisy rows
    values = data_oob(x, y, n_estimators=40, seed=1)
    assert values[:15].mean() < 0.3 < 0.8 < values[15:].mean()
    again = data_oob(x, y, n_estimators=40, seed=1)
    assert np.array_equal(values, again, equal_nan=True)


def test_data_oob_regression_and_bad_input():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(80, 2))
    values = data_oob(x, x[:, 0] * 2, task="regression", n_estimators=20)
    assert np.nanmax(values) <= 0
    with pytest.raises(InvalidInput, match="task"):
        data_oob(x, x[:, 0], task="ranking")
    with pytest.raises(InvalidInput, match="one label per row"):
        data_oob(x, [1, 2])
