"""Reports shared by every domain: inline SVG charts and HTML → PDF with CJK fonts.

- ``charts``  pure-Python SVG builders (radar, bars, tornado, histogram) → ``Markup``
- ``pdf``     ``html_to_pdf`` (WeasyPrint; Noto CJK fonts embedded) and ``PdfUnavailable``
"""

from datadeed.reports.charts import bar_svg, histogram_svg, radar_svg, tornado_svg
from datadeed.reports.pdf import PdfUnavailable, html_to_pdf

__all__ = [
    "PdfUnavailable",
    "bar_svg",
    "histogram_svg",
    "html_to_pdf",
    "radar_svg",
    "tornado_svg",
]
