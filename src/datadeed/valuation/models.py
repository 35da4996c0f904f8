"""Valuation cases: an appraiser values one dataset version (optionally named by its
certificate number) for a purpose, using the version's quality report; the signed
report's digest is in the ledger as report-digest/v1."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from datadeed.accounts.models import Organization, User
from datadeed.datasets.models import DatasetVersion, QualityReportRecord
from datadeed.db import Base, BigId, JSONDoc, utcnow


class CaseStatus(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    SIGNED = "signed"


class ValuationCase(Base):
    __tablename__ = "valuation_cases"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # The appraiser organization that runs and signs the case (the tenant).
    appraiser_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    # The enterprise that holds the dataset (may view the case).
    holder_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    # A bank with a pledge interest (may view the case once signed).
    pledgee_org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    dataset_version_id: Mapped[int] = mapped_column(ForeignKey("dataset_versions.id"), index=True)
    quality_report_id: Mapped[int | None] = mapped_column(ForeignKey("quality_reports.id"))
    certificate_no: Mapped[str | None] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(32))
    base_date: Mapped[dt.date] = mapped_column(Date)
    value_type: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=CaseStatus.DRAFT.value, index=True)
    inputs: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc)
    value: Mapped[Decimal | None] = mapped_column()
    coefficient_table: Mapped[str | None] = mapped_column(String(64))
    report_no: Mapped[str | None] = mapped_column(String(64), unique=True)
    report_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    ledger_index: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.idx"), unique=True)
    signer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    signed_at: Mapped[dt.datetime | None] = mapped_column()

    appraiser: Mapped[Organization] = relationship(foreign_keys=[appraiser_org_id])
    holder: Mapped[Organization] = relationship(foreign_keys=[holder_org_id])
    pledgee: Mapped[Organization | None] = relationship(foreign_keys=[pledgee_org_id])
    version: Mapped[DatasetVersion] = relationship()
    quality_report: Mapped[QualityReportRecord | None] = relationship()
    signer: Mapped[User | None] = relationship(foreign_keys=[signer_id])
