"""The JSON shapes of certificates and their registrations (API, CLI, PDF)."""

from __future__ import annotations

from typing import Any

from datadeed.certificates.models import Certificate, CertificateEvent
from datadeed.db import utcnow
from datadeed.workdays import shanghai_date


def certificate_out(c: Certificate) -> dict[str, Any]:
    return {
        "number": c.number,
        "registration_no": c.registration_no,
        "track": c.track.value,
        "edition": c.edition,
        "holder": {"uscc": c.holder.uscc, "name": c.holder.name},
        "issuer": {"uscc": c.issuer.uscc, "name": c.issuer.name},
        "rights": list(c.rights),
        "object": {"name": c.object_name, "type": c.object_type, "sha256": c.sha256},
        "valid_from": c.valid_from.isoformat(),
        "valid_to": c.valid_to.isoformat(),
        "description": c.object_description,
        "content_fingerprint": c.content_fingerprint,
        "issued_at": c.issued_at.isoformat(),
        "status": c.status_on(shanghai_date(utcnow())),
        "transfer_pending": c.pending_transfer_to_id is not None,
        "ledger_index": c.ledger_index,
    }


def event_out(e: CertificateEvent) -> dict[str, Any]:
    return {
        "event_no": e.event_no,
        "kind": e.kind.value,
        "state": e.state.value,
        "edition": e.edition,
        "counterparty": e.counterparty.uscc if e.counterparty else None,
        "reasons": e.reasons,
        "details": e.details,
        "ledger_index": e.ledger_index,
        "created_at": e.created_at.isoformat(),
    }
