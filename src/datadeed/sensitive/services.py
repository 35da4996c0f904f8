"""Sensitive-data use cases: scan a dataset version (on upload or on demand), review its
proposed grade, record risk assessments, de-identification checks and consent bases,
and answer the gates.

Who may do what:

- the owner's data managers and admins scan their versions and record safeguards;
- grade reviewers (registrar reviewers and officers, the regulator, the platform
  operator) see every tenant's scans, confirm or change grades and may rescan;
- anyone else gets 404 for another tenant's dataset (existence does not leak), and
  403 for an action their role does not allow.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from datadeed.accounts import audit
from datadeed.accounts.principal import Principal, require_role, require_tenant
from datadeed.accounts.roles import OrgKind, Role
from datadeed.canonical import canonical_json, sha256_hex
from datadeed.config import Settings
from datadeed.datasets.blobs import LocalBlobStore
from datadeed.datasets.intake import IntakeLimits, normalize
from datadeed.datasets.models import Dataset, DatasetVersion
from datadeed.db import utc_stamp, utcnow
from datadeed.errors import InvalidInput, NotFound
from datadeed.ledger.services import LedgerService
from datadeed.sensitive.anonymity import AnonymityResult, check_anonymity
from datadeed.sensitive.errors import GradeAlreadyReviewed, InvalidGrade, ScanMissing
from datadeed.sensitive.gates import GateDecision, GatePurpose, evaluate_gate, latest_scan
from datadeed.sensitive.grading import GRADE_LABELS, GradingThresholds, is_grade
from datadeed.sensitive.models import GradeReview, PiSafeguard, RiskAssessment, SensitivityScan
from datadeed.sensitive.panel import panel_context
from datadeed.sensitive.scan import ScanResult, scan_parquet

__all__ = [
    "OWNER_ROLES",
    "REVIEWER_ROLES",
    "SensitiveService",
    "can_review",
    "panel_context",
]

OWNER_ROLES = (Role.DATA_MANAGER, Role.ORG_ADMIN)
REVIEWER_ROLES = (Role.REVIEWER, Role.REGISTRATION_OFFICER, Role.REGULATOR, Role.PLATFORM_ADMIN)
_REVIEWER_KINDS = (OrgKind.REGISTRAR, OrgKind.REGULATOR, OrgKind.PLATFORM_OPERATOR)
MAX_REASON = 2000


def can_review(actor: Principal) -> bool:
    """Grade reviewers: their organization oversees datasets and they hold a review role."""
    return actor.org_kind in _REVIEWER_KINDS and actor.has(*REVIEWER_ROLES)


@dataclass(frozen=True)
class VersionView:
    """Everything the version's sensitivity page shows."""

    dataset: Dataset
    version: DatasetVersion
    scan: SensitivityScan | None
    gates: dict[str, GateDecision]
    can_scan: bool
    can_review: bool


@dataclass(frozen=True)
class QueueItem:
    scan: SensitivityScan
    version: DatasetVersion
    dataset: Dataset


