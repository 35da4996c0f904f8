"""Registration use cases: drafts, submission, the registrar's decisions, public notices,
objections and registration. Every transition is checked against ``states.TRANSITIONS``,
recorded in ``registration_events`` and appended to the ledger as registration-event/v1
in the same transaction; the case's ``version`` column makes racing deciders conflict.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Callable, Iterable, Sequence
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from datadeed.accounts import audit
from datadeed.accounts.models import Organization, User, UserRole
from datadeed.accounts.principal import Principal, require_role
from datadeed.accounts.roles import OrgKind, Role
from datadeed.certificates.services import CertificateService
from datadeed.config import Settings
from datadeed.datasets.models import Dataset, DatasetVersion
from datadeed.datasets.schemas import OverlapFlag
from datadeed.datasets.services import DatasetService
from datadeed.datasets.storage import blob_store
from datadeed.db import utc_stamp, utcnow
from datadeed.errors import (
    ConfigurationError,
    Conflict,
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
)
from datadeed.evidence.services import EvidenceInput, EvidenceService
from datadeed.ledger.services import LedgerService
from datadeed.registry import checklists, clock
from datadeed.registry.errors import (
    ApplicationIncomplete,
    ChecklistIncomplete,
    FieldError,
    FieldErrors,
    GateNotPassed,
    NoticeRunning,
    ObjectionPeriodClosed,
)
from datadeed.registry.models import (
    ApplicationDocument,
    Objection,
    ObjectionStatus,
    PublicNotice,
    RegistrationApplication,
    RegistrationEvent,
    ReviewAssignment,
    Right,
    Track,
)
from datadeed.registry.schemas import (
    ApplicationDraft,
    Decision,
    ObjectionDecisionIn,
    ObjectionIn,
)
from datadeed.registry.states import (
    CLOCKED,
    EDITABLE,
    TRANSITIONS,
    Action,
    ApplicationState,
    Party,
)
from datadeed.registry.validation import ApplicationValidator, own_receipts
from datadeed.sensitive.gates import evaluate_gate
from datadeed.workdays import shanghai_date

APPLICANT_ROLES = (Role.DATA_MANAGER, Role.ORG_ADMIN)
DOCUMENT_KINDS = (*(r.value for r in Right), *checklists.DOCUMENT_LABELS)
REGISTRAR_ROLES = (Role.REVIEWER, Role.REGISTRATION_OFFICER)
LEDGER_ROLE = {
    Party.APPLICANT: "applicant",
    Party.OFFICER: "registrar",
    Party.REVIEWER: "reviewer",
    Party.OBJECTOR: "objector",
}
# moves made through their own service methods, not through decide()
_NOT_DECISIONS = frozenset(
    {
        Action.SAVE,
        Action.SUBMIT,
        Action.FILE_OBJECTION,
        Action.UPHOLD_OBJECTION,
        Action.DISMISS_OBJECTION,
    }
)
# columns that hold an empty value, never NULL, when a draft sends null
_EMPTY: dict[str, Callable[[], Any]] = {
    "title": str,
    "tracks": list,
    "rights_claimed": list,
    "source_documents": dict,
    "compliance_documents": dict,
    "commitment_accepted": bool,
}
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")
S = ApplicationState
Handler = Callable[
    [Principal, RegistrationApplication, Decision], tuple[ApplicationState, dict[str, Any]]
]


def primary_track(tracks: Sequence[str]) -> str:
    """The track a registration-event/v1 entry names; ``details.tracks`` lists them all."""
    return Track.DATA_PROPERTY.value if Track.DATA_PROPERTY.value in tracks else Track.DATA_IP


def _clean_text(text: str | None, limit: int = 4000) -> str | None:
    """One-line-safe text for the ledger: tabs and carriage returns become spaces."""
    if text is None:
        return None
    cleaned = _CONTROL.sub(" ", text.replace("\r\n", "\n")).strip()[:limit]
    return cleaned or None


def _clean_details(details: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in details.items():
        if isinstance(value, bool | int):
            out[key] = value
        elif value is not None:
            out[key] = _CONTROL.sub(" ", str(value)).replace("\n", " ")[:1024]
    return out


class RegistryService:
    def __init__(
        self,
        session: Session,
        settings: Settings,
        ledger: LedgerService,
        *,
        now: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.session = session
        self.settings = settings
        self.ledger = ledger
        self.now = now
        self.calendar = settings.workday_calendar()

    # -- the applicant -------------------------------------------------------------

    def save_draft(
        self, actor: Principal, data: ApplicationDraft, application_id: int | None = None
    ) -> RegistrationApplication:
        """Create a draft, or update a draft (or a case returned for correction)."""
        require_role(actor, *APPLICANT_ROLES)
        if application_id is None:
            app = self._new_application(actor)
        else:
            app = self._own(actor, application_id)
            if app.state not in EDITABLE:
                raise InvalidTransition(f"a case in state {app.state} can no longer be edited")
        self._apply(app, data)
        app.updated_at = self.now()
        self._flush()
        self._commit()
        return app

    def _new_application(self, actor: Principal) -> RegistrationApplication:
        if actor.organization_id is None:
            raise InvalidInput("applications are filed by an organization; log in as its member")
        now = self.now()
        app = RegistrationApplication(
            application_no=f"RA-tmp-{secrets.token_hex(8)}",
            organization_id=actor.organization_id,
            created_by_id=actor.user_id,
            title="",
            tracks=[],
            rights_claimed=[],
            source_documents={},
            compliance_documents={},
            checklist={},
            created_at=now,
        )
        self.session.add(app)
        self.session.flush()
        app.application_no = f"RA-{shanghai_date(now).year}-{app.id:06d}"
        return app

    def _apply(self, app: RegistrationApplication, data: ApplicationDraft) -> None:
        values = data.model_dump(exclude_unset=True)
        attach = "dataset_version_id" in values
        version_id = values.pop("dataset_version_id", None)
        if "tracks" in values:
            values["tracks"] = sorted(set(values["tracks"] or []))
        if values.get("commitment_accepted") and not app.commitment_accepted:
            app.commitment_accepted_at = self.now()
        for field, value in values.items():
            setattr(app, field, _EMPTY[field]() if value is None and field in _EMPTY else value)
        if attach:  # after the fields: the version fills in only what is left blank
            self._attach_version(app, version_id)

    def _attach_version(self, app: RegistrationApplication, version_id: int | None) -> None:
        """Attach the applicant's own dataset version with its fingerprint and report.
        Another organization's version answers 404, as if it did not exist."""
        app.dataset_version_id = version_id
        if version_id is None:
            app.fingerprint_sha256 = app.content_fingerprint = None
            app.quality_report_id, app.quality_grade = None, None
            return
        version = self.session.get(DatasetVersion, version_id)
        if version is None or version.dataset.organization_id != app.organization_id:
            raise NotFound("dataset version not found")
        app.fingerprint_sha256 = version.sha256
        app.content_fingerprint = version.content_fingerprint
        report = version.reports[-1] if version.reports else None
        app.quality_report_id = report.id if report else None
        app.quality_grade = report.grade if report else None
        app.data_format = app.data_format or version.format
        app.scale_records = version.row_count if app.scale_records is None else app.scale_records
        app.scale_bytes = version.size_bytes if app.scale_bytes is None else app.scale_bytes
        if not app.title:
            app.title = version.dataset.name

    def attach_document(
        self,
        actor: Principal,
        application_id: int,
        kind: str,
        chunks: Iterable[bytes],
        *,
        filename: str,
        media_type: str | None = None,
    ) -> ApplicationDocument:
        """Keep a document for the reviewers and cite it: the file goes to the blob store,
        its digest is lodged as evidence, and the receipt is added to the right (``hold``,
        ``use``, ``operate``) or the source-document kind it supports."""
        require_role(actor, *APPLICANT_ROLES)
        app = self._own(actor, application_id)
        if app.state not in EDITABLE:
            raise InvalidTransition(f"a case in state {app.state} can no longer be edited")
        if kind not in DOCUMENT_KINDS:
            raise FieldErrors(
                [FieldError("kind", f"kind must be one of {', '.join(DOCUMENT_KINDS)}")]
            )
        name = filename.strip()[-255:] or "document"
        blob = blob_store(self.settings).put_stream(chunks, limit=self.settings.upload_max_bytes)
        evidence = EvidenceService(self.session, self.settings, self.ledger)
        record = evidence.lodge(
            actor,
            EvidenceInput(
                "sha256",
                blob.sha256,
                size_bytes=blob.size,
                filename=name,
                media_type=media_type,
                metadata={"application": app.application_no, "kind": kind},
            ),
        )
        document = ApplicationDocument(
            application=app,
            kind=kind,
            filename=name,
            media_type=media_type,
            size_bytes=blob.size,
            sha256=blob.sha256,
            receipt_id=record.receipt_id,
            uploaded_by_id=actor.user_id,
        )
        self.session.add(document)
        self._cite(app, kind, record.receipt_id)
        app.updated_at = self.now()
        self._flush()
        self._commit()
        return document

    @staticmethod
    def _cite(app: RegistrationApplication, kind: str, receipt: str) -> None:
        if kind in {r.value for r in Right}:
            claims = [dict(c) for c in app.rights_claimed]
            claim = next((c for c in claims if c.get("right") == kind), None)
            if claim is None:
                claims.append({"right": kind, "evidence": [receipt]})
            else:
                claim["evidence"] = [*(claim.get("evidence") or []), receipt]
            app.rights_claimed = claims
            return
        documents = {k: list(v) for k, v in app.source_documents.items()}
        documents[kind] = [*documents.get(kind, []), receipt]
        app.source_documents = documents

    def document(
        self, actor: Principal, application_id: int, document_id: int
    ) -> tuple[ApplicationDocument, BinaryIO]:
        """A filed document and its bytes, for the applicant and the registrar."""
        app = self.get(actor, application_id)
        found = next((d for d in app.documents if d.id == document_id), None)
        if found is None:
            raise NotFound("document not found")
        return found, blob_store(self.settings).open(found.sha256)

    def submit(self, actor: Principal, application_id: int) -> RegistrationApplication:
        """Validate everything (field-level errors) and the sensitive-data gate; submit."""
        require_role(actor, *APPLICANT_ROLES)
        app = self._own(actor, application_id)
        self._require_source(app, Action.SUBMIT)
        errors = ApplicationValidator(self.session, app).run()
        errors += self._gate(app)
        if errors:
            self.session.rollback()
            raise ApplicationIncomplete(errors)
        resubmission = app.state == S.RETURNED
        app.submitted_at = self.now()
        details = {
            "resubmission": resubmission,
            "tracks": ",".join(app.tracks),
            "dataset_sha256": app.fingerprint_sha256,
            "content_fingerprint": app.content_fingerprint,
            "quality_grade": app.quality_grade,
            "sensitivity_grade": (app.gate_result or {}).get("grade"),
        }
        self._move(actor, app, Action.SUBMIT, Party.APPLICANT, S.SUBMITTED, None, details)
        self._commit()
        return app

    def _gate(self, app: RegistrationApplication) -> list[FieldError]:
        """The sensitive-data gate: core data refused, important data needs a risk
        assessment, sensitive personal information a safeguard."""
        if app.dataset_version_id is None:
            return []
        decision = evaluate_gate(self.session, app.dataset_version_id, "register")
        app.gate_result = {
            "allowed": decision.allowed,
            "grade": decision.grade,
            "reasons": [{"code": r.code, "message": r.message} for r in decision.reasons],
        }
        return [FieldError("dataset_version_id", r.message) for r in decision.reasons]

    # -- the registrar -------------------------------------------------------------

    def decide(
        self, actor: Principal, application_id: int, decision: Decision
    ) -> RegistrationApplication:
        """One registrar move on a case (accept, return, assign, review, notice, register).
        ``decision.version`` must be the version the decider saw, else 409 conflict."""
        if decision.action in _NOT_DECISIONS:
            raise InvalidInput(f"{decision.action} is not a registrar decision")
        app = self.get(actor, application_id)
        transition = TRANSITIONS[decision.action]
        party = self._party(actor, app, transition.parties)
        self._check_version(app, decision.version)
        self._require_source(app, decision.action)
        app.updated_at = self.now()
        self._flush()  # takes the row (and the version) first: a racing decider loses here
        handler: Handler = getattr(self, f"_do_{decision.action.value}")
        target, details = handler(actor, app, decision)
        self._move(actor, app, decision.action, party, target, decision.reasons, details)
        self._commit()
        return app

    def _do_accept(
        self, actor: Principal, app: RegistrationApplication, d: Decision
    ) -> tuple[ApplicationState, dict[str, Any]]:
        if not (app.gate_result or {}).get("allowed"):
            raise GateNotPassed("the dataset version did not pass the sensitive-data gate")
        now = self.now()
        app.accepted_at = now
        app.deadline = clock.deadline(
            self.calendar, now, self.settings.registration_time_limit_workdays, 0
        )
        return S.ACCEPTED, {"deadline": app.deadline.isoformat()}

    def _do_return(
        self, actor: Principal, app: RegistrationApplication, d: Decision
    ) -> tuple[ApplicationState, dict[str, Any]]:
        self._require_reasons(d, "the return for correction (补正)")
        return S.RETURNED, {}

    def _do_refuse_acceptance(
        self, actor: Principal, app: RegistrationApplication, d: Decision
    ) -> tuple[ApplicationState, dict[str, Any]]:
        self._require_reasons(d, "the refusal")
        app.decided_at = self.now()
        return S.REFUSED, {"stage": "acceptance", **self._grounds(d, required=False)}

    def _do_assign(
        self, actor: Principal, app: RegistrationApplication, d: Decision
    ) -> tuple[ApplicationState, dict[str, Any]]:
        reviewers = self._reviewers(actor, d.reviewer_ids or [])
        assigned = {a.reviewer_id for a in app.assignments}
        for user in reviewers:
            if user.id not in assigned:
                self.session.add(
                    ReviewAssignment(
                        application=app, reviewer_id=user.id, assigned_by_id=actor.user_id
                    )
                )
        target = S.FORMAL_REVIEW if app.state == S.ACCEPTED else app.state
        ids = ",".join(str(u.id) for u in reviewers)
        return target, {"stage": "formal", "reviewers": ids}

    def _reviewers(self, actor: Principal, user_ids: list[int]) -> list[User]:
        if not user_ids:
            raise FieldErrors([FieldError("reviewer_ids", "name at least one reviewer")])
        users = []
        for user_id in dict.fromkeys(user_ids):
            user = self.session.get(User, user_id)
            ok = (
                user is not None
                and user.is_active
                and user.organization_id == actor.organization_id
                and user.role_set & set(REGISTRAR_ROLES)
            )
            if not ok or user is None:
                raise FieldErrors(
                    [FieldError("reviewer_ids", f"user {user_id} is not a reviewer here")]
                )
            users.append(user)
        return users

    def _do_pass_formal(
        self, actor: Principal, app: RegistrationApplication, d: Decision
    ) -> tuple[ApplicationState, dict[str, Any]]:
        self._tick(app, "formal", d.checklist)
        return S.SUBSTANTIVE_REVIEW, {"stage": "substantive"}

    def _do_publish_notice(
        self, actor: Principal, app: RegistrationApplication, d: Decision
    ) -> tuple[ApplicationState, dict[str, Any]]:
        self._tick(app, "substantive", d.checklist)
        now = self.now()
        days = self.settings.public_notice_workdays
        starts_on = shanghai_date(now)
        notice = PublicNotice(
            application=app,
            notice_no=f"GS-{app.application_no.removeprefix('RA-')}",
            published_at=now,
            starts_on=starts_on,
            ends_on=self.calendar.add_workdays(starts_on, days),
            workdays=days,
        )
        self.session.add(notice)
        app.paused_workdays += days  # the notice does not count against the time limit
        self._recompute_deadline(app)
        return S.PUBLIC_NOTICE, {
            "notice_no": notice.notice_no,
            "objection_deadline": notice.ends_on.isoformat(),
        }

    def _do_refuse(
        self, actor: Principal, app: RegistrationApplication, d: Decision
    ) -> tuple[ApplicationState, dict[str, Any]]:
        grounds = self._grounds(d, required=True)
        self._require_reasons(d, "the refusal")
        if d.checklist is not None:
            stage = "formal" if app.state == S.FORMAL_REVIEW else "substantive"
            app.checklist = {**app.checklist, stage: dict(d.checklist)}
        app.decided_at = self.now()
        return S.REFUSED, {"stage": str(app.state), **grounds}

    def _do_register(
        self, actor: Principal, app: RegistrationApplication, d: Decision
    ) -> tuple[ApplicationState, dict[str, Any]]:
        notice = app.notice
        if notice is None:
            raise InvalidTransition("the case has no public notice")
        if shanghai_date(self.now()) <= notice.ends_on:
            raise NoticeRunning(
                f"the public notice {notice.notice_no} accepts objections until "
                f"{notice.ends_on.isoformat()}; register after that day"
            )
        number = self._issue_certificate(actor, app)
        app.decided_at = notice.closed_at = self.now()
        return S.REGISTERED, {"certificate_no": number}

    def _issue_certificate(self, actor: Principal, app: RegistrationApplication) -> str:
        """The one call into the certificate service (issue #6 part 2)."""
        service = CertificateService(self.session, self.ledger, self.settings)
        certificate = service.issue_for_application(app, issued_by=actor)
        return certificate.number

    def _tick(
        self, app: RegistrationApplication, stage: str, ticks: dict[str, bool] | None
    ) -> None:
        app.checklist = {**app.checklist, stage: dict(ticks or {})}
        missing = checklists.unticked(stage, app.tracks, ticks or {})
        if missing:
            raise ChecklistIncomplete(
                f"the {stage} review checklist is not passed: {', '.join(missing)}; "
                "refuse the case (or return it) instead",
                missing=missing,
            )

    def _grounds(self, d: Decision, *, required: bool) -> dict[str, Any]:
        grounds = list(dict.fromkeys(d.grounds or []))
        unknown = [g for g in grounds if g not in checklists.REFUSAL_GROUNDS]
        if unknown or (required and not grounds):
            known = ", ".join(checklists.REFUSAL_GROUNDS)
            raise FieldErrors([FieldError("grounds", f"name refusal grounds among: {known}")])
        return {"grounds": ",".join(grounds)} if grounds else {}

    @staticmethod
    def _require_reasons(d: Decision, what: str) -> None:
        if not (d.reasons or "").strip():
            raise FieldErrors([FieldError("reasons", f"give the reasons for {what}")])

    # -- objections ----------------------------------------------------------------

    def file_objection(self, actor: Principal, notice_no: str, data: ObjectionIn) -> Objection:
        """Any account holder of another organization may object while the notice runs."""
        notice = self.notice(notice_no)
        app = notice.application
        if actor.organization_id is None:
            raise PermissionDenied("objections are filed by a member of an organization")
        if actor.organization_id == app.organization_id:
            raise PermissionDenied("the applicant cannot object to its own application")
        if shanghai_date(self.now()) > notice.ends_on or app.state not in (
            S.PUBLIC_NOTICE,
            S.OBJECTION_REVIEW,
        ):
            raise ObjectionPeriodClosed(
                f"objections to {notice.notice_no} closed on {notice.ends_on.isoformat()}"
            )
        self._objection_evidence(actor.organization_id, data.evidence)
        objection = Objection(
            application=app,
            notice_id=notice.id,
            objector_organization_id=actor.organization_id,
            objector_user_id=actor.user_id,
            grounds=data.grounds.strip(),
            evidence=list(dict.fromkeys(data.evidence)),
            filed_at=self.now(),
        )
        self.session.add(objection)
        if app.paused_since is None:
            app.paused_since = self.now()  # the time limit stops while objections are handled
        app.updated_at = self.now()
        self._flush()
        details = {"objection_id": objection.id}
        self._move(
            actor, app, Action.FILE_OBJECTION, Party.OBJECTOR, S.OBJECTION_REVIEW, None, details
        )
        self._commit()
        return objection

    def _objection_evidence(self, organization_id: int, receipts: list[str]) -> None:
        missing = set(receipts) - own_receipts(self.session, organization_id, receipts)
        if missing:
            errors = [
                FieldError("evidence", f"evidence receipt {r} is not one of yours")
                for r in sorted(missing)
            ]
            raise FieldErrors(errors)

    def decide_objection(
        self, actor: Principal, objection_id: int, data: ObjectionDecisionIn
    ) -> Objection:
        """Uphold (the case is refused) or dismiss (back to the notice) with reasons."""
        self._require_officer(actor)
        objection = self.session.get(Objection, objection_id)
        if objection is None:
            raise NotFound("objection not found")
        app = objection.application
        self._check_version(app, data.version)
        if objection.status != ObjectionStatus.PENDING:
            raise Conflict(f"objection {objection_id} was already decided ({objection.status})")
        now = self.now()
        app.updated_at = now
        self._flush()
        objection.status = ObjectionStatus.UPHELD if data.upheld else ObjectionStatus.DISMISSED
        objection.decision_reason = data.reasons.strip()
        objection.decided_by_id, objection.decided_at = actor.user_id, now
        target = self._after_objection(app, objection, data.upheld)
        action = Action.UPHOLD_OBJECTION if data.upheld else Action.DISMISS_OBJECTION
        details = {"objection_id": objection.id, "outcome": objection.status.value}
        self._move(actor, app, action, Party.OFFICER, target, data.reasons, details)
        self._commit()
        return objection

    def _after_objection(
        self, app: RegistrationApplication, objection: Objection, upheld: bool
    ) -> ApplicationState:
        others = [
            o for o in app.objections if o.status == ObjectionStatus.PENDING and o is not objection
        ]
        if upheld:
            for other in others:
                other.status = ObjectionStatus.CLOSED
            self._resume_clock(app)
            app.decided_at = self.now()
            if app.notice is not None:
                app.notice.closed_at = self.now()
            return S.REFUSED
        if others:
            return S.OBJECTION_REVIEW
        self._resume_clock(app)
        return S.PUBLIC_NOTICE

    def _resume_clock(self, app: RegistrationApplication) -> None:
        if app.paused_since is None or app.notice is None:
            return
        app.paused_workdays += clock.objection_pause(
            self.calendar, app.paused_since, app.notice.ends_on, self.now()
        )
        app.paused_since = None
        self._recompute_deadline(app)

    def _recompute_deadline(self, app: RegistrationApplication) -> None:
        if app.accepted_at is not None:
            app.deadline = clock.deadline(
                self.calendar,
                app.accepted_at,
                self.settings.registration_time_limit_workdays,
                app.paused_workdays,
            )

    # -- transitions, ledger, locking ----------------------------------------------

    def _move(
        self,
        actor: Principal,
        app: RegistrationApplication,
        action: Action,
        party: Party,
        target: ApplicationState,
        reason: str | None,
        details: dict[str, Any],
    ) -> None:
        """Change state, and record the event in the history, the ledger and the audit log."""
        source = app.state
        app.state = target
        app.updated_at = self.now()
        self._flush()
        kind = TRANSITIONS[action].event
        index = self._append(actor, app, kind, party, reason, details) if kind else None
        self.session.add(
            RegistrationEvent(
                application_id=app.id,
                action=action.value,
                from_state=source.value,
                to_state=target.value,
                actor_user_id=actor.user_id,
                actor_organization_id=actor.organization_id,
                actor_label=actor.label[:100],
                reason=_clean_text(reason),
                details=_clean_details(details),
                ledger_index=index,
                occurred_at=self.now(),
            )
        )
        audit.record(
            self.session,
            actor,
            f"application.{action.value}",
            "application",
            app.application_no,
            organization_id=app.organization_id,
            detail={"from": source.value, "to": target.value, "ledger_index": index},
        )

    def _append(
        self,
        actor: Principal,
        app: RegistrationApplication,
        event: str,
        party: Party,
        reason: str | None,
        details: dict[str, Any],
    ) -> int:
        org = self._actor_organization(actor)
        body: dict[str, Any] = {
            "case_no": app.application_no,
            "event": event,
            "track": primary_track(app.tracks),
            "actor": {"uscc": org.uscc, "role": LEDGER_ROLE[party]},
            "occurred_at": utc_stamp(),
        }
        cleaned = _clean_text(reason)
        if cleaned:
            body["reasons"] = cleaned
        facts = _clean_details({"tracks": ",".join(app.tracks), **details})
        if facts:
            body["details"] = facts
        return self.ledger.append("registration-event/v1", body).index

    def _actor_organization(self, actor: Principal) -> Organization:
        org = None
        if actor.organization_id is not None:
            org = self.session.get(Organization, actor.organization_id)
        else:  # the console operator signs as the platform operator
            query = select(Organization).where(Organization.kind == OrgKind.PLATFORM_OPERATOR)
            org = self.session.scalars(query.order_by(Organization.id).limit(1)).first()
        if org is None:
            raise ConfigurationError("the actor has no organization to record in the ledger")
        return org

    def _flush(self) -> None:
        try:
            self.session.flush()
        except StaleDataError:
            self.session.rollback()
            raise Conflict("someone else changed this case at the same time; reload it") from None

    def _commit(self) -> None:
        try:
            self.session.commit()
        except StaleDataError:
            self.session.rollback()
            raise Conflict("someone else changed this case at the same time; reload it") from None

    @staticmethod
    def _check_version(app: RegistrationApplication, seen: int) -> None:
        if app.version != seen:
            raise Conflict(
                f"case {app.application_no} changed since you loaded it "
                f"(version {seen}, now {app.version}); reload it",
                current_version=app.version,
            )

    @staticmethod
    def _require_source(app: RegistrationApplication, action: Action) -> None:
        if app.state not in TRANSITIONS[action].sources:
            raise InvalidTransition(f"cannot {action.value} a case in state {app.state.value}")

    # -- who is who ----------------------------------------------------------------

    @staticmethod
    def is_registrar(actor: Principal) -> bool:
        return actor.org_kind == OrgKind.REGISTRAR and actor.has(*REGISTRAR_ROLES)

    def _require_officer(self, actor: Principal) -> None:
        require_role(actor, Role.REGISTRATION_OFFICER)
        if actor.org_kind != OrgKind.REGISTRAR:
            raise PermissionDenied("only a registrar's officers decide registration cases")

    def parties(self, actor: Principal, app: RegistrationApplication) -> frozenset[Party]:
        """The parts the actor may play in this case."""
        found: set[Party] = set()
        if actor.organization_id == app.organization_id and actor.has(*APPLICANT_ROLES):
            found.add(Party.APPLICANT)
        if self.is_registrar(actor):
            if actor.has(Role.REGISTRATION_OFFICER):
                found |= {Party.OFFICER, Party.REVIEWER}
            elif any(a.reviewer_id == actor.user_id for a in app.assignments):
                found.add(Party.REVIEWER)
        if actor.organization_id is not None and actor.organization_id != app.organization_id:
            found.add(Party.OBJECTOR)
        return frozenset(found)

    def _party(
        self, actor: Principal, app: RegistrationApplication, allowed: frozenset[Party]
    ) -> Party:
        mine = self.parties(actor, app) & allowed
        if not mine:
            if Party.REVIEWER in allowed and actor.has(Role.REVIEWER):
                raise PermissionDenied("only reviewers assigned to this case may do this")
            wanted = ", ".join(sorted(p.value for p in allowed))
            raise PermissionDenied(f"this needs the part of: {wanted}")
        order = (Party.OFFICER, Party.REVIEWER, Party.APPLICANT, Party.OBJECTOR)
        return next(p for p in order if p in mine)

    # -- reading -------------------------------------------------------------------

    def _visible(self, actor: Principal, app: RegistrationApplication) -> bool:
        if actor.oversees_all_tenants or actor.organization_id == app.organization_id:
            return True
        return self.is_registrar(actor) and app.state != S.DRAFT

    def get(self, actor: Principal, application_id: int) -> RegistrationApplication:
        """A case the actor may see; others' cases answer 404."""
        app = self.session.get(RegistrationApplication, application_id)
        if app is None or not self._visible(actor, app):
            raise NotFound("application not found")
        return app

    def get_by_number(self, actor: Principal, application_no: str) -> RegistrationApplication:
        found = self.session.scalar(
            select(RegistrationApplication.id).where(
                RegistrationApplication.application_no == application_no.strip().upper()
            )
        )
        if found is None:
            raise NotFound("application not found")
        return self.get(actor, found)

    def _own(self, actor: Principal, application_id: int) -> RegistrationApplication:
        app = self.session.get(RegistrationApplication, application_id)
        if app is None or app.organization_id != actor.organization_id:
            raise NotFound("application not found")
        return app

    def list_own(self, actor: Principal) -> Sequence[RegistrationApplication]:
        if actor.organization_id is None:
            return []
        query = select(RegistrationApplication).where(
            RegistrationApplication.organization_id == actor.organization_id
        )
        return self.session.scalars(query.order_by(RegistrationApplication.id.desc())).all()

    def queue(
        self, actor: Principal, state: str | None = None, *, overdue: bool = False
    ) -> Sequence[RegistrationApplication]:
        """The registrar's queue: cases past the draft, earliest deadline first."""
        if not (self.is_registrar(actor) or actor.oversees_all_tenants):
            raise PermissionDenied("the queue is for the registrar's reviewers and officers")
        query = select(RegistrationApplication).where(RegistrationApplication.state != S.DRAFT)
        if state:
            if state not in {s.value for s in S}:
                raise InvalidInput(f"unknown state {state!r}")
            query = query.where(RegistrationApplication.state == S(state))
        if overdue:
            query = query.where(
                RegistrationApplication.state.in_(CLOCKED),
                RegistrationApplication.paused_since.is_(None),
                RegistrationApplication.deadline < shanghai_date(self.now()),
            )
        order = (
            RegistrationApplication.deadline.is_(None),
            RegistrationApplication.deadline,
            RegistrationApplication.id,
        )
        return self.session.scalars(query.order_by(*order)).all()

    def listing(
        self, actor: Principal, state: str | None = None
    ) -> Sequence[RegistrationApplication]:
        """What `GET /applications` shows: the queue for the registrar, else one's own."""
        if self.is_registrar(actor) or actor.oversees_all_tenants:
            return self.queue(actor, state)
        cases = self.list_own(actor)
        return [c for c in cases if state is None or c.state == state]

    def clock_view(self, app: RegistrationApplication) -> clock.ClockView:
        return clock.view(
            self.calendar,
            app.deadline,
            app.paused_since is not None,
            app.state in CLOCKED,
            self.now(),
        )

    def conflicts(self, actor: Principal, application_id: int) -> list[OverlapFlag]:
        """Other holders' datasets this case's dataset matches or largely overlaps."""
        app = self.get(actor, application_id)
        if not (self.is_registrar(actor) or actor.oversees_all_tenants):
            raise PermissionDenied("conflict checks are for the registrar")
        if app.dataset_version_id is None:
            return []
        datasets = DatasetService(self.session, self.settings, self.ledger)
        return datasets.find_overlaps(app.dataset_version_id, min_containment=0.5)

    def notices(self) -> Sequence[PublicNotice]:
        """Public: the notices running now (and those with objections being handled)."""
        query = (
            select(PublicNotice)
            .join(RegistrationApplication)
            .where(RegistrationApplication.state.in_((S.PUBLIC_NOTICE, S.OBJECTION_REVIEW)))
            .order_by(PublicNotice.ends_on, PublicNotice.id)
        )
        return self.session.scalars(query).all()

    def notice(self, notice_no: str) -> PublicNotice:
        """Public: one notice by number."""
        found = self.session.scalar(
            select(PublicNotice).where(PublicNotice.notice_no == notice_no.strip().upper())
        )
        if found is None:
            raise NotFound("notice not found")
        return found

    def open_for_objections(self, notice: PublicNotice) -> bool:
        return shanghai_date(self.now()) <= notice.ends_on and notice.application.state in (
            S.PUBLIC_NOTICE,
            S.OBJECTION_REVIEW,
        )

    def version_choices(self, actor: Principal) -> Sequence[DatasetVersion]:
        """The actor's organization's dataset versions, for the application form."""
        if actor.organization_id is None:
            return []
        query = (
            select(DatasetVersion)
            .join(Dataset)
            .where(Dataset.organization_id == actor.organization_id)
            .order_by(DatasetVersion.id.desc())
            .limit(200)
        )
        return self.session.scalars(query).all()

    def reviewer_choices(self, actor: Principal) -> Sequence[User]:
        """The registrar's active staff who can be assigned to review."""
        if not self.is_registrar(actor):
            return []
        query = (
            select(User)
            .join(UserRole)
            .where(
                User.organization_id == actor.organization_id,
                User.is_active.is_(True),
                UserRole.role.in_(REGISTRAR_ROLES),
            )
            .distinct()
            .order_by(User.id)
        )
        return self.session.scalars(query).all()

    def holder_name(self, app: RegistrationApplication) -> str:
        org = self.session.get(Organization, app.organization_id)
        return org.name if org else ""
