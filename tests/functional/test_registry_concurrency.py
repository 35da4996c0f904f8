"""Two registrar officers, or two reviewers, deciding the same case at once: exactly one
wins, the others get 409 ``conflict``; the case records one decision, in its history and
in the ledger. Runs on PostgreSQL when DATADEED_TEST_DATABASE_URL is set (real threads,
real row locks)."""

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
from datadeed.registry.checklists import checklist_for
from datadeed.registry.models import RegistrationEvent
from datadeed.registry.schemas import Decision
from datadeed.registry.services import RegistryService
from datadeed.registry.states import Action
from tests import factories
from tests.conftest import make_settings
from tests.factories import UserFactory
from tests.unit.registry.builders import cast, complete_draft, version_of

RACERS = 4


def _submitted_case(tmp_path, url, extra_officers=0):  # type: ignore[no-untyped-def]
    """A submitted case in a fresh database, and the people around it."""
    migrations.upgrade(url)
    database = Database.from_url(url)
    settings = make_settings(tmp_path, url)
    keyring = LogKeyring.from_settings(settings)
    factories.bind(database)
    try:
        people = cast()
        officers = [people.officer] + [
            UserFactory(organization=people.officer.organization, roles=people.officer.role_set)
            for _ in range(extra_officers)
        ]
        second_reviewer = UserFactory(
            organization=people.reviewer.organization, roles=people.reviewer.role_set
        )
        with database.session() as session:
            ledger = LedgerService(session, settings, keyring)
            datasets = DatasetService(session, settings, ledger)
            version = version_of(datasets, people.applicant, reviewer=people.reviewer)
            evidence = EvidenceService(session, settings, ledger)
            registry = RegistryService(session, settings, ledger)
            draft = complete_draft(evidence, people.applicant, version.id)
            app = registry.save_draft(principal_for(people.applicant), draft)
            app = registry.submit(principal_for(people.applicant), app.id)
        actors = {
            "officers": [principal_for(o) for o in officers],
            "reviewers": [principal_for(people.reviewer), principal_for(second_reviewer)],
        }
        return database, settings, keyring, actors, app
    finally:
        factories.unbind()


def _race(database, settings, keyring, moves):  # type: ignore[no-untyped-def]
    """Run ``moves`` (actor, application id, decision) at once; their outcomes, sorted."""
    barrier = threading.Barrier(len(moves))

    def attempt(move) -> str:  # type: ignore[no-untyped-def]
        actor, app_id, decision = move
        with database.session() as session:
            registry = RegistryService(session, settings, LedgerService(session, settings, keyring))
            barrier.wait()
            try:
                registry.decide(actor, app_id, decision)
            except Conflict as exc:
                return exc.code  # the plain 409 ``conflict``, not a subclass
            return "won"

    with ThreadPoolExecutor(len(moves)) as pool:
        return sorted(pool.map(attempt, moves))


def _events(database, app_id, action):  # type: ignore[no-untyped-def]
    with database.session() as session:
        return session.scalars(
            select(RegistrationEvent).where(
                RegistrationEvent.application_id == app_id, RegistrationEvent.action == action
            )
        ).all()


def test_officers_accepting_one_case_at_once(tmp_path, fresh_database_url):
    database, settings, keyring, actors, app = _submitted_case(
        tmp_path, fresh_database_url, extra_officers=RACERS - 1
    )
    accept = Decision(action=Action.ACCEPT, version=app.version)
    moves = [(officer, app.id, accept) for officer in actors["officers"]]
    assert _race(database, settings, keyring, moves) == ["conflict"] * (RACERS - 1) + ["won"]
    accepts = _events(database, app.id, "accept")
    assert len(accepts) == 1 and accepts[0].ledger_index is not None
    with database.session() as session:
        count = session.scalar(
            select(func.count())
            .select_from(RegistrationEvent)
            .where(RegistrationEvent.application_id == app.id)
        )
        assert count == 2  # submit, accept
    database.bind.dispose()  # type: ignore[union-attr]


def test_two_reviewers_deciding_one_case_at_once(tmp_path, fresh_database_url):
    """One assigned reviewer passes formal review while the other refuses the case."""
    database, settings, keyring, actors, app = _submitted_case(tmp_path, fresh_database_url)
    first, second = actors["reviewers"]
    with database.session() as session:
        registry = RegistryService(session, settings, LedgerService(session, settings, keyring))
        officer = actors["officers"][0]
        app = registry.decide(officer, app.id, Decision(action=Action.ACCEPT, version=app.version))
        ids = [first.user_id, second.user_id]
        app = registry.decide(
            officer, app.id, Decision(action=Action.ASSIGN, version=app.version, reviewer_ids=ids)
        )
        seen = app.version
        checklist = dict.fromkeys(checklist_for("formal", app.tracks), True)
    passing = Decision(action=Action.PASS_FORMAL, version=seen, checklist=checklist)
    refusing = Decision(
        action=Action.REFUSE, version=seen, grounds=["ownership_dispute"], reasons="权属争议"
    )
    moves = [(first, app.id, passing), (second, app.id, refusing)]
    assert _race(database, settings, keyring, moves) == ["conflict", "won"]
    decided = _events(database, app.id, "pass_formal") + _events(database, app.id, "refuse")
    assert len(decided) == 1
    database.bind.dispose()  # type: ignore[union-attr]
