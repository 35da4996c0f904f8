"""The audit log is hash-chained and append-only in the database itself."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from datadeed.accounts import audit
from datadeed.accounts.models import AuditEvent
from datadeed.accounts.principal import Principal


def _record(session, n: int) -> None:  # type: ignore[no-untyped-def]
    for i in range(n):
        audit.record(
            session, Principal.system(), "test.event", "thing", i, detail={"i": i, "名": "值"}
        )
    session.commit()


def test_chain_verifies_and_detects_a_forged_row(db):
    with db.session() as session:
        _record(session, 5)
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
        assert audit.verify_chain(events).ok
        assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
        session.expunge_all()
        events[2].detail = {"i": 999}
        check = audit.verify_chain(events)
        assert not check.ok and check.first_bad_seq == 3


def test_chain_detects_a_removed_row(db):
    with db.session() as session:
        _record(session, 4)
        events = list(session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all())
        del events[1]
        assert audit.verify_chain(events).first_bad_seq == 3


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"]
)
def test_database_refuses_to_change_audit_rows(db, statement):
    with db.session() as session:
        _record(session, 1)
        with pytest.raises(DBAPIError, match="append-only"):
            session.execute(text(statement))
