"""Gates the registry, exchange and pledge code call: may this dataset version be
registered, listed or pledged, and if not, what is missing.

Rules (DOMAIN.md §7.1, "what the software must model"):

- a version never scanned: not allowed (``scan_missing``);
- a grade proposed by the scanner but not confirmed by a reviewer: not allowed
  (``grade_unconfirmed``);
- core data: never (``core_data``);
- important data: needs a risk assessment of the dataset valid today
  (``risk_assessment_missing``);
- sensitive personal information: needs a passed de-identification check of the
  version or a documented consent basis (``safeguard_missing``).

Every reason that applies is returned, so the caller can show the whole list at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from datadeed.datasets.models import DatasetVersion
from datadeed.db import utcnow
from datadeed.errors import NotFound
from datadeed.sensitive.grading import CORE, IMPORTANT
from datadeed.sensitive.models import PiSafeguard, RiskAssessment, SensitivityScan

__all__ = ["GateDecision", "GatePurpose", "GateReason", "evaluate_gate", "latest_scan"]

GatePurpose = Literal["register", "list", "pledge"]


@dataclass(frozen=True)
class GateReason:
    code: str
    message: str


@dataclass(frozen=True)
class GateDecision:
    allowed: bool
    grade: str | None
    reasons: tuple[GateReason, ...]


_SCAN_MISSING = GateReason("scan_missing", "this dataset version has not been scanned")
_UNCONFIRMED = GateReason(
    "grade_unconfirmed", "the proposed grade has not been confirmed by a reviewer"
)
_CORE = GateReason("core_data", "core data may not be registered, listed or pledged")
_RISK = GateReason("risk_assessment_missing", "important data needs a risk assessment valid today")
_SAFEGUARD = GateReason(
    "safeguard_missing",
    "sensitive personal information needs a passed de-identification check or a consent basis",
)


def latest_scan(session: Session, dataset_version_id: int) -> SensitivityScan | None:
    """The most recent scan of a version, or None."""
    return session.scalar(
        select(SensitivityScan)
        .where(SensitivityScan.dataset_version_id == dataset_version_id)
        .order_by(SensitivityScan.id.desc())
        .limit(1)
    )


def _has_valid_risk_assessment(session: Session, dataset_id: int) -> bool:
    today = utcnow().date()
    found = session.scalar(
        select(RiskAssessment.id)
        .where(
            RiskAssessment.dataset_id == dataset_id,
            RiskAssessment.valid_from <= today,
            RiskAssessment.valid_to >= today,
        )
        .limit(1)
    )
    return found is not None


def _has_safeguard(session: Session, dataset_version_id: int) -> bool:
    found = session.scalar(
        select(PiSafeguard.id)
        .where(
            PiSafeguard.dataset_version_id == dataset_version_id,
            PiSafeguard.satisfied.is_(True),
        )
        .limit(1)
    )
    return found is not None


def _reasons(session: Session, version: DatasetVersion, scan: SensitivityScan) -> list[GateReason]:
    reasons: list[GateReason] = []
    if scan.grade_status != "confirmed":
        reasons.append(_UNCONFIRMED)
    if scan.grade == CORE:
        reasons.append(_CORE)
    if scan.grade == IMPORTANT and not _has_valid_risk_assessment(session, version.dataset_id):
        reasons.append(_RISK)
    if scan.has_sensitive_pi and not _has_safeguard(session, version.id):
        reasons.append(_SAFEGUARD)
    return reasons


def evaluate_gate(session: Session, dataset_version_id: int, purpose: GatePurpose) -> GateDecision:
    """Whether the version may be used for ``purpose``; raises NotFound for no such version.

    The rules are the same for the three purposes today; ``purpose`` is part of the
    interface so that a programme can tighten one of them without changing callers.
    """
    version = session.get(DatasetVersion, dataset_version_id)
    if version is None:
        raise NotFound("dataset version not found")
    scan = latest_scan(session, dataset_version_id)
    if scan is None:
        return GateDecision(False, None, (_SCAN_MISSING,))
    reasons = _reasons(session, version, scan)
    return GateDecision(not reasons, scan.grade, tuple(reasons))
