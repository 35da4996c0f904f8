"""The registration application state machine, as data (DESIGN.md, DOMAIN.md §1.5).

Pure: no I/O. ``TRANSITIONS`` lists every move, the states it starts from, where it
ends and which part may make it. Services look moves up here and nothing else decides
whether a move is allowed.

    draft ──submit──► submitted ──accept──► accepted ──assign──► formal_review
      ▲                 │   │                                        │
      └──(save)── returned ◄┘ return (补正)          pass_formal ───┘
                        │     refuse_acceptance ─► refused ◄── refuse (formal/substantive)
    returned ──submit──► submitted                   ▲
    substantive_review ──publish_notice──► public_notice ──register──► registered
                                   ▲            │ file_objection       │
                                   └─dismiss── objection_review ──uphold┘→ refused
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ApplicationState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"  # 补正: returned for correction
    ACCEPTED = "accepted"
    FORMAL_REVIEW = "formal_review"
    SUBSTANTIVE_REVIEW = "substantive_review"
    PUBLIC_NOTICE = "public_notice"
    OBJECTION_REVIEW = "objection_review"
    REGISTERED = "registered"
    REFUSED = "refused"


class Party(StrEnum):
    """The part an actor plays; each transition names the parties that may make it."""

    APPLICANT = "applicant"  # the applicant organization's data manager or admin
    OFFICER = "officer"  # registration officer of the registrar
    REVIEWER = "reviewer"  # a reviewer assigned to the case (officers count too)
    OBJECTOR = "objector"  # any account holder of another organization


class Action(StrEnum):
    SAVE = "save"
    SUBMIT = "submit"
    ACCEPT = "accept"
    RETURN = "return"
    REFUSE_ACCEPTANCE = "refuse_acceptance"
    ASSIGN = "assign"
    PASS_FORMAL = "pass_formal"  # noqa: S105 - an action name
    PUBLISH_NOTICE = "publish_notice"
    REFUSE = "refuse"
    FILE_OBJECTION = "file_objection"
    UPHOLD_OBJECTION = "uphold_objection"
    DISMISS_OBJECTION = "dismiss_objection"
    RESPOND_OBJECTION = "respond_objection"  # the applicant answers (答辩) an objection
    REGISTER = "register"


S = ApplicationState


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[ApplicationState]
    target: ApplicationState | None  # None: stays where it is
    parties: frozenset[Party]
    event: str | None  # registration-event/v1 ``event``; None: not a ledger event


def _t(
    action: Action,
    sources: set[ApplicationState],
    target: ApplicationState | None,
    parties: set[Party],
    event: str | None,
) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(parties), event)


TRANSITIONS: dict[Action, Transition] = {
    t.action: t
    for t in (
        _t(Action.SAVE, {S.DRAFT, S.RETURNED}, None, {Party.APPLICANT}, None),
        _t(Action.SUBMIT, {S.DRAFT, S.RETURNED}, S.SUBMITTED, {Party.APPLICANT}, "submitted"),
        _t(Action.ACCEPT, {S.SUBMITTED}, S.ACCEPTED, {Party.OFFICER}, "accepted"),
        _t(Action.RETURN, {S.SUBMITTED}, S.RETURNED, {Party.OFFICER}, "returned"),
        _t(Action.REFUSE_ACCEPTANCE, {S.SUBMITTED}, S.REFUSED, {Party.OFFICER}, "refused"),
        _t(
            Action.ASSIGN,
            {S.ACCEPTED, S.FORMAL_REVIEW, S.SUBSTANTIVE_REVIEW},
            S.FORMAL_REVIEW,
            {Party.OFFICER},
            "review_started",
        ),
        _t(
            Action.PASS_FORMAL,
            {S.FORMAL_REVIEW},
            S.SUBSTANTIVE_REVIEW,
            {Party.REVIEWER},
            "review_started",
        ),
        _t(
            Action.PUBLISH_NOTICE,
            {S.SUBSTANTIVE_REVIEW},
            S.PUBLIC_NOTICE,
            {Party.REVIEWER},
            "notice_published",
        ),
        _t(
            Action.REFUSE,
            {S.FORMAL_REVIEW, S.SUBSTANTIVE_REVIEW},
            S.REFUSED,
            {Party.REVIEWER},
            "refused",
        ),
        _t(
            Action.FILE_OBJECTION,
            {S.PUBLIC_NOTICE, S.OBJECTION_REVIEW},
            S.OBJECTION_REVIEW,
            {Party.OBJECTOR},
            "objection_filed",
        ),
        _t(
            Action.UPHOLD_OBJECTION,
            {S.OBJECTION_REVIEW},
            S.REFUSED,
            {Party.OFFICER},
            "objection_decided",
        ),
        # back to the notice only when no other objection is pending (services decide)
        _t(
            Action.DISMISS_OBJECTION,
            {S.OBJECTION_REVIEW},
            None,
            {Party.OFFICER},
            "objection_decided",
        ),
        # the applicant's answer: recorded with the objection proceedings' event name
        # (registration-event/v1 is frozen), ``details.filing`` tells it apart
        _t(
            Action.RESPOND_OBJECTION,
            {S.OBJECTION_REVIEW},
            None,
            {Party.APPLICANT},
            "objection_filed",
        ),
        _t(Action.REGISTER, {S.PUBLIC_NOTICE}, S.REGISTERED, {Party.OFFICER}, "registered"),
    )
}

TERMINAL = frozenset({S.REGISTERED, S.REFUSED})
# states in which the time-limit clock does not run (see docs/decisions/0009)
CLOCK_PAUSED = frozenset({S.PUBLIC_NOTICE, S.OBJECTION_REVIEW})
# states counted by the clock at all: from acceptance to a final decision
CLOCKED = frozenset(
    {S.ACCEPTED, S.FORMAL_REVIEW, S.SUBSTANTIVE_REVIEW, S.PUBLIC_NOTICE, S.OBJECTION_REVIEW}
)
EDITABLE = frozenset({S.DRAFT, S.RETURNED})


def allowed_actions(state: ApplicationState, parties: frozenset[Party]) -> list[Action]:
    """The moves the given parties may make from ``state``, in declaration order."""
    return [t.action for t in TRANSITIONS.values() if state in t.sources and t.parties & parties]


def can(action: Action, state: ApplicationState) -> bool:
    return state in TRANSITIONS[action].sources
