"""Reviewers racing to confirm the same proposed grade, each in its own session and
thread: exactly one wins, the others get ``grade_already_reviewed`` (409), and one review
row and one audit event are written."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from datadeed import identifiers, migrations
from datadeed.accounts.models import AuditEvent
from datadeed.accounts.principal import Principal
from datadeed.accounts.roles import OrgKind, Role
from datadeed.accounts.schemas import OrganizationCreate
from datadeed.accounts.services import AccountsService
from datadeed.datasets.services import DatasetService
from datadeed.db import Database
from datadeed.ledger.keys import LogKeyring
from datadeed.ledger.services import LedgerService
from datadeed.sensitive.errors import GradeAlreadyReviewed
from datadeed.sensitive.models import GradeReview
from datadeed.sensitive.services import SensitiveService
from tests.conftest import make_settings

RACERS = 4
BODY = "33010619900101123"
CSV = f"身份证号\n{BODY}{identifiers.resident_id_check_char(BODY)}\n".encode()


def _principal(name: str, org_id: int | None, kind: OrgKind, role: Role) -> Principal:
    return Principal(None, name, name, org_id, "", kind, frozenset({role}))


def _scanned_dataset(database: Database, settings, keyring: LogKeyring) -> int:  # type: ignore[no-untyped-def]
    with database.session() as session:
        org = AccountsService(session, settings).create_organization(
            Principal.system(),
            OrganizationCreate(
                uscc=identifiers.make_uscc("91330108MA2DGRAD0"),
                name="竞争数商",
                kind=OrgKind.ENTERPRISE,
            ),
        )
        owner = _principal("owner", org.id, OrgKind.ENTERPRISE, Role.DATA_MANAGER)
        ledger = LedgerService(session, settings, keyring)
        version = DatasetService(session, settings, ledger).upload_version(
            owner, [CSV], name="竞争审核"
        )
        SensitiveService(session, settings, ledger).scan_version(version.id, owner)
        return version.dataset_id


def test_racing_confirmations_of_one_grade(tmp_path, fresh_database_url):
    migrations.upgrade(fresh_database_url)
    database = Database.from_url(fresh_database_url)
    settings = make_settings(tmp_path, fresh_database_url)
    keyring = LogKeyring.from_settings(settings)
    dataset_id = _scanned_dataset(database, settings, keyring)
    barrier = threading.Barrier(RACERS)

    def attempt(i: int) -> str:
        reviewer = _principal(f"reviewer{i}", None, OrgKind.REGISTRAR, Role.REVIEWER)
        with database.session() as session:
            service = SensitiveService(session, settings, LedgerService(session, settings, keyring))
            barrier.wait()
            try:
                service.review_latest(reviewer, dataset_id, 1, "confirm")
            except GradeAlreadyReviewed:
                return "conflict"
            return "confirmed"

    with ThreadPoolExecutor(RACERS) as pool:
        outcomes = sorted(pool.map(attempt, range(RACERS)))
    assert outcomes == ["confirmed"] + ["conflict"] * (RACERS - 1)
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(GradeReview)) == 1
        confirms = select(func.count()).where(AuditEvent.action == "sensitivity.grade_confirm")
        assert session.scalar(confirms.select_from(AuditEvent)) == 1
    database.bind.dispose()  # type: ignore[union-attr]
