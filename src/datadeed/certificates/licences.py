"""Licences (许可登记) on a certificate: granted by the holder for some of its rights and a
term inside the certificate's validity; exclusive, sole or non-exclusive; ended early by
the holder with reasons. Status by date is computed (``CertificateLicence.status_on``).

What is public (the certificate page, the verification page, the API's per-certificate
list, the ledger): the licence number, licensor, licensee, rights, exclusivity, term,
status and the reasons of an early end. Confidential (the two parties and registrars): the
scope / purpose text; the ledger records only its SHA-256.

A transfer of the certificate keeps its licences: they bind the new holder, who may end
them early like the original licensor.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import or_, select

from datadeed.accounts.principal import Principal
from datadeed.accounts.roles import OrgKind
from datadeed.certificates.core import RIGHTS, CertificateCore, clean_reasons, clean_rights
from datadeed.certificates.errors import LicenceConflict, LicenceNotFound, RightLicensed
from datadeed.certificates.models import (
    Certificate,
    CertificateEvent,
    CertificateLicence,
    CertificateStatus,
    EventKind,
    EventState,
    Exclusivity,
    LicenceState,
)
from datadeed.errors import InvalidInput, InvalidTransition
from datadeed.workdays import shanghai_date

IN_FORCE = ("granted", "active")  # not yet begun, or running
MAX_SCOPE = 2000


@dataclass
class LicenceTerms:
    """What the holder grants; ``starts_on`` defaults to today."""

    licensee_uscc: str
    rights: list[str]
    ends_on: dt.date
    exclusivity: Exclusivity = Exclusivity.NON_EXCLUSIVE
    starts_on: dt.date | None = None
    scope: str | None = None


@dataclass
class LicenceLists:
    """Licences an organization took (to us) and gave (on certificates it holds or held)."""

    granted_to_us: Sequence[CertificateLicence]
    granted_by_us: Sequence[CertificateLicence]
    sees_all: bool = False  # registrars and the platform: every licence, in granted_by_us


@dataclass
class Encumbrances:
    """What a lender checks before taking a certificate as collateral."""

    certificate: Certificate
    day: dt.date
    pledge: CertificateEvent | None
    exclusive_licences: list[CertificateLicence] = field(default_factory=list)
    cancellation_pending: bool = False

    @property
    def encumbered(self) -> bool:
        return self.pledge is not None or bool(self.exclusive_licences)


def clean_scope(scope: str | None) -> str | None:
    text = (scope or "").strip()
    if len(text) > MAX_SCOPE:
        raise InvalidInput(f"the licence scope must be at most {MAX_SCOPE} characters")
    return text or None


def exclusivity_of(value: str | None, exclusive: bool = False) -> Exclusivity:
    """The API's ``exclusivity``; the older ``exclusive: true`` means exclusive."""
    if value is None:
        return Exclusivity.EXCLUSIVE if exclusive else Exclusivity.NON_EXCLUSIVE
    try:
        return Exclusivity(value)
    except ValueError:
        names = ", ".join(e.value for e in Exclusivity)
        raise InvalidInput(f"exclusivity must be one of {names}") from None


