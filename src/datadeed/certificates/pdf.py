"""The certificate as a one-page Chinese PDF: the registered facts, the issuing body, the
ledger position and a QR code to the public verification page (as on the CNIPA unified
certificate, DOMAIN.md §1.4). Rendered by ``datadeed.reports.pdf`` with CJK fonts
embedded; the template is ``web/templates/certificates/pdf.html``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import quote

import segno
from jinja2 import Environment, FileSystemLoader, select_autoescape

from datadeed.reports.pdf import html_to_pdf
from datadeed.workdays import SHANGHAI

TEMPLATES = Path(__file__).resolve().parent.parent / "web" / "templates"
_ENV = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))

TRACK_TITLES = {
    "data_property": "数据产权登记证书",
    "data_ip": "数据知识产权登记证书",
    "public_data": "公共数据资源登记证书",
}
RIGHT_NAMES = {"hold": "数据资源持有权", "use": "数据加工使用权", "operate": "数据产品经营权"}
OBJECT_TYPES = {
    "data_resource": "数据资源",
    "data_product": "数据产品",
    "data_asset": "数据资产",
    "public_data": "公共数据资源",
}
STATUS_NAMES = {
    "valid": "有效",
    "encumbered": "有效（已质押）",
    "expired": "已过期",
    "cancelled": "已注销",
    "revoked": "已撤销",
}


def verification_url(base_url: str, number: str) -> str:
    """The public page the QR code opens."""
    return f"{base_url.rstrip('/')}/verify/certificate?number={quote(number)}"


def certificate_html(context: dict[str, Any], url: str) -> str:
    """The PDF's HTML: ``context`` is certificate_out() of the API plus the history."""
    qr = segno.make(url, error="m").svg_data_uri(scale=4, dark="#1d2430")
    return _ENV.get_template("certificates/pdf.html").render(
        c=context,
        url=url,
        qr=qr,
        track_title=TRACK_TITLES[context["track"]],
        rights=[RIGHT_NAMES[r] for r in context["rights"]],
        object_type=OBJECT_TYPES.get(context["object"]["type"], context["object"]["type"]),
        status=STATUS_NAMES.get(context["status"], context["status"]),
        issued_on=dt.datetime.fromisoformat(context["issued_at"])
        .astimezone(SHANGHAI)
        .strftime("%Y年%m月%d日"),
    )


def certificate_pdf(context: dict[str, Any], url: str) -> bytes:
    return html_to_pdf(certificate_html(context, url))
