"""The registration workflow through the service, on the real database and ledger:
draft → submitted → accepted → formal → substantive → notice → objections → registered."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from datadeed.certificates.models import Certificate
from datadeed.datasets.services import DatasetService
from datadeed.errors import Conflict, InvalidTransition, NotFound, PermissionDenied
from datadeed.ledger.models import LedgerEntry
from datadeed.registry.errors import (
    ApplicationIncomplete,
    ChecklistIncomplete,
    FieldErrors,
    NoticeRunning,
    ObjectionPeriodClosed,
)
from datadeed.registry.schemas import ApplicationDraft, ObjectionDecisionIn, ObjectionIn
from datadeed.registry.services import RegistryService
from datadeed.registry.states import Action, ApplicationState
from datadeed.workdays import SHANGHAI
from tests.unit.registry.builders import (
    FixedClock,
    cast,
    complete_draft,
    decision,
    drive,
    receipt,
    version_of,
)

S = ApplicationState
MONDAY = dt.datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(MONDAY)


@pytest.fixture
def registry(ledger, settings, clock) -> RegistryService:  # type: ignore[no-untyped-def]
    return RegistryService(ledger.session, settings, ledger, now=clock)


@pytest.fixture
def datasets(ledger, settings) -> DatasetService:  # type: ignore[no-untyped-def]
    return DatasetService(ledger.session, settings, ledger)


@pytest.fixture
def people(db):  # type: ignore[no-untyped-def]
    return cast()


@pytest.fixture
def submitted(registry, datasets, evidence, people):  # type: ignore[no-untyped-def]
    version = version_of(datasets, people.applicant)
    draft = complete_draft(evidence, people.applicant, version.id)
    app = registry.save_draft(people.applicant_p, draft)
    return registry.submit(people.applicant_p, app.id)


def _events(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [e.action for e in app.events]


def test_the_whole_flow_ends_in_a_certificate_and_every_step_is_in_the_ledger(
    registry, people, submitted, clock, ledger
):
    app = drive(registry, people, submitted, S.PUBLIC_NOTICE)
    notice = app.notice
    assert notice is not None and notice.ends_on == dt.date(2026, 11, 16)  # 10 working days
    with pytest.raises(NoticeRunning):
        registry.decide(people.officer_p, app.id, decision(app, Action.REGISTER))
    clock.current = dt.datetime(2026, 11, 17, 9, 0, tzinfo=SHANGHAI)
    app = registry.decide(people.officer_p, app.id, decision(app, Action.REGISTER))

    assert app.state == S.REGISTERED
    assert app.certificate_number
    certificates = ledger.session.scalars(
        select(Certificate).where(Certificate.case_no == app.application_no)
    ).all()
    assert {c.track for c in certificates} == {"data_property", "data_ip"}
    assert _events(app) == [
        "submit",
        "accept",
        "assign",
        "pass_formal",
        "publish_notice",
        "register",
    ]
    kinds = [ledger.entry(e.ledger_index).kind for e in app.events]
    assert kinds == ["registration-event/v1"] * 6
    last = ledger.session.get(LedgerEntry, app.events[-1].ledger_index)
    assert last is not None
    # accepted Monday 2 Nov: 10 working days + the 10-day notice → Monday 30 Nov
    assert app.deadline == dt.date(2026, 11, 30)


def test_submission_lists_every_missing_field(registry, people):
    draft = registry.save_draft(people.applicant_p, ApplicationDraft(title="半成品"))
    with pytest.raises(ApplicationIncomplete) as caught:
        registry.submit(people.applicant_p, draft.id)
    fields = {e.field for e in caught.value.errors}
    assert {
        "tracks",
        "object_type",
        "rights_claimed",
        "source_category",
        "dataset_version_id",
        "commitment_accepted",
        "coverage_region",
    } <= fields
    assert registry.get(people.applicant_p, draft.id).state == S.DRAFT


def test_a_right_without_its_own_evidence_is_a_field_error(registry, datasets, evidence, people):
    version = version_of(datasets, people.applicant)
    draft = complete_draft(evidence, people.applicant, version.id)
    assert draft.rights_claimed is not None
    draft.rights_claimed[1].evidence = []
    app = registry.save_draft(people.applicant_p, draft)
    with pytest.raises(ApplicationIncomplete) as caught:
        registry.submit(people.applicant_p, app.id)
    assert [(e.field, e.message) for e in caught.value.errors] == [
        ("rights_claimed[1].evidence", "the operate right needs its own evidence")
    ]


def test_evidence_of_another_organization_does_not_count(registry, datasets, evidence, people):
    version = version_of(datasets, people.applicant)
    draft = complete_draft(evidence, people.applicant, version.id)
    theirs = receipt(evidence, people.outsider, 9)
    draft.source_documents = {"production_explanation": [theirs]}
    app = registry.save_draft(people.applicant_p, draft)
    with pytest.raises(ApplicationIncomplete) as caught:
        registry.submit(people.applicant_p, app.id)
    assert caught.value.errors[0].field == "source_documents.production_explanation"
    assert theirs in caught.value.errors[0].message


def test_another_organizations_dataset_version_is_not_found(registry, datasets, people):
    theirs = version_of(datasets, people.outsider)
    with pytest.raises(NotFound):
        registry.save_draft(people.applicant_p, ApplicationDraft(dataset_version_id=theirs.id))


@pytest.mark.parametrize(
    ("grade", "reason"),
    [
        ("core", "core data may not be registered, listed or pledged"),
        ("important", "important data needs a risk assessment valid today"),
        (None, "this dataset version has not been scanned"),
    ],
)
def test_the_sensitive_data_gate_blocks_submission(
    registry, datasets, evidence, people, grade, reason
):
    version = version_of(datasets, people.applicant, grade=grade)
    app = registry.save_draft(
        people.applicant_p, complete_draft(evidence, people.applicant, version.id)
    )
    with pytest.raises(ApplicationIncomplete) as caught:
        registry.submit(people.applicant_p, app.id)
    assert ("dataset_version_id", reason) in [(e.field, e.message) for e in caught.value.errors]


def test_return_for_correction_then_resubmission(registry, people, submitted):
    with pytest.raises(FieldErrors):  # a return needs reasons
        registry.decide(people.officer_p, submitted.id, decision(submitted, Action.RETURN))
    app = registry.decide(
        people.officer_p,
        submitted.id,
        decision(submitted, Action.RETURN, reasons="请补充采集方式说明"),
    )
    assert app.state == S.RETURNED
    app = registry.save_draft(
        people.applicant_p, ApplicationDraft(source_explanation="交易系统日志，按日导出"), app.id
    )
    app = registry.submit(people.applicant_p, app.id)
    assert app.state == S.SUBMITTED
    assert app.events[-1].details["resubmission"] is True
    assert app.events[1].reason == "请补充采集方式说明"


def test_roles_and_parties(registry, people, submitted):
    with pytest.raises(PermissionDenied):  # reviewers do not accept
        registry.decide(people.reviewer_p, submitted.id, decision(submitted, Action.ACCEPT))
    with pytest.raises(NotFound):  # another enterprise does not even see the case
        registry.decide(people.outsider_p, submitted.id, decision(submitted, Action.ACCEPT))
    app = registry.decide(people.officer_p, submitted.id, decision(submitted, Action.ACCEPT))
    other = cast()
    app = registry.decide(
        people.officer_p, app.id, decision(app, Action.ASSIGN, reviewer_ids=[people.reviewer.id])
    )
    assert [a.id for a in registry.queue(people.reviewer_p, mine=True)] == [app.id]
    assert registry.queue(other.reviewer_p, mine=True) == []
    with pytest.raises(PermissionDenied, match="assigned"):  # not assigned to this case
        registry.decide(other.reviewer_p, app.id, decision(app, Action.PASS_FORMAL))
    with pytest.raises(FieldErrors):  # a reviewer of another registrar
        registry.decide(
            people.officer_p, app.id, decision(app, Action.ASSIGN, reviewer_ids=[other.reviewer.id])
        )


def test_stale_version_and_invalid_moves_conflict(registry, people, submitted):
    stale = decision(submitted, Action.ACCEPT)
    registry.decide(people.officer_p, submitted.id, stale)
    with pytest.raises(Conflict) as caught:
        registry.decide(people.officer_p, submitted.id, stale)
    assert caught.value.code == "conflict"
    app = registry.get(people.officer_p, submitted.id)
    with pytest.raises(InvalidTransition):
        registry.decide(people.officer_p, app.id, decision(app, Action.REGISTER))


def test_checklists_must_pass_or_the_case_is_refused_on_grounds(registry, people, submitted):
    app = drive(registry, people, submitted, S.FORMAL_REVIEW)
    ticks = {"applicant_identity": True}
    with pytest.raises(ChecklistIncomplete):
        registry.decide(
            people.reviewer_p, app.id, decision(app, Action.PASS_FORMAL, checklist=ticks)
        )
    app = registry.get(people.reviewer_p, app.id)
    with pytest.raises(FieldErrors):
        registry.decide(
            people.reviewer_p, app.id, decision(app, Action.REFUSE, grounds=["no such ground"])
        )
    app = registry.decide(
        people.reviewer_p,
        app.id,
        decision(app, Action.REFUSE, grounds=["ownership_dispute"], reasons="权属争议未解决"),
    )
    assert app.state == S.REFUSED
    assert app.events[-1].details["grounds"] == "ownership_dispute"


def test_objections_pause_the_clock_and_a_dismissal_resumes_it(registry, people, submitted, clock):
    app = drive(registry, people, submitted, S.PUBLIC_NOTICE)
    assert app.notice is not None
    deadline = app.deadline
    with pytest.raises(PermissionDenied):  # the applicant cannot object to itself
        registry.file_objection(people.applicant_p, app.notice.notice_no, ObjectionIn(grounds="x"))
    clock.current = dt.datetime(2026, 11, 13, 10, 0, tzinfo=SHANGHAI)
    objection = registry.file_objection(
        people.outsider_p, app.notice.notice_no, ObjectionIn(grounds="该数据来自我司")
    )
    app = registry.get(people.officer_p, app.id)
    assert app.state == S.OBJECTION_REVIEW
    assert registry.clock_view(app).paused
    # decided four working days after the notice ended (16 Nov): 17-20 Nov count as paused
    clock.current = dt.datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)
    registry.decide_objection(
        people.officer_p,
        objection.id,
        ObjectionDecisionIn(upheld=False, reasons="异议人未提供证据", version=app.version),
    )
    app = registry.get(people.officer_p, app.id)
    assert app.state == S.PUBLIC_NOTICE
    assert app.paused_since is None
    assert app.deadline == deadline + dt.timedelta(days=4)  # 30 Nov → 4 Dec
    app = registry.decide(people.officer_p, app.id, decision(app, Action.REGISTER))
    assert app.state == S.REGISTERED


def test_an_upheld_objection_refuses_the_case(registry, people, submitted, clock):
    app = drive(registry, people, submitted, S.PUBLIC_NOTICE)
    assert app.notice is not None
    first = registry.file_objection(
        people.outsider_p, app.notice.notice_no, ObjectionIn(grounds="权属争议")
    )
    second = registry.file_objection(
        cast().outsider_p, app.notice.notice_no, ObjectionIn(grounds="同上")
    )
    app = registry.get(people.officer_p, app.id)
    registry.decide_objection(
        people.officer_p,
        first.id,
        ObjectionDecisionIn(upheld=True, reasons="异议成立", version=app.version),
    )
    app = registry.get(people.officer_p, app.id)
    assert app.state == S.REFUSED
    assert second.status == "closed"
    assert app.events[-1].details["outcome"] == "upheld"


def test_objecting_after_the_deadline_is_refused_clearly(registry, people, submitted, clock):
    app = drive(registry, people, submitted, S.PUBLIC_NOTICE)
    assert app.notice is not None
    clock.current = dt.datetime(2026, 11, 17, 0, 30, tzinfo=SHANGHAI)
    with pytest.raises(ObjectionPeriodClosed, match="closed on 2026-11-16"):
        registry.file_objection(
            people.outsider_p, app.notice.notice_no, ObjectionIn(grounds="迟到")
        )


def test_overdue_cases_are_found_by_the_queue(registry, people, submitted, clock):
    registry.decide(people.officer_p, submitted.id, decision(submitted, Action.ACCEPT))
    assert registry.queue(people.officer_p, overdue=True) == []
    clock.current = dt.datetime(2026, 11, 17, 9, 0, tzinfo=SHANGHAI)  # deadline was 16 Nov
    overdue = registry.queue(people.officer_p, overdue=True)
    assert [a.id for a in overdue] == [submitted.id]
    view = registry.clock_view(overdue[0])
    assert view.overdue and view.remaining == -1


def test_the_reviewer_sees_another_holders_matching_dataset(
    registry, datasets, evidence, people, submitted
):
    # the same rows, held by another firm, which has applied for them too
    theirs = version_of(datasets, people.outsider)
    draft = complete_draft(evidence, people.outsider, theirs.id)
    pending = registry.save_draft(people.outsider_p, draft)
    pending = registry.submit(people.outsider_p, pending.id)
    conflicts = registry.conflicts(people.reviewer_p, submitted.id)
    assert [(c.flag.organization_id, c.flag.exact_match) for c in conflicts] == [
        (people.outsider.organization_id, True)
    ]
    assert conflicts[0].flag.containment == pytest.approx(1.0)
    registration = conflicts[0].registration
    assert registration is not None and registration.application_no == pending.application_no
    with pytest.raises(PermissionDenied):  # conflict checks are for the registrar
        registry.conflicts(people.applicant_p, submitted.id)


def test_refusing_acceptance_needs_reasons_and_ends_the_case(registry, people, submitted):
    with pytest.raises(FieldErrors):
        registry.decide(
            people.officer_p, submitted.id, decision(submitted, Action.REFUSE_ACCEPTANCE)
        )
    app = registry.decide(
        people.officer_p,
        submitted.id,
        decision(
            submitted,
            Action.REFUSE_ACCEPTANCE,
            reasons="申请人非数据持有主体",
            grounds=["unlawful_source"],
        ),
    )
    assert app.state == S.REFUSED and app.decided_at is not None
    assert app.events[-1].details == {"stage": "acceptance", "grounds": "unlawful_source"}
    assert registry.clock_view(app).remaining is None  # no clock after a decision


def test_objection_evidence_must_be_the_objectors_own(registry, evidence, people, submitted):
    app = drive(registry, people, submitted, S.PUBLIC_NOTICE)
    assert app.notice is not None
    not_theirs = receipt(evidence, people.applicant, 7)
    with pytest.raises(FieldErrors) as caught:
        registry.file_objection(
            people.outsider_p,
            app.notice.notice_no,
            ObjectionIn(grounds="见附件", evidence=[not_theirs]),
        )
    assert caught.value.errors[0].field == "evidence"
    theirs = receipt(evidence, people.outsider, 8)
    objection = registry.file_objection(
        people.outsider_p, app.notice.notice_no, ObjectionIn(grounds="见附件", evidence=[theirs])
    )
    assert objection.evidence == [theirs]


def test_ledger_entries_carry_the_case_number_track_actor_and_time(
    registry, people, submitted, ledger
):
    app = registry.decide(
        people.officer_p,
        submitted.id,
        decision(submitted, Action.RETURN, reasons="请补充材料\r\n第二行\t说明"),
    )
    body = ledger.receipt(app.events[-1].ledger_index)["entry"]["body"]
    assert body["case_no"] == app.application_no
    assert body["event"] == "returned" and body["track"] == "data_property"
    assert body["actor"] == {"uscc": people.officer.organization.uscc, "role": "registrar"}
    assert body["occurred_at"] == "2026-11-02T02:00:00Z"  # 10:00 in Shanghai
    assert body["reasons"] == "请补充材料\n第二行 说明"
    assert body["details"]["tracks"] == "data_ip,data_property"
