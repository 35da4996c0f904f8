"""Data-OOB (Kwon & Zou, 2023): the value of a training point is how well the bagged
models that did not see it (it was out of bag) predict it.

For a bagging ensemble of B models, each fitted on a bootstrap sample,

    ψ(i) = Σ_b 1[i ∉ sample_b] · T(y_i, f_b(x_i)) ÷ Σ_b 1[i ∉ sample_b]

with T = 1[f_b(x_i) = y_i] for classification and T = −(f_b(x_i) − y_i)² for
regression. A point that was in every bootstrap sample has no value (NaN).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.ensemble import BaggingClassifier, BaggingRegressor  # type: ignore[import-untyped]
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor  # type: ignore[import-untyped]

from datadeed.errors import InvalidInput

__all__ = ["data_oob"]


def _ensemble(task: str, n_estimators: int, seed: int) -> BaggingClassifier | BaggingRegressor:
    if task == "classification":
        return BaggingClassifier(
            estimator=DecisionTreeClassifier(max_depth=8, random_state=seed),
            n_estimators=n_estimators,
            random_state=seed,
        )
    if task == "regression":
        return BaggingRegressor(
            estimator=DecisionTreeRegressor(max_depth=8, random_state=seed),
            n_estimators=n_estimators,
            random_state=seed,
        )
    raise InvalidInput(f"task must be classification or regression, not {task!r}")


def data_oob(
    x: Any,
    y: Any,
    *,
    task: str = "classification",
    n_estimators: int = 200,
    seed: int = 0,
) -> npt.NDArray[np.float64]:
    """Data-OOB value of every training point (NaN where never out of bag)."""
    features = np.asarray(x, dtype=np.float64)
    labels = np.asarray(y).ravel()
    if features.ndim != 2 or features.shape[0] != labels.size or labels.size < 2:
        raise InvalidInput("Data-OOB needs a 2-D feature array with one label per row")
    if n_estimators < 1:
        raise InvalidInput("n_estimators must be at least 1")
    model = _ensemble(task, n_estimators, seed).fit(features, labels)
    n = labels.size
    score_sum = np.zeros(n)
    oob_count = np.zeros(n)
    for estimator, drawn in zip(model.estimators_, model.estimators_samples_, strict=True):
        oob = np.ones(n, dtype=bool)
        oob[drawn] = False
        if not oob.any():
            continue
        pred = estimator.predict(features[oob])
        if task == "classification":
            score = (model.classes_[pred.astype(np.intp)] == labels[oob]).astype(np.float64)
        else:
            score = -((pred - labels[oob].astype(np.float64)) ** 2)
        score_sum[oob] += score
        oob_count[oob] += 1
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(oob_count > 0, score_sum / np.maximum(oob_count, 1), np.nan)
