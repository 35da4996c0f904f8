"""Demo data of the dataset domain beyond the first uploads (issue #4): a dataset with
two versions (so the page shows the comparison), a declared rule set and a report
assessed with it, and a dataset overlapping another holder's (so the page flags it)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from datadeed.accounts.models import User
from datadeed.accounts.services import principal_for
from datadeed.config import Settings
from datadeed.datasets.models import Dataset
from datadeed.datasets.services import DatasetService
from datadeed.ledger.keys import LogKeyring
from datadeed.ledger.services import LedgerService

ORDERS = "城市订单明细"
CITIES = ("杭州", "宁波", "温州", "嘉兴", "湖州")
ORDER_RULES = """# 城市订单明细的质量规则
version: "1"
rules:
  - type: not_null
    column: 金额
  - type: unique
    columns: [订单号]
  - type: enum
    column: 城市
    values: [杭州, 宁波, 温州, 嘉兴, 湖州]
  - type: identifier
    column: 联系电话
    kind: mobile
  - type: range
    column: 金额
    min: 0
"""


def _orders(rows: int, with_channel: bool) -> bytes:
    head = "订单号,城市,金额,联系电话,下单时间" + (",渠道" if with_channel else "") + "\n"
    lines = []
    for i in range(1, rows + 1):
        amount = "" if i % 23 == 0 else f"{(i * 37) % 500 + 0.5:.2f}"
        phone = f"1380013{i:04d}" if i % 41 else "12345"
        line = f"{i},{CITIES[i % 5]},{amount},{phone},2026-10-{1 + i % 28:02d} 09:{i % 60:02d}:00"
        lines.append(line + (f",{'线上' if i % 3 else '门店'}" if with_channel else ""))
    return (head + "\n".join(lines) + "\n").encode()


def _corpus_subset() -> bytes:
    rows = "".join(
        f"{i},{'app' if i % 3 else 'web'},如何办理数据产权登记？{i},"
        f"请在一窗受理处提交申请材料。,2026-10-{1 + i % 28:02d}\n"
        for i in range(1, 201)
    )
    return ("id,channel,question,answer,created_at\n" + rows).encode()


def seed_quality_demo(session: Session, settings: Settings) -> None:
    """Once: the orders dataset (v1, rules, v2 assessed with them) and a bought copy of
    part of the demo corpus, both held by the logistics company."""
    if session.scalar(select(Dataset.id).where(Dataset.name == ORDERS)) is not None:
        return
    user = session.scalars(select(User).where(User.username == "logistics.admin")).first()
    if user is None:
        return
    actor = principal_for(user)
    ledger = LedgerService(session, settings, LogKeyring.from_settings(settings))
    datasets = DatasetService(session, settings, ledger)
    first = datasets.upload_version(
        actor, [_orders(400, False)], name=ORDERS, filename="orders-2026-10.csv"
    )
    datasets.save_rule_set(actor, first.dataset_id, ORDER_RULES)
    datasets.assess_stored(actor, first.id)
    datasets.upload_version(
        actor,
        [_orders(520, True)],
        name=ORDERS,
        filename="orders-2026-11.csv",
        dataset_id=first.dataset_id,
    )
    datasets.upload_version(
        actor, [_corpus_subset()], name="外购客服问答数据", filename="bought-corpus.csv"
    )
