"""Dataset use cases: upload a version (stored, normalized, fingerprinted, assessed), list
and read them with tenant isolation. The report's digest goes into the ledger in the same
transaction as the rows."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from datadeed.accounts import audit
from datadeed.accounts.principal import Principal, require_role, require_tenant
from datadeed.accounts.roles import Role
from datadeed.config import Settings
from datadeed.datasets.blobs import BlobRef, LocalBlobStore
from datadeed.datasets.intake import IntakeLimits
from datadeed.datasets.models import Dataset, DatasetVersion, QualityReportRecord
from datadeed.db import utc_stamp
from datadeed.errors import InvalidInput, NotFound
from datadeed.ledger.services import LedgerService
from datadeed.quality.engines import get_engine
from datadeed.quality.local import Prepared, fingerprint_dict, prepare
from datadeed.quality.report import QualityReport

UPLOADER_ROLES = (Role.DATA_MANAGER, Role.ORG_ADMIN)


class DatasetService:
    def __init__(self, session: Session, settings: Settings, ledger: LedgerService) -> None:
        self.session = session
        self.settings = settings
        self.ledger = ledger
        self.blobs = LocalBlobStore(settings.blobs_dir)

    # -- writing -------------------------------------------------------------------

    def upload_version(
        self,
        actor: Principal,
        chunks: Iterable[bytes],
        *,
        name: str,
        filename: str | None = None,
        dataset_id: int | None = None,
    ) -> DatasetVersion:
        """Store the bytes, read them into canonical form, fingerprint and assess them,
        then record dataset, version, report and the report's ledger entry together."""
        require_role(actor, *UPLOADER_ROLES)
        dataset = self._dataset_for_upload(actor, dataset_id, name)
        blob = self.blobs.put_stream(chunks, limit=self.settings.upload_max_bytes)
        try:
            with tempfile.TemporaryDirectory(prefix="datadeed-intake-") as work:
                prepared = prepare(self.blobs.path(blob.sha256), Path(work), self._limits())
                report = get_engine("duckdb").assess(prepared.parquet)
                report = report.with_fingerprint(fingerprint_dict(prepared))
            version = self._new_version(actor, dataset, blob, prepared, filename)
            self._record_report(actor, version, report)
            self.session.commit()
        except BaseException:
            self.session.rollback()
            self._forget_blob(blob.sha256)
            raise
        return version

    def _forget_blob(self, sha256: str) -> None:
        """Nothing half-stored: drop the upload's blob unless a stored version uses it."""
        used = self.session.scalar(
            select(DatasetVersion.id).where(DatasetVersion.sha256 == sha256).limit(1)
        )
        if used is None:
            self.blobs.delete(sha256)

    def _dataset_for_upload(self, actor: Principal, dataset_id: int | None, name: str) -> Dataset:
        if dataset_id is not None:
            return self.get(actor, dataset_id)
        name = name.strip()
        if not name or len(name) > 200:
            raise InvalidInput("a dataset needs a name of 1 to 200 characters")
        if actor.organization_id is None:
            raise InvalidInput("datasets belong to an organization; log in as its member")
        dataset = Dataset(
            organization_id=actor.organization_id, name=name, created_by_id=actor.user_id
        )
        self.session.add(dataset)
        self.session.flush()
        return dataset

    def _new_version(
        self,
        actor: Principal,
        dataset: Dataset,
        blob: BlobRef,
        prepared: Prepared,
        filename: str | None,
    ) -> DatasetVersion:
        last = self.session.scalar(
            select(func.max(DatasetVersion.version_no)).where(
                DatasetVersion.dataset_id == dataset.id
            )
        )
        content = prepared.fingerprint.content
        version = DatasetVersion(
            dataset=dataset,
            version_no=(last or 0) + 1,
            filename=filename,
            format=prepared.detected.kind.value,
            encoding=prepared.detected.encoding.value if prepared.detected.encoding else None,
            size_bytes=blob.size,
            sha256=blob.sha256,
            sm3=blob.sm3,
            content_fingerprint=content.content,
            schema_fingerprint=content.schema,
            row_count=content.row_count,
            column_count=prepared.column_count,
            overlap_sketch=prepared.fingerprint.sketch.to_bytes(),
            created_by_id=actor.user_id,
        )
        self.session.add(version)
        self.session.flush()
        return version

    def _record_report(
        self, actor: Principal, version: DatasetVersion, report: QualityReport
    ) -> QualityReportRecord:
        subject = f"dataset:{version.dataset_id}/v{version.version_no}"
        appended = self.ledger.append(
            "report-digest/v1",
            {
                "report_type": "quality",
                "report_id": report.digest[:16],
                "digest": {"algo": "sha256", "hex": report.digest},
                "subject": subject,
                "issued_at": utc_stamp(),
            },
        )
        record = QualityReportRecord(
            version=version,
            engine=report.engine,
            ruleset_version=report.ruleset_version,
            weight_profile_version=report.weight_profile_version,
            score=report.score,
            grade=report.grade,
            digest=report.digest,
            report=report.model_dump(mode="json"),
            ledger_index=appended.index,
        )
        self.session.add(record)
        self.session.flush()
        audit.record(
            self.session,
            actor,
            "dataset.version",
            "dataset",
            version.dataset_id,
            organization_id=version.dataset.organization_id,
            detail={
                "version": version.version_no,
                "sha256": version.sha256,
                "report_digest": report.digest,
            },
        )
        return record

    def _limits(self) -> IntakeLimits:
        return IntakeLimits(max_bytes=self.settings.upload_max_bytes)

    # -- reading -------------------------------------------------------------------

    def list_own(self, actor: Principal) -> Sequence[Dataset]:
        query = select(Dataset).order_by(Dataset.id.desc())
        if not actor.oversees_all_tenants:
            query = query.where(Dataset.organization_id == actor.organization_id)
        return self.session.scalars(query).all()

    def get(self, actor: Principal, dataset_id: int) -> Dataset:
        dataset = self.session.get(Dataset, dataset_id)
        if dataset is None:
            raise NotFound("dataset not found")
        require_tenant(actor, dataset.organization_id, "dataset")
        return dataset

    def version(self, actor: Principal, dataset_id: int, version_no: int) -> DatasetVersion:
        dataset = self.get(actor, dataset_id)
        for version in dataset.versions:
            if version.version_no == version_no:
                return version
        raise NotFound("dataset version not found")

    def latest_report(
        self, actor: Principal, dataset_id: int, version_no: int
    ) -> QualityReportRecord:
        version = self.version(actor, dataset_id, version_no)
        if not version.reports:
            raise NotFound("no quality report for this version")
        return version.reports[-1]
