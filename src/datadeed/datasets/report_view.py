"""The quality report as a page section, a standalone HTML document and a PDF: charts
built from the stored report (labels translated in the request's locale) and the one
template, ``reports/_quality_body.html``, that all three share."""

from __future__ import annotations

import functools
import hashlib
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import Environment
from markupsafe import Markup
from sqlalchemy.orm import object_session

from datadeed.config import Settings
from datadeed.datasets.models import QualityReportRecord
from datadeed.quality.indicators import Dimension
from datadeed.reports.charts import bar_svg, radar_svg
from datadeed.reports.pdf import html_to_pdf
from datadeed.web.i18n import current_locale, gettext

Translate = Callable[[str], str]


def dimension_radar(report: dict[str, Any], translate: Translate) -> Markup:
    """The six GB/T 36344 dimensions on a radar; not assessed ones drawn apart."""
    dims = report.get("dimensions", {})
    axes = [(translate(d.value), dims.get(d.value, {}).get("score")) for d in Dimension]
    return radar_svg(axes, empty_label=translate("not assessed"))


def _column_label(column: dict[str, Any]) -> str:
    return str(column["name"])


def null_rate_bars(report: dict[str, Any], translate: Translate) -> Markup:
    """Per column: null values as a percentage of the rows."""
    rows = max(int(report.get("row_count") or 0), 1)
    bars = [(_column_label(c), 100 * c["null_count"] / rows) for c in report.get("columns", [])]
    return bar_svg(bars, max_value=100, unit="%", empty_label=translate("No columns."))


def distinct_bars(report: dict[str, Any], translate: Translate) -> Markup:
    """Per column: distinct values as a percentage of the rows (≈ when approximate)."""
    rows = max(int(report.get("row_count") or 0), 1)
    bars = []
    for c in report.get("columns", []):
        label = _column_label(c) + (" ≈" if c.get("distinct_approximate") else "")
        bars.append((label, 100 * min((c.get("distinct_count") or 0) / rows, 1.0)))
    return bar_svg(bars, max_value=100, unit="%", empty_label=translate("No columns."))


def report_charts(report: dict[str, Any], translate: Translate) -> dict[str, Markup]:
    return {
        "radar": dimension_radar(report, translate),
        "nulls": null_rate_bars(report, translate),
        "distinct": distinct_bars(report, translate),
    }


def report_context(record: QualityReportRecord, translate: Translate) -> dict[str, Any]:
    """The template context of ``reports/_quality_body.html``, with the version's latest
    sensitivity scan (its own sealed report) summarised beside the quality figures."""
    return {
        "dataset": record.version.dataset,
        "version": record.version,
        "record": record,
        "r": record.report,
        "charts": report_charts(record.report, translate),
        **_sensitivity(record),
    }


def _sensitivity(record: QualityReportRecord) -> dict[str, Any]:
    from datadeed.sensitive.panel import panel_context  # the sensitive domain reads datasets

    session = object_session(record)
    if session is None:
        return {"sensitivity": None, "sensitivity_gate": None}
    return panel_context(session, record.dataset_version_id)


def report_html(record: QualityReportRecord) -> str:
    """The report as one standalone HTML document (also the PDF's source)."""
    return (
        _environment()
        .get_template("reports/quality_pdf.html")
        .render(locale=current_locale.get(), **report_context(record, gettext))
    )


def report_pdf(record: QualityReportRecord) -> bytes:
    """The report as PDF (WeasyPrint; raises PdfUnavailable when it cannot load)."""
    return html_to_pdf(report_html(record))


def cached_pdf(settings: Settings, record: QualityReportRecord, html: str) -> bytes:
    """The PDF of ``html``, kept under ``HOME/cache/reports`` by the report's digest, the
    locale and the templates' own digest: a sealed report never changes, so it is rendered
    once per language and sensitivity scan state (and again only when a template changes).
    The folder is held to ``report_cache_max_bytes``, least recently used out first."""
    cache_dir = report_cache_dir(settings)
    scan = _sensitivity(record)["sensitivity"]
    scan_key = f"s{scan['scan_id']}{scan['grade_status']}" if scan else "s0"
    key = f"{record.digest}-{scan_key}-{current_locale.get()}-{_templates_digest()[:16]}.pdf"
    path = cache_dir / key
    try:
        pdf = path.read_bytes()
        os.utime(path)  # recently used
        return pdf
    except FileNotFoundError:
        pass
    pdf = html_to_pdf(html)
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.part")
    partial.write_bytes(pdf)
    os.replace(partial, path)
    evict(cache_dir, settings.report_cache_max_bytes, keep=path)
    return pdf


def report_cache_dir(settings: Settings) -> Path:
    return settings.home / "cache" / "reports"


def evict(cache_dir: Path, max_bytes: int, *, keep: Path | None = None) -> list[Path]:
    """Delete the least recently used PDFs until the folder holds at most ``max_bytes``
    (never ``keep``, the file just written). Returns what was deleted."""
    entries = []
    for pdf in cache_dir.glob("*.pdf"):
        try:
            stat = pdf.stat()
        except FileNotFoundError:  # another worker evicted it
            continue
        entries.append((stat.st_mtime, stat.st_size, pdf))
    total = sum(size for _, size, _ in entries)
    removed: list[Path] = []
    for _, size, pdf in sorted(entries, key=lambda e: e[0]):
        if total <= max_bytes:
            break
        if pdf == keep:
            continue
        pdf.unlink(missing_ok=True)
        total -= size
        removed.append(pdf)
    return removed


@functools.cache
def _templates_digest() -> str:
    from datadeed.web.templating import TEMPLATE_DIR

    digest = hashlib.sha256()
    for name in ("quality_pdf.html", "_quality_body.html", "_quality_print.css"):
        digest.update((TEMPLATE_DIR / "reports" / name).read_bytes())
    for name in ("_dataset_panel.html", "_macros.html"):
        digest.update((TEMPLATE_DIR / "sensitive" / name).read_bytes())
    return digest.hexdigest()


@functools.cache
def _environment() -> Environment:
    from datadeed.web.templating import make_environment

    return make_environment()
