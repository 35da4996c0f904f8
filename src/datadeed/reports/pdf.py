"""HTML → PDF with WeasyPrint, Chinese glyphs embedded from the Noto CJK fonts.

The same Jinja template serves the page and the PDF; print rules live in the template's
``@media print`` / ``@page`` CSS plus :data:`BASE_CSS` here. WeasyPrint needs the system
Pango library; when it (or WeasyPrint itself) cannot load, :class:`PdfUnavailable` is
raised (503 ``pdf_unavailable``), never a bare 500. Only ``data:`` URLs and files under
``base_url`` are fetched: rendering never touches the network.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from datadeed.errors import DatadeedError

CJK_SANS = "'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', sans-serif"
CJK_SERIF = "'Noto Serif CJK SC', 'Noto Serif SC', 'Source Han Serif SC', serif"

BASE_CSS = f"""
@page {{ size: A4; margin: 18mm 16mm 20mm 16mm;
  @bottom-center {{ content: counter(page) " / " counter(pages); font-size: 9pt; }} }}
html {{ font-family: {CJK_SANS}; font-size: 10.5pt; line-height: 1.5; }}
.serif {{ font-family: {CJK_SERIF}; }}
svg {{ max-width: 100%; }}
table {{ border-collapse: collapse; }}
"""


class PdfUnavailable(DatadeedError):
    """The PDF renderer (WeasyPrint and its Pango libraries) cannot load here."""

    code = "pdf_unavailable"
    status = 503
    title = "PDF rendering unavailable"


class PdfFetchRefused(DatadeedError):
    """A document referred to a resource outside what a PDF may load (no network)."""

    code = "pdf_fetch_refused"
    status = 400
    title = "Resource refused while rendering a PDF"


def _weasyprint() -> Any:
    try:
        import weasyprint  # type: ignore[import-untyped]
    except (ImportError, OSError) as exc:  # OSError: libpango / libgobject missing
        raise PdfUnavailable(
            f"PDF rendering is unavailable: {exc.__class__.__name__}: {exc}. "
            "Install WeasyPrint and the Pango libraries (libpango-1.0-0, libpangoft2-1.0-0)."
        ) from exc
    return weasyprint


def _fetcher(base_url: str | None, weasyprint: Any) -> Any:
    """A fetcher for ``data:`` URLs and files under ``base_url``; anything else stops
    the rendering (``fail_on_errors``) so that a refused URL is never silently dropped."""
    root = Path(urlparse(base_url).path).resolve() if base_url else None

    class ConfinedFetcher(weasyprint.urls.URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            parsed = urlparse(url)
            inside = (
                parsed.scheme == "file"
                and root is not None
                and Path(parsed.path).resolve().is_relative_to(root)
            )
            if parsed.scheme != "data" and not inside:
                raise ValueError(f"refused to fetch {url!r} while rendering a PDF")
            return super().fetch(url, headers)

    return ConfinedFetcher(fail_on_errors=True, allowed_protocols=("data", "file"))


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """Render ``html`` to PDF bytes (A4, CJK fonts embedded as subsets).

    ``base_url`` is a ``file://`` directory that relative links resolve against; nothing
    outside it and no network URL is loaded."""
    weasyprint = _weasyprint()
    try:
        document = weasyprint.HTML(
            string=html, base_url=base_url, url_fetcher=_fetcher(base_url, weasyprint)
        )
    except weasyprint.urls.FatalURLFetchingError as exc:
        raise PdfFetchRefused(f"{exc} (only data: URLs and files under base_url)") from exc
    try:
        pdf: bytes = document.write_pdf(stylesheets=[weasyprint.CSS(string=BASE_CSS)])
    except weasyprint.urls.FatalURLFetchingError as exc:
        raise PdfFetchRefused(f"{exc} (only data: URLs and files under base_url)") from exc
    return pdf
