"""Input and output shapes of the sensitive-data API."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from datadeed.sensitive.gates import GateDecision
from datadeed.sensitive.models import GradeReview, SensitivityScan


class GradeReviewOut(BaseModel):
    action: str
    from_grade: str
    to_grade: str
    reason: str | None
    reviewer: str
    created_at: dt.datetime


class ScanOut(BaseModel):
    id: int
    dataset_id: int
    version_no: int
    engine: str
    row_count: int
    grade: str
    proposed_grade: str
    grade_status: str
    has_pi: bool
    has_sensitive_pi: bool
    digest: str
    ledger_index: int
    rationale: list[dict[str, Any]]
    columns: list[dict[str, Any]]
    reviews: list[GradeReviewOut]
    created_at: dt.datetime


class ScanStatusOut(BaseModel):
    """The latest scan of a version, or ``scan: null`` when it was never scanned."""

    dataset_id: int
    version_no: int
    scan: ScanOut | None


class GradeIn(BaseModel):
    action: Literal["confirm", "change"]
    grade: str | None = Field(default=None, max_length=16)
    reason: str | None = Field(default=None, max_length=2000)


class RiskAssessmentIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    assessor: str = Field(min_length=1, max_length=200)
    valid_from: dt.date
    valid_to: dt.date


class RiskAssessmentOut(BaseModel):
    id: int
    dataset_id: int
    title: str
    assessor: str
    valid_from: dt.date
    valid_to: dt.date


class SafeguardIn(BaseModel):
    kind: Literal["deidentified", "consent"]
    quasi_identifiers: list[str] = Field(default_factory=list, max_length=32)
    sensitive_attribute: str | None = Field(default=None, max_length=200)
    basis: str | None = Field(default=None, max_length=2000)


class SafeguardOut(BaseModel):
    id: int
    kind: str
    satisfied: bool
    detail: dict[str, Any]


class GateReasonOut(BaseModel):
    code: str
    message: str


class GateOut(BaseModel):
    purpose: str
    allowed: bool
    grade: str | None
    reasons: list[GateReasonOut]


class QueueItemOut(BaseModel):
    scan_id: int
    dataset_id: int
    dataset_name: str
    organization_id: int
    version_no: int
    proposed_grade: str
    has_sensitive_pi: bool
    created_at: dt.datetime


def review_out(review: GradeReview) -> GradeReviewOut:
    return GradeReviewOut(
        action=review.action,
        from_grade=review.from_grade,
        to_grade=review.to_grade,
        reason=review.reason,
        reviewer=review.reviewer_label,
        created_at=review.created_at,
    )


def scan_out(scan: SensitivityScan, dataset_id: int, version_no: int) -> ScanOut:
    return ScanOut(
        id=scan.id,
        dataset_id=dataset_id,
        version_no=version_no,
        engine=scan.engine,
        row_count=scan.row_count,
        grade=scan.grade,
        proposed_grade=scan.proposed_grade,
        grade_status=scan.grade_status,
        has_pi=scan.has_pi,
        has_sensitive_pi=scan.has_sensitive_pi,
        digest=scan.digest,
        ledger_index=scan.ledger_index,
        rationale=scan.result["rationale"],
        columns=scan.result["columns"],
        reviews=[review_out(r) for r in scan.reviews],
        created_at=scan.created_at,
    )


def gate_out(purpose: str, decision: GateDecision) -> GateOut:
    return GateOut(
        purpose=purpose,
        allowed=decision.allowed,
        grade=decision.grade,
        reasons=[GateReasonOut(code=r.code, message=r.message) for r in decision.reasons],
    )
