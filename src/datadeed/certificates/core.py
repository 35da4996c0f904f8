"""Certificate use cases, part 1: issue (from a registered application, or with explicit fields),
the later registrations on a certificate (change, correction, transfer offer and
acceptance, licence, renewal, cancellation, revocation), reads, the verification bundle.

Every registration writes, in one transaction: the certificate row (a new edition when its
facts change), a signed certificate/v1 ledger entry for each new edition, a
registration-event/v1 entry, a ``certificate_events`` row and an audit event. Writers lock
the certificate row (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite transactions are
serialized) and ``row_version`` catches anything that slips past: the loser gets a 409.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from datadeed.accounts import audit
from datadeed.accounts.models import Organization
from datadeed.accounts.principal import Principal, require_role
from datadeed.accounts.roles import OrgKind, Role
from datadeed.certificates import numbering, validity
from datadeed.certificates.errors import (
    CertificateChanged,
    CertificateNotFound,
    NotCertificateHolder,
)
from datadeed.certificates.models import (
    Certificate,
    CertificateEvent,
    CertificateStatus,
    EventKind,
    EventState,
)
from datadeed.certificates.numbering import Track
from datadeed.certificates.pdf import certificate_pdf, verification_url
from datadeed.certificates.schemas import certificate_out
from datadeed.certificates.signing import sign_certificate
from datadeed.config import Settings
from datadeed.db import serialize_appends, utcnow
from datadeed.errors import ConfigurationError, InvalidInput, InvalidTransition, NotFound
from datadeed.identifiers import normalize_uscc
from datadeed.ledger.services import LedgerService
from datadeed.ledger.verify import BUNDLE_V1, VerificationResult, verify_receipt
from datadeed.workdays import shanghai_date

if TYPE_CHECKING:
    from datadeed.registry.models import RegistrationApplication

CERTIFICATE_KIND = "certificate/v1"
EVENT_KIND = "registration-event/v1"
HOLDER_ROLES = (Role.DATA_MANAGER, Role.ORG_ADMIN)
REGISTRAR_ROLES = (Role.REGISTRATION_OFFICER,)
PLEDGEE_ROLES = (Role.BANK_OFFICER,)
ISSUER_ROLES = (Role.REGISTRATION_OFFICER, Role.PLATFORM_ADMIN)
RIGHTS = ("hold", "use", "operate")
OBJECT_TYPES = ("data_resource", "data_product", "data_asset", "public_data")
LIVE = (CertificateStatus.VALID, CertificateStatus.ENCUMBERED)
# The registration-event/v1 verb of each registration type.
EVENT_VERB = {
    EventKind.CHANGE: "changed",
    EventKind.CORRECTION: "corrected",
    EventKind.TRANSFER: "transferred",
    EventKind.LICENCE: "licensed",
    EventKind.RENEWAL: "renewed",
    EventKind.CANCELLATION: "cancelled",
    EventKind.REVOCATION: "revoked",
    EventKind.PLEDGE: "pledged",
    EventKind.PLEDGE_RELEASE: "pledge_released",
}
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


@dataclass
class IssueInput:
    """The facts a certificate attests; ``issue_for_application`` fills them in."""

    track: Track
    holder_id: int
    rights: list[str]
    object_name: str
    object_type: str
    sha256: str
    content_fingerprint: str
    object_description: str | None = None
    dataset_version_id: int | None = None
    case_no: str | None = None
    source_category: str = "other"
    agreement_ends_on: dt.date | None = None


@dataclass
class Correction:
    """What a registrar may correct; None leaves a field as it is."""

    object_name: str | None = None
    object_type: str | None = None
    rights: list[str] | None = None


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def clean_rights(rights: Iterable[str]) -> list[str]:
    wanted = set(rights)
    unknown = wanted - set(RIGHTS)
    if unknown or not wanted:
        raise InvalidInput(f"rights must be a non-empty subset of {', '.join(RIGHTS)}")
    return [r for r in RIGHTS if r in wanted]


def clean_name(name: str, what: str = "object name") -> str:
    name = " ".join(name.split())
    if not 1 <= len(name) <= 200:
        raise InvalidInput(f"the {what} must be 1 to 200 characters")
    return name


def clean_reasons(reasons: str | None, required: bool = True) -> str | None:
    text = (reasons or "").strip()
    if required and not text:
        raise InvalidInput("give the reasons for this registration")
    if len(text) > 4000:
        raise InvalidInput("reasons must be at most 4000 characters")
    return text or None


class CertificateCore:
    """Issuing, the signed body and the ledger, reads; ``CertificateService`` adds the
    registrations made on a certificate afterwards."""

    def __init__(
        self,
        session: Session,
        ledger: LedgerService,
        settings: Settings,
        now: Callable[[], dt.datetime] | None = None,
    ) -> None:
        """``now`` lets a caller with its own clock (the registry's demo) date the issue."""
        self.session = session
        self.ledger = ledger
        self.settings = settings
        self.now = now or utcnow

    # -- issuing -------------------------------------------------------------------

    def issue(self, data: IssueInput, *, issued_by: Principal) -> Certificate:
        """Issue a certificate with explicit facts and commit."""
        certificate = self._issue(data, issued_by)
        self.session.commit()
        return certificate

    def issue_for_application(
        self,
        application: RegistrationApplication,
        *,
        issued_by: Principal,
        track: str | None = None,
    ) -> Certificate:
        """Issue the certificate(s) of a registered application, in the caller's
        transaction (the caller commits). One certificate per track applied for (or only
        ``track``); the first is returned and its number set on the application."""
        tracks = [track] if track else sorted(application.tracks)
        if not tracks:
            raise InvalidInput("the application names no registration track")
        issued = [self._issue(self._application_input(application, t), issued_by) for t in tracks]
        application.certificate_number = issued[0].number
        return issued[0]

    def _application_input(self, application: RegistrationApplication, track: str) -> IssueInput:
        if not application.fingerprint_sha256 or not application.content_fingerprint:
            raise InvalidInput("the application has no dataset fingerprint to certify")
        return IssueInput(
            track=Track(track),
            holder_id=application.organization_id,
            rights=[claim["right"] for claim in application.rights_claimed],
            object_name=application.title,
            object_type=application.object_type or "data_resource",
            sha256=application.fingerprint_sha256,
            content_fingerprint=application.content_fingerprint,
            object_description=application.description,
            dataset_version_id=application.dataset_version_id,
            case_no=application.application_no,
            source_category=application.source_category or "other",
        )

    def _issue(self, data: IssueInput, issued_by: Principal) -> Certificate:
        require_role(issued_by, *ISSUER_ROLES)
        self._check_input(data)
        holder = self._organization(data.holder_id)
        issuer = self._issuer(issued_by)
        serialize_appends(self.session)  # numbers are allocated under the ledger's lock
        now = self.now().replace(microsecond=0)
        today = shanghai_date(now)
        years = validity.profile(self.settings.certificate_validity_profile).term(data.track)
        certificate = Certificate(
            number=self._next_number(data.track, today, numbering.body_code(issuer.region_code)),
            registration_no=self._next_registration_no(today.year, data.source_category, holder),
            track=data.track,
            edition=1,
            holder=holder,
            issuer=issuer,
            rights=clean_rights(data.rights),
            object_name=clean_name(data.object_name),
            object_type=data.object_type,
            object_description=data.object_description,
            dataset_version_id=data.dataset_version_id,
            sha256=data.sha256,
            content_fingerprint=data.content_fingerprint,
            case_no=data.case_no,
            valid_from=today,
            valid_to=validity.valid_to(data.track, today, years, data.agreement_ends_on),
            status=CertificateStatus.VALID,
            first_issued_at=now,
            issued_at=now,
        )
        self._publish_edition(certificate)
        self.session.add(certificate)
        self.session.flush()
        event = self._event(certificate, EventKind.ISSUE, issued_by, issuer)
        event.ledger_index = certificate.ledger_index
        self._audit(issued_by, "certificate.issue", certificate, {"case_no": data.case_no})
        return certificate

    def _check_input(self, data: IssueInput) -> None:
        if data.object_type not in OBJECT_TYPES:
            raise InvalidInput(f"object type must be one of {', '.join(OBJECT_TYPES)}")
        for value, what in ((data.sha256, "sha256"), (data.content_fingerprint, "content")):
            if not _HEX64.match(value):
                raise InvalidInput(f"the {what} fingerprint must be 64 lowercase hex digits")
        if data.source_category not in numbering.SOURCE_CODES:
            raise InvalidInput(f"unknown data-source category {data.source_category!r}")

    def _next_number(self, track: Track, today: dt.date, body: str) -> str:
        prefix = numbering.number_prefix(track, today, body)
        year_pattern = prefix[: -len(body) - 2] + "__" + body + "%"
        count = self.session.scalar(
            select(func.count()).where(Certificate.number.like(year_pattern))
        )
        return numbering.certificate_number(track, today, body, int(count or 0) + 1)

    def _next_registration_no(self, year: int, source: str, holder: Organization) -> str:
        count = self.session.scalar(
            select(func.count()).where(Certificate.registration_no.like(f"{year:04d}%"))
        )
        registrant = "enterprise" if holder.kind == OrgKind.ENTERPRISE else "organisation"
        return numbering.registration_number(year, source, registrant, int(count or 0) + 1)

    def _issuer(self, actor: Principal) -> Organization:
        """The registration body: the officer's registrar, else the first registrar."""
        if actor.organization_id is not None and actor.org_kind == OrgKind.REGISTRAR:
            return self._organization(actor.organization_id)
        query = select(Organization).where(Organization.kind == OrgKind.REGISTRAR)
        registrar = self.session.scalars(query.order_by(Organization.id).limit(1)).first()
        if registrar is None:
            raise ConfigurationError("no registration body (registrar organization) exists")
        return registrar

    def _organization(self, organization_id: int) -> Organization:
        org = self.session.get(Organization, organization_id)
        if org is None:
            raise NotFound("organization not found")
        return org

    def _organization_by_uscc(self, uscc: str) -> Organization:
        org = self.session.scalar(
            select(Organization).where(Organization.uscc == normalize_uscc(uscc))
        )
        if org is None:
            raise NotFound(f"no organization with USCC {uscc}")
        return org

    # -- the signed body and the ledger --------------------------------------------

    def body(self, certificate: Certificate) -> dict[str, Any]:
        """The certificate/v1 body of the certificate's current edition."""
        return {
            "number": certificate.number,
            "registration_no": certificate.registration_no,
            "holder": {"uscc": certificate.holder.uscc, "name": certificate.holder.name},
            "rights": list(certificate.rights),
            "object": {
                "name": certificate.object_name,
                "type": certificate.object_type,
                "fingerprint": {
                    "sha256": certificate.sha256,
                    "content": certificate.content_fingerprint,
                },
            },
            "valid_from": certificate.valid_from.isoformat(),
            "valid_to": certificate.valid_to.isoformat(),
            "issuer": {"uscc": certificate.issuer.uscc, "name": certificate.issuer.name},
            "issued_at": _stamp(certificate.issued_at),
            "status": certificate.status.value,
        }

    def _publish_edition(self, certificate: Certificate) -> None:
        """Append and sign the current edition (the caller has bumped ``edition``)."""
        body = self.body(certificate)
        appended = self.ledger.append(CERTIFICATE_KIND, body)
        certificate.ledger_index = appended.index
        certificate.signature = sign_certificate(self.session, self.ledger.keyring, body)

    def _new_edition(self, certificate: Certificate) -> None:
        certificate.edition += 1
        certificate.issued_at = self.now().replace(microsecond=0)
        self._publish_edition(certificate)

    def _event(
        self,
        certificate: Certificate,
        kind: EventKind,
        actor: Principal,
        actor_org: Organization | None,
        *,
        counterparty: Organization | None = None,
        reasons: str | None = None,
        details: dict[str, Any] | None = None,
        state: EventState = EventState.REGISTERED,
    ) -> CertificateEvent:
        seq = self.session.scalar(
            select(func.count()).where(CertificateEvent.certificate_id == certificate.id)
        )
        event = CertificateEvent(
            certificate=certificate,
            event_no=f"{certificate.number}-{int(seq or 0) + 1:02d}",
            kind=kind,
            state=state,
            actor_org_id=actor_org.id if actor_org else None,
            actor_user_id=actor.user_id,
            counterparty=counterparty,
            reasons=reasons,
            details=details or {},
            edition=certificate.edition,
            decided_at=self.now() if state is EventState.REGISTERED else None,
            created_at=self.now(),
        )
        self.session.add(event)
        return event

    def _register_event(self, event: CertificateEvent, actor_org: Organization, role: str) -> None:
        """Append the registration-event/v1 entry of a registered event."""
        certificate = event.certificate
        body: dict[str, Any] = {
            "case_no": event.event_no,
            "event": EVENT_VERB[event.kind],
            "track": certificate.track.value,
            "actor": {"uscc": actor_org.uscc, "role": role},
            "occurred_at": _stamp(self.now()),
            "details": {
                "certificate_number": certificate.number,
                "edition": certificate.edition,
                **{k: v for k, v in event.details.items() if isinstance(v, str | int | bool)},
            },
        }
        if event.reasons:
            body["reasons"] = event.reasons
        event.ledger_index = self.ledger.append(EVENT_KIND, body).index

    def _audit(
        self, actor: Principal, action: str, certificate: Certificate, detail: dict[str, Any]
    ) -> None:
        audit.record(
            self.session,
            actor,
            action,
            "certificate",
            certificate.number,
            organization_id=certificate.holder_id,
            detail={"edition": certificate.edition, **detail},
        )

    def _commit(self, certificate: Certificate) -> None:
        number = certificate.number
        try:
            self.session.commit()
        except StaleDataError:
            self.session.rollback()
            raise CertificateChanged(number) from None

    # -- reading -------------------------------------------------------------------

    def get(self, number: str) -> Certificate:
        """Public: certificates are announced, anyone may look one up by number."""
        clean = number.strip().upper()
        certificate = self.session.scalar(select(Certificate).where(Certificate.number == clean))
        if certificate is None:
            raise CertificateNotFound(clean)
        return certificate

    def _lock(self, number: str) -> Certificate:
        """The certificate, locked for this transaction and read afresh."""
        clean = number.strip().upper()
        query = (
            select(Certificate)
            .where(Certificate.number == clean)
            .with_for_update(of=Certificate)
            .execution_options(populate_existing=True)
        )
        certificate = self.session.scalar(query)
        if certificate is None:
            raise CertificateNotFound(clean)
        return certificate

    def _held(self, actor: Principal, number: str) -> tuple[Certificate, Organization]:
        """The certificate, locked, if the actor's organization holds it."""
        require_role(actor, *HOLDER_ROLES)
        certificate = self._lock(number)
        if actor.organization_id != certificate.holder_id:
            raise NotCertificateHolder(certificate.number)
        return certificate, certificate.holder

    def _require_live(self, certificate: Certificate) -> None:
        status = certificate.status_on(shanghai_date(self.now()))
        if status not in {s.value for s in LIVE}:
            raise InvalidTransition(f"certificate {certificate.number} is {status}")

    def list_for(self, actor: Principal, limit: int = 200) -> Sequence[Certificate]:
        """Registrars and the platform see every certificate; others those they hold or
        are offered."""
        query = select(Certificate).order_by(Certificate.id.desc()).limit(limit)
        if not (actor.oversees_all_tenants or actor.org_kind == OrgKind.REGISTRAR):
            org = actor.organization_id
            query = query.where(
                or_(Certificate.holder_id == org, Certificate.pending_transfer_to_id == org)
            )
        return self.session.scalars(query).all()

    def list_all(self, limit: int = 1000) -> Sequence[Certificate]:
        query = select(Certificate).order_by(Certificate.id).limit(limit)
        return self.session.scalars(query).all()

    def history(self, certificate: Certificate) -> Sequence[CertificateEvent]:
        query = select(CertificateEvent).where(CertificateEvent.certificate_id == certificate.id)
        return self.session.scalars(query.order_by(CertificateEvent.id)).all()

    def bundle(self, number: str) -> dict[str, Any]:
        """Certificate + signature + ledger entry + inclusion proof + checkpoint."""
        certificate = self.get(number)
        receipt = self.ledger.receipt(certificate.ledger_index)
        return {
            "format": BUNDLE_V1,
            "number": certificate.number,
            "certificate": receipt["entry"]["body"],
            "signature": certificate.signature,
            "receipt": receipt,
            "log_public_keys": receipt["log_public_keys"],
        }

    def pdf(self, number: str) -> tuple[str, bytes]:
        """(number, PDF bytes) of the certificate's current edition."""
        certificate = self.get(number)
        url = verification_url(self.settings.base_url, certificate.number)
        return certificate.number, certificate_pdf(certificate_out(certificate), url)

    def verify(self, number: str) -> tuple[Certificate, VerificationResult]:
        """Online verification: the bundle checked against the log's own keys."""
        certificate = self.get(number)
        bundle = self.bundle(certificate.number)
        keys = self.ledger.keyring.public_keys(self.session)
        return certificate, verify_receipt(bundle, trusted_keys=keys)
