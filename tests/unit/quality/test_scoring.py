"""Scoring: properties with Hypothesis, and the worked DB31/T 1523 examples."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from datadeed.quality import (
    DEFAULT_WEIGHT_PROFILE,
    Dimension,
    Indicator,
    WeightProfile,
    grade_for,
    high_quality_eligibility,
    score_contributions,
)
from datadeed.quality.scoring import Contribution, GradeBand


@st.composite
def contributions(draw: st.DrawFn, min_size: int = 0) -> list[Contribution]:
    items = []
    for n in range(draw(st.integers(min_size, 12))):
        b = draw(st.integers(0, 500))
        a = draw(st.integers(0, b))
        weight = draw(st.sampled_from([0.5, 1.0, 2.0, 3.0]))
        items.append(Contribution(draw(st.sampled_from(list(Indicator))), f"c{n}", a, b, weight))
    return items


dimension_weights = st.dictionaries(
    st.sampled_from(list(Dimension)), st.floats(0.1, 10), min_size=6, max_size=6
)


@given(contributions())
def test_scores_stay_between_0_and_100(items: list[Contribution]) -> None:
    card = score_contributions(items)
    values = [card.score] + [d.score for d in card.dimensions.values()]
    values += [i.score for d in card.dimensions.values() for i in d.indicators.values()]
    assert all(v is None or 0 <= v <= 100 for v in values)


@given(contributions(), st.data())
def test_monotone_in_a(items: list[Contribution], data: st.DataObject) -> None:
    evaluated = [i for i, c in enumerate(items) if c.b > c.a]
    if not evaluated:
        return
    k = data.draw(st.sampled_from(evaluated))
    c = items[k]
    better = Contribution(
        c.indicator, c.source, data.draw(st.integers(c.a + 1, c.b)), c.b, c.weight
    )
    before = score_contributions(items)
    after = score_contributions([*items[:k], better, *items[k + 1 :]])
    assert before.score is not None and after.score is not None
    assert after.score >= before.score
    assert (
        after.dimensions[c.indicator.dimension].score
        >= before.dimensions[c.indicator.dimension].score
    )


@given(contributions())
def test_nothing_evaluated_means_not_assessed(items: list[Contribution]) -> None:
    card = score_contributions(items)
    for dimension, d in card.dimensions.items():
        evaluated = [c for c in items if c.indicator.dimension is dimension and c.b > 0]
        assert (d.score is None) == (not evaluated)
        for indicator, s in d.indicators.items():
            assert (s.score is None) == (not any(c.b for c in items if c.indicator is indicator))
    assert (card.score is None) == all(c.b == 0 for c in items)
    assert (card.grade is None) == (card.score is None)


@given(contributions(min_size=1), dimension_weights, st.floats(0.1, 100))
def test_weights_renormalize_over_assessed_dimensions(
    items: list[Contribution], weights: dict[Dimension, float], k: float
) -> None:
    card = score_contributions(items, WeightProfile(dimensions=weights))
    scaled = WeightProfile(dimensions={d: w * k for d, w in weights.items()})
    assessed = {d: s.score for d, s in card.dimensions.items() if s.score is not None}
    if not assessed:
        assert card.score is None
        return
    expected = sum(weights[d] * v for d, v in assessed.items()) / sum(weights[d] for d in assessed)
    assert card.score == pytest.approx(expected, abs=1e-3)
    assert score_contributions(items, scaled).score == pytest.approx(card.score, abs=1e-3)


@given(contributions(min_size=1))
def test_a_zero_weight_dimension_does_not_count(items: list[Contribution]) -> None:
    weights = dict.fromkeys(Dimension, 1.0) | {Dimension.ACCURACY: 0.0}
    with_accuracy = score_contributions(items, WeightProfile(dimensions=weights))
    without = score_contributions(
        [c for c in items if c.indicator.dimension is not Dimension.ACCURACY]
    )
    assert with_accuracy.score == without.score


@given(st.floats(0, 100), st.floats(0, 100))
def test_grades_are_monotone(x: float, y: float) -> None:
    order = "ABCDE"
    low, high = sorted((x, y))
    assert order.index(grade_for(high) or "") <= order.index(grade_for(low) or "")


def test_default_bands_follow_domain_section_12() -> None:
    got = [grade_for(s) for s in (100, 90, 89.9999, 80, 79.99, 70, 60, 59.99, 0)]
    assert got == ["A", "A", "B", "B", "C", "C", "D", "E", "E"]
    custom = WeightProfile(
        grade_bands=[GradeBand(grade="优", min_score=85), GradeBand(grade="良", min_score=70)],
        lowest_grade="差",
    )
    assert [grade_for(s, custom) for s in (90, 75, 10)] == ["优", "良", "差"]


def test_db31_worked_example() -> None:
    # 010100 = mean(010101..03); 030300 = 1 − duplicates/B; dims equal-weighted.
    card = score_contributions(
        [
            Contribution(Indicator.DATA_STANDARD, "type", 90, 100),
            Contribution(Indicator.DATA_STANDARD, "format", 80, 100),
            Contribution(Indicator.DATA_STANDARD, "length", 100, 100),
            Contribution(Indicator.DUPLICATION_RATE, "dups", 1000 - 50, 1000),
            Contribution(Indicator.UNIQUENESS, "uniq", 3, 4),
        ]
    )
    assert card.dimensions[Dimension.NORMATIVITY].score == 90.0
    assert card.dimensions[Dimension.ACCURACY].score == pytest.approx((95 + 75) / 2)
    assert card.score == pytest.approx((90 + 85) / 2)
    assert card.grade == "B"
    assert card.dimensions[Dimension.TIMELINESS].score is None


def test_invalid_contributions_and_profiles_are_refused() -> None:
    with pytest.raises(ValueError, match="A <= B"):
        Contribution(Indicator.UNIQUENESS, "x", 5, 4)
    with pytest.raises(ValueError, match="decreasing"):
        WeightProfile(
            grade_bands=[GradeBand(grade="A", min_score=50), GradeBand(grade="B", min_score=60)]
        )
    with pytest.raises(ValueError, match="negative"):
        WeightProfile(dimensions={Dimension.ACCURACY: -1})


def test_high_quality_predicate() -> None:
    good = [Contribution(Indicator.UNIQUENESS, "rule:u", 99, 100)]
    assert high_quality_eligibility(score_contributions(good)).eligible
    leak = [*good, Contribution(Indicator.SECURITY, "rule:masked", 999, 1000)]
    verdict = high_quality_eligibility(score_contributions(leak))
    assert not verdict.eligible and "rule:masked" in verdict.reasons[0]
    low = [Contribution(Indicator.UNIQUENESS, "rule:u", 70, 100)]
    strict = WeightProfile(high_quality_threshold=60)
    assert not high_quality_eligibility(score_contributions(low)).eligible
    assert high_quality_eligibility(score_contributions(low, strict), strict).eligible
    assert not high_quality_eligibility(score_contributions([])).eligible
    assert DEFAULT_WEIGHT_PROFILE.high_quality_threshold == 80
