"""Two registrar officers deciding the same case at once: exactly one wins, the other gets
409 ``conflict``; the case has one acceptance in its history and in the ledger. Runs on
PostgreSQL when DATADEED_TEST_DATABASE_URL is set (real threads, real row locks)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from datadeed import migrations
from datadeed.accounts.services import principal_for
from datadeed.datasets.services import DatasetService
from datadeed.db import Database
from datadeed.errors import Conflict
from datadeed.evidence.services import EvidenceService
from datadeed.ledger.keys import LogKeyring
from datadeed.ledger.services import LedgerService
from datadeed.registry.models import RegistrationEvent
from datadeed.registry.schemas import Decision
from datadeed.registry.services import RegistryService
from datadeed.registry.states import Action
from tests import factories
from tests.conftest import make_settings
from tests.factories import UserFactory
from tests.unit.registry.builders import cast, complete_draft, version_of

RACERS = 4


def test_two_officers_deciding_one_case_at_once(tmp_path, fresh_database_url):
    migrations.upgrade(fresh_database_url)
    database = Database.from_url(fresh_database_url)
    settings = make_settings(tmp_path, fresh_database_url)
    keyring = LogKeyring.from_settings(settings)
    factories.bind(database)
    try:
        people = cast()
        officers = [people.officer] + [
            UserFactory(organization=people.officer.organization, roles=people.officer.role_set)
            for _ in range(RACERS - 1)
        ]
        with database.session() as session:
            ledger = LedgerService(session, settings, keyring)
            datasets = DatasetService(session, settings, ledger)
            version = version_of(datasets, people.applicant, reviewer=people.reviewer)
            evidence = EvidenceService(session, settings, ledger)
            registry = RegistryService(session, settings, ledger)
            draft = complete_draft(evidence, people.applicant, version.id)
            app = registry.save_draft(principal_for(people.applicant), draft)
            app = registry.submit(principal_for(people.applicant), app.id)
            app_id, seen = app.id, app.version
        actors = [principal_for(o) for o in officers]
    finally:
        factories.unbind()
    barrier = threading.Barrier(RACERS)

    def attempt(i: int) -> str:
        with database.session() as session:
            registry = RegistryService(session, settings, LedgerService(session, settings, keyring))
            barrier.wait()
            try:
                registry.decide(actors[i], app_id, Decision(action=Action.ACCEPT, version=seen))
            except Conflict as exc:
                return exc.code  # the plain 409 ``conflict``, not a subclass
            return "accepted"

    with ThreadPoolExecutor(RACERS) as pool:
        outcomes = sorted(pool.map(attempt, range(RACERS)))
    assert outcomes == ["accepted"] + ["conflict"] * (RACERS - 1)
    with database.session() as session:
        accepts = session.scalars(
            select(RegistrationEvent).where(
                RegistrationEvent.application_id == app_id, RegistrationEvent.action == "accept"
            )
        ).all()
        assert len(accepts) == 1 and accepts[0].ledger_index is not None
        events = session.scalar(
            select(func.count())
            .select_from(RegistrationEvent)
            .where(RegistrationEvent.application_id == app_id)
        )
        assert events == 2  # submit, accept
    database.bind.dispose()  # type: ignore[union-attr]
