"""Sensitive-data API: scan a version on demand, read its latest scan, review the grade,
record risk assessments and PI safeguards, ask the gates."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from starlette.concurrency import run_in_threadpool

from datadeed.sensitive.deps import SensitiveDep
from datadeed.sensitive.gates import GatePurpose
from datadeed.sensitive.schemas import (
    GateOut,
    GradeIn,
    QueueItemOut,
    RiskAssessmentIn,
    RiskAssessmentOut,
    SafeguardIn,
    SafeguardOut,
    ScanOut,
    ScanStatusOut,
    gate_out,
    scan_out,
)
from datadeed.web.deps import ApiActor

router = APIRouter(tags=["sensitive data"])
VERSION = "/datasets/{dataset_id}/versions/{version_no}"


@router.post(f"{VERSION}/scan", status_code=status.HTTP_201_CREATED, response_model=ScanOut)
async def scan_version(
    dataset_id: int, version_no: int, actor: ApiActor, sensitive: SensitiveDep
) -> ScanOut:
    """Scan the version's stored data (all rows) for personal information and grade it."""
    scan = await run_in_threadpool(sensitive.scan, actor, dataset_id, version_no)
    return scan_out(scan, dataset_id, version_no)


@router.get(f"{VERSION}/scan", response_model=ScanStatusOut)
def get_scan(
    dataset_id: int, version_no: int, actor: ApiActor, sensitive: SensitiveDep
) -> ScanStatusOut:
    """The latest scan (masked samples only), or ``scan: null`` if never scanned."""
    scan = sensitive.latest_or_none(actor, dataset_id, version_no)
    out = scan_out(scan, dataset_id, version_no) if scan is not None else None
    return ScanStatusOut(dataset_id=dataset_id, version_no=version_no, scan=out)


@router.post(f"{VERSION}/grade", response_model=ScanOut)
def review_grade(
    dataset_id: int, version_no: int, body: GradeIn, actor: ApiActor, sensitive: SensitiveDep
) -> ScanOut:
    """Reviewers: confirm the proposed grade, or change it with a reason."""
    scan = sensitive.review_latest(
        actor, dataset_id, version_no, body.action, body.grade, body.reason
    )
    return scan_out(scan, dataset_id, version_no)


@router.get("/sensitivity/reviews", response_model=list[QueueItemOut])
def review_queue(actor: ApiActor, sensitive: SensitiveDep) -> list[QueueItemOut]:
    """Reviewers: the latest scans whose proposed grade awaits confirmation."""
    return [
        QueueItemOut(
            scan_id=i.scan.id,
            dataset_id=i.dataset.id,
            dataset_name=i.dataset.name,
            organization_id=i.dataset.organization_id,
            version_no=i.version.version_no,
            proposed_grade=i.scan.proposed_grade,
            has_sensitive_pi=i.scan.has_sensitive_pi,
            created_at=i.scan.created_at,
        )
        for i in sensitive.review_queue(actor)
    ]


@router.post(
    "/datasets/{dataset_id}/risk-assessments",
    status_code=status.HTTP_201_CREATED,
    response_model=RiskAssessmentOut,
)
def record_risk_assessment(
    dataset_id: int, body: RiskAssessmentIn, actor: ApiActor, sensitive: SensitiveDep
) -> RiskAssessmentOut:
    """Record a GB/T 45577 risk assessment of the dataset (needed for important data)."""
    record = sensitive.record_risk_assessment(
        actor,
        dataset_id,
        title=body.title,
        assessor=body.assessor,
        valid_from=body.valid_from,
        valid_to=body.valid_to,
    )
    return RiskAssessmentOut(
        id=record.id,
        dataset_id=record.dataset_id,
        title=record.title,
        assessor=record.assessor,
        valid_from=record.valid_from,
        valid_to=record.valid_to,
    )


@router.post(
    f"{VERSION}/safeguards", status_code=status.HTTP_201_CREATED, response_model=SafeguardOut
)
async def add_safeguard(
    dataset_id: int, version_no: int, body: SafeguardIn, actor: ApiActor, sensitive: SensitiveDep
) -> SafeguardOut:
    """A de-identification check (k-anonymity, l-diversity) or a documented consent basis."""
    safeguard = await run_in_threadpool(
        lambda: sensitive.add_safeguard(
            actor,
            dataset_id,
            version_no,
            body.kind,
            quasi_identifiers=body.quasi_identifiers,
            sensitive_attribute=body.sensitive_attribute,
            basis=body.basis,
        )
    )
    return SafeguardOut(
        id=safeguard.id,
        kind=safeguard.kind,
        satisfied=safeguard.satisfied,
        detail=safeguard.detail,
    )


@router.get(f"{VERSION}/gate", response_model=GateOut)
def gate(
    dataset_id: int,
    version_no: int,
    actor: ApiActor,
    sensitive: SensitiveDep,
    purpose: Annotated[GatePurpose, Query()] = "register",
) -> GateOut:
    """May this version be registered / listed / pledged, and if not, what is missing."""
    return gate_out(purpose, sensitive.gate(actor, dataset_id, version_no, purpose))
