"""Dataset tables: a dataset belongs to one organization and has numbered versions; each
version keeps its original file in the blob store, its fingerprints, and its reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Float, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from datadeed.db import Base, BigId, JSONDoc, utcnow


class Dataset(Base):
    __tablename__ = "datasets"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    versions: Mapped[list[DatasetVersion]] = relationship(
        back_populates="dataset", order_by="DatasetVersion.version_no"
    )


class DatasetVersion(Base):
    __tablename__ = "dataset_versions"
    __table_args__ = (UniqueConstraint("dataset_id", "version_no", name="uq_dataset_versions_no"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id"), index=True)
    version_no: Mapped[int] = mapped_column()
    filename: Mapped[str | None] = mapped_column(String(255))
    format: Mapped[str] = mapped_column(String(16))
    encoding: Mapped[str | None] = mapped_column(String(16))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    sm3: Mapped[str] = mapped_column(String(64))
    content_fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    schema_fingerprint: Mapped[str] = mapped_column(String(64))
    row_count: Mapped[int] = mapped_column(BigInteger)
    column_count: Mapped[int] = mapped_column()
    overlap_sketch: Mapped[bytes] = mapped_column(LargeBinary)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    dataset: Mapped[Dataset] = relationship(back_populates="versions")
    reports: Mapped[list[QualityReportRecord]] = relationship(
        back_populates="version", order_by="QualityReportRecord.id"
    )


class QualityReportRecord(Base):
    """A sealed quality report; its digest is in the ledger as report-digest/v1."""

    __tablename__ = "quality_reports"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    dataset_version_id: Mapped[int] = mapped_column(ForeignKey("dataset_versions.id"), index=True)
    engine: Mapped[str] = mapped_column(String(16))
    ruleset_version: Mapped[str | None] = mapped_column(String(64))
    weight_profile_version: Mapped[str] = mapped_column(String(64))
    score: Mapped[float | None] = mapped_column(Float)
    grade: Mapped[str | None] = mapped_column(String(1))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    report: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    ledger_index: Mapped[int] = mapped_column(ForeignKey("ledger_entries.idx"), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    version: Mapped[DatasetVersion] = relationship(back_populates="reports")
