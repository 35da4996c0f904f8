"""Demo seeding: signed valuations of the demo datasets (once; a second run adds nothing).

Each demo dataset's latest version is valued by the demo appraiser with the cost and
income approaches (plus the market approach for the first), the case is submitted and
signed, so its report digest is in the ledger. Where a certificate has been issued for
the version, the case names its number. The first case is for a pledge to the demo bank.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from datadeed.accounts.models import Organization, User
from datadeed.accounts.roles import OrgKind
from datadeed.accounts.services import principal_for
from datadeed.certificates.models import Certificate
from datadeed.config import Settings
from datadeed.datasets.models import Dataset
from datadeed.ledger.keys import LogKeyring
from datadeed.ledger.services import LedgerService
from datadeed.valuation.models import ValuationCase
from datadeed.valuation.quality_map import NotEligibleForValuation
from datadeed.valuation.services import ValuationService

APPRAISER_USERNAME = "appraiser.sun"


def _demo_case(name: str, index: int) -> dict[str, Any]:
    scale = 1 + index  # a different size of business per dataset
    case: dict[str, Any] = {
        "name": f"{name}价值评估",
        "purpose": "pledge" if index == 0 else "balance_sheet",
        "base_date": dt.date(2026, 9, 30).isoformat(),
        "value_type": "market_value",
        "cost": {
            "items": [
                {"category": "collection", "description": "数据采集", "amount": 180000 * scale},
                {"category": "cleaning", "description": "清洗与标注", "amount": 90000 * scale},
                {"category": "deidentification", "description": "去标识化", "amount": 30000},
                {"category": "quality_assessment", "description": "质量评估", "amount": 20000},
                {"category": "rights_verification", "description": "权属鉴证", "amount": 15000},
                {"category": "indirect", "description": "分摊管理费用", "amount": 40000 * scale},
            ],
            "return_rate": 0.12,
            "depreciation_rate": 0.08,
            "risk_discount": 0.05,
        },
        "income": {
            "method": "royalty",
            "cash_flows": [v * scale for v in (900000, 1000000, 1100000, 1150000, 1200000)],
            "share_rate": 0.22,
            "legal_term_years": 3,
            "economic_life_years": 4,
            "risk_free_rate": 0.021,
            "premiums": {"市场风险": 0.055, "数据特有风险": 0.03},
        },
        "reconciliation": {
            "weights": {
                "cost": {"weight": 0.4, "reason": "成本归集完整、可核验"},
                "income": {"weight": 0.6, "reason": "已有稳定的数据许可收入"},
            }
        },
        "uncertainty": {
            "seed": 20260930 + index,
            "draws": 100000,
            "inputs": {
                "income.share_rate": {
                    "kind": "triangular",
                    "low": 0.18,
                    "mode": 0.22,
                    "high": 0.26,
                },
                "income.premium.市场风险": {"kind": "normal", "mean": 0.055, "sd": 0.01},
                "cost.return_rate": {"kind": "uniform", "low": 0.08, "high": 0.16},
            },
        },
        "accounting": {
            "identifiable": True,
            "controlled": True,
            "future_benefit_probable": True,
            "cost_reliably_measurable": True,
        },
    }
    if index == 0:
        case["market"] = {
            "comparables": [
                {
                    "name": "同类语料挂牌成交 A",
                    "price": 620000,
                    "quality_score": 82,
                    "adjustments": {"date": 1.02, "volume": {"subject": 300, "comparable": 280}},
                },
                {
                    "name": "同类语料挂牌成交 B",
                    "price": 540000,
                    "quality_score": 90,
                    "weight": 2,
                    "adjustments": {"supply_demand": 1.05},
                },
            ]
        }
        weights = case["reconciliation"]["weights"]
        weights["cost"]["weight"], weights["income"]["weight"] = 0.3, 0.5
        weights["market"] = {"weight": 0.2, "reason": "可比成交较少，权重从低"}
    return case


def seed_valuations(session: Session, settings: Settings) -> None:
    """Signed valuations of the demo datasets, once."""
    if session.scalar(select(func.count()).select_from(ValuationCase)):
        return
    user = session.scalar(select(User).where(User.username == APPRAISER_USERNAME))
    if user is None:
        return
    appraiser = principal_for(user)
    bank = session.scalar(select(Organization).where(Organization.kind == OrgKind.BANK))
    ledger = LedgerService(session, settings, LogKeyring.from_settings(settings))
    service = ValuationService(session, settings, ledger)
    datasets = session.scalars(select(Dataset).order_by(Dataset.id)).all()
    for index, dataset in enumerate(datasets):
        if not dataset.versions:
            continue
        version = dataset.versions[-1]
        cert = session.scalar(
            select(Certificate.number).where(Certificate.dataset_version_id == version.id)
        )
        try:
            case = service.create(
                appraiser,
                dataset_id=dataset.id,
                version_no=version.version_no,
                case=_demo_case(dataset.name, index),
                certificate_no=cert,
                pledgee_uscc=bank.uscc if bank is not None and index == 0 else None,
            )
        except NotEligibleForValuation:
            continue
        service.submit(appraiser, case.id)
        service.sign(appraiser, case.id)
