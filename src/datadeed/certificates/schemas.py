"""The JSON shapes of certificates and their registrations (API, CLI, PDF)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from datadeed.certificates.models import (
    Certificate,
    CertificateEvent,
    CertificateLicence,
    Exclusivity,
)
from datadeed.db import utcnow
from datadeed.workdays import shanghai_date

if TYPE_CHECKING:
    from datadeed.certificates.licences import Encumbrances


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


def licence_out(
    lic: CertificateLicence, day: dt.date | None = None, *, confidential: bool = False
) -> dict[str, Any]:
    """A licence as anyone may read it; ``confidential`` adds the scope (parties only)."""
    out: dict[str, Any] = {
        "licence_no": lic.licence_no,
        "certificate_number": lic.certificate.number,
        "licensor": {"uscc": lic.licensor.uscc, "name": lic.licensor.name},
        "licensee": {"uscc": lic.licensee.uscc, "name": lic.licensee.name},
        "rights": list(lic.rights),
        "exclusivity": lic.exclusivity.value,
        "starts_on": lic.starts_on.isoformat(),
        "ends_on": lic.ends_on.isoformat(),
        "status": lic.status_on(day or shanghai_date(utcnow())),
        "granted_at": lic.granted_at.isoformat(),
        "ledger_index": lic.ledger_index,
        "revoked_at": lic.revoked_at.isoformat() if lic.revoked_at else None,
        "revocation_reasons": lic.revocation_reasons,
    }
    if confidential:
        out["scope"] = lic.scope
    return out


def active_counts(licences: Sequence[CertificateLicence], day: dt.date) -> dict[str, int]:
    """Public counts: licences in force today, in total and per exclusivity."""
    counts = Counter(lic.exclusivity.value for lic in licences if lic.status_on(day) == "active")
    return {"active": sum(counts.values()), **{e.value: counts[e.value] for e in Exclusivity}}


def encumbrances_out(e: Encumbrances) -> dict[str, Any]:
    """Pledge and exclusive / sole licences of a certificate: what a lender checks."""
    pledge = None
    if e.pledge is not None:
        pledgee = e.pledge.actor_org
        pledge = {
            "pledgee": {"uscc": pledgee.uscc, "name": pledgee.name} if pledgee else None,
            "pledge_ref": e.pledge.details.get("pledge_ref"),
            "since": e.pledge.created_at.isoformat(),
            "ledger_index": e.pledge.ledger_index,
        }
    return {
        "number": e.certificate.number,
        "status": e.certificate.status_on(e.day),
        "encumbered": e.encumbered,
        "pledge": pledge,
        "exclusive_licences": [licence_out(lic, e.day) for lic in e.exclusive_licences],
        "transfer_pending": e.certificate.pending_transfer_to_id is not None,
        "cancellation_pending": e.cancellation_pending,
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
    starts_on: dt.date | None = None
    exclusivity: Literal["exclusive", "sole", "non_exclusive"] | None = None
    exclusive: bool = False  # older form of exclusivity="exclusive"
    scope: str | None = Field(default=None, max_length=2000)


class LicenceRevocation(_Request):
    type: Literal["licence_revocation"]
    licence_no: str = Field(min_length=1, max_length=40)
    reasons: Reasons


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


class CancellationWithdrawal(_Request):
    type: Literal["cancellation_withdrawal"]


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
    | LicenceRevocation
    | RenewalRequest
    | ChangeRequest
    | CancellationRequest
    | CancellationWithdrawal
    | CancellationDecision
    | CorrectionRequest
    | RevocationRequest,
    Field(discriminator="type"),
]
REQUEST_ADAPTER: TypeAdapter[RegistrationRequest] = TypeAdapter(RegistrationRequest)
