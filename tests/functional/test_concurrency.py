"""Concurrent requests racing for the same thing: exactly one wins, the rest get a clear
conflict, and the audit chain stays linear."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from datadeed import migrations
from datadeed.accounts.models import AuditEvent, Organization
from datadeed.accounts.principal import Principal
from datadeed.accounts.roles import OrgKind
from datadeed.accounts.schemas import OrganizationCreate
from datadeed.accounts.services import AccountsService
from datadeed.db import Database
from datadeed.errors import DuplicateOrganization
from datadeed.identifiers import make_uscc
from tests.conftest import make_settings

RACERS = 6


def test_racing_creates_of_one_organization(tmp_path, fresh_database_url):
    migrations.upgrade(fresh_database_url)
    database = Database.from_url(fresh_database_url)
    settings = make_settings(tmp_path, fresh_database_url)
    uscc = make_uscc("91330108MA2DRACE0")
    barrier = threading.Barrier(RACERS)

    def attempt(i: int) -> str:
        with database.session() as session:
            service = AccountsService(session, settings)
            barrier.wait()
            try:
                service.create_organization(
                    Principal.system(),
                    OrganizationCreate(uscc=uscc, name=f"竞争{i}", kind=OrgKind.ENTERPRISE),
                )
            except DuplicateOrganization:
                return "conflict"
            return "created"

    with ThreadPoolExecutor(RACERS) as pool:
        outcomes = sorted(pool.map(attempt, range(RACERS)))
    assert outcomes == ["conflict"] * (RACERS - 1) + ["created"]
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(Organization)) == 1
    database.bind.dispose()  # type: ignore[union-attr]


def test_parallel_audit_appends_keep_one_chain(tmp_path, fresh_database_url):
    migrations.upgrade(fresh_database_url)
    database = Database.from_url(fresh_database_url)
    settings = make_settings(tmp_path, fresh_database_url)

    def create(i: int) -> None:
        with database.session() as session:
            AccountsService(session, settings).create_organization(
                Principal.system(),
                OrganizationCreate(
                    uscc=make_uscc(f"91330108MA2DPAR{i:02d}"), name=f"并发{i}", kind=OrgKind.BANK
                ),
            )

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(create, range(20)))
    with database.session() as session:
        service = AccountsService(session, settings)
        check = service.verify_audit_chain(Principal.system())
        assert check.ok and check.checked == 20
        seqs = session.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq)).all()
        assert list(seqs) == list(range(1, 21))
    database.bind.dispose()  # type: ignore[union-attr]
