"""Engine, sessions, the declarative base and the column types every domain shares."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Connection,
    DateTime,
    Engine,
    Enum,
    MetaData,
    Numeric,
    create_engine,
    event,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timestamps stored in UTC and always returned timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC timestamp is stored")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


# Money: yuan with fen precision, never float.
Money = Numeric(18, 2, asdecimal=True)
# Integer primary keys that are BIGINT on PostgreSQL and still autoincrement on SQLite.
BigId = BigInteger().with_variant(sqlite.INTEGER(), "sqlite")
JSONDoc = JSON().with_variant(postgresql.JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime, Decimal: Money}  # noqa: RUF012


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def utc_stamp() -> str:
    """Now as an RFC 3339 UTC string to the second, the form ledger entries use."""
    return utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not pysqlite, issue BEGIN (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    # IMMEDIATE takes the write lock up front, so a transaction that reads and then
    # writes (audit chain, ledger appends) never fails half-way with "database is locked".
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with datadeed's per-dialect settings (SQLite: WAL, foreign keys on)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


APPEND_LOCK_KEY = 7291001


def serialize_appends(session: Session) -> None:
    """Take the one lock that serializes appends to the ledger and the audit chain, until
    the transaction ends. Both use the same lock so they can never deadlock each other.
    SQLite needs nothing more: its transactions begin IMMEDIATE and hold the write lock."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": APPEND_LOCK_KEY})


def str_enum(cls: type[StrEnum], name: str) -> Enum:
    """A column type for a StrEnum: its values (not member names) in a VARCHAR(32) with a
    CHECK constraint, the same on SQLite and PostgreSQL (no native enum type to migrate)."""
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda e: [m.value for m in e],
    )


class Database:
    """An engine plus the session factory services use; one per process (or per test)."""

    def __init__(self, bind: Engine | Connection, **session_kwargs: Any) -> None:
        self.bind = bind
        self.sessions = sessionmaker(bind=bind, expire_on_commit=False, **session_kwargs)

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls(make_engine(url))

    @property
    def dialect(self) -> str:
        return self.bind.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that is closed on exit; services commit themselves."""
        session = self.sessions()
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        """Close the pool's connections (of an engine; a bound connection is the caller's)."""
        if isinstance(self.bind, Engine):
            self.bind.dispose()

    def ping(self) -> None:
        with self.session() as session:
            session.execute(text("SELECT 1"))
