"""Accounting classification of a data resource under 财会〔2023〕11号 (MoF, 2024-01-01).

- held for sale in ordinary activities            → inventory (存货)
- used internally, meets the CAS 6 intangible-asset recognition criteria
  (identifiable, controlled, probable future benefit, cost reliably measured)
    - acquired or finished                        → intangible asset (无形资产)
    - own development, development phase, the five
      CAS 6 art. 9 capitalisation conditions met   → development expenditure (开发支出)
- anything else (research phase, criteria not met) → expense (费用化)
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

__all__ = [
    "AccountingCategory",
    "AccountingFacts",
    "CheckItem",
    "Classification",
    "classify",
]


class AccountingCategory(StrEnum):
    INVENTORY = "inventory"
    INTANGIBLE = "intangible"
    DEV_EXPENDITURE = "dev_expenditure"
    EXPENSE = "expense"


class AccountingFacts(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    held_for_sale: bool = False
    identifiable: bool = False
    controlled: bool = False
    future_benefit_probable: bool = False
    cost_reliably_measurable: bool = False
    in_development: bool = False  # own development, not yet finished
    research_phase: bool = False
    # CAS 6 art. 9 development-phase conditions
    technically_feasible: bool = False
    intends_to_complete: bool = False
    benefit_path_shown: bool = False
    resources_available: bool = False
    spend_reliably_measured: bool = False


class CheckItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str
    label: str
    met: bool


class Classification(BaseModel):
    model_config = ConfigDict(frozen=True)

    category: AccountingCategory
    reason: str  # bilingual sentence, kept in the stored result and the API
    checklist: list[CheckItem]
    reason_key: str = ""  # what pages translate: held_for_sale, recognition_not_met …
    missing: list[str] = []  # keys of the checklist items not met that decided it


_RECOGNITION = {
    "identifiable": "可辨认 identifiable",
    "controlled": "企业拥有或控制 owned or controlled",
    "future_benefit_probable": "经济利益很可能流入 future economic benefit probable",
    "cost_reliably_measurable": "成本能够可靠计量 cost reliably measurable",
}
_DEVELOPMENT = {
    "technically_feasible": "技术上具有可行性 technically feasible",
    "intends_to_complete": "具有完成并使用或出售的意图 intends to complete and use or sell",
    "benefit_path_shown": "能证明产生经济利益的方式 way to generate benefit shown",
    "resources_available": "有足够的技术、财务资源 adequate resources",
    "spend_reliably_measured": "开发阶段支出能够可靠计量 development spend measured",
}


def _checks(facts: AccountingFacts, labels: dict[str, str]) -> list[CheckItem]:
    return [CheckItem(key=k, label=v, met=bool(getattr(facts, k))) for k, v in labels.items()]


def classify(facts: AccountingFacts) -> Classification:
    """The balance-sheet category and the checklist it was decided on."""
    recognition = _checks(facts, _RECOGNITION)
    development = _checks(facts, _DEVELOPMENT)
    # The development-phase conditions matter only for data still being developed.
    checklist = recognition + (development if facts.in_development else [])
    if facts.held_for_sale:
        return Classification(
            category=AccountingCategory.INVENTORY,
            reason="held for sale in ordinary activities: 存货 (其中：数据资源)",
            checklist=recognition,
            reason_key="held_for_sale",
        )
    if not all(c.met for c in recognition):
        missing = ", ".join(c.key for c in recognition if not c.met)
        return Classification(
            category=AccountingCategory.EXPENSE,
            reason=f"recognition criteria not met ({missing}): expensed",
            checklist=checklist,
            reason_key="recognition_not_met",
            missing=[c.key for c in recognition if not c.met],
        )
    if facts.research_phase:
        return Classification(
            category=AccountingCategory.EXPENSE,
            reason="research-phase spending is expensed",
            checklist=checklist,
            reason_key="research_phase",
        )
    if facts.in_development:
        if all(c.met for c in development):
            return Classification(
                category=AccountingCategory.DEV_EXPENDITURE,
                reason="development phase, all five capitalisation conditions met: 开发支出",
                checklist=checklist,
                reason_key="development_met",
            )
        missing = ", ".join(c.key for c in development if not c.met)
        return Classification(
            category=AccountingCategory.EXPENSE,
            reason=f"development phase, conditions not met ({missing}): expensed",
            checklist=checklist,
            reason_key="development_not_met",
            missing=[c.key for c in development if not c.met],
        )
    return Classification(
        category=AccountingCategory.INTANGIBLE,
        reason="used internally and meets the recognition criteria: 无形资产 (其中：数据资源)",
        checklist=checklist,
        reason_key="intangible",
    )