class LicenceRegistrations(CertificateCore):
    """Grant, early end and reads of licences; ``CertificateService`` inherits them."""

    def grant_licence(
        self,
        actor: Principal,
        number: str,
        licensee_uscc: str,
        rights: list[str],
        ends_on: dt.date,
        *,
        exclusive: bool = False,
        exclusivity: str | None = None,
        starts_on: dt.date | None = None,
        scope: str | None = None,
    ) -> CertificateEvent:
        """许可: the holder licenses some of its rights to another organization."""
        terms = LicenceTerms(
            licensee_uscc,
            rights,
            ends_on,
            exclusivity_of(exclusivity, exclusive),
            starts_on,
            scope,
        )
        return self._grant(actor, number, terms)

    def _grant(self, actor: Principal, number: str, terms: LicenceTerms) -> CertificateEvent:
        certificate, holder = self._held(actor, number)
        self._require_live(certificate)
        licensee = self._organization_by_uscc(terms.licensee_uscc)
        if licensee.id == holder.id:
            raise InvalidInput("the holder cannot license the certificate to itself")
        granted = clean_rights(terms.rights)
        if not set(granted) <= set(certificate.rights):
            raise InvalidInput("a licence can grant only rights the certificate registers")
        scope = clean_scope(terms.scope)
        starts_on = self._check_term(certificate, terms)
        self._check_conflict(certificate, granted, terms.exclusivity, starts_on, terms.ends_on)
        licence = CertificateLicence(
            licence_no=self._next_licence_no(certificate),
            certificate=certificate,
            licensor=holder,
            licensee=licensee,
            rights=granted,
            exclusivity=terms.exclusivity,
            scope=scope,
            starts_on=starts_on,
            ends_on=terms.ends_on,
            state=LicenceState.GRANTED,
            granted_at=self.now(),
        )
        details: dict[str, str | bool] = {
            "licence_no": licence.licence_no,
            "licence_action": "granted",
            "licensee_uscc": licensee.uscc,
            "rights": ",".join(granted),
            "starts_on": starts_on.isoformat(),
            "ends_on": terms.ends_on.isoformat(),
            "exclusivity": terms.exclusivity.value,
            "exclusive": terms.exclusivity is Exclusivity.EXCLUSIVE,
        }
        if scope:  # the scope is confidential: the public ledger gets its digest only
            details["scope_sha256"] = hashlib.sha256(scope.encode()).hexdigest()
        event = self._event(
            certificate, EventKind.LICENCE, actor, holder, counterparty=licensee, details=details
        )
        self.session.add(licence)
        self.session.flush()
        self._register_event(event, holder, "holder")
        licence.ledger_index, licence.event_id = event.ledger_index, event.id
        self._audit(actor, "certificate.licence", certificate, details)
        self._commit(certificate)
        return event

    def _check_term(self, certificate: Certificate, terms: LicenceTerms) -> dt.date:
        today = shanghai_date(self.now())
        starts_on = terms.starts_on or max(today, certificate.valid_from)
        if starts_on < today or starts_on < certificate.valid_from:
            raise InvalidInput("a licence cannot begin in the past")
        if not starts_on < terms.ends_on <= certificate.valid_to:
            raise InvalidInput(
                f"the licence must end after it begins ({starts_on}) and by "
                f"{certificate.valid_to}, the end of the certificate's validity"
            )
        return starts_on

    def _check_conflict(
        self,
        certificate: Certificate,
        rights: list[str],
        exclusivity: Exclusivity,
        starts_on: dt.date,
        ends_on: dt.date,
    ) -> None:
        """An exclusive or sole licence of a right admits no other licence of that right
        over an overlapping term (either way round). Runs under the certificate's lock."""
        query = select(CertificateLicence).where(
            CertificateLicence.certificate_id == certificate.id,
            CertificateLicence.state == LicenceState.GRANTED,
            CertificateLicence.starts_on <= ends_on,
            CertificateLicence.ends_on >= starts_on,
        )
        for other in self.session.scalars(query.order_by(CertificateLicence.id)):
            if exclusivity is Exclusivity.NON_EXCLUSIVE and not other.excludes_others:
                continue
            shared = [r for r in RIGHTS if r in rights and r in other.rights]
            if shared:
                raise LicenceConflict(certificate.number, other.licence_no, shared[0])

    def _check_rights_kept(self, certificate: Certificate, rights: list[str]) -> None:
        """A correction may not drop a right that a licence in force (or granted) covers."""
        day = shanghai_date(self.now())
        for lic in self.licences(certificate):
            dropped = [r for r in lic.rights if r not in rights]
            if dropped and lic.status_on(day) in IN_FORCE:
                raise RightLicensed(certificate.number, lic.licence_no, dropped[0])

    def _next_licence_no(self, certificate: Certificate) -> str:
        query = select(CertificateLicence.id).where(
            CertificateLicence.certificate_id == certificate.id
        )
        return f"{certificate.number}-L{len(self.session.scalars(query).all()) + 1:02d}"

    def revoke_licence(
        self, actor: Principal, number: str, licence_no: str, reasons: str
    ) -> CertificateEvent:
        """The holder ends a licence before its term (revoked early), with reasons."""
        certificate, holder = self._held(actor, number)
        text = clean_reasons(reasons)
        licence = self._licence(certificate, licence_no)
        today = shanghai_date(self.now())
        status = licence.status_on(today)
        if status not in IN_FORCE:
            raise InvalidTransition(f"licence {licence.licence_no} is {status}")
        licence.state, licence.revoked_at = LicenceState.REVOKED_EARLY, self.now()
        licence.revocation_reasons = text
        details = {
            "licence_no": licence.licence_no,
            "licence_action": "revoked_early",
            "licensee_uscc": licence.licensee.uscc,
            "ended_on": today.isoformat(),
        }
        event = self._event(
            certificate,
            EventKind.LICENCE,
            actor,
            holder,
            counterparty=licence.licensee,
            reasons=text,
            details=details,
        )
        self.session.flush()
        self._register_event(event, holder, "holder")
        licence.revocation_ledger_index = event.ledger_index
        self._audit(actor, "certificate.licence_revoked", certificate, details)
        self._commit(certificate)
        return event

    def _licence(self, certificate: Certificate, licence_no: str) -> CertificateLicence:
        clean = licence_no.strip().upper()
        licence = self.session.scalar(
            select(CertificateLicence)
            .where(
                CertificateLicence.certificate_id == certificate.id,
                CertificateLicence.licence_no == clean,
            )
            .execution_options(populate_existing=True)
        )
        if licence is None:
            raise LicenceNotFound(clean)
        return licence

    # -- reading ---------------------------------------------------------------------

    def licences(self, certificate: Certificate) -> Sequence[CertificateLicence]:
        """Every licence of the certificate, oldest first (public, without the scope)."""
        query = select(CertificateLicence).where(
            CertificateLicence.certificate_id == certificate.id
        )
        return self.session.scalars(query.order_by(CertificateLicence.id)).all()

    def licences_of(self, number: str) -> Sequence[CertificateLicence]:
        """Public: the licences of a certificate, by its number."""
        return self.licences(self.get(number))

    def licences_for(self, actor: Principal, limit: int = 500) -> LicenceLists:
        """Licences granted to the actor's organization and by it (on certificates it
        holds or granted from); registrars and the platform see every licence as given."""
        query = select(CertificateLicence).order_by(CertificateLicence.id.desc()).limit(limit)
        if self._sees_all(actor):
            return LicenceLists([], self.session.scalars(query).all(), sees_all=True)
        org = actor.organization_id or 0
        to_us = self.session.scalars(query.where(CertificateLicence.licensee_id == org)).all()
        by_us = self.session.scalars(
            query.join(Certificate, CertificateLicence.certificate_id == Certificate.id).where(
                or_(Certificate.holder_id == org, CertificateLicence.licensor_id == org)
            )
        ).all()
        return LicenceLists(to_us, by_us)

    def _sees_all(self, actor: Principal) -> bool:
        return actor.oversees_all_tenants or actor.org_kind == OrgKind.REGISTRAR

    def may_see_scope(self, actor: Principal | None, licence: CertificateLicence) -> bool:
        """The confidential scope: the licensee, the licensor, the holder, registrars."""
        if actor is None:
            return False
        parties = (licence.licensee_id, licence.licensor_id, licence.certificate.holder_id)
        return self._sees_all(actor) or actor.organization_id in parties

    def encumbrances(self, number: str) -> Encumbrances:
        """Public, in one call: is the certificate pledged (to whom, since when), which
        exclusive or sole licences are in force or granted, is a cancellation waiting."""
        certificate = self.get(number)
        day = shanghai_date(self.now())
        pledge = None
        if certificate.status is CertificateStatus.ENCUMBERED:
            query = select(CertificateEvent).where(
                CertificateEvent.certificate_id == certificate.id,
                CertificateEvent.kind == EventKind.PLEDGE,
            )
            pledge = self.session.scalars(query.order_by(CertificateEvent.id.desc())).first()
        exclusive = [
            lic
            for lic in self.licences(certificate)
            if lic.excludes_others and lic.status_on(day) in IN_FORCE
        ]
        waiting = select(CertificateEvent.id).where(
            CertificateEvent.certificate_id == certificate.id,
            CertificateEvent.kind == EventKind.CANCELLATION,
            CertificateEvent.state == EventState.PENDING,
        )
        pending = self.session.scalars(waiting).first() is not None
        return Encumbrances(certificate, day, pledge, exclusive, pending)
