"""HTML → PDF: Chinese text survives (pdftotext), CJK fonts are embedded (pdffonts)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from datadeed.reports import html_to_pdf, radar_svg
from datadeed.reports.pdf import PdfFetchRefused

HTML = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"></head><body>
<h1>数据质量评估报告</h1><p>数据集：城市公交刷卡记录 — 综合得分 87.5（B）</p>{chart}
</body></html>"""


def _tool(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def test_chinese_text_and_embedded_fonts(tmp_path: Path) -> None:
    pdf = html_to_pdf(HTML.format(chart=radar_svg([("完整性", 90.0), ("准确性", None)])))
    assert pdf.startswith(b"%PDF-")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = _tool("pdftotext", str(path), "-")
    assert "数据质量评估报告" in text
    assert "城市公交刷卡记录" in text
    assert "完整性 90" in text  # text inside the inline SVG is real text, too
    fonts = [line.split() for line in _tool("pdffonts", str(path)).splitlines()[2:]]
    assert fonts
    assert any("CJK" in row[0] for row in fonts)
    # columns: emb sub uni object generation → emb is the fifth from the end
    assert all(row[-5] == "yes" for row in fonts), fonts


def test_network_and_outside_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(PdfFetchRefused):
        html_to_pdf('<img src="http://192.0.2.1/x.png">', base_url=tmp_path.as_uri())
    with pytest.raises(PdfFetchRefused):
        html_to_pdf('<img src="file:///etc/passwd">', base_url=tmp_path.as_uri())


def test_missing_weasyprint_is_a_typed_503() -> None:
    """In a fresh interpreter where WeasyPrint cannot be imported, the caller gets
    PdfUnavailable (code pdf_unavailable, status 503), not an ImportError."""
    code = (
        "import sys; sys.modules['weasyprint'] = None\n"
        "from datadeed.reports.pdf import html_to_pdf, PdfUnavailable\n"
        "try:\n    html_to_pdf('<p>x</p>')\n"
        "except PdfUnavailable as e:\n    print(e.code, e.status)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.split() == ["pdf_unavailable", "503"]


def test_files_under_base_url_are_loaded(tmp_path: Path) -> None:
    (tmp_path / "mark.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        '<rect width="10" height="10"/></svg>',
        encoding="utf-8",
    )
    with_image = html_to_pdf('<p>印章</p><img src="mark.svg">', base_url=tmp_path.as_uri() + "/")
    without = html_to_pdf("<p>印章</p>", base_url=tmp_path.as_uri() + "/")
    assert len(with_image) > len(without)
