"""Two appraisers signing (or one signing while another edits) the same case at once, on
a real database with real threads: exactly one wins, the other gets 409, and the ledger
holds one valuation digest."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from datadeed import migrations
from datadeed.accounts.models import Organization
from datadeed.accounts.principal import Principal
from datadeed.accounts.roles import OrgKind, Role
from datadeed.datasets.services import DatasetService
from datadeed.db import Database
from datadeed.errors import InvalidTransition
from datadeed.identifiers import make_uscc
from datadeed.ledger.keys import LogKeyring
from datadeed.ledger.models import LedgerEntry
from datadeed.ledger.services import LedgerService
from datadeed.valuation.services import ValuationService
from tests.conftest import make_settings
from tests.functional.test_valuation_api import CASE, CSV

RACERS = 4


def _principal(org: Organization, role: Role) -> Principal:
    return Principal(
        user_id=None,
        username=f"{role.value}-{org.id}",
        display_name="并发测试",
        organization_id=org.id,
        organization_name=org.name,
        org_kind=org.kind,
        roles=frozenset({role}),
    )


def test_racing_signatures_one_wins(tmp_path, fresh_database_url):
    migrations.upgrade(fresh_database_url)
    database = Database.from_url(fresh_database_url)
    settings = make_settings(tmp_path, fresh_database_url)
    keyring = LogKeyring.from_settings(settings)
    with database.session() as session:
        holder = Organization(
            uscc=make_uscc("91330108MA2DPRC01"),
            name="持有人",
            kind=OrgKind.ENTERPRISE,
            region_code="330108",
        )
        firm = Organization(
            uscc=make_uscc("91330108MA2DPRC02"),
            name="评估所",
            kind=OrgKind.APPRAISER,
            region_code="330108",
        )
        session.add_all([holder, firm])
        session.commit()
        manager, appraiser = _principal(holder, Role.DATA_MANAGER), _principal(firm, Role.APPRAISER)
        ledger = LedgerService(session, settings, keyring)
        version = DatasetService(session, settings, ledger).upload_version(
            manager, iter([CSV]), name="订单"
        )
        service = ValuationService(session, settings, ledger)
        case = service.create(appraiser, dataset_id=version.dataset_id, version_no=1, case=CASE)
        service.submit(appraiser, case.id)
        case_id = case.id
    barrier = threading.Barrier(RACERS)

    def attempt(i: int) -> str:
        with database.session() as session:
            service = ValuationService(session, settings, LedgerService(session, settings, keyring))
            barrier.wait()
            try:
                if i % 2:
                    service.reopen(appraiser, case_id)
                    return "reopened"
                service.sign(appraiser, case_id)
            except InvalidTransition:
                return "conflict"
            return "signed"

    with ThreadPoolExecutor(RACERS) as pool:
        outcomes = sorted(pool.map(attempt, range(RACERS)))
    assert outcomes.count("conflict") == RACERS - 1
    with database.session() as session:
        kinds = session.scalars(select(LedgerEntry.kind)).all()
        signed = 1 if "signed" in outcomes else 0
        # The upload's quality and sensitivity digests plus at most one valuation digest.
        assert kinds.count("report-digest/v1") == 2 + signed
        assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 2 + signed
    database.bind.dispose()  # type: ignore[union-attr]
