"""Cost approach: P = TC × (1 + R) × (1 − d) × (1 − o) × U.

- TC, the replacement cost, sums the cost line items. Each item carries a Ministry of
  Finance category (财会〔2023〕11号: purchase price and taxes, de-identification,
  cleaning, labelling, integration, analysis, visualisation, rights verification,
  quality assessment, registration settlement, security management) or one of the CAS
  replacement-cost groups (pre-project, indirect, opportunity cost).
- R is the reasonable return on the cost; d the depreciation rate and o the
  obsolescence rate (functional and economic).
- U = U_quality × (1 − risk discount) × scenario factor: the utility coefficient, in
  which U_quality comes from the quality→value table (``quality_map``).
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from datadeed.errors import InvalidInput
from datadeed.valuation.steps import Step, fen, rate

__all__ = ["CAS_GROUP", "CostCategory", "CostInputs", "CostItem", "CostResult", "cost_value"]


class CostCategory(StrEnum):
    PURCHASE = "purchase"  # 购买价款
    TAXES = "taxes"  # 相关税费
    COLLECTION = "collection"  # 采集
    DEIDENTIFICATION = "deidentification"  # 脱敏
    CLEANING = "cleaning"  # 清洗
    LABELLING = "labelling"  # 标注
    INTEGRATION = "integration"  # 整合
    ANALYSIS = "analysis"  # 分析
    VISUALISATION = "visualisation"  # 可视化
    RIGHTS_VERIFICATION = "rights_verification"  # 权属鉴证
    QUALITY_ASSESSMENT = "quality_assessment"  # 质量评估
    REGISTRATION = "registration"  # 登记结算
    SECURITY = "security"  # 安全管理
    PRE_PROJECT = "pre_project"  # 前期费用
    INDIRECT = "indirect"  # 间接成本
    OPPORTUNITY = "opportunity"  # 机会成本


# The CAS replacement-cost group each category falls in.
CAS_GROUP: dict[CostCategory, str] = {
    CostCategory.PRE_PROJECT: "pre_project",
    CostCategory.INDIRECT: "indirect",
    CostCategory.OPPORTUNITY: "opportunity",
    CostCategory.TAXES: "taxes",
} | {
    c: "direct"
    for c in CostCategory
    if c
    not in (
        CostCategory.PRE_PROJECT,
        CostCategory.INDIRECT,
        CostCategory.OPPORTUNITY,
        CostCategory.TAXES,
    )
}

_RATE = Field(default=Decimal(0), ge=0, lt=1)


class CostItem(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    category: CostCategory
    description: str = Field(default="", max_length=200)
    amount: Decimal = Field(ge=0, max_digits=16, decimal_places=2)


class CostInputs(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    items: list[CostItem] = Field(min_length=1)
    return_rate: Decimal = Field(ge=0, le=1)
    depreciation_rate: Decimal = _RATE
    obsolescence_rate: Decimal = _RATE
    risk_discount: Decimal = _RATE
    scenario_factor: Decimal = Field(default=Decimal(1), gt=0, le=2)


class CostResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    value: Decimal
    total_cost: Decimal
    by_group: dict[str, Decimal]
    utility: Decimal
    steps: list[Step]


def _by_group(items: list[CostItem]) -> dict[str, Decimal]:
    groups: dict[str, Decimal] = {}
    for item in items:
        group = CAS_GROUP[item.category]
        groups[group] = groups.get(group, Decimal(0)) + item.amount
    return groups


def cost_value(inputs: CostInputs, quality_utility: Decimal) -> CostResult:
    """Value by the cost approach; ``quality_utility`` is U_quality from the quality map."""
    if quality_utility <= 0:
        raise InvalidInput("the quality utility coefficient must be positive")
    tc = sum((item.amount for item in inputs.items), Decimal(0))
    u = quality_utility * (1 - inputs.risk_discount) * inputs.scenario_factor
    keep = (1 - inputs.depreciation_rate) * (1 - inputs.obsolescence_rate)
    value = fen(tc * (1 + inputs.return_rate) * keep * u)
    steps = [
        Step(
            symbol="TC",
            formula="Σ cost items",
            substituted=" + ".join(str(i.amount) for i in inputs.items),
            value=tc,
        ),
        Step(
            symbol="U",
            formula="U_quality × (1 − risk discount) × scenario",
            substituted=f"{quality_utility} × (1 − {inputs.risk_discount}) × "
            f"{inputs.scenario_factor}",
            value=rate(u),
        ),
        Step(
            symbol="P",
            formula="TC × (1 + R) × (1 − d) × (1 − o) × U",
            substituted=f"{tc} × (1 + {inputs.return_rate}) × (1 − {inputs.depreciation_rate})"
            f" × (1 − {inputs.obsolescence_rate}) × {rate(u)}",
            value=value,
        ),
    ]
    return CostResult(
        value=value, total_cost=tc, by_group=_by_group(inputs.items), utility=rate(u), steps=steps
    )
