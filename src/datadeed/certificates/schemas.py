"""The JSON shapes of certificates and their registrations (API, CLI, PDF)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

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


# -- registration requests: one body per registration type, told apart by "type" --------

Reasons = Annotated[str, Field(min_length=1, max_length=4000)]
Uscc = Annotated[str, Field(min_length=18, max_length=18)]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TransferOffer(_Request):
    type: Literal["transfer"]
    to_uscc: Uscc


class TransferAcceptance(_Request):
    type: Literal["transfer_acceptance"]


class TransferWithdrawal(_Request):
    type: Literal["transfer_withdrawal"]


class LicenceGrant(_Request):
    type: Literal["licence"]
    licensee_uscc: Uscc
    rights: list[str] = Field(min_length=1, max_length=3)
    ends_on: dt.date
    exclusive: bool = False


class RenewalRequest(_Request):
    type: Literal["renewal"]


class ChangeRequest(_Request):
    type: Literal["change"]
    object_name: str = Field(min_length=1, max_length=200)
    object_description: str | None = Field(default=None, max_length=4000)
    reasons: Reasons


class CancellationRequest(_Request):
    type: Literal["cancellation"]
    reasons: Reasons


class CancellationDecision(_Request):
    type: Literal["cancellation_decision"]
    approve: bool
    reasons: str | None = Field(default=None, max_length=4000)


class CorrectionRequest(_Request):
    type: Literal["correction"]
    object_name: str | None = Field(default=None, min_length=1, max_length=200)
    object_type: str | None = Field(default=None, max_length=32)
    rights: list[str] | None = Field(default=None, min_length=1, max_length=3)
    reasons: Reasons


class RevocationRequest(_Request):
    type: Literal["revocation"]
    reasons: Reasons


RegistrationRequest = Annotated[
    TransferOffer
    | TransferAcceptance
    | TransferWithdrawal
    | LicenceGrant
    | RenewalRequest
    | ChangeRequest
    | CancellationRequest
    | CancellationDecision
    | CorrectionRequest
    | RevocationRequest,
    Field(discriminator="type"),
]
REQUEST_ADAPTER: TypeAdapter[RegistrationRequest] = TypeAdapter(RegistrationRequest)
