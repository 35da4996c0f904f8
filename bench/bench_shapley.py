"""KNN-Shapley: datadeed beside pyDVL 0.10 in one run, then 100,000 x 1,000 with peak memory.

Data: Gaussian features (16 columns) with labels from a noisy linear rule, seed 7, saved
under var/bench/ as .npz so both implementations read the same bytes.

pyDVL pins numpy < 2, so it lives in its own virtualenv, ``var/pydvl-venv``, which this
script creates on first use (``pydvl==0.10.*`` and ``numpy<2``) and runs as a
subprocess; datadeed runs here. Both get every core (pyDVL through joblib's n_jobs).

    .venv/bin/python bench/bench_shapley.py          # 20,000 x 1,000 vs pyDVL; 100,000 x 1,000
    .venv/bin/python bench/bench_shapley.py --quick  # 2,000 x 200 vs pyDVL only
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

from datadeed.valuation.shapley import knn_shapley

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "var" / "bench"
PEER_VENV = ROOT / "var" / "pydvl-venv"
PEER_PYTHON = PEER_VENV / "bin" / "python"
PEER_SCRIPT = ROOT / "bench" / "peers" / "shapley_pydvl.py"  # not bench/*.py: `make bench` skips it
FEATURES, K, SEED = 16, 5, 7


def make_data(n_train: int, n_test: int) -> Path:
    """Write (once) and return the .npz of one size."""
    path = CACHE / f"shapley-{n_train}x{n_test}.npz"
    if path.exists():
        return path
    rng = np.random.default_rng(SEED)
    x = rng.normal(size=(n_train + n_test, FEATURES))
    w = rng.normal(size=FEATURES)
    y = (x @ w + rng.normal(scale=2.0, size=len(x)) > 0).astype(np.int64)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(path, x_train=x[:n_train], y_train=y[:n_train], x_test=x[n_train:], y_test=y[n_train:])
    return path


def ensure_peer_venv() -> None:
    if PEER_PYTHON.exists():
        return
    print("creating var/pydvl-venv (pyDVL 0.10, numpy < 2) ...", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
    pip = [str(PEER_PYTHON), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "pydvl==0.10.*", "numpy<2"], check=True)


def run_peer(data: Path) -> tuple[dict[str, float | str], np.ndarray]:
    out = data.with_suffix(".pydvl.npy")
    proc = subprocess.run(
        [str(PEER_PYTHON), str(PEER_SCRIPT), str(data), str(K), str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1]), np.load(out)


def run_datadeed(data: Path) -> tuple[float, np.ndarray]:
    arrays = np.load(data)
    start = time.perf_counter()
    values = knn_shapley(
        arrays["x_train"], arrays["y_train"], arrays["x_test"], arrays["y_test"], K
    )
    return time.perf_counter() - start, values


def compare(n_train: int, n_test: int) -> None:
    data = make_data(n_train, n_test)
    ensure_peer_venv()
    peer, peer_values = run_peer(data)
    ours_s, ours = run_datadeed(data)
    diff = float(np.max(np.abs(ours - peer_values)))
    ratio = float(peer["seconds"]) / ours_s
    print(
        f"{n_train:,} x {n_test:,}, k={K}: datadeed {ours_s:.2f} s, "
        f"pyDVL {peer['pydvl']} {float(peer['seconds']):.2f} s (n_jobs={peer['n_jobs']}), "
        f"ratio {ratio:.1f}x, max |difference| {diff:.2e}"
    )
    verdict = "met" if ratio >= 10 and diff <= 1e-9 else "NOT met"
    print(f"  target >= 10x faster, identical to 1e-9: {verdict}")


def _vm_hwm_mb() -> float:
    """Peak RSS of this process (VmHWM: unlike ru_maxrss, not inherited across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child_peak(n_train: int, n_test: int) -> None:
    """Run in a fresh process so the peak is this measurement's alone."""
    data = make_data(n_train, n_test)
    arrays = {k: v for k, v in np.load(data).items()}
    before = _vm_hwm_mb()
    tracemalloc.start()
    start = time.perf_counter()
    knn_shapley(arrays["x_train"], arrays["y_train"], arrays["x_test"], arrays["y_test"], K)
    seconds = time.perf_counter() - start
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    out = {"seconds": seconds, "peak_mb": _vm_hwm_mb(), "before_mb": before}
    print(json.dumps(out | {"arrays_peak_mb": traced / 2**20}))


def large(n_train: int, n_test: int) -> None:
    make_data(n_train, n_test)
    proc = subprocess.run(
        [sys.executable, __file__, "--child", str(n_train), str(n_test)],
        check=True,
        capture_output=True,
        text=True,
    )
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    print(
        f"{n_train:,} x {n_test:,}, k={K}: datadeed {r['seconds']:.2f} s, "
        f"peak RSS {r['peak_mb']:.0f} MB (before the call: {r['before_mb']:.0f} MB; "
        f"numpy arrays allocated by the call, peak {r['arrays_peak_mb']:.0f} MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2,000 x 200 vs pyDVL only")
    parser.add_argument("--child", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_peak(*args.child)
        return
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, numpy {np.__version__}")
    if args.quick:
        compare(2_000, 200)
        return
    compare(20_000, 1_000)
    large(100_000, 1_000)


if __name__ == "__main__":
    main()
