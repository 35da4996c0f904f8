"""Sensitivity tables: scans of a dataset version with their proposed and confirmed grade,
the reviewers' decisions on grades, risk assessments (GB/T 45577) and the safeguards
(de-identification checks, consent bases) that let sensitive personal information through
the gates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from datadeed.db import Base, BigId, JSONDoc, utcnow


class SensitivityScan(Base):
    """One scan of one dataset version; the sealed result's digest is in the ledger."""

    __tablename__ = "sensitivity_scans"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    dataset_version_id: Mapped[int] = mapped_column(ForeignKey("dataset_versions.id"), index=True)
    engine: Mapped[str] = mapped_column(String(16))
    row_count: Mapped[int] = mapped_column(BigInteger)
    proposed_grade: Mapped[str] = mapped_column(String(16))
    grade: Mapped[str] = mapped_column(String(16))
    grade_status: Mapped[str] = mapped_column(String(16), default="proposed")
    has_pi: Mapped[bool] = mapped_column(Boolean)
    has_sensitive_pi: Mapped[bool] = mapped_column(Boolean)
    digest: Mapped[str] = mapped_column(String(64))
    result: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    ledger_index: Mapped[int] = mapped_column(ForeignKey("ledger_entries.idx"), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column()

    reviews: Mapped[list[GradeReview]] = relationship(
        back_populates="scan", order_by="GradeReview.id"
    )


class GradeReview(Base):
    """A reviewer's confirmation or change of a scan's grade, with the reason."""

    __tablename__ = "sensitivity_grade_reviews"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("sensitivity_scans.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    from_grade: Mapped[str] = mapped_column(String(16))
    to_grade: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewer_label: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    scan: Mapped[SensitivityScan] = relationship(back_populates="reviews")


class RiskAssessment(Base):
    """A data-security risk assessment (GB/T 45577) of a dataset, valid between two dates."""

    __tablename__ = "risk_assessments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    assessor: Mapped[str] = mapped_column(String(200))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PiSafeguard(Base):
    """What lets sensitive personal information in a version through the gates:
    a passed de-identification check (k-anonymity, l-diversity) or a consent basis."""

    __tablename__ = "pi_safeguards"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    dataset_version_id: Mapped[int] = mapped_column(ForeignKey("dataset_versions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    satisfied: Mapped[bool] = mapped_column(Boolean)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
