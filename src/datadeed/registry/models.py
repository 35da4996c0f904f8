"""Registration tables: the one-window application, who reviews it, its event history,
its public notice and the objections filed against it.

Certificates live in ``datadeed.certificates`` and point back at the application.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from datadeed.accounts.models import User
from datadeed.db import Base, BigId, JSONDoc, str_enum, utcnow
from datadeed.registry.states import ApplicationState


class Track(StrEnum):
    DATA_PROPERTY = "data_property"  # 数据产权登记
    DATA_IP = "data_ip"  # 数据知识产权登记


class ObjectType(StrEnum):
    DATA_RESOURCE = "data_resource"  # 数据资源
    DATA_PRODUCT = "data_product"  # 数据产品
    DATA_ASSET = "data_asset"  # 数据资产
    PUBLIC_DATA = "public_data"  # 公共数据资源


class Right(StrEnum):
    HOLD = "hold"  # 数据资源持有权
    USE = "use"  # 数据加工使用权
    OPERATE = "operate"  # 数据产品经营权


class SourceCategory(StrEnum):
    """Data-source categories A–F (DOMAIN.md §1.5), each with its required documents."""

    SELF_PRODUCED = "self_produced"  # A 自行生产
    PUBLIC_COLLECTION = "public_collection"  # B 公开采集
    PUBLIC_AUTHORISATION = "public_authorisation"  # C 公共数据授权
    CO_PRODUCTION = "co_production"  # D 共同生产
    PURCHASE = "purchase"  # E 交易采购
    OTHER = "other"  # F 其他


class ObjectionStatus(StrEnum):
    PENDING = "pending"
    UPHELD = "upheld"
    DISMISSED = "dismissed"
    CLOSED = "closed"  # still pending when another objection refused the case


class RegistrationApplication(Base):
    """One filing at the one window, for one or both tracks, over one dataset version.

    Evidence is referenced by evidence receipt id (``datadeed.evidence``): uploaded
    documents are lodged as evidence first, so every reference is in the ledger.
    """

    __tablename__ = "registration_applications"
    __table_args__ = (Index("ix_registration_applications_state_deadline", "state", "deadline"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    application_no: Mapped[str] = mapped_column(String(32), unique=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))
    # tracks ⊆ {data_property, data_ip}, as a sorted list
    tracks: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    object_type: Mapped[str | None] = mapped_column(String(32))
    # [{"right": "hold", "evidence": ["<receipt id>", ...]}, ...]
    rights_claimed: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, default=list)
    source_category: Mapped[str | None] = mapped_column(String(32))
    # {"<document kind>": ["<receipt id>", ...]}: what the source category requires
    source_documents: Mapped[dict[str, list[str]]] = mapped_column(JSONDoc, default=dict)
    source_explanation: Mapped[str | None] = mapped_column(Text)
    data_format: Mapped[str | None] = mapped_column(String(64))
    scale_records: Mapped[int | None] = mapped_column(BigInteger)
    scale_bytes: Mapped[int | None] = mapped_column(BigInteger)
    coverage_period: Mapped[str | None] = mapped_column(String(200))
    coverage_region: Mapped[str | None] = mapped_column(String(200))
    coverage_industry: Mapped[str | None] = mapped_column(String(200))
    update_frequency: Mapped[str | None] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(Text)
    # the dataset version, with its fingerprint and quality report copied at submission
    dataset_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("dataset_versions.id"), index=True
    )
    fingerprint_sha256: Mapped[str | None] = mapped_column(String(64))
    content_fingerprint: Mapped[str | None] = mapped_column(String(64), index=True)
    quality_report_id: Mapped[int | None] = mapped_column(ForeignKey("quality_reports.id"))
    quality_grade: Mapped[str | None] = mapped_column(String(1))
    # the sensitive-data gate's answer at submission: {"allowed", "grade", "reasons"}
    gate_result: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc)
    # evidence receipts the gate asks for: risk assessment, de-identification, consent
    compliance_documents: Mapped[dict[str, list[str]]] = mapped_column(JSONDoc, default=dict)
    commitment_accepted: Mapped[bool] = mapped_column(default=False)
    commitment_accepted_at: Mapped[dt.datetime | None] = mapped_column()

    state: Mapped[ApplicationState] = mapped_column(
        str_enum(ApplicationState, "application_state"), default=ApplicationState.DRAFT
    )
    # optimistic lock: two reviewers deciding at once, one gets 409
    version: Mapped[int] = mapped_column(default=1)
    # reviewer checklists: {"formal": {"<item>": true|false}, "substantive": {...}}
    checklist: Mapped[dict[str, dict[str, bool]]] = mapped_column(JSONDoc, default=dict)

    # the working-day clock (time limit from acceptance to a decision)
    submitted_at: Mapped[dt.datetime | None] = mapped_column()
    accepted_at: Mapped[dt.datetime | None] = mapped_column()
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    paused_workdays: Mapped[int] = mapped_column(default=0)
    paused_since: Mapped[dt.datetime | None] = mapped_column()
    decided_at: Mapped[dt.datetime | None] = mapped_column()
    certificate_number: Mapped[str | None] = mapped_column(String(64))

    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    assignments: Mapped[list[ReviewAssignment]] = relationship(
        back_populates="application", order_by="ReviewAssignment.id"
    )
    events: Mapped[list[RegistrationEvent]] = relationship(
        back_populates="application", order_by="RegistrationEvent.id"
    )
    notice: Mapped[PublicNotice | None] = relationship(back_populates="application")
    objections: Mapped[list[Objection]] = relationship(
        back_populates="application", order_by="Objection.id"
    )
    documents: Mapped[list[ApplicationDocument]] = relationship(
        back_populates="application", order_by="ApplicationDocument.id"
    )


class ApplicationDocument(Base):
    """A document filed with an application: the file is kept in the blob store (reviewers
    read it) and its digest is lodged as evidence, whose receipt the application cites."""

    __tablename__ = "application_documents"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("registration_applications.id"), index=True
    )
    # a right (hold / use / operate) or a source document kind
    kind: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str | None] = mapped_column(String(127))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    receipt_id: Mapped[str] = mapped_column(String(32))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    application: Mapped[RegistrationApplication] = relationship(back_populates="documents")


class ReviewAssignment(Base):
    """A reviewer assigned to a case; only assigned reviewers (or officers) decide it."""

    __tablename__ = "review_assignments"
    __table_args__ = (
        UniqueConstraint("application_id", "reviewer_id", name="uq_review_assignments_reviewer"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("registration_applications.id"), index=True
    )
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    application: Mapped[RegistrationApplication] = relationship(back_populates="assignments")
    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id])


class RegistrationEvent(Base):
    """Every transition of a case: who, why, when, and its registration-event entry."""

    __tablename__ = "registration_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("registration_applications.id"), index=True
    )
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    actor_label: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
    ledger_index: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.idx"), unique=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    application: Mapped[RegistrationApplication] = relationship(back_populates="events")


class PublicNotice(Base):
    """The public notice (公示) of a case: objections are open through ``ends_on``."""

    __tablename__ = "public_notices"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("registration_applications.id"), unique=True
    )
    notice_no: Mapped[str] = mapped_column(String(32), unique=True)
    published_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    starts_on: Mapped[dt.date] = mapped_column(Date)
    # last day (Asia/Shanghai) on which objections are accepted
    ends_on: Mapped[dt.date] = mapped_column(Date, index=True)
    workdays: Mapped[int] = mapped_column()
    closed_at: Mapped[dt.datetime | None] = mapped_column()

    application: Mapped[RegistrationApplication] = relationship(back_populates="notice")


class Objection(Base):
    """An objection (异议) filed during the notice, decided with reasons."""

    __tablename__ = "objections"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("registration_applications.id"), index=True
    )
    notice_id: Mapped[int] = mapped_column(ForeignKey("public_notices.id"), index=True)
    objector_organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id"), index=True
    )
    objector_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    grounds: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    status: Mapped[ObjectionStatus] = mapped_column(
        str_enum(ObjectionStatus, "objection_status"), default=ObjectionStatus.PENDING
    )
    filed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column()

    application: Mapped[RegistrationApplication] = relationship(back_populates="objections")
    response: Mapped[ObjectionResponse | None] = relationship(back_populates="objection")


class ObjectionResponse(Base):
    """The applicant's answer (答辩) to an objection: text and evidence receipts (documents
    filed with it are kept as application documents of kind ``objection_response``).
    One per objection, replaced until the objection is decided."""

    __tablename__ = "objection_responses"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    objection_id: Mapped[int] = mapped_column(ForeignKey("objections.id"), unique=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    responded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # 1 for the first answer, +1 for each replacement
    revision: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    objection: Mapped[Objection] = relationship(back_populates="response")
