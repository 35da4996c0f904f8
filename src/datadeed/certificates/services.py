"""Certificate use cases, part 2: the registrations on a certificate after its issue
(change, correction, transfer offer, acceptance and withdrawal, licence, renewal,
cancellation, revocation). Issuing, reads and the ledger plumbing are in ``core.py``;
``CertificateService`` is the one service the API, pages, CLI and registry use.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from datadeed.accounts.models import Organization
from datadeed.accounts.principal import Principal, require_role
from datadeed.accounts.roles import OrgKind
from datadeed.certificates import schemas, validity
from datadeed.certificates.core import (
    HOLDER_ROLES,
    ISSUER_ROLES,
    LIVE,
    OBJECT_TYPES,
    PLEDGEE_ROLES,
    REGISTRAR_ROLES,
    Correction,
    IssueInput,
    clean_name,
    clean_reasons,
    clean_rights,
)
from datadeed.certificates.errors import (
    CancellationClosed,
    CancellationPending,
    CertificateEncumbered,
    TransferPending,
)
from datadeed.certificates.licences import LicenceRegistrations
from datadeed.certificates.models import (
    Certificate,
    CertificateEvent,
    CertificateStatus,
    EventKind,
    EventState,
)
from datadeed.certificates.schemas import RegistrationRequest
from datadeed.errors import InvalidInput, InvalidTransition, NotFound
from datadeed.workdays import shanghai_date

__all__ = [
    "HOLDER_ROLES",
    "ISSUER_ROLES",
    "REGISTRAR_ROLES",
    "CertificateService",
    "Correction",
    "IssueInput",
]


class CertificateService(LicenceRegistrations):
    # -- one entry point for every registration request ---------------------------------

    def apply(
        self, actor: Principal, number: str, request: RegistrationRequest
    ) -> CertificateEvent:
        """Carry out one registration request (API and pages send the same shapes)."""
        match request:
            case schemas.TransferOffer():
                return self.offer_transfer(actor, number, request.to_uscc)
            case schemas.TransferAcceptance():
                return self.accept_transfer(actor, number)
            case schemas.TransferWithdrawal():
                return self.withdraw_transfer(actor, number)
            case schemas.LicenceGrant():
                return self.grant_licence(
                    actor,
                    number,
                    request.licensee_uscc,
                    request.rights,
                    request.ends_on,
                    exclusive=request.exclusive,
                    exclusivity=request.exclusivity,
                    starts_on=request.starts_on,
                    scope=request.scope,
                )
            case schemas.LicenceRevocation():
                return self.revoke_licence(actor, number, request.licence_no, request.reasons)
            case schemas.RenewalRequest():
                return self.renew(actor, number)
            case schemas.ChangeRequest():
                return self.change(
                    actor, number, request.object_name, request.object_description, request.reasons
                )
            case schemas.CancellationRequest():
                return self.request_cancellation(actor, number, request.reasons)
            case schemas.CancellationWithdrawal():
                return self.withdraw_cancellation(actor, number)
            case schemas.CancellationDecision():
                return self.decide_cancellation(
                    actor, number, approve=request.approve, reasons=request.reasons
                )
            case schemas.CorrectionRequest():
                fix = Correction(request.object_name, request.object_type, request.rights)
                return self.correct(actor, number, fix, request.reasons)
            case schemas.RevocationRequest():
                return self.revoke(actor, number, request.reasons)
        raise InvalidInput(f"unknown registration type {request!r}")  # pragma: no cover

    # -- registrations by the holder ---------------------------------------------------

    def _require_free(self, certificate: Certificate) -> None:
        """Not pledged, no transfer and no cancellation waiting: a transfer offer and a
        cancellation request each need all three."""
        if certificate.status is CertificateStatus.ENCUMBERED:
            raise CertificateEncumbered(certificate.number)
        if certificate.pending_transfer_to_id is not None:
            raise TransferPending(certificate.number)
        if self._pending(certificate, EventKind.CANCELLATION) is not None:
            raise CancellationPending(certificate.number)

    def offer_transfer(self, actor: Principal, number: str, to_uscc: str) -> CertificateEvent:
        """转移, step 1: the holder offers the certificate to another organization."""
        certificate, holder = self._held(actor, number)
        self._require_live(certificate)
        self._require_free(certificate)
        recipient = self._organization_by_uscc(to_uscc)
        if recipient.id == holder.id:
            raise InvalidInput("a certificate cannot be transferred to its holder")
        if recipient.kind != OrgKind.ENTERPRISE:
            raise InvalidInput("certificates can be transferred to enterprises only")
        certificate.pending_transfer_to = recipient
        event = self._event(
            certificate,
            EventKind.TRANSFER,
            actor,
            holder,
            counterparty=recipient,
            details={"from_uscc": holder.uscc, "to_uscc": recipient.uscc},
            state=EventState.PENDING,
        )
        self.session.flush()
        self._audit(actor, "certificate.transfer_offer", certificate, {"to": recipient.uscc})
        self._commit(certificate)
        return event

    def accept_transfer(self, actor: Principal, number: str) -> CertificateEvent:
        """转移, step 2: the receiving organization accepts; it becomes the holder."""
        require_role(actor, *HOLDER_ROLES)
        certificate = self._lock(number)
        pending = self._pending_transfer(certificate)
        if pending is None or certificate.pending_transfer_to_id != actor.organization_id:
            raise NotFound(f"no transfer of certificate {certificate.number} is offered to you")
        self._require_live(certificate)
        if certificate.status is CertificateStatus.ENCUMBERED:
            raise CertificateEncumbered(certificate.number)
        recipient = self._organization(pending.counterparty_id or 0)
        certificate.holder = recipient
        certificate.pending_transfer_to = None
        self._new_edition(certificate)
        pending.state, pending.decided_at = EventState.REGISTERED, self.now()
        pending.edition = certificate.edition
        self._register_event(pending, recipient, "transferee")
        self.session.flush()
        self._audit(actor, "certificate.transfer_accept", certificate, {"to": recipient.uscc})
        self._commit(certificate)
        return pending

    def withdraw_transfer(self, actor: Principal, number: str) -> CertificateEvent:
        """The holder withdraws an offer, or the offered organization declines it."""
        require_role(actor, *HOLDER_ROLES)
        certificate = self._lock(number)
        pending = self._pending_transfer(certificate)
        parties = (certificate.holder_id, certificate.pending_transfer_to_id)
        if pending is None or actor.organization_id not in parties:
            raise NotFound(f"no transfer of certificate {certificate.number} is waiting")
        pending.state, pending.decided_at = EventState.WITHDRAWN, self.now()
        certificate.pending_transfer_to = None
        self.session.flush()
        self._audit(actor, "certificate.transfer_withdraw", certificate, {})
        self._commit(certificate)
        return pending

    def pending_cancellation(self, certificate: Certificate) -> CertificateEvent | None:
        """The holder's cancellation request waiting for the registrar, if any."""
        return self._pending(certificate, EventKind.CANCELLATION)

    def _pending_transfer(self, certificate: Certificate) -> CertificateEvent | None:
        return self._pending(certificate, EventKind.TRANSFER)

    def _pending(self, certificate: Certificate, kind: EventKind) -> CertificateEvent | None:
        query = select(CertificateEvent).where(
            CertificateEvent.certificate_id == certificate.id,
            CertificateEvent.kind == kind,
            CertificateEvent.state == EventState.PENDING,
        )
        return self.session.scalars(query).first()

    def renew(self, actor: Principal, number: str) -> CertificateEvent:
        """续展: one more term of the validity profile, after the current end."""
        certificate, holder = self._held(actor, number)
        if certificate.status not in LIVE:
            raise InvalidTransition(f"certificate {certificate.number} is {certificate.status}")
        years = validity.profile(self.settings.certificate_validity_profile).term(certificate.track)
        old_to = certificate.valid_to
        certificate.valid_to = validity.renewed_to(old_to, shanghai_date(self.now()), years)
        self._new_edition(certificate)
        details = {"valid_to_before": old_to.isoformat(), "valid_to": str(certificate.valid_to)}
        return self._finish(actor, certificate, EventKind.RENEWAL, holder, "holder", details)

    def request_cancellation(self, actor: Principal, number: str, reasons: str) -> CertificateEvent:
        """注销, step 1: the holder asks the registrar to cancel the certificate."""
        certificate, holder = self._held(actor, number)
        text = clean_reasons(reasons)
        self._require_live(certificate)
        self._require_free(certificate)
        event = self._event(
            certificate,
            EventKind.CANCELLATION,
            actor,
            holder,
            reasons=text,
            state=EventState.PENDING,
        )
        self.session.flush()
        self._audit(actor, "certificate.cancellation_request", certificate, {})
        self._commit(certificate)
        return event

    def decide_cancellation(
        self, actor: Principal, number: str, *, approve: bool, reasons: str | None = None
    ) -> CertificateEvent:
        """注销, step 2: the registrar cancels the certificate, or refuses with reasons."""
        certificate, registrar = self._registrar_lock(actor, number)
        pending = self._pending(certificate, EventKind.CANCELLATION)
        if pending is None:
            raise self._cancellation_closed(certificate)
        decision = clean_reasons(reasons, required=not approve)
        pending.details = {**pending.details, **({"decision": decision} if decision else {})}
        pending.decided_at = self.now()
        if not approve:
            pending.state = EventState.WITHDRAWN
            self.session.flush()
            self._audit(actor, "certificate.cancellation_refused", certificate, {})
            self._commit(certificate)
            return pending
        if certificate.status is CertificateStatus.ENCUMBERED:
            raise CertificateEncumbered(certificate.number)
        certificate.status = CertificateStatus.CANCELLED
        self._new_edition(certificate)
        pending.details = {**pending.details, "cancellation": "approved"}
        pending.state, pending.edition = EventState.REGISTERED, certificate.edition
        self._register_event(pending, registrar, "registrar")
        self.session.flush()
        self._audit(actor, "certificate.cancellation", certificate, {})
        self._commit(certificate)
        return pending

    def withdraw_cancellation(self, actor: Principal, number: str) -> CertificateEvent:
        """注销, withdrawn: the holder takes back its request before the registrar decides.
        The request's row is closed as withdrawn and a registration-event/v1 ``cancelled``
        entry with ``cancellation: withdrawn`` records it (the certificate stays valid)."""
        certificate, holder = self._held(actor, number)
        pending = self._pending(certificate, EventKind.CANCELLATION)
        if pending is None:
            raise self._cancellation_closed(certificate)
        pending.state, pending.decided_at = EventState.WITHDRAWN, self.now()
        pending.details = {**pending.details, "cancellation": "withdrawn"}
        self.session.flush()
        self._register_event(pending, holder, "holder")
        self._audit(actor, "certificate.cancellation_withdrawn", certificate, {})
        self._commit(certificate)
        return pending

    def _cancellation_closed(self, certificate: Certificate) -> Exception:
        """Nothing waits: 409 if the last request was decided or withdrawn, else 404."""
        last = self._last(certificate, EventKind.CANCELLATION)
        if last is None:
            return NotFound(f"no cancellation of certificate {certificate.number} is waiting")
        outcome = last.details.get("cancellation")
        if outcome is None:
            outcome = "approved" if last.state is EventState.REGISTERED else "refused"
        return CancellationClosed(certificate.number, str(outcome))

    def change(
        self,
        actor: Principal,
        number: str,
        object_name: str,
        object_description: str | None,
        reasons: str,
    ) -> CertificateEvent:
        """变更: the holder changes how the registered data is named and described."""
        certificate, holder = self._held(actor, number)
        text = clean_reasons(reasons)
        self._require_live(certificate)
        before = certificate.object_name
        certificate.object_name = clean_name(object_name)
        certificate.object_description = (object_description or "").strip() or None
        self._new_edition(certificate)
        details = {"object_name_before": before, "object_name": certificate.object_name}
        return self._finish(
            actor, certificate, EventKind.CHANGE, holder, "holder", details, reasons=text
        )

    # -- registrations by the registrar ------------------------------------------------

    def _registrar_lock(self, actor: Principal, number: str) -> tuple[Certificate, Organization]:
        require_role(actor, *REGISTRAR_ROLES)
        return self._lock(number), self._issuer(actor)

    def correct(
        self, actor: Principal, number: str, correction: Correction, reasons: str
    ) -> CertificateEvent:
        """更正: the registrar corrects a registered fact that was recorded wrongly."""
        certificate, registrar = self._registrar_lock(actor, number)
        text = clean_reasons(reasons)
        if certificate.status is CertificateStatus.REVOKED:
            raise InvalidTransition(f"certificate {certificate.number} is revoked")
        details = self._apply_correction(certificate, correction)
        if not details:
            raise InvalidInput("the correction changes nothing")
        self._new_edition(certificate)
        return self._finish(
            actor, certificate, EventKind.CORRECTION, registrar, "registrar", details, reasons=text
        )

    def _apply_correction(self, certificate: Certificate, correction: Correction) -> dict[str, Any]:
        details: dict[str, Any] = {}
        if correction.object_name and correction.object_name != certificate.object_name:
            details["object_name_before"] = certificate.object_name
            certificate.object_name = clean_name(correction.object_name)
        if correction.object_type and correction.object_type != certificate.object_type:
            if correction.object_type not in OBJECT_TYPES:
                raise InvalidInput(f"object type must be one of {', '.join(OBJECT_TYPES)}")
            details["object_type_before"] = certificate.object_type
            certificate.object_type = correction.object_type
        if correction.rights is not None:
            rights = clean_rights(correction.rights)
            if rights != list(certificate.rights):
                self._check_rights_kept(certificate, rights)
                details["rights_before"] = ",".join(certificate.rights)
                certificate.rights = rights
        return details

    def revoke(self, actor: Principal, number: str, reasons: str) -> CertificateEvent:
        """撤销: the registrar revokes the certificate (e.g. an objection upheld later, fraud)."""
        certificate, registrar = self._registrar_lock(actor, number)
        text = clean_reasons(reasons)
        if certificate.status not in LIVE:
            raise InvalidTransition(f"certificate {certificate.number} is {certificate.status}")
        for kind in (EventKind.TRANSFER, EventKind.CANCELLATION):
            pending = self._pending(certificate, kind)
            if pending is not None:  # a revocation overtakes what was waiting
                pending.state, pending.decided_at = EventState.WITHDRAWN, self.now()
        certificate.pending_transfer_to = None
        certificate.status = CertificateStatus.REVOKED
        self._new_edition(certificate)
        return self._finish(
            actor, certificate, EventKind.REVOCATION, registrar, "registrar", {}, reasons=text
        )

    # -- encumbrance, for finance/ (no route of its own yet) ------------------------------

    def encumber(self, actor: Principal, number: str, *, pledge_ref: str) -> CertificateEvent:
        """质押登记: the pledgee bank records that the certificate is pledged to it; from now
        on it cannot be transferred or cancelled until the pledge is released."""
        require_role(actor, *PLEDGEE_ROLES)
        certificate = self._lock(number)
        self._require_live(certificate)
        self._require_free(certificate)
        bank = self._organization(actor.organization_id or 0)
        certificate.status = CertificateStatus.ENCUMBERED
        self._new_edition(certificate)
        details = {"pledge_ref": pledge_ref[:64]}
        return self._finish(actor, certificate, EventKind.PLEDGE, bank, "pledgee", details)

    def release(self, actor: Principal, number: str, *, pledge_ref: str) -> CertificateEvent:
        """质押注销: the bank that holds the pledge releases it."""
        require_role(actor, *PLEDGEE_ROLES)
        certificate = self._lock(number)
        pledge = self._last(certificate, EventKind.PLEDGE)
        encumbered = certificate.status is CertificateStatus.ENCUMBERED
        if not encumbered or pledge is None or pledge.actor_org_id != actor.organization_id:
            raise NotFound(f"certificate {certificate.number} is not pledged to you")
        bank = self._organization(actor.organization_id or 0)
        certificate.status = CertificateStatus.VALID
        self._new_edition(certificate)
        details = {"pledge_ref": pledge_ref[:64]}
        return self._finish(actor, certificate, EventKind.PLEDGE_RELEASE, bank, "pledgee", details)

    def _last(self, certificate: Certificate, kind: EventKind) -> CertificateEvent | None:
        query = select(CertificateEvent).where(
            CertificateEvent.certificate_id == certificate.id, CertificateEvent.kind == kind
        )
        return self.session.scalars(query.order_by(CertificateEvent.id.desc()).limit(1)).first()

    def _finish(
        self,
        actor: Principal,
        certificate: Certificate,
        kind: EventKind,
        actor_org: Organization,
        role: str,
        details: dict[str, Any],
        *,
        reasons: str | None = None,
    ) -> CertificateEvent:
        """Record the registration (row, ledger, audit) and commit."""
        event = self._event(certificate, kind, actor, actor_org, reasons=reasons, details=details)
        self.session.flush()
        self._register_event(event, actor_org, role)
        self._audit(actor, f"certificate.{kind.value}", certificate, details)
        self._commit(certificate)
        return event
