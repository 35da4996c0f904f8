"""The applicant answering an objection while the officer decides it: exactly one wins. The
decision was made on the case as the officer saw it before the answer, so if the answer
lands first the decision gets 409 ``conflict`` (the officer reloads and reads it); if the
decision lands first the answer gets 409 (``objection_decided`` or ``conflict``). Runs on
PostgreSQL when DATADEED_TEST_DATABASE_URL is set (real threads, real row locks)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import select

from datadeed import migrations
from datadeed.accounts.services import principal_for
from datadeed.datasets.services import DatasetService
from datadeed.db import Database
from datadeed.errors import Conflict
from datadeed.evidence.services import EvidenceService
from datadeed.ledger.keys import LogKeyring
from datadeed.ledger.services import LedgerService
from datadeed.registry.models import Objection, RegistrationEvent
from datadeed.registry.schemas import ObjectionDecisionIn, ObjectionIn, ObjectionResponseIn
from datadeed.registry.services import RegistryService
from datadeed.registry.states import ApplicationState
from datadeed.workdays import SHANGHAI
from tests import factories
from tests.conftest import make_settings
from tests.unit.registry.builders import FixedClock, cast, complete_draft, drive, version_of

CLOCK = FixedClock(dt.datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI))


def _objected_case(tmp_path, url):  # type: ignore[no-untyped-def]
    """A case under notice with one pending objection, in a fresh database."""
    migrations.upgrade(url)
    database = Database.from_url(url)
    settings = make_settings(tmp_path, url)
    keyring = LogKeyring.from_settings(settings)
    factories.bind(database)
    try:
        people = cast()
        with database.session() as session:
            ledger = LedgerService(session, settings, keyring)
            datasets = DatasetService(session, settings, ledger)
            version = version_of(datasets, people.applicant, reviewer=people.reviewer)
            evidence = EvidenceService(session, settings, ledger)
            registry = RegistryService(session, settings, ledger, now=CLOCK)
            draft = complete_draft(evidence, people.applicant, version.id)
            app = registry.save_draft(people.applicant_p, draft)
            app = registry.submit(people.applicant_p, app.id)
            app = drive(registry, people, app, ApplicationState.PUBLIC_NOTICE)
            assert app.notice is not None
            objection = registry.file_objection(
                people.outsider_p, app.notice.notice_no, ObjectionIn(grounds="共同采集")
            )
            seen = registry.get(people.officer_p, app.id).version
            ids = (app.id, objection.id)
        return database, settings, keyring, people, ids, seen
    finally:
        factories.unbind()


def test_an_answer_racing_the_decision(tmp_path, fresh_database_url):
    database, settings, keyring, people, (app_id, objection_id), seen = _objected_case(
        tmp_path, fresh_database_url
    )
    applicant, officer = principal_for(people.applicant), principal_for(people.officer)
    answer = ObjectionResponseIn(text="数据由本单位独立采集")
    dismissal = ObjectionDecisionIn(upheld=False, reasons="异议不成立", version=seen)
    moves: list[tuple[str, Callable[[RegistryService], Any]]] = [
        ("answered", lambda r: r.respond_to_objection(applicant, objection_id, answer)),
        ("decided", lambda r: r.decide_objection(officer, objection_id, dismissal)),
    ]
    barrier = threading.Barrier(len(moves))

    def attempt(move: tuple[str, Callable[[RegistryService], Any]]) -> str:
        name, act = move
        with database.session() as session:
            ledger = LedgerService(session, settings, keyring)
            registry = RegistryService(session, settings, ledger, now=CLOCK)
            barrier.wait()
            try:
                act(registry)
            except Conflict as exc:
                return exc.code
            return name

    with ThreadPoolExecutor(len(moves)) as pool:
        outcomes = list(pool.map(attempt, moves))

    with database.session() as session:
        objection = session.get(Objection, objection_id)
        assert objection is not None
        actions = session.scalars(
            select(RegistrationEvent.action).where(RegistrationEvent.application_id == app_id)
        ).all()
        if outcomes[0] == "answered":  # the decision was made on the case before the answer
            assert outcomes[1] == "conflict"
            assert objection.status == "pending" and objection.response is not None
            assert actions[-1] == "respond_objection"
        else:
            assert outcomes == [outcomes[0], "decided"]
            assert outcomes[0] in ("objection_decided", "conflict")
            assert objection.status == "dismissed" and objection.response is None
            assert actions[-1] == "dismiss_objection"
        assert "respond_objection" not in actions or "dismiss_objection" not in actions
    database.bind.dispose()  # type: ignore[union-attr]
