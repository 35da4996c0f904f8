"""Input and output shapes of the registry API (pydantic v2)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from datadeed.registry.states import Action


class RightClaim(BaseModel):
    right: str = Field(description="hold, use or operate")
    evidence: list[str] = Field(default_factory=list, description="evidence receipt ids")


class ApplicationDraft(BaseModel):
    """Everything an applicant fills in; all optional until submission."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, max_length=200)
    tracks: list[str] | None = Field(default=None, description="data_property and/or data_ip")
    object_type: str | None = None
    rights_claimed: list[RightClaim] | None = None
    source_category: str | None = None
    source_documents: dict[str, list[str]] | None = None
    source_explanation: str | None = Field(default=None, max_length=4000)
    data_format: str | None = Field(default=None, max_length=64)
    scale_records: int | None = Field(default=None, ge=0)
    scale_bytes: int | None = Field(default=None, ge=0)
    coverage_period: str | None = Field(default=None, max_length=200)
    coverage_region: str | None = Field(default=None, max_length=200)
    coverage_industry: str | None = Field(default=None, max_length=200)
    update_frequency: str | None = Field(default=None, max_length=64)
    description: str | None = Field(default=None, max_length=4000)
    dataset_version_id: int | None = None
    compliance_documents: dict[str, list[str]] | None = None
    commitment_accepted: bool | None = None


class Decision(BaseModel):
    """A registrar's move on a case. ``version`` is the case version the decider saw."""

    model_config = ConfigDict(extra="forbid")

    action: Action
    version: int = Field(ge=1)
    reasons: str | None = Field(default=None, max_length=4000)
    checklist: dict[str, bool] | None = None
    grounds: list[str] | None = None
    reviewer_ids: list[int] | None = None


class ObjectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    grounds: str = Field(min_length=1, max_length=4000)
    evidence: list[str] = Field(default_factory=list, description="evidence receipt ids")


class ObjectionResponseIn(BaseModel):
    """The applicant's answer to an objection; an empty ``text`` is a field error (422)."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(default="", max_length=4000)
    evidence: list[str] = Field(default_factory=list, description="evidence receipt ids")


class ObjectionResponseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    text: str
    evidence: list[str]
    revision: int
    created_at: dt.datetime
    updated_at: dt.datetime


class ObjectionDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    upheld: bool
    reasons: str = Field(min_length=1, max_length=4000)
    version: int = Field(ge=1, description="case version the decider saw")


class EventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    action: str
    from_state: str
    to_state: str
    actor_label: str
    reason: str | None
    details: dict[str, Any]
    ledger_index: int | None
    occurred_at: dt.datetime


class ObjectionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    application_id: int
    grounds: str
    evidence: list[str]
    status: str
    filed_at: dt.datetime
    decision_reason: str | None
    decided_at: dt.datetime | None
    response: ObjectionResponseOut | None = None


class DocumentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    filename: str
    media_type: str | None
    size_bytes: int
    sha256: str
    receipt_id: str
    created_at: dt.datetime


class NoticeOut(BaseModel):
    """A public notice as anyone may read it."""

    notice_no: str
    application_no: str
    title: str
    holder: str
    tracks: list[str]
    object_type: str | None
    rights: list[str]
    fingerprint_sha256: str | None
    published_at: dt.datetime
    starts_on: dt.date
    objection_deadline: dt.date
    open_for_objections: bool
    state: str


class ClockOut(BaseModel):
    deadline: dt.date | None
    remaining_workdays: int | None
    paused: bool
    overdue: bool


class ApplicationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    application_no: str
    organization_id: int
    title: str
    tracks: list[str]
    object_type: str | None
    rights_claimed: list[dict[str, Any]]
    source_category: str | None
    source_documents: dict[str, list[str]]
    source_explanation: str | None
    data_format: str | None
    scale_records: int | None
    scale_bytes: int | None
    coverage_period: str | None
    coverage_region: str | None
    coverage_industry: str | None
    update_frequency: str | None
    description: str | None
    dataset_version_id: int | None
    fingerprint_sha256: str | None
    content_fingerprint: str | None
    quality_report_id: int | None
    quality_grade: str | None
    gate_result: dict[str, Any] | None
    compliance_documents: dict[str, list[str]]
    commitment_accepted: bool
    state: str
    version: int
    checklist: dict[str, dict[str, bool]]
    submitted_at: dt.datetime | None
    accepted_at: dt.datetime | None
    decided_at: dt.datetime | None
    certificate_number: str | None
    clock: ClockOut | None = None
    reviewer_ids: list[int] = Field(default_factory=list)
    events: list[EventOut] = Field(default_factory=list)
    objections: list[ObjectionOut] = Field(default_factory=list)
    documents: list[DocumentOut] = Field(default_factory=list)


class OverlapOut(BaseModel):
    """Another holder's dataset that this one matches or largely contains."""

    dataset_id: int
    version_id: int
    organization_id: int
    organization_name: str
    exact_match: bool
    jaccard: float
    containment: float
    registration_no: str | None = Field(
        default=None, description="the other holder's registered or pending application"
    )
    registration_state: str | None = None
    certificate_number: str | None = None
