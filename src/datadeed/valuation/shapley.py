"""Exact KNN-Shapley values (Jia et al., 2019, "Efficient task-specific data valuation for
nearest neighbor algorithms", Theorem 1).

For one test point, rank the N training points by distance, nearest first
(α_1 … α_N, ties broken by training index). With m_i = 1[y_{α_i} = y_test]:

    s(α_N) = m_N / max(K, N)      (m_N / N in the paper, which assumes N ≥ K)
    s(α_i) = s(α_{i+1}) + (m_i − m_{i+1}) / K · min(K, i) / i

These are the Shapley values of the utility U(S) = (1/K) Σ_{k ≤ min(K,|S|)} m_{α_k(S)},
the K-nearest-neighbour vote for the true label. Over several test points the utility,
and so each value, is the mean over test points.

The recursion unrolls into a reverse cumulative sum, so a whole block of test points is
done with a few array operations. Test points are processed in chunks sized so that the
working arrays stay under ``memory_bytes``: memory is O(chunk × N), not O(M × N).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import numpy.typing as npt

from datadeed.errors import InvalidInput

__all__ = ["DEFAULT_MEMORY_BYTES", "knn_shapley", "knn_utility"]

DEFAULT_MEMORY_BYTES = 256 * 1024 * 1024
# Working arrays per (test point × training point) cell: float64 distances and their
# sorted copy, int64 order, labels in rank order, steps, prefix sums, values.
_BYTES_PER_CELL = 72

FloatArray = npt.NDArray[np.float64]


def _as_matrix(name: str, x: Any) -> FloatArray:
    matrix = np.asarray(x, dtype=np.float64)
    if matrix.ndim == 1:
        matrix = matrix.reshape(-1, 1)
    if matrix.ndim != 2:
        raise InvalidInput(f"{name} must be a 2-D array of features")
    if not np.isfinite(matrix).all():
        raise InvalidInput(f"{name} contains NaN or infinite values")
    return matrix


def _label_codes(y_train: Any, y_test: Any) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    train = np.asarray(y_train).ravel()
    test = np.asarray(y_test).ravel()
    _, codes = np.unique(np.concatenate([train, test]), return_inverse=True)
    return codes[: train.size], codes[train.size :]


def _validate(x_train: FloatArray, y_len: int, x_test: FloatArray, t_len: int, k: int) -> None:
    if x_train.shape[0] == 0:
        raise InvalidInput("the training set is empty")
    if x_test.shape[0] == 0:
        raise InvalidInput("the test set is empty")
    if x_train.shape[1] != x_test.shape[1]:
        raise InvalidInput(
            f"training points have {x_train.shape[1]} features, test points {x_test.shape[1]}"
        )
    if y_len != x_train.shape[0] or t_len != x_test.shape[0]:
        raise InvalidInput("each point needs exactly one label")
    if k < 1:
        raise InvalidInput("k must be at least 1")


def squared_distances(x_test: FloatArray, x_train: FloatArray) -> FloatArray:
    """‖a − b‖² for every test row a and training row b, via ‖a‖² + ‖b‖² − 2ab."""
    d = np.einsum("ij,ij->i", x_test, x_test)[:, None] - 2.0 * (x_test @ x_train.T)
    d += np.einsum("ij,ij->i", x_train, x_train)[None, :]
    out: FloatArray = np.maximum(d, 0.0, out=d)
    return out


def _rank_weights(n: int, k: int) -> FloatArray:
    """w_i = min(K, i) / (K · i) = 1 / max(K, i) for ranks i = 1 … N − 1."""
    weights: FloatArray = 1.0 / np.maximum(float(k), np.arange(1, n, dtype=np.float64))
    return weights


def _rank(dist: FloatArray) -> npt.NDArray[np.intp]:
    """Nearest first; equal distances in training-index order.

    The fast (unstable) sort is used first; rows where two distances tie are sorted
    again with the stable one, so ties always break the same way.
    """
    order = np.argsort(dist, axis=1)
    ranked = np.take_along_axis(dist, order, axis=1)
    tied = (ranked[:, 1:] == ranked[:, :-1]).any(axis=1)
    if tied.any():
        order[tied] = np.argsort(dist[tied], axis=1, kind="stable")
    return order


def _chunk_values(
    dist: FloatArray, matches: npt.NDArray[np.bool_], weights: FloatArray, k: int
) -> FloatArray:
    """Sum over the chunk's test points of each training point's KNN-Shapley value."""
    n = dist.shape[1]
    order = _rank(dist)
    m = np.take_along_axis(matches, order, axis=1).astype(np.float64)
    steps = (m[:, :-1] - m[:, 1:]) * weights
    ranked = np.empty_like(m)
    # The farthest point only counts while fewer than K are nearer: m_N / max(K, N).
    ranked[:, -1] = m[:, -1] / max(k, n)
    # s_i = s_N + Σ_{j ≥ i} steps_j = s_N + (Σ_j steps_j − Σ_{j < i} steps_j).
    prefix = np.cumsum(steps, axis=1)
    ranked[:, :-1] = ranked[:, -1:] + prefix[:, -1:] - prefix + steps
    totals = np.bincount(order.ravel(), weights=ranked.ravel(), minlength=n)
    return totals.astype(np.float64, copy=False)


def _blocks(m: int, chunk: int) -> list[slice]:
    return [slice(start, min(m, start + chunk)) for start in range(0, m, chunk)]


def knn_shapley(
    x_train: Any,
    y_train: Any,
    x_test: Any,
    y_test: Any,
    k: int,
    *,
    memory_bytes: int = DEFAULT_MEMORY_BYTES,
    workers: int | None = None,
) -> FloatArray:
    """Exact KNN-Shapley value of every training point (mean over the test points).

    ``memory_bytes`` bounds the working arrays of all workers together; ``workers``
    threads (default: one per CPU) each take a block of test points.
    """
    xtr, xte = _as_matrix("x_train", x_train), _as_matrix("x_test", x_test)
    ytr, yte = _label_codes(y_train, y_test)
    _validate(xtr, ytr.size, xte, yte.size, k)
    n = xtr.shape[0]
    threads = max(1, workers if workers is not None else (os.cpu_count() or 1))
    chunk = max(1, min(xte.shape[0], memory_bytes // (_BYTES_PER_CELL * n * threads)))
    weights = _rank_weights(n, k)

    def block_values(rows: slice) -> FloatArray:
        matches = ytr[None, :] == yte[rows, None]
        return _chunk_values(squared_distances(xte[rows], xtr), matches, weights, k)

    total = np.zeros(n, dtype=np.float64)
    with ThreadPoolExecutor(max_workers=threads) as pool:
        # numpy's sorts and BLAS release the GIL, so blocks run in parallel.
        for values in pool.map(block_values, _blocks(xte.shape[0], chunk)):
            total += values
    mean: FloatArray = total / xte.shape[0]
    return mean


def knn_utility(
    x_train: Any, y_train: Any, x_test: Any, y_test: Any, k: int, subset: Any = None
) -> float:
    """U(S): mean over test points of the share of the K nearest in S with the right label.

    Ranking uses the same distances and tie-break (training index) as :func:`knn_shapley`.
    ``subset`` is a sequence of training indices (all of them when None); U(∅) = 0.
    """
    xtr, xte = _as_matrix("x_train", x_train), _as_matrix("x_test", x_test)
    ytr, yte = _label_codes(y_train, y_test)
    _validate(xtr, ytr.size, xte, yte.size, k)
    members = np.arange(xtr.shape[0]) if subset is None else np.asarray(subset, dtype=np.intp)
    if members.size == 0:
        return 0.0
    members = np.sort(members)
    dist = squared_distances(xte, xtr[members])
    order = np.argsort(dist, axis=1, kind="stable")[:, :k]
    hits = ytr[members][order] == yte[:, None]
    return float(hits.sum(axis=1).mean() / k)
