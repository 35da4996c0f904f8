"""Monte Carlo and tornado: speed, seeds, agreement with the Decimal formulas."""

from __future__ import annotations

from decimal import Decimal as D

import numpy as np
import pytest

from datadeed.errors import InvalidInput
from datadeed.valuation.cost import CostInputs, CostItem, cost_value
from datadeed.valuation.income import IncomeInputs, income_value
from datadeed.valuation.uncertainty import Distribution, ValueModel, monte_carlo, tornado

COST = CostInputs(
    items=[CostItem(category="collection", amount=D(1000000))],
    return_rate=D("0.12"),
    depreciation_rate=D("0.1"),
    obsolescence_rate=D("0.05"),
    risk_discount=D("0.05"),
)
INCOME = IncomeInputs(
    method="royalty",
    cash_flows=[D(2000000), D(2200000), D(2400000)],
    share_rate=D("0.25"),
    legal_term_years=5,
    economic_life_years=5,
    risk_free_rate=D("0.025"),
    premiums={"market": D("0.06")},
)


def model() -> ValueModel:
    return ValueModel(
        weights={"cost": 0.4, "income": 0.6},
        cost=COST,
        cost_quality_utility=0.9,
        income=INCOME,
        income_quality_premium=0.014,
    )


def test_float_model_at_base_agrees_with_decimal_formulas():
    out = model().evaluate({})
    assert float(out["cost"]) == pytest.approx(float(cost_value(COST, D("0.9")).value), abs=0.01)
    assert float(out["income"]) == pytest.approx(
        float(income_value(INCOME, D("0.014")).value), abs=0.01
    )


INPUTS = {
    "income.share_rate": Distribution(kind="triangular", low=0.2, mode=0.25, high=0.3),
    "income.premium.market": Distribution(kind="normal", mean=0.06, sd=0.01),
    "cost.return_rate": Distribution(kind="uniform", low=0.08, high=0.16),
}


def test_100000_draws_in_under_a_second_and_reproducible():
    first = monte_carlo(model(), INPUTS, 100_000, seed=7)
    assert first.seconds < 1.0
    assert first.p5 < first.p50 < first.p95
    assert sum(first.histogram_counts) == 100_000
    again = monte_carlo(model(), INPUTS, 100_000, seed=7)
    assert (again.p5, again.p50, again.p95) == (first.p5, first.p50, first.p95)
    other = monte_carlo(model(), INPUTS, 100_000, seed=8)
    assert other.p50 != first.p50


def test_no_uncertain_inputs_gives_a_point_range():
    result = monte_carlo(model(), {}, 1_000, seed=1)
    assert result.p5 == result.p50 == result.p95


def test_tornado_widest_first_and_directions():
    bars = tornado(model(), INPUTS)
    swings = [abs(b.high_value - b.low_value) for b in bars]
    assert swings == sorted(swings, reverse=True)
    by_name = {b.parameter: b for b in bars}
    # A higher royalty rate raises the value; a higher premium lowers it.
    assert by_name["income.share_rate"].high_value > by_name["income.share_rate"].low_value
    market = by_name["income.premium.market"]
    assert market.high_value < market.low_value
    assert market.low_input == pytest.approx(0.06 - 1.6449 * 0.01, abs=1e-4)


def test_distribution_quantiles_match_samples():
    rng = np.random.default_rng(0)
    tri = INPUTS["income.share_rate"]
    draws = tri.sample(rng, 200_000)
    assert np.quantile(draws, 0.05) == pytest.approx(tri.quantile(0.05), abs=1e-3)
    assert np.quantile(draws, 0.95) == pytest.approx(tri.quantile(0.95), abs=1e-3)


def test_unknown_inputs_and_bad_distributions_refused():
    with pytest.raises(InvalidInput, match=r"market\.price_factor"):
        monte_carlo(model(), {"nonsense": INPUTS["cost.return_rate"]}, 1000, 1)
    with pytest.raises(InvalidInput, match="draws"):
        monte_carlo(model(), {}, 0, 1)
    with pytest.raises(ValueError, match="low < high"):
        Distribution(kind="uniform", low=1, high=1)
    with pytest.raises(ValueError, match="mode"):
        Distribution(kind="triangular", low=0, mode=2, high=1)
    with pytest.raises(ValueError, match="mean and sd"):
        Distribution(kind="normal", mean=1)
