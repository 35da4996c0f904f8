"""The valuation report: its charts (inline SVG) and the Chinese PDF.

The page and the PDF show the same things: the value and its P5–P95 range, each
approach's working (formula, numbers substituted, result), the quality coefficients with
their provenance, the reconciliation, the tornado and the Monte Carlo histogram. The PDF
template is ``web/templates/valuation/pdf.html`` (Chinese only, as filed).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from datadeed.reports.charts import bar_svg, histogram_svg, tornado_svg
from datadeed.reports.pdf import html_to_pdf
from datadeed.valuation.models import ValuationCase
from datadeed.workdays import SHANGHAI

TEMPLATES = Path(__file__).resolve().parent.parent / "web" / "templates"
_ENV = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))

PURPOSES_ZH = {
    "balance_sheet": "数据资源入表",
    "pledge": "质押融资",
    "trade": "交易",
    "capital_contribution": "作价出资",
}
VALUE_TYPES_ZH = {
    "market_value": "市场价值",
    "investment_value": "投资价值",
    "value_in_use": "在用价值",
    "liquidation_value": "清算价值",
}
APPROACHES_ZH = {"cost": "成本法", "income": "收益法", "market": "市场法"}
STATUS_ZH = {"draft": "草稿", "in_review": "审核中", "signed": "已签署"}
ACCOUNTING_ZH = {
    "inventory": "存货",
    "intangible": "无形资产",
    "dev_expenditure": "开发支出",
    "expense": "费用化",
}
PARAMETERS_ZH = {
    "cost.cost_factor": "重置成本系数",
    "cost.return_rate": "成本利润率 R",
    "cost.depreciation_rate": "贬值率 d",
    "cost.obsolescence_rate": "经济性贬值率 o",
    "cost.risk_discount": "风险折扣",
    "cost.scenario_factor": "场景系数",
    "income.cash_flow_factor": "收益预测系数",
    "income.share_rate": "分成率 K",
    "income.risk_free_rate": "无风险利率",
    "market.price_factor": "可比价格系数",
}


def parameter_label(name: str) -> str:
    if name.startswith("income.premium."):
        return f"风险溢价：{name.removeprefix('income.premium.')}"
    return PARAMETERS_ZH.get(name, name)


def _histogram_values(mc: dict[str, Any]) -> list[float]:
    """Points spread evenly inside each stored bin (≤ 3,000 in all) for the chart."""
    counts, edges = mc["histogram_counts"], mc["histogram_edges"]
    scale = max(1, sum(counts) // 3000)
    values: list[float] = []
    for count, lo, hi in zip(counts, edges, edges[1:], strict=False):
        n = count // scale
        values += [lo + (j + 0.5) * (hi - lo) / n for j in range(n)]
    return values


PROVENANCE_ZH = {
    "q": "质量系数 Q",
    "cost_utility": "成本法质量效用系数",
    "income_premium": "收益法质量风险溢价",
    "market_quality": "市场法质量修正系数",
}


def charts(result: dict[str, Any]) -> dict[str, Markup]:
    """The report's three charts from a stored result."""
    approaches = [(APPROACHES_ZH.get(k, k), float(v)) for k, v in result["approaches"].items()]
    approaches.append(("加权结果", float(result["value"])))
    rows = [
        (parameter_label(b["parameter"]), float(b["low_value"]), float(b["high_value"]))
        for b in result["tornado"]
    ]
    return {
        # Room on the right for the largest bar's printed value.
        "approaches": bar_svg(approaches, max(v for _, v in approaches) * 1.3, unit="元"),
        "tornado": tornado_svg(rows, float(result["value"]), unit="元"),
        "histogram": histogram_svg(
            _histogram_values(result["monte_carlo"]),
            bins=len(result["monte_carlo"]["histogram_counts"]),
        ),
    }


def _local(value: dt.datetime | None) -> str:
    return value.astimezone(SHANGHAI).strftime("%Y年%m月%d日 %H:%M") if value else "—"


def report_html(case: ValuationCase) -> str:
    """The PDF's HTML."""
    assert case.result is not None
    return _ENV.get_template("valuation/pdf.html").render(
        case=case,
        r=case.result,
        charts=charts(case.result),
        purposes=PURPOSES_ZH,
        value_types=VALUE_TYPES_ZH,
        approaches=APPROACHES_ZH,
        statuses=STATUS_ZH,
        accounting=ACCOUNTING_ZH,
        parameter_label=parameter_label,
        provenance_labels=PROVENANCE_ZH,
        signed_on=_local(case.signed_at),
    )


def report_pdf(case: ValuationCase) -> bytes:
    return html_to_pdf(report_html(case))
