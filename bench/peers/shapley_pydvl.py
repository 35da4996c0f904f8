"""pyDVL 0.10's KNN-Shapley on arrays saved by bench/bench_shapley.py (runs in var/pydvl-venv).

    var/pydvl-venv/bin/python bench/peers/shapley_pydvl.py DATA.npz K OUT.npy

Prints one JSON line: seconds of ``KNNShapleyValuation.fit`` and the pyDVL version.
Imports nothing from datadeed: pyDVL pins numpy < 2, datadeed's venv has numpy 2.
"""

from __future__ import annotations

import json
import os
import sys
import time
import warnings
from importlib.metadata import version

import numpy as np
from joblib import parallel_config
from pydvl.valuation.dataset import Dataset
from pydvl.valuation.methods.knn_shapley import KNNShapleyValuation
from sklearn.neighbors import KNeighborsClassifier


def main() -> None:
    warnings.simplefilter("ignore", FutureWarning)  # pyDVL's own deprecation notices
    data_path, k, out_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    arrays = np.load(data_path)
    train = Dataset(arrays["x_train"], arrays["y_train"])
    test = Dataset(arrays["x_test"], arrays["y_test"])
    valuation = KNNShapleyValuation(KNeighborsClassifier(n_neighbors=k), test, progress=False)
    jobs = os.cpu_count() or 1
    start = time.perf_counter()
    with parallel_config(n_jobs=jobs):
        valuation.fit(train)
    seconds = time.perf_counter() - start
    result = valuation.values()
    values = np.zeros(len(train))
    values[np.asarray(result.indices)] = result.values
    np.save(out_path, values)
    print(json.dumps({"seconds": seconds, "pydvl": version("pydvl"), "n_jobs": jobs}))


if __name__ == "__main__":
    main()
