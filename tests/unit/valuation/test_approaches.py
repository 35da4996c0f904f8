"""The three approaches, the quality map and reconciliation against the worked examples
written out in docs/valuation.md (numbers there were computed by hand)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from datadeed.errors import InvalidInput
from datadeed.valuation.cost import CostInputs, CostItem, cost_value
from datadeed.valuation.income import IncomeInputs, income_value
from datadeed.valuation.market import Comparable, MarketInputs, Ratio, market_value
from datadeed.valuation.quality_map import (
    NotEligibleForValuation,
    QualityInput,
    coefficients_for,
    quality_from_report,
)
from datadeed.valuation.reconcile import ReconciliationInputs, WeightedApproach, reconcile

COST = CostInputs(
    items=[
        CostItem(category="collection", amount=D("400000")),
        CostItem(category="cleaning", amount=D("250000")),
        CostItem(category="labelling", amount=D("150000")),
        CostItem(category="quality_assessment", amount=D("50000")),
        CostItem(category="indirect", amount=D("150000")),
    ],
    return_rate=D("0.12"),
    depreciation_rate=D("0.10"),
    risk_discount=D("0.05"),
)
INCOME = IncomeInputs(
    method="royalty",
    cash_flows=[D(2000000), D(2200000), D(2400000), D(2500000), D(2500000), D(2500000)],
    share_rate=D("0.25"),
    legal_term_years=5,
    economic_life_years=4,
    risk_free_rate=D("0.025"),
    premiums={"market": D("0.06"), "data": D("0.03")},
)
MARKET = MarketInputs(
    comparables=[
        Comparable(
            name="A",
            price=D(1500000),
            quality_score=D(80),
            adjustments={
                "supply_demand": D("1.05"),
                "date": D("1.02"),
                "volume": Ratio(subject=D(1000000), comparable=D(1250000)),
            },
        ),
        Comparable(
            name="B",
            price=D(1300000),
            weight=D(2),
            quality_score=D(90),
            adjustments={"date": D("0.98")},
        ),
    ]
)
GRADE_B = QualityInput(score=D(86), grade="B", digest="ab" * 32)


def test_quality_map_default_table_with_provenance():
    coef = coefficients_for(GRADE_B)
    assert coef.table_version == "datadeed-qv/2026.1"
    assert coef.cost_utility == D("0.90")
    assert coef.q == D("0.86")
    assert coef.income_premium == D("0.014")  # 0.10 × (1 − 0.86)
    assert "grade B → 0.90" in coef.provenance["cost_utility"]
    assert "abababababab" in coef.provenance["q"]


@pytest.mark.parametrize(("grade", "u"), [("A", "1.00"), ("C", "0.80"), ("D", "0.65")])
def test_quality_map_grades(grade, u):
    assert coefficients_for(QualityInput(score=D(75), grade=grade)).cost_utility == D(u)


def test_grade_e_is_not_eligible_and_unknown_table_refused():
    with pytest.raises(NotEligibleForValuation, match="grade E"):
        coefficients_for(QualityInput(score=D(50), grade="E"))
    with pytest.raises(InvalidInput, match="unknown coefficient table"):
        coefficients_for(GRADE_B, "no-such/1")
    with pytest.raises(InvalidInput, match="not in table"):
        coefficients_for(QualityInput(score=D(50), grade="Z"))


def test_quality_from_an_assess_report():
    q = quality_from_report({"score": 91.25, "grade": "A", "digest": "cd" * 32})
    assert (q.score, q.grade, q.digest) == (D("91.25"), "A", "cd" * 32)
    with pytest.raises(InvalidInput, match="no overall score"):
        quality_from_report({"score": None, "grade": None})


def test_cost_worked_example():
    # P = 1,000,000 × 1.12 × 0.90 × 1 × (0.90 × 0.95 × 1) = 861,840.00
    result = cost_value(COST, D("0.90"))
    assert result.total_cost == D(1000000)
    assert result.utility == D("0.855")
    assert result.value == D("861840.00")
    assert result.by_group == {"direct": D(850000), "indirect": D(150000)}
    assert [s.symbol for s in result.steps] == ["TC", "U", "P"]


def test_income_worked_example():
    # n = min(5, 4, 6) = 4; i = 0.025 + 0.06 + 0.03 + 0.014 = 0.129
    result = income_value(INCOME, D("0.014"))
    assert result.period_years == 4
    assert result.discount_rate == D("0.129")
    assert result.incomes == [D("500000.00"), D("550000.00"), D("600000.00"), D("625000.00")]
    assert result.present_values == [
        D("442869.80"),
        D("431494.04"),
        D("416936.03"),
        D("384684.11"),
    ]
    assert result.value == D("1675983.98")


def test_income_excess_earnings_and_incremental():
    base = INCOME.model_dump() | {"share_rate": None, "legal_term_years": 2}
    excess = IncomeInputs(
        **base | {"method": "excess_earnings", "deductions": [D(1500000)] * 6},
    )
    # F = 500,000 and 700,000; i = 0.115 + 0 → 500,000/1.115 + 700,000/1.115² = 1,011,482.23
    assert income_value(excess, D(0)).value == D("1011482.23")
    incremental = IncomeInputs(**base | {"method": "incremental", "deductions": [D(0)] * 6})
    assert income_value(incremental, D(0)).incomes == [D("2000000.00"), D("2200000.00")]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"share_rate": None}, "share_rate"),
        ({"method": "incremental"}, "one deduction per cash flow"),
        ({"premiums": {"x": D("-0.1")}}, "premiums"),
    ],
)
def test_income_bad_inputs(change, message):
    with pytest.raises(ValueError, match=message):
        IncomeInputs(**INCOME.model_dump() | change)


def test_income_discount_rate_must_be_positive():
    zero = IncomeInputs(**INCOME.model_dump() | {"risk_free_rate": D(0), "premiums": {}})
    with pytest.raises(InvalidInput, match="discount rate"):
        income_value(zero, D(0))


def test_market_worked_example():
    result = market_value(MARKET, D(86))
    a, b = result.comparables
    assert a.coefficients["quality"] == D("1.075")  # 86 ÷ 80
    assert a.coefficients["volume"] == D("0.8")
    assert a.adjusted_price == D("1381590.00")  # 1,500,000 × 1.075 × 1.05 × 1.02 × 0.8
    assert b.adjusted_price == D("1217377.78")  # 1,300,000 × 86/90 × 0.98
    assert result.value == D("1272115.19")  # (1,381,590.00 + 2 × 1,217,377.78) ÷ 3


def test_market_quality_needs_a_subject_score():
    with pytest.raises(InvalidInput, match="the subject none"):
        market_value(MARKET, None)


def test_reconciliation_worked_example():
    values = {"cost": D("861840.00"), "income": D("1675983.98"), "market": D("1272115.19")}
    weights = ReconciliationInputs(
        weights={
            "cost": WeightedApproach(weight=D("0.3"), reason="r"),
            "income": WeightedApproach(weight=D("0.5"), reason="r"),
            "market": WeightedApproach(weight=D("0.2"), reason="r"),
        }
    )
    result = reconcile(values, weights)
    assert result.value == D("1350967.03")
    assert not result.single_approach


def test_reconciliation_refuses_bad_weights():
    values = {"cost": D(1), "income": D(2)}
    half = WeightedApproach(weight=D("0.5"), reason="r")
    with pytest.raises(InvalidInput, match="sum to 1"):
        reconcile(
            values,
            ReconciliationInputs(
                weights={"cost": half, "income": half.model_copy(update={"weight": D("0.4")})}
            ),
        )
    with pytest.raises(InvalidInput, match="approaches used"):
        reconcile(values, ReconciliationInputs(weights={"cost": half, "market": half}))


@given(
    st.decimals(min_value=1, max_value=10**9, places=2),
    st.decimals(min_value=0, max_value=1, places=3),
    st.sampled_from(["0.65", "0.80", "0.90", "1.00"]),
)
def test_cost_is_monotone_in_cost_and_quality(amount, r, u):
    inputs = CostInputs(items=[CostItem(category="purchase", amount=amount)], return_rate=r)
    low = cost_value(inputs, D(u)).value
    assert cost_value(inputs, D(u) + D("0.05")).value >= low
    bigger = CostInputs(items=[CostItem(category="purchase", amount=amount + 1)], return_rate=r)
    assert cost_value(bigger, D(u)).value >= low
