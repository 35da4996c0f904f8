"""Dataset tables: a dataset belongs to one organization and has numbered versions; each
version keeps its original file in the blob store, its fingerprints, and its reports."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import BigInteger, Float, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from datadeed.db import Base, BigId, JSONDoc, utcnow

if TYPE_CHECKING:
    from datadeed.accounts.models import Organization


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
    organization: Mapped[Organization] = relationship()
    rule_sets: Mapped[list[DatasetRuleSet]] = relationship(
        back_populates="dataset", order_by="DatasetRuleSet.version_no"
    )

    @property
    def latest_version(self) -> DatasetVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def current_rule_set(self) -> DatasetRuleSet | None:
        return self.rule_sets[-1] if self.rule_sets else None


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


class SketchHash(Base):
    """One hash of a version's overlap sketch: the index that finds the versions sharing
    any of a sketch's hashes, the only ones whose estimated overlap can be above zero.
    Hashes are unsigned 64-bit, stored two's complement in a signed BIGINT."""

    __tablename__ = "dataset_sketch_hashes"

    dataset_version_id: Mapped[int] = mapped_column(
        ForeignKey("dataset_versions.id"), primary_key=True
    )
    hash: Mapped[int] = mapped_column(BigInteger, primary_key=True, index=True)


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

    rule_set_id: Mapped[int | None] = mapped_column(ForeignKey("dataset_rule_sets.id"))

    version: Mapped[DatasetVersion] = relationship(back_populates="reports")
    rule_set: Mapped[DatasetRuleSet | None] = relationship()


class DatasetRuleSet(Base):
    """One version of a dataset's declared quality rules: the YAML as written (comments
    kept) and the validated rule set it parses to. Assessments use the newest."""

    __tablename__ = "dataset_rule_sets"
    __table_args__ = (UniqueConstraint("dataset_id", "version_no", name="uq_dataset_rule_sets_no"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id"), index=True)
    version_no: Mapped[int] = mapped_column()
    yaml_text: Mapped[str] = mapped_column(Text)
    rules: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    dataset: Mapped[Dataset] = relationship(back_populates="rule_sets")

    @property
    def label(self) -> str:
        """How reports name this rule set: ``dataset-7/r3``."""
        return f"dataset-{self.dataset_id}/r{self.version_no}"
