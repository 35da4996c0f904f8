"""Accounting classification under 财会〔2023〕11号 with its checklist."""

from __future__ import annotations

import pytest

from datadeed.valuation.accounting import AccountingCategory, AccountingFacts, classify

RECOGNISED = dict.fromkeys(
    ("identifiable", "controlled", "future_benefit_probable", "cost_reliably_measurable"), True
)
DEVELOPMENT = dict.fromkeys(
    (
        "technically_feasible",
        "intends_to_complete",
        "benefit_path_shown",
        "resources_available",
        "spend_reliably_measured",
    ),
    True,
)


@pytest.mark.parametrize(
    ("facts", "category"),
    [
        ({"held_for_sale": True}, AccountingCategory.INVENTORY),
        (RECOGNISED, AccountingCategory.INTANGIBLE),
        (RECOGNISED | {"research_phase": True}, AccountingCategory.EXPENSE),
        (RECOGNISED | {"in_development": True} | DEVELOPMENT, AccountingCategory.DEV_EXPENDITURE),
        (
            RECOGNISED | {"in_development": True} | DEVELOPMENT | {"resources_available": False},
            AccountingCategory.EXPENSE,
        ),
        (RECOGNISED | {"controlled": False}, AccountingCategory.EXPENSE),
    ],
)
def test_classification(facts, category):
    result = classify(AccountingFacts(**facts))
    assert result.category is category
    assert result.checklist


def test_reasons_name_what_is_missing():
    result = classify(AccountingFacts(**RECOGNISED | {"controlled": False}))
    assert "controlled" in result.reason
    assert result.reason_key == "recognition_not_met" and result.missing == ["controlled"]
    met = {c.key: c.met for c in result.checklist}
    assert met["identifiable"] and not met["controlled"]
