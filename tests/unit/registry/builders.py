"""Builders for registry tests: organizations and people in their parts, a dataset version
that passed the sensitive-data gate, a complete application, and a case driven through
the real service to any state."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from datadeed.accounts.models import User
from datadeed.accounts.principal import Principal
from datadeed.accounts.roles import OrgKind, Role
from datadeed.accounts.services import principal_for
from datadeed.datasets.models import DatasetVersion
from datadeed.datasets.services import DatasetService
from datadeed.evidence.services import EvidenceInput, EvidenceService
from datadeed.registry.checklists import checklist_for
from datadeed.registry.models import RegistrationApplication
from datadeed.registry.schemas import ApplicationDraft, Decision, RightClaim
from datadeed.registry.services import RegistryService
from datadeed.registry.states import TRANSITIONS, Action, ApplicationState
from datadeed.sensitive.gates import latest_scan
from datadeed.sensitive.services import SensitiveService
from tests.factories import OrganizationFactory, UserFactory

CSV = "订单号,城市,金额\n1,杭州,10.5\n2,宁波,20\n3,温州,7.25\n".encode()


@dataclass
class Cast:
    applicant: User
    officer: User
    reviewer: User
    outsider: User  # a member of a third organization

    @property
    def applicant_p(self) -> Principal:
        return principal_for(self.applicant)

    @property
    def officer_p(self) -> Principal:
        return principal_for(self.officer)

    @property
    def reviewer_p(self) -> Principal:
        return principal_for(self.reviewer)

    @property
    def outsider_p(self) -> Principal:
        return principal_for(self.outsider)


def cast() -> Cast:
    registrar = OrganizationFactory(kind=OrgKind.REGISTRAR, name="杭州数据交易所登记中心")
    return Cast(
        applicant=UserFactory(roles=[Role.DATA_MANAGER]),
        officer=UserFactory(organization=registrar, roles=[Role.REGISTRATION_OFFICER]),
        reviewer=UserFactory(organization=registrar, roles=[Role.REVIEWER]),
        outsider=UserFactory(roles=[Role.DATA_MANAGER]),
    )


def record_scan(
    service: DatasetService,
    owner: User,
    version: DatasetVersion,
    grade: str | None = None,
    reviewer: User | None = None,
) -> None:
    """Scan the version with the sensitive-data service, then have a registrar reviewer
    confirm the proposed grade (or set ``grade``, with a reason)."""
    sensitive = SensitiveService(service.session, service.settings, service.ledger)
    sensitive.scan_version(version.id, principal_for(owner))
    scan = latest_scan(service.session, version.id)
    assert scan is not None
    if reviewer is None:
        registrar = OrganizationFactory(kind=OrgKind.REGISTRAR)
        reviewer = UserFactory(organization=registrar, roles=[Role.REVIEWER])
    grader = principal_for(reviewer)
    if grade is None or grade == scan.grade:
        sensitive.confirm_grade(grader, scan.id)
    else:
        sensitive.change_grade(grader, scan.id, grade, "测试所需的分级")


def version_of(
    service: DatasetService,
    user: User,
    data: bytes = CSV,
    grade: str | None = "confirmed",
    reviewer: User | None = None,
) -> DatasetVersion:
    """A version of the user's organization: scanned and its grade confirmed (``confirmed``),
    set to ``grade``, or never scanned (None)."""
    scan_on_upload = service.settings.sensitive_scan_on_upload
    service.settings.sensitive_scan_on_upload = grade is not None  # None: never scanned
    try:
        version = service.upload_version(principal_for(user), [data], name="杭州订单数据")
    finally:
        service.settings.sensitive_scan_on_upload = scan_on_upload
    if grade is not None:
        record_scan(service, user, version, None if grade == "confirmed" else grade, reviewer)
    return version


def receipt(evidence: EvidenceService, user: User, n: int) -> str:
    digest = hashlib.sha256(f"evidence:{user.id}:{n}".encode()).hexdigest()
    return evidence.lodge(principal_for(user), EvidenceInput("sha256", digest)).receipt_id


def complete_draft(evidence: EvidenceService, user: User, version_id: int) -> ApplicationDraft:
    return ApplicationDraft(
        title="杭州订单数据集",
        tracks=["data_property", "data_ip"],
        object_type="data_product",
        rights_claimed=[
            RightClaim(right="hold", evidence=[receipt(evidence, user, 1)]),
            RightClaim(right="operate", evidence=[receipt(evidence, user, 2)]),
        ],
        source_category="self_produced",
        source_documents={"production_explanation": [receipt(evidence, user, 3)]},
        source_explanation="本公司交易系统自行生产",
        coverage_period="2025-01 至 2025-12",
        coverage_region="浙江省",
        coverage_industry="零售",
        update_frequency="每月",
        description="脱敏后的订单汇总数据",
        dataset_version_id=version_id,
        commitment_accepted=True,
    )


FORWARD: list[tuple[Action, ApplicationState]] = [
    (Action.ACCEPT, ApplicationState.ACCEPTED),
    (Action.ASSIGN, ApplicationState.FORMAL_REVIEW),
    (Action.PASS_FORMAL, ApplicationState.SUBSTANTIVE_REVIEW),
    (Action.PUBLISH_NOTICE, ApplicationState.PUBLIC_NOTICE),
]


def all_ticked(stage: str, tracks: list[str]) -> dict[str, bool]:
    return dict.fromkeys(checklist_for(stage, tracks), True)


def decision(app: RegistrationApplication, action: Action, **extra: Any) -> Decision:
    if action == Action.ASSIGN and "reviewer_ids" not in extra:
        raise ValueError("name the reviewers")
    if action == Action.PASS_FORMAL:
        extra.setdefault("checklist", all_ticked("formal", app.tracks))
    if action == Action.PUBLISH_NOTICE:
        extra.setdefault("checklist", all_ticked("substantive", app.tracks))
    return Decision(action=action, version=app.version, **extra)


def drive(
    registry: RegistryService,
    people: Cast,
    app: RegistrationApplication,
    until: ApplicationState,
) -> RegistrationApplication:
    """Move a submitted case forward through the service until it reaches ``until``."""
    for action, reached in FORWARD:
        if app.state == until:
            break
        if app.state not in TRANSITIONS[action].sources:
            continue
        extra: dict[str, Any] = {}
        if action == Action.ASSIGN:
            extra["reviewer_ids"] = [people.reviewer.id]
        actor = people.reviewer_p if action in (Action.PASS_FORMAL,) else people.officer_p
        app = registry.decide(actor, app.id, decision(app, action, **extra))
        assert app.state == reached
    return app


class FixedClock:
    """A settable clock for the working-day arithmetic."""

    def __init__(self, now: dt.datetime) -> None:
        self.current = now

    def __call__(self) -> dt.datetime:
        return self.current
