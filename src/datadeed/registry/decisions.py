"""The registrar's decisions on a case: accept, return for correction, refuse, assign
reviewers, pass the review checklists, publish the notice, register."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from datadeed.accounts.models import User
from datadeed.accounts.principal import Principal
from datadeed.certificates.services import CertificateService
from datadeed.errors import (
    InvalidInput,
    InvalidTransition,
)
from datadeed.registry import checklists, clock
from datadeed.registry.base import REGISTRAR_ROLES, CaseBase, S
from datadeed.registry.errors import (
    ChecklistIncomplete,
    FieldError,
    FieldErrors,
    GateNotPassed,
    NoticeRunning,
)
from datadeed.registry.models import (
    PublicNotice,
    RegistrationApplication,
    ReviewAssignment,
)
from datadeed.registry.schemas import (
    Decision,
)
from datadeed.registry.states import (
    TRANSITIONS,
    Action,
    ApplicationState,
)
from datadeed.workdays import shanghai_date

# moves made through their own service methods, not through decide()
_NOT_DECISIONS = frozenset(
    {
        Action.SAVE,
        Action.SUBMIT,
        Action.FILE_OBJECTION,
        Action.UPHOLD_OBJECTION,
        Action.DISMISS_OBJECTION,
        Action.RESPOND_OBJECTION,
    }
)
# the moves decide() makes: the case page shows their forms
DECISIONS = frozenset(Action) - _NOT_DECISIONS
Handler = Callable[
    [Principal, RegistrationApplication, Decision], tuple[ApplicationState, dict[str, Any]]
]


class RegistrarDecisions(CaseBase):
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
        service = CertificateService(self.session, self.ledger, self.settings, now=self.now)
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
