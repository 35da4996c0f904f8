"""Certificates (登记证书) and the registrations that happen to them afterwards.

One row per certificate number. A change, correction, transfer or renewal makes a new
*edition* of the same number: the row is updated, a new certificate/v1 entry is signed and
appended, and a ``certificate_events`` row keeps the registration with its own number.
``row_version`` is an optimistic lock: two writers racing on one certificate cannot both
commit (the loser gets a 409).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from datadeed.accounts.models import Organization
from datadeed.certificates.numbering import Track
from datadeed.db import Base, BigId, JSONDoc, str_enum, utcnow


class CertificateStatus(StrEnum):
    VALID = "valid"
    ENCUMBERED = "encumbered"  # pledged: finance/ sets it; transfer and cancellation wait
    CANCELLED = "cancelled"  # 注销 at the holder's request
    REVOKED = "revoked"  # 撤销 by the registrar


class EventKind(StrEnum):
    """Registration types after (and including) the first registration."""

    ISSUE = "issue"  # 首次登记
    CHANGE = "change"  # 变更
    CORRECTION = "correction"  # 更正
    TRANSFER = "transfer"  # 转移
    LICENCE = "licence"  # 许可
    RENEWAL = "renewal"  # 续展
    CANCELLATION = "cancellation"  # 注销
    REVOCATION = "revocation"  # 撤销
    PLEDGE = "pledge"  # 质押登记 (finance/ records the pledge itself)
    PLEDGE_RELEASE = "pledge_release"  # 质押注销


class EventState(StrEnum):
    PENDING = "pending"  # a transfer offered, waiting for the other organization
    REGISTERED = "registered"
    WITHDRAWN = "withdrawn"


class Certificate(Base):
    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    registration_no: Mapped[str] = mapped_column(String(32), unique=True)
    track: Mapped[Track] = mapped_column(str_enum(Track, "certificate_track"))
    edition: Mapped[int] = mapped_column(default=1)
    holder_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    rights: Mapped[list[str]] = mapped_column(JSONDoc)
    object_name: Mapped[str] = mapped_column(String(200))
    object_type: Mapped[str] = mapped_column(String(32))
    object_description: Mapped[str | None] = mapped_column(Text)
    dataset_version_id: Mapped[int | None] = mapped_column(ForeignKey("dataset_versions.id"))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content_fingerprint: Mapped[str] = mapped_column(String(64))
    case_no: Mapped[str | None] = mapped_column(String(64))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[CertificateStatus] = mapped_column(
        str_enum(CertificateStatus, "certificate_status"), default=CertificateStatus.VALID
    )
    pending_transfer_to_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    first_issued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    issued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    ledger_index: Mapped[int] = mapped_column(ForeignKey("ledger_entries.idx"))
    signature: Mapped[str] = mapped_column(Text)
    row_version: Mapped[int] = mapped_column(default=1)

    holder: Mapped[Organization] = relationship(foreign_keys=[holder_id], lazy="joined")
    issuer: Mapped[Organization] = relationship(foreign_keys=[issuer_id], lazy="joined")
    pending_transfer_to: Mapped[Organization | None] = relationship(
        foreign_keys=[pending_transfer_to_id]
    )
    events: Mapped[list[CertificateEvent]] = relationship(
        back_populates="certificate", order_by="CertificateEvent.id"
    )

    __mapper_args__ = {"version_id_col": row_version}  # noqa: RUF012

    def status_on(self, day: dt.date) -> str:
        """What a verifier is told: the stored status, or ``expired`` once past valid_to."""
        live = self.status in (CertificateStatus.VALID, CertificateStatus.ENCUMBERED)
        return "expired" if live and day > self.valid_to else self.status.value


class CertificateEvent(Base):
    """One registration on a certificate (its own number), as shown in its history."""

    __tablename__ = "certificate_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), index=True)
    event_no: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[EventKind] = mapped_column(str_enum(EventKind, "certificate_event_kind"))
    state: Mapped[EventState] = mapped_column(
        str_enum(EventState, "certificate_event_state"), default=EventState.REGISTERED
    )
    actor_org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    counterparty_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    reasons: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
    edition: Mapped[int] = mapped_column()
    ledger_index: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column()

    certificate: Mapped[Certificate] = relationship(back_populates="events")
    actor_org: Mapped[Organization | None] = relationship(foreign_keys=[actor_org_id])
    counterparty: Mapped[Organization | None] = relationship(foreign_keys=[counterparty_id])


class Exclusivity(StrEnum):
    """How exclusive a licence is (许可方式)."""

    EXCLUSIVE = "exclusive"  # 独占许可: nobody else, the licensor included, uses the right
    SOLE = "sole"  # 排他许可: the licensor may still use it, but licenses nobody else
    NON_EXCLUSIVE = "non_exclusive"  # 普通许可


class LicenceState(StrEnum):
    """What is stored; active / expired / lapsed are computed from the dates (see
    ``CertificateLicence.status_on``), never by a scheduled job."""

    GRANTED = "granted"
    REVOKED_EARLY = "revoked_early"  # terminated by the holder before its end, with reasons


class CertificateLicence(Base):
    """许可登记: a licence of some of a certificate's rights to another organization, for a
    term inside the certificate's validity. It survives a transfer of the certificate (it
    binds the new holder); ``licensor`` stays the organization that granted it."""

    __tablename__ = "certificate_licences"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    licence_no: Mapped[str] = mapped_column(String(40), unique=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), index=True)
    licensor_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    licensee_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    rights: Mapped[list[str]] = mapped_column(JSONDoc)
    exclusivity: Mapped[Exclusivity] = mapped_column(
        str_enum(Exclusivity, "certificate_licence_exclusivity")
    )
    scope: Mapped[str | None] = mapped_column(Text)  # confidential: parties and registrars
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    state: Mapped[LicenceState] = mapped_column(
        str_enum(LicenceState, "certificate_licence_state"), default=LicenceState.GRANTED
    )
    ledger_index: Mapped[int | None] = mapped_column(BigInteger)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("certificate_events.id"))
    granted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column()
    revocation_reasons: Mapped[str | None] = mapped_column(Text)
    revocation_ledger_index: Mapped[int | None] = mapped_column(BigInteger)

    certificate: Mapped[Certificate] = relationship(lazy="joined")
    licensor: Mapped[Organization] = relationship(foreign_keys=[licensor_id], lazy="joined")
    licensee: Mapped[Organization] = relationship(foreign_keys=[licensee_id], lazy="joined")

    def status_on(self, day: dt.date) -> str:
        """granted (not begun) / active / expired / revoked_early / lapsed (the certificate
        was cancelled or revoked)."""
        if self.state is LicenceState.REVOKED_EARLY:
            return "revoked_early"
        if self.certificate.status in (CertificateStatus.CANCELLED, CertificateStatus.REVOKED):
            return "lapsed"
        if day > self.ends_on:
            return "expired"
        return "granted" if day < self.starts_on else "active"

    @property
    def excludes_others(self) -> bool:
        """Exclusive and sole licences both bar any other licensee of the same right."""
        return self.exclusivity is not Exclusivity.NON_EXCLUSIVE
