"""Exact KNN-Shapley: worked example, efficiency, symmetry, brute force, chunking."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from datadeed.errors import InvalidInput
from datadeed.valuation import knn_shapley
from datadeed.valuation.shapley import knn_utility


def brute_force_shapley(x_train, y_train, x_test, y_test, k):
    """Shapley values by the subset formula over every coalition (tiny N only)."""
    n = len(y_train)
    utility = {}
    for size in range(n + 1):
        for subset in itertools.combinations(range(n), size):
            utility[subset] = knn_utility(x_train, y_train, x_test, y_test, k, list(subset))
    values = np.zeros(n)
    for i in range(n):
        others = [j for j in range(n) if j != i]
        for size in range(n):
            weight = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
            for subset in itertools.combinations(others, size):
                with_i = tuple(sorted((*subset, i)))
                values[i] += weight * (utility[with_i] - utility[subset])
    return values


def test_worked_example_from_the_docs():
    # docs/valuation.md: training x = 1 (a), 2 (b), 4 (a); one test point x = 0 (a); K = 1.
    values = knn_shapley([[1.0], [2.0], [4.0]], ["a", "b", "a"], [[0.0]], ["a"], k=1)
    assert values == pytest.approx([5 / 6, -1 / 6, 1 / 3], abs=1e-15)


# Small integer coordinates: distances are exact in float64, so ties are real ties and
# both sides break them by training index.
coords = st.integers(min_value=-3, max_value=3).map(float)


@st.composite
def problems(draw, max_train=6):
    n = draw(st.integers(1, max_train))
    m = draw(st.integers(1, 3))
    d = draw(st.integers(1, 2))
    x_train = np.array(
        draw(st.lists(st.lists(coords, min_size=d, max_size=d), min_size=n, max_size=n))
    )
    x_test = np.array(
        draw(st.lists(st.lists(coords, min_size=d, max_size=d), min_size=m, max_size=m))
    )
    y_train = np.array(draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)))
    y_test = np.array(draw(st.lists(st.integers(0, 2), min_size=m, max_size=m)))
    k = draw(st.integers(1, n + 1))
    return x_train, y_train, x_test, y_test, k


@settings(max_examples=60, deadline=None)
@given(problems())
def test_agrees_with_brute_force_shapley(problem):
    values = knn_shapley(*problem)
    assert values == pytest.approx(brute_force_shapley(*problem), abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(problems(max_train=12))
def test_efficiency_values_sum_to_full_minus_empty(problem):
    values = knn_shapley(*problem)
    full = knn_utility(*problem)
    empty = knn_utility(*problem, subset=[])
    assert empty == 0.0
    assert values.sum() == pytest.approx(full - empty, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(problems(max_train=8), st.data())
def test_symmetry_identical_points_get_equal_values(problem, data):
    x_train, y_train, x_test, y_test, k = problem
    i = data.draw(st.integers(0, len(y_train) - 1))
    # A copy of point i placed right after it: the two are interchangeable players.
    x2 = np.insert(x_train, i + 1, x_train[i], axis=0)
    y2 = np.insert(y_train, i + 1, y_train[i])
    values = knn_shapley(x2, y2, x_test, y_test, k)
    assert values[i] == pytest.approx(values[i + 1], abs=1e-15)


def test_chunking_and_threads_do_not_change_values():
    rng = np.random.default_rng(3)
    x_train, x_test = rng.normal(size=(500, 4)), rng.normal(size=(120, 4))
    y_train, y_test = rng.integers(0, 3, 500), rng.integers(0, 3, 120)
    whole = knn_shapley(x_train, y_train, x_test, y_test, 5, workers=1)
    # 40 bytes per cell over 500 training points: a chunk of one test point at a time.
    tiny = knn_shapley(x_train, y_train, x_test, y_test, 5, memory_bytes=1, workers=2)
    assert tiny == pytest.approx(whole, abs=1e-15)
    assert whole.sum() == pytest.approx(knn_utility(x_train, y_train, x_test, y_test, 5))


def test_string_labels_and_1d_features():
    # 0 and 1 tie at distance 0.5: index order, so ranks x(0), y(1), x(5); m = 0, 1, 0.
    values = knn_shapley([0.0, 1.0, 5.0], ["x", "y", "x"], [0.5], ["y"], k=2)
    assert values == pytest.approx([0.0, 0.5, 0.0], abs=1e-15)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (([], [], [[0.0]], [1], 1), "training set is empty"),
        (([[0.0]], [1], [[0.0]], [1], 0), "k must be at least 1"),
        (([[0.0, 1.0]], [1], [[0.0]], [1], 1), "features"),
        (([[0.0]], [1, 2], [[0.0]], [1], 1), "one label"),
        (([[np.nan]], [1], [[0.0]], [1], 1), "NaN"),
        (([[0.0]], [1], np.zeros((0, 1)), [], 1), "test set is empty"),
    ],
)
def test_bad_input_is_refused(args, message):
    with pytest.raises(InvalidInput, match=message):
        knn_shapley(*args)
