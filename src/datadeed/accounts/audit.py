"""The append-only audit log: record an event, list events, verify the hash chain."""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from datadeed.accounts.models import AuditEvent
from datadeed.accounts.principal import Principal
from datadeed.canonical import canonical_json, sha256_hex
from datadeed.db import serialize_appends, utcnow

GENESIS_HASH = "0" * 64

# Set by the request-id middleware so that audit rows name the request that made them.
current_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "datadeed_request_id", default=None
)


def _event_hash(prev_hash: str, body: dict[str, Any]) -> str:
    return sha256_hex(prev_hash.encode() + canonical_json(body))


def _hash_body(event: AuditEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "occurred_at": event.occurred_at.astimezone(dt.UTC).isoformat(),
        "actor_user_id": event.actor_user_id,
        "actor_label": event.actor_label,
        "organization_id": event.organization_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "detail": event.detail,
    }


def record(
    session: Session,
    actor: Principal,
    action: str,
    object_type: str,
    object_id: object,
    *,
    organization_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an audit event in the caller's transaction (committed with the change)."""
    serialize_appends(session)  # the chain must not fork
    last = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    event = AuditEvent(
        seq=(last.seq + 1) if last else 1,
        occurred_at=utcnow().replace(microsecond=0),
        actor_user_id=actor.user_id,
        actor_label=actor.label,
        organization_id=organization_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        detail=detail or {},
        request_id=current_request_id.get(),
        prev_hash=last.hash if last else GENESIS_HASH,
    )
    event.hash = _event_hash(event.prev_hash, _hash_body(event))
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class ChainCheck:
    checked: int
    first_bad_seq: int | None

    @property
    def ok(self) -> bool:
        return self.first_bad_seq is None


def verify_chain(events: Sequence[AuditEvent]) -> ChainCheck:
    """Recompute the chain over ``events`` (ordered by seq, starting at seq 1)."""
    prev = GENESIS_HASH
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq or event.prev_hash != prev:
            return ChainCheck(expected_seq - 1, event.seq)
        if _event_hash(prev, _hash_body(event)) != event.hash:
            return ChainCheck(expected_seq - 1, event.seq)
        prev = event.hash
    return ChainCheck(len(events), None)