class SensitiveService:
    def __init__(self, session: Session, settings: Settings, ledger: LedgerService) -> None:
        self.session = session
        self.settings = settings
        self.ledger = ledger
        self.blobs = LocalBlobStore(settings.blobs_dir)

    # -- access --------------------------------------------------------------------

    def _check_access(self, actor: Principal, version: DatasetVersion) -> None:
        if not can_review(actor):
            require_tenant(actor, version.dataset.organization_id, "dataset")

    def version(self, actor: Principal, dataset_id: int, version_no: int) -> DatasetVersion:
        """A version the actor may see; NotFound otherwise."""
        version = self.session.scalar(
            select(DatasetVersion).where(
                DatasetVersion.dataset_id == dataset_id, DatasetVersion.version_no == version_no
            )
        )
        if version is None:
            raise NotFound("dataset version not found")
        self._check_access(actor, version)
        return version

    def _version_by_id(self, actor: Principal, dataset_version_id: int) -> DatasetVersion:
        version = self.session.get(DatasetVersion, dataset_version_id)
        if version is None:
            raise NotFound("dataset version not found")
        self._check_access(actor, version)
        return version

    def _scan(self, actor: Principal, scan_id: int) -> SensitivityScan:
        scan = self.session.get(SensitivityScan, scan_id)
        if scan is None:
            raise NotFound("scan not found")
        self._check_access(actor, self.session.get_one(DatasetVersion, scan.dataset_version_id))
        return scan

    # -- scanning ------------------------------------------------------------------

    def thresholds(self) -> GradingThresholds:
        return GradingThresholds(
            important_pi_subjects=self.settings.sensitive_important_pi_subjects,
            important_spi_subjects=self.settings.sensitive_important_spi_subjects,
        )

    def _run_on_version(self, version: DatasetVersion, engine: str) -> ScanResult:
        with tempfile.TemporaryDirectory(prefix="datadeed-scan-") as work:
            normalized = normalize(
                self.blobs.path(version.sha256),
                Path(work) / "data.parquet",
                limits=IntakeLimits(max_bytes=self.settings.upload_max_bytes),
            )
            return scan_parquet(normalized.path, engine=engine, thresholds=self.thresholds())

    def scan_version(
        self,
        dataset_version_id: int,
        principal: Principal,
        *,
        engine: str | None = None,
        commit: bool = True,
    ) -> ScanResult:
        """Scan the version's stored data over all rows and record the result, its ledger
        digest (report-digest/v1, report_type sensitivity) and an audit event.

        ``engine`` defaults to the ``quality_engine`` setting (duckdb or spark).
        ``commit=False`` leaves the commit to a caller that scans inside its own
        transaction (e.g. the upload)."""
        version = self._version_by_id(principal, dataset_version_id)
        require_role(principal, *OWNER_ROLES, *REVIEWER_ROLES)
        result = self._run_on_version(version, engine or self.settings.quality_engine)
        self._record(principal, version, result)
        if commit:
            self.session.commit()
        return result

    def scan(self, actor: Principal, dataset_id: int, version_no: int) -> SensitivityScan:
        """On demand: scan a version and return the stored scan."""
        version = self.version(actor, dataset_id, version_no)
        self.scan_version(version.id, actor)
        scan = latest_scan(self.session, version.id)
        assert scan is not None
        return scan

    def _record(
        self, actor: Principal, version: DatasetVersion, result: ScanResult
    ) -> SensitivityScan:
        body = result.as_dict()
        digest = sha256_hex(canonical_json(body))
        appended = self.ledger.append(
            "report-digest/v1",
            {
                "report_type": "sensitivity",
                "report_id": digest[:16],
                "digest": {"algo": "sha256", "hex": digest},
                "subject": f"dataset:{version.dataset_id}/v{version.version_no}",
                "issued_at": utc_stamp(),
            },
        )
        scan = SensitivityScan(
            dataset_version_id=version.id,
            engine=result.engine,
            row_count=result.row_count,
            proposed_grade=result.grade,
            grade=result.grade,
            grade_status="proposed",
            has_pi=result.has_pi,
            has_sensitive_pi=result.has_sensitive_pi,
            digest=digest,
            result=body,
            ledger_index=appended.index,
            created_by_id=actor.user_id,
        )
        self.session.add(scan)
        self.session.flush()
        audit.record(
            self.session,
            actor,
            "sensitivity.scan",
            "dataset",
            version.dataset_id,
            organization_id=version.dataset.organization_id,
            detail={"version": version.version_no, "grade": result.grade, "digest": digest},
        )
        return scan

    def latest_or_none(
        self, actor: Principal, dataset_id: int, version_no: int
    ) -> SensitivityScan | None:
        """The latest scan of a version the actor may see, or None if never scanned."""
        return latest_scan(self.session, self.version(actor, dataset_id, version_no).id)

    def version_view(self, actor: Principal, dataset_id: int, version_no: int) -> VersionView:
        version = self.version(actor, dataset_id, version_no)
        purposes: tuple[GatePurpose, ...] = ("register", "list", "pledge")
        return VersionView(
            dataset=version.dataset,
            version=version,
            scan=latest_scan(self.session, version.id),
            gates={p: evaluate_gate(self.session, version.id, p) for p in purposes},
            can_scan=actor.has(*OWNER_ROLES, *REVIEWER_ROLES),
            can_review=can_review(actor),
        )

    def latest(self, actor: Principal, dataset_id: int, version_no: int) -> SensitivityScan:
        version = self.version(actor, dataset_id, version_no)
        scan = latest_scan(self.session, version.id)
        if scan is None:
            raise NotFound("this version has not been scanned")
        return scan

    # -- review --------------------------------------------------------------------

    def review_queue(self, actor: Principal) -> list[QueueItem]:
        """Latest scans whose proposed grade awaits a reviewer, oldest first."""
        require_role(actor, *REVIEWER_ROLES)
        if not can_review(actor):
            return []
        rows = self.session.execute(
            select(SensitivityScan, DatasetVersion, Dataset)
            .join(DatasetVersion, SensitivityScan.dataset_version_id == DatasetVersion.id)
            .join(Dataset, DatasetVersion.dataset_id == Dataset.id)
            .where(SensitivityScan.grade_status == "proposed")
            .order_by(SensitivityScan.id)
        ).all()
        latest: dict[int, QueueItem] = {}
        for scan, version, dataset in rows:
            latest[version.id] = QueueItem(scan, version, dataset)
        return [item for item in latest.values() if self._is_latest(item.scan)]

    def _is_latest(self, scan: SensitivityScan) -> bool:
        newest = latest_scan(self.session, scan.dataset_version_id)
        return newest is not None and newest.id == scan.id

    def _require_reviewer(self, actor: Principal) -> None:
        require_role(actor, *REVIEWER_ROLES)
        if not can_review(actor):
            require_role(actor, Role.PLATFORM_ADMIN)

    def confirm_grade(self, actor: Principal, scan_id: int) -> SensitivityScan:
        """Confirm the proposed grade; 409 if it was already reviewed."""
        self._require_reviewer(actor)
        scan = self._scan(actor, scan_id)
        return self._review(actor, scan, "confirm", scan.grade, None, expect="proposed")

    def change_grade(
        self, actor: Principal, scan_id: int, grade: str, reason: str
    ) -> SensitivityScan:
        """Set another grade, with the reason; recorded in the audit log and reviews."""
        self._require_reviewer(actor)
        if not is_grade(grade):
            raise InvalidGrade(f"unknown grade {grade!r}; one of {', '.join(GRADE_LABELS)}")
        reason = reason.strip()
        if not reason or len(reason) > MAX_REASON:
            raise InvalidInput(f"a grade change needs a reason of 1 to {MAX_REASON} characters")
        scan = self._scan(actor, scan_id)
        return self._review(actor, scan, "change", grade, reason, expect=scan.grade_status)

    def _review(
        self,
        actor: Principal,
        scan: SensitivityScan,
        action: str,
        to_grade: str,
        reason: str | None,
        *,
        expect: str,
    ) -> SensitivityScan:
        from_grade, now = scan.grade, utcnow()
        # Compare-and-set: of two reviewers acting at once, one wins, the other gets 409.
        changed = self.session.execute(
            update(SensitivityScan)
            .where(
                SensitivityScan.id == scan.id,
                SensitivityScan.grade_status == expect,
                SensitivityScan.grade == from_grade,
            )
            .values(
                grade=to_grade,
                grade_status="confirmed",
                reviewed_by_id=actor.user_id,
                reviewed_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        if cast(CursorResult[Any], changed).rowcount != 1:
            self.session.rollback()
            raise GradeAlreadyReviewed("this grade was already reviewed; reload and retry")
        self.session.add(
            GradeReview(
                scan_id=scan.id,
                action=action,
                from_grade=from_grade,
                to_grade=to_grade,
                reason=reason,
                reviewer_id=actor.user_id,
                reviewer_label=actor.label[:100],
            )
        )
        version = self.session.get_one(DatasetVersion, scan.dataset_version_id)
        audit.record(
            self.session,
            actor,
            f"sensitivity.grade_{action}",
            "dataset",
            version.dataset_id,
            organization_id=version.dataset.organization_id,
            detail={
                "version": version.version_no,
                "scan": scan.id,
                "from": from_grade,
                "to": to_grade,
                "reason": reason,
            },
        )
        self.session.commit()
        self.session.refresh(scan)
        return scan

    def review_latest(
        self,
        actor: Principal,
        dataset_id: int,
        version_no: int,
        action: str,
        grade: str | None = None,
        reason: str | None = None,
    ) -> SensitivityScan:
        """Confirm or change the grade of a version's latest scan."""
        version = self.version(actor, dataset_id, version_no)
        self._require_reviewer(actor)
        scan = latest_scan(self.session, version.id)
        if scan is None:
            raise ScanMissing("scan this version before reviewing its grade")
        if action == "confirm":
            return self.confirm_grade(actor, scan.id)
        if action == "change":
            return self.change_grade(actor, scan.id, grade or "", reason or "")
        raise InvalidInput("action is confirm or change")

    # -- safeguards and risk assessments ---------------------------------------------

    def record_risk_assessment(
        self,
        actor: Principal,
        dataset_id: int,
        *,
        title: str,
        assessor: str,
        valid_from: dt.date,
        valid_to: dt.date,
    ) -> RiskAssessment:
        """Record a GB/T 45577 risk assessment of a dataset, valid between two dates."""
        require_role(actor, *OWNER_ROLES, Role.REGULATOR, Role.PLATFORM_ADMIN)
        dataset = self.session.get(Dataset, dataset_id)
        if dataset is None:
            raise NotFound("dataset not found")
        if not can_review(actor):
            require_tenant(actor, dataset.organization_id, "dataset")
        title, assessor = title.strip(), assessor.strip()
        if not title or not assessor or len(title) > 200 or len(assessor) > 200:
            raise InvalidInput("a risk assessment needs a title and an assessor (≤ 200 characters)")
        if valid_to < valid_from:
            raise InvalidInput("valid_to is before valid_from")
        record = RiskAssessment(
            dataset_id=dataset.id,
            title=title,
            assessor=assessor,
            valid_from=valid_from,
            valid_to=valid_to,
            created_by_id=actor.user_id,
        )
        self.session.add(record)
        self.session.flush()
        audit.record(
            self.session,
            actor,
            "sensitivity.risk_assessment",
            "dataset",
            dataset.id,
            organization_id=dataset.organization_id,
            detail={"valid_from": valid_from.isoformat(), "valid_to": valid_to.isoformat()},
        )
        self.session.commit()
        return record

    def check_deidentification(
        self,
        actor: Principal,
        dataset_id: int,
        version_no: int,
        quasi_identifiers: Sequence[str],
        sensitive_attribute: str | None = None,
    ) -> tuple[PiSafeguard, AnonymityResult]:
        """k-anonymity / l-diversity of the version's data; stored as a safeguard that
        satisfies the gates when it passes the configured minimums."""
        version = self.version(actor, dataset_id, version_no)
        require_role(actor, *OWNER_ROLES, *REVIEWER_ROLES)
        with tempfile.TemporaryDirectory(prefix="datadeed-deid-") as work:
            normalized = normalize(
                self.blobs.path(version.sha256),
                Path(work) / "data.parquet",
                limits=IntakeLimits(max_bytes=self.settings.upload_max_bytes),
            )
            result = check_anonymity(
                normalized.path,
                list(quasi_identifiers),
                sensitive_attribute,
                k_min=self.settings.sensitive_k_min,
                l_min=self.settings.sensitive_l_min,
            )
        safeguard = self._safeguard(actor, version, "deidentified", result.passed, result.as_dict())
        return safeguard, result

    def record_consent_basis(
        self, actor: Principal, dataset_id: int, version_no: int, basis: str
    ) -> PiSafeguard:
        """Document the consent basis (e.g. separate consent under PIPL art. 29)."""
        version = self.version(actor, dataset_id, version_no)
        require_role(actor, *OWNER_ROLES)
        basis = basis.strip()
        if not basis or len(basis) > MAX_REASON:
            raise InvalidInput(f"describe the consent basis in 1 to {MAX_REASON} characters")
        return self._safeguard(actor, version, "consent", True, {"basis": basis})

    def _safeguard(
        self,
        actor: Principal,
        version: DatasetVersion,
        kind: str,
        satisfied: bool,
        detail: dict[str, Any],
    ) -> PiSafeguard:
        safeguard = PiSafeguard(
            dataset_version_id=version.id,
            kind=kind,
            satisfied=satisfied,
            detail=detail,
            created_by_id=actor.user_id,
        )
        self.session.add(safeguard)
        self.session.flush()
        audit.record(
            self.session,
            actor,
            f"sensitivity.{kind}",
            "dataset",
            version.dataset_id,
            organization_id=version.dataset.organization_id,
            detail={"version": version.version_no, "satisfied": satisfied},
        )
        self.session.commit()
        return safeguard

    def add_safeguard(
        self,
        actor: Principal,
        dataset_id: int,
        version_no: int,
        kind: str,
        *,
        quasi_identifiers: Sequence[str] = (),
        sensitive_attribute: str | None = None,
        basis: str | None = None,
    ) -> PiSafeguard:
        """A de-identification check (``deidentified``) or a consent basis (``consent``)."""
        if kind == "deidentified":
            safeguard, _ = self.check_deidentification(
                actor, dataset_id, version_no, quasi_identifiers, sensitive_attribute
            )
            return safeguard
        if kind == "consent":
            return self.record_consent_basis(actor, dataset_id, version_no, basis or "")
        raise InvalidInput("kind is deidentified or consent")

    def gate(
        self, actor: Principal, dataset_id: int, version_no: int, purpose: GatePurpose
    ) -> GateDecision:
        version = self.version(actor, dataset_id, version_no)
        return evaluate_gate(self.session, version.id, purpose)
