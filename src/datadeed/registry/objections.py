"""Objections during the public notice: filed by other organizations' account holders,
answered by the applicant, decided by an officer with reasons; the time-limit clock
pauses meanwhile."""

from __future__ import annotations

from collections.abc import Sequence

from datadeed.accounts.principal import Principal, require_role
from datadeed.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
)
from datadeed.registry import clock
from datadeed.registry.base import APPLICANT_ROLES, CaseBase, DocumentUpload, S
from datadeed.registry.errors import (
    FieldError,
    FieldErrors,
    ObjectionDecided,
    ObjectionPeriodClosed,
)
from datadeed.registry.models import (
    ApplicationDocument,
    Objection,
    ObjectionResponse,
    ObjectionStatus,
    RegistrationApplication,
)
from datadeed.registry.schemas import (
    ObjectionDecisionIn,
    ObjectionIn,
    ObjectionResponseIn,
)
from datadeed.registry.states import (
    Action,
    ApplicationState,
    Party,
)
from datadeed.registry.validation import own_receipts
from datadeed.workdays import shanghai_date

RESPONSE_KIND = "objection_response"  # an application document filed with an answer


class ObjectionHandling(CaseBase):
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

    def respond_to_objection(
        self,
        actor: Principal,
        objection_id: int,
        data: ObjectionResponseIn,
        documents: Sequence[DocumentUpload] = (),
    ) -> Objection:
        """The applicant answers (答辩) a pending objection: text, its own evidence receipts
        and documents (kept and lodged as evidence). Answered again, the text is replaced
        and the evidence added to, until the objection is decided."""
        objection, org_id = self._answerable(actor, objection_id)
        text = data.text.strip()
        if not text:
            raise FieldErrors([FieldError("text", "give the response to the objection")])
        self._objection_evidence(org_id, data.evidence)
        app = objection.application
        app.updated_at = self.now()
        self._flush()  # takes the case's version: a decision made on the older one gets 409
        filed = [self._store_document(actor, app, d, RESPONSE_KIND) for d in documents]
        response = self._save_response(actor, objection, text, data.evidence, filed)
        details = {
            "objection_id": objection.id,
            "filing": "applicant_response",
            "revision": response.revision,
            "evidence": len(response.evidence),
        }
        self._move(actor, app, Action.RESPOND_OBJECTION, Party.APPLICANT, app.state, None, details)
        self._commit()
        return objection

    def file_response_document(
        self, actor: Principal, objection_id: int, upload: DocumentUpload
    ) -> ApplicationDocument:
        """A document for the answer to a pending objection, filed on its own (the API
        sends files as raw bodies): kept for the reviewers and lodged as evidence; the
        answer cites its receipt."""
        objection, _ = self._answerable(actor, objection_id)
        document = self._store_document(actor, objection.application, upload, RESPONSE_KIND)
        self._flush()
        self._commit()
        return document

    def _answerable(self, actor: Principal, objection_id: int) -> tuple[Objection, int]:
        """A pending objection to the actor's organization's case, and that organization:
        another organization's answers 404, another role 403, a decided one 409."""
        require_role(actor, *APPLICANT_ROLES)
        objection = self.session.get(Objection, objection_id)
        org_id = actor.organization_id
        if objection is None or org_id is None or objection.application.organization_id != org_id:
            raise NotFound("objection not found")
        if objection.status != ObjectionStatus.PENDING:
            raise ObjectionDecided(
                f"objection {objection_id} was already decided ({objection.status.value})"
            )
        return objection, org_id

    def _save_response(
        self,
        actor: Principal,
        objection: Objection,
        text: str,
        receipts: list[str],
        filed: Sequence[ApplicationDocument],
    ) -> ObjectionResponse:
        now = self.now()
        response = objection.response
        if response is None:
            response = ObjectionResponse(
                objection=objection,
                organization_id=objection.application.organization_id,
                revision=0,
                evidence=[],
                created_at=now,
            )
            self.session.add(response)
        cited = [*response.evidence, *receipts, *(d.receipt_id for d in filed)]
        response.text = text
        response.evidence = list(dict.fromkeys(cited))
        response.responded_by_id = actor.user_id
        response.revision += 1
        response.updated_at = now
        self._flush()
        return response

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
