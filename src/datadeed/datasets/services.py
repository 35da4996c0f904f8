"""Dataset use cases: upload a version (stored, normalized, fingerprinted, assessed —
at once for small files, as a background job for large ones), re-assess a version,
keep rule set versions, compare versions, flag overlaps, and read all of it with
tenant isolation. A report's digest goes into the ledger in the same transaction as
its rows.

Long work never holds a database transaction: every use case reads what it needs and
commits, runs intake and the engine, then writes in one short transaction (SQLite's
write lock is taken by BEGIN IMMEDIATE, and job progress is written from another
session meanwhile)."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from datadeed.accounts import audit
from datadeed.accounts.principal import Principal, require_role, require_tenant
from datadeed.accounts.roles import Role
from datadeed.config import Settings
from datadeed.datasets.assessment import (
    Progress,
    columns_of,
    record_report,
    reference_blobs,
    reference_columns,
    ruleset_of,
    step_reporter,
)
from datadeed.datasets.blobs import BlobRef, LocalBlobStore, copy_blob
from datadeed.datasets.compare import VersionComparison, compare_versions
from datadeed.datasets.intake import normalize
from datadeed.datasets.models import Dataset, DatasetRuleSet, DatasetVersion, QualityReportRecord
from datadeed.datasets.overlaps import find_overlaps, index_sketch
from datadeed.datasets.rulesets import check_rule_text
from datadeed.datasets.schemas import OverlapFlag
from datadeed.datasets.storage import blob_store, intake_limits
from datadeed.db import serialize_appends
from datadeed.errors import DatadeedError, InvalidInput, NotFound
from datadeed.jobs.models import Job
from datadeed.jobs.services import enqueue, recent_jobs
from datadeed.ledger.services import LedgerService
from datadeed.quality.engines import ENGINES, QualityEngine, get_engine
from datadeed.quality.local import Prepared, fingerprint_dict, prepare
from datadeed.quality.report import QualityReport
from datadeed.quality.suggest import suggest_rules_yaml

UPLOADER_ROLES = (Role.DATA_MANAGER, Role.ORG_ADMIN)
INTAKE_JOB = "dataset.intake"
ASSESS_JOB = "quality.assess"
# The rule set an assessment uses and the blobs of the datasets it references.
_Rules = tuple[DatasetRuleSet | None, dict[str, str]]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UploadOutcome:
    """What an upload did: a new version assessed at once, or a queued intake job."""

    dataset: Dataset
    version: DatasetVersion | None = None
    job: Job | None = None


@dataclass(frozen=True)
class _Assessed:
    prepared: Prepared
    report: QualityReport


@dataclass(frozen=True)
class DatasetPage:
    """Everything the dataset page shows, read in one service call."""

    dataset: Dataset
    latest: DatasetVersion | None
    jobs: Sequence[Job]
    comparison: VersionComparison | None
    overlaps: list[OverlapFlag]
    rule_set: DatasetRuleSet | None
    extra: dict[str, Any]


def dataset_subject(dataset_id: int) -> str:
    """The subject of jobs on a dataset (pages list them by it)."""
    return f"dataset:{dataset_id}"


class DatasetService:
    def __init__(self, session: Session, settings: Settings, ledger: LedgerService) -> None:
        self.session = session
        self.settings = settings
        self.ledger = ledger
        self.blobs = blob_store(settings)

    # -- uploading -----------------------------------------------------------------

    def upload_version(
        self,
        actor: Principal,
        chunks: Iterable[bytes],
        *,
        name: str,
        filename: str | None = None,
        dataset_id: int | None = None,
    ) -> DatasetVersion:
        """Store, read, fingerprint and assess the bytes now, whatever their size."""
        outcome = self.submit_upload(
            actor, chunks, name=name, filename=filename, dataset_id=dataset_id, sync=True
        )
        assert outcome.version is not None
        return outcome.version

    def submit_upload(
        self,
        actor: Principal,
        chunks: Iterable[bytes],
        *,
        name: str,
        filename: str | None = None,
        dataset_id: int | None = None,
        sync: bool | None = None,
    ) -> UploadOutcome:
        """Store the bytes; files under ``assess_async_min_bytes`` (or ``sync=True``) are
        assessed at once, larger ones by an intake job (the dataset row is created now so
        that its page can show the job)."""
        require_role(actor, *UPLOADER_ROLES)
        existing = self.get(actor, dataset_id) if dataset_id is not None else None
        if existing is None:
            name = _checked_name(name, actor)
        rule_set = existing.current_rule_set if existing is not None else None
        refs = self._reference_blobs(existing, rule_set)
        self.session.commit()  # end the read before the long part
        blob = self.blobs.put_stream(chunks, limit=intake_limits(self.settings).max_bytes)
        if sync is None:
            sync = blob.size < self.settings.assess_async_min_bytes
        try:
            if sync:
                version = self._ingest(actor, existing, name, blob, filename, (rule_set, refs))
                return UploadOutcome(version.dataset, version=version)
            dataset = existing or self._new_dataset(actor, name)
            job = enqueue(
                self.session,
                INTAKE_JOB,
                {"dataset_id": dataset.id, "sha256": blob.sha256, "filename": filename},
                actor,
                subject=dataset_subject(dataset.id),
                organization_id=dataset.organization_id,
            )
            self.session.commit()
            return UploadOutcome(dataset, job=job)
        except BaseException:
            self.session.rollback()
            self._forget_blob(blob.sha256)
            raise

    def ingest_stored(
        self,
        actor: Principal,
        dataset_id: int,
        sha256: str,
        filename: str | None,
        progress: Progress | None = None,
    ) -> DatasetVersion:
        """The intake job: read, fingerprint and assess a stored blob into a new version."""
        dataset = self.get(actor, dataset_id)
        rules = (dataset.current_rule_set, self._reference_blobs(dataset, dataset.current_rule_set))
        self.session.commit()
        blob = BlobRef(sha256=sha256, sm3="", size=self._blob_size(sha256))
        try:
            return self._ingest(actor, dataset, dataset.name, blob, filename, rules, progress)
        except BaseException:
            self.session.rollback()
            self._forget_blob(sha256)
            raise

    def _ingest(
        self,
        actor: Principal,
        dataset: Dataset | None,
        name: str,
        blob: BlobRef,
        filename: str | None,
        rules: _Rules,
        progress: Progress | None = None,
    ) -> DatasetVersion:
        rule_set = rules[0]
        assessed = self._assess_blob((blob.sha256, blob.sm3), rules, None, progress)
        dataset = dataset or self._new_dataset(actor, name)
        version = self._new_version(actor, dataset, blob, assessed.prepared, filename)
        self._record_report(actor, version, assessed.report, rule_set)
        self._scan_sensitive(actor, version)
        self.session.commit()
        return version

    def _scan_sensitive(self, actor: Principal, version: DatasetVersion) -> None:
        """Scan the new version for personal and important data in the same transaction,
        so that the registry's gate has an answer. A scan that cannot run leaves the
        version unscanned (the gate then says ``scan_missing``; it can be re-run on demand)
        rather than losing the upload."""
        from datadeed.sensitive.services import SensitiveService  # imports this module

        if not self.settings.sensitive_scan_on_upload:
            return
        try:
            SensitiveService(self.session, self.settings, self.ledger).scan_version(
                version.id, actor, commit=False
            )
        except DatadeedError as exc:
            log.warning("sensitivity scan of version %s failed: %s", version.id, exc)

    def _assess_blob(
        self,
        digests: tuple[str, str],  # the blob's SHA-256 (its key) and SM3
        rules: _Rules,
        engine: str | None,
        progress: Progress | None,
    ) -> _Assessed:
        rule_set, refs = rules
        report_step = step_reporter(progress)
        with tempfile.TemporaryDirectory(prefix="datadeed-intake-") as work:
            source = self._local_copy(digests[0], Path(work))
            reference_paths = self._reference_files(refs, Path(work))
            if progress:
                progress(0.02, "reading the file")
            prepared = prepare(
                source,
                Path(work) / "canonical",
                intake_limits(self.settings),
                sketch_k=self.settings.overlap_sketch_k,
                digests=digests,  # the blob store's, computed as the upload streamed in
            )
            if progress:
                progress(0.3, "assessing quality")
            report = self._engine(engine).assess(
                prepared.parquet,
                ruleset_of(rule_set),
                reference_paths=reference_paths,
                progress=report_step,
            )
            report = report.with_fingerprint(fingerprint_dict(prepared))
            return _Assessed(prepared, report)

    def _reference_blobs(
        self, dataset: Dataset | None, rule_set: DatasetRuleSet | None
    ) -> dict[str, str]:
        return reference_blobs(self.session, dataset, rule_set)

    def _reference_files(self, refs: dict[str, str], work: Path) -> dict[str, str | Path]:
        """Each referenced version read into canonical Parquet in ``work``."""
        paths: dict[str, str | Path] = {}
        for n, (name, sha256) in enumerate(sorted(refs.items())):
            folder = work / f"reference-{n}"
            folder.mkdir()
            source = self._local_copy(sha256, folder)
            limits = intake_limits(self.settings)
            paths[name] = normalize(source, folder / "data.parquet", limits=limits).path
        return paths

    def _record_report(
        self,
        actor: Principal,
        version: DatasetVersion,
        report: QualityReport,
        rule_set: DatasetRuleSet | None,
    ) -> QualityReportRecord:
        return record_report(self.session, self.ledger, actor, version, report, rule_set)

    def _local_copy(self, sha256: str, work: Path) -> Path:
        if isinstance(self.blobs, LocalBlobStore):
            return self.blobs.path(sha256)
        return copy_blob(self.blobs, sha256, work / "source")

    def _engine(self, name: str | None) -> QualityEngine:
        name = name or self.settings.quality_engine
        if name not in ENGINES:
            raise InvalidInput(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")
        if name == "duckdb":
            return get_engine("duckdb", memory_limit=self.settings.duckdb_memory_limit)
        return get_engine(name)

    def _blob_size(self, sha256: str) -> int:
        with self.blobs.open(sha256) as f:
            f.seek(0, 2)
            return f.tell()

    def _forget_blob(self, sha256: str) -> None:
        """Nothing half-stored: drop the upload's blob unless a stored version uses it."""
        used = self.session.scalar(
            select(DatasetVersion.id).where(DatasetVersion.sha256 == sha256).limit(1)
        )
        self.session.rollback()
        if used is None:
            self.blobs.delete(sha256)

    def _new_dataset(self, actor: Principal, name: str) -> Dataset:
        assert actor.organization_id is not None  # checked by _checked_name
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
        # Numbering under the append lock (taken anyway for the ledger entry): two
        # uploads to one dataset at once get versions n and n+1, not a unique violation.
        serialize_appends(self.session)
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
            sha256=prepared.sha256,
            sm3=prepared.sm3,
            content_fingerprint=content.content,
            schema_fingerprint=content.schema,
            row_count=content.row_count,
            column_count=prepared.column_count,
            overlap_sketch=prepared.fingerprint.sketch.to_bytes(),
            created_by_id=actor.user_id,
        )
        self.session.add(version)
        self.session.flush()
        index_sketch(self.session, version.id, prepared.fingerprint.sketch)
        return version

    # -- assessing again -----------------------------------------------------------

    def request_assessment(
        self, actor: Principal, dataset_id: int, version_no: int, engine: str | None = None
    ) -> Job:
        """Queue a new assessment of a version (with the dataset's current rules)."""
        require_role(actor, *UPLOADER_ROLES)
        version = self.version(actor, dataset_id, version_no)
        engine = engine or self.settings.quality_engine
        if engine not in ENGINES:
            raise InvalidInput(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
        job = enqueue(
            self.session,
            ASSESS_JOB,
            {"version_id": version.id, "engine": engine},
            actor,
            subject=dataset_subject(dataset_id),
            organization_id=version.dataset.organization_id,
        )
        self.session.commit()
        return job

    def assess_stored(
        self,
        actor: Principal,
        version_id: int,
        engine: str | None = None,
        progress: Progress | None = None,
    ) -> QualityReportRecord:
        """The assessment job: assess a stored version again and record the report."""
        version = self.session.get(DatasetVersion, version_id)
        if version is None:
            raise NotFound("dataset version not found")
        require_tenant(actor, version.dataset.organization_id, "dataset")
        rule_set = version.dataset.current_rule_set
        refs = self._reference_blobs(version.dataset, rule_set)
        self.session.commit()
        digests = (version.sha256, version.sm3)
        assessed = self._assess_blob(digests, (rule_set, refs), engine, progress)
        record = self._record_report(actor, version, assessed.report, rule_set)
        self.session.commit()
        return record

    # -- rule sets -----------------------------------------------------------------

    def save_rule_set(self, actor: Principal, dataset_id: int, yaml_text: str) -> DatasetRuleSet:
        """Validate the YAML against the dataset's columns and store it as the next rule
        set version; later assessments use it."""
        require_role(actor, *UPLOADER_ROLES)
        dataset = self.get(actor, dataset_id)
        ruleset = check_rule_text(
            yaml_text,
            self.columns_of(dataset),
            lambda name: reference_columns(self.session, dataset, name),
        )
        serialize_appends(self.session)  # two saves at once: versions n and n+1
        last = self.session.scalar(
            select(func.max(DatasetRuleSet.version_no)).where(
                DatasetRuleSet.dataset_id == dataset.id
            )
        )
        rule_set = DatasetRuleSet(
            dataset=dataset,
            version_no=(last or 0) + 1,
            yaml_text=yaml_text,
            rules=ruleset.model_dump(mode="json"),
            created_by_id=actor.user_id,
        )
        self.session.add(rule_set)
        self.session.flush()
        audit.record(
            self.session,
            actor,
            "dataset.rules",
            "dataset",
            dataset.id,
            organization_id=dataset.organization_id,
            detail={"rule_set": rule_set.label, "rules": len(ruleset.rules)},
        )
        self.session.commit()
        return rule_set

    def rule_set(self, actor: Principal, dataset_id: int) -> DatasetRuleSet | None:
        return self.get(actor, dataset_id).current_rule_set

    def suggest_rules(self, actor: Principal, dataset_id: int) -> str:
        """Rules proposed from the latest version's profile, as YAML."""
        dataset = self.get(actor, dataset_id)
        version = dataset.latest_version
        if version is None or not version.reports:
            raise NotFound("the dataset has no assessed version to suggest rules from")
        return suggest_rules_yaml(QualityReport.model_validate(version.reports[-1].report))

    def columns_of(self, dataset: Dataset) -> list[str] | None:
        return columns_of(dataset)

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

    def jobs(self, actor: Principal, dataset_id: int, limit: int = 5) -> Sequence[Job]:
        """The dataset's newest background jobs (intake, assessments)."""
        self.get(actor, dataset_id)
        return recent_jobs(self.session, actor, dataset_subject(dataset_id), limit)

    def page(self, actor: Principal, dataset_id: int) -> DatasetPage:
        """The dataset with its newest jobs, the latest version's comparison with the one
        before, its overlap flags, the current rule set and the sensitivity panel."""
        dataset = self.get(actor, dataset_id)
        latest = dataset.latest_version
        comparison = None
        if latest is not None and latest.version_no > 1:
            before = dataset.versions[-2]
            if latest.reports and before.reports:
                comparison = compare_versions(before, latest)
        return DatasetPage(
            dataset=dataset,
            latest=latest,
            jobs=recent_jobs(self.session, actor, dataset_subject(dataset_id)),
            comparison=comparison,
            overlaps=self.find_overlaps(latest.id) if latest is not None else [],
            rule_set=dataset.current_rule_set,
            extra=self._sensitivity_panel(latest),
        )

    def _sensitivity_panel(self, version: DatasetVersion | None) -> dict[str, Any]:
        """The sensitive-data domain's panel context for the latest version."""
        from datadeed.sensitive.services import panel_context  # imports this module

        if version is None:
            return {}
        context: dict[str, Any] = panel_context(self.session, version.id)
        return context

    # -- comparing -----------------------------------------------------------------

    def compare(
        self, actor: Principal, dataset_id: int, version_no: int, against: int | None = None
    ) -> VersionComparison:
        """Version ``version_no`` against ``against`` (default: the version before it)."""
        newer = self.version(actor, dataset_id, version_no)
        if against is None:
            if version_no <= 1:
                raise NotFound("version 1 has no previous version to compare with")
            against = version_no - 1
        older = self.version(actor, dataset_id, against)
        return compare_versions(older, newer)

    # -- overlaps ------------------------------------------------------------------

    def find_overlaps(self, version_id: int, *, min_containment: float = 0.5) -> list[OverlapFlag]:
        """Other organizations' datasets (latest versions) that hold the same content or
        contain at least ``min_containment`` of this version's rows, or the other way
        round. No permission check: callers (the registry, the pages) check access."""
        return find_overlaps(self.session, version_id, min_containment=min_containment)

    def overlaps_of(
        self, actor: Principal, dataset_id: int, version_no: int, *, min_containment: float = 0.5
    ) -> list[OverlapFlag]:
        """The overlap flags of one of the actor's own dataset versions."""
        version = self.version(actor, dataset_id, version_no)
        return self.find_overlaps(version.id, min_containment=min_containment)


def _checked_name(name: str, actor: Principal) -> str:
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidInput("a dataset needs a name of 1 to 200 characters")
    if actor.organization_id is None:
        raise InvalidInput("datasets belong to an organization; log in as its member")
    return name
