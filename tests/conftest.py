"""Shared fixtures.

The suite runs on SQLite by default and on PostgreSQL when DATADEED_TEST_DATABASE_URL is
set (`make test` runs it both ways). The schema is built by the Alembic migrations, never
by create_all. Each test runs inside a transaction that is rolled back; tests that need
their own committed database (CLI, concurrency, browser) use ``fresh_database_url``.
"""

from __future__ import annotations

import gc
import itertools
import os
import secrets
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hypothesis
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from datadeed import migrations
from datadeed.accounts.principal import Principal
from datadeed.accounts.services import AccountsService
from datadeed.app import create_app
from datadeed.config import Environment, Settings
from datadeed.db import Database, make_engine
from datadeed.evidence.services import EvidenceService
from datadeed.ledger.keys import LogKeyring
from datadeed.ledger.services import LedgerService
from tests import factories

# Property tests judge results, not speed: on a loaded 2-core CI machine a per-example
# deadline only makes them flaky.
hypothesis.settings.register_profile("datadeed", deadline=None)
hypothesis.settings.load_profile("datadeed")

PG_URL = os.environ.get("DATADEED_TEST_DATABASE_URL")
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
_fresh_counter = itertools.count()


def pytest_report_header() -> str:
    return f"datadeed database: {'postgresql' if PG_URL else 'sqlite'}"


def _reset_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if PG_URL:
        _reset_postgres(PG_URL)
        url = PG_URL
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    migrations.upgrade(url)
    return url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Database]:
    """A Database whose every session joins one outer transaction, rolled back at the end."""
    connection = engine.connect()
    outer = connection.begin()
    database = Database(connection, join_transaction_mode="create_savepoint")
    factories.bind(database)
    try:
        yield database
    finally:
        factories.unbind()
        outer.rollback()
        connection.close()


@pytest.fixture
def fresh_database_url(tmp_path: Path) -> Iterator[str]:
    """An empty, un-migrated database of the suite's dialect, dropped afterwards."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    name = f"dd_fresh_{os.getpid()}_{next(_fresh_counter)}"
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        _collect_abandoned_connections()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _collect_abandoned_connections() -> None:
    """Collect the connections a test's threads left behind (racers that lost, a stopped
    job worker) now, so their ResourceWarning does not surface in a later, unrelated test;
    the database is dropped WITH (FORCE) right after."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


# Tests run on the real date: their working-day clocks must not reach a year without
# holiday data (the bundled calendar ends with 2026).
TEST_CALENDAR = Path(__file__).parent / "data" / "calendar-statutory.toml"


def make_settings(home: Path, database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "env": Environment.TEST,
        "home": home,
        "database_url": database_url,
        "secret_key": secrets.token_urlsafe(32),
        "calendar_overrides": TEST_CALENDAR,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path / "home", database_url)


@pytest.fixture
def accounts(db: Database, settings: Settings) -> Iterator[AccountsService]:
    with db.session() as session:
        yield AccountsService(session, settings)


@pytest.fixture
def keyring(settings: Settings) -> LogKeyring:
    return LogKeyring.from_settings(settings)


@pytest.fixture
def ledger(db: Database, settings: Settings, keyring: LogKeyring) -> Iterator[LedgerService]:
    with db.session() as session:
        yield LedgerService(session, settings, keyring)


@pytest.fixture
def evidence(ledger: LedgerService, settings: Settings) -> EvidenceService:
    return EvidenceService(ledger.session, settings, ledger)


@pytest.fixture
def system() -> Principal:
    return Principal.system()


_APPS: dict[tuple[Any, ...], Any] = {}


@pytest.fixture
def app(settings: Settings, db: Database):  # type: ignore[no-untyped-def]
    """The app for this test, handed this test's settings, database and keyring.

    FastAPI builds every route's dependency state on an app's first request (about a
    second for ours), so apps whose middleware would be the same are built once per run;
    what a test changes on the app (dependency overrides) is undone after it.
    """
    key = (settings.max_body_bytes, settings.upload_max_bytes, settings.default_locale)
    shared = _APPS.get(key)
    if shared is None:
        shared = _APPS[key] = create_app(settings, db)
    else:
        shared.state.settings = settings
        shared.state.db = db
        shared.state.keyring = LogKeyring.from_settings(settings)
    yield shared
    shared.dependency_overrides.clear()


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
