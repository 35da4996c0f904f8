"""The demo seeding of valuations: signed cases of the datasets, once only."""

from __future__ import annotations

from sqlalchemy import func, select

from datadeed.accounts.roles import OrgKind, Role
from datadeed.ledger.models import LedgerEntry
from datadeed.valuation.demo import APPRAISER_USERNAME, seed_valuations
from datadeed.valuation.models import ValuationCase
from tests.factories import OrganizationFactory, UserFactory
from tests.functional.helpers import bearer

CSV = "编号,金额\n1,10\n2,20\n3,30\n".encode()


def test_seeding_signs_each_dataset_once(client, accounts, ledger, settings):
    UserFactory(
        username=APPRAISER_USERNAME, organization__kind=OrgKind.APPRAISER, roles=[Role.APPRAISER]
    )
    OrganizationFactory(kind=OrgKind.BANK)
    holder = bearer(accounts, UserFactory(roles=[Role.DATA_MANAGER]))
    for name in ("甲", "乙"):
        up = client.post(
            "/api/v1/datasets/upload", params={"name": name}, content=CSV, headers=holder
        )
        assert up.status_code == 201
    session = ledger.session
    seed_valuations(session, settings)
    cases = session.scalars(select(ValuationCase).order_by(ValuationCase.id)).all()
    assert [c.status for c in cases] == ["signed", "signed"]
    assert cases[0].pledgee is not None and cases[0].purpose == "pledge"
    assert set(cases[0].result["approaches"]) == {"cost", "income", "market"}
    entries = session.scalar(select(func.count()).select_from(LedgerEntry))
    seed_valuations(session, settings)  # the demo seeding runs again: nothing new
    assert session.scalar(select(func.count()).select_from(ValuationCase)) == 2
    assert session.scalar(select(func.count()).select_from(LedgerEntry)) == entries
