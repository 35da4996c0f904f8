"""Registry errors (subclasses of the datadeed tree):

InvalidInput
├── FieldErrors                  422 invalid_fields (``errors``: field + message)
│   └── ApplicationIncomplete    422 application_incomplete
└── ChecklistIncomplete          422 checklist_incomplete
Conflict                         409 conflict (someone else changed the case first)
├── GateNotPassed                409 gate_not_passed
├── ObjectionPeriodClosed        409 objection_period_closed
├── ObjectionDecided             409 objection_decided
└── NoticeRunning                409 notice_running
"""

from __future__ import annotations

from dataclasses import dataclass

from datadeed.errors import Conflict, InvalidInput


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class FieldErrors(InvalidInput):
    """Input with problems in named fields; every one is listed."""

    code = "invalid_fields"
    status = 422
    title = "Invalid fields"
    lead = "invalid input"

    def __init__(self, errors: list[FieldError]) -> None:
        listed = "; ".join(f"{e.field}: {e.message}" for e in errors)
        super().__init__(
            f"{self.lead}: {listed}",
            errors=[{"field": e.field, "message": e.message} for e in errors],
        )
        self.errors = errors


class ApplicationIncomplete(FieldErrors):
    """Submission found problems; every one is listed, field by field."""

    code = "application_incomplete"
    title = "Application incomplete"
    lead = "the application cannot be submitted"


class ChecklistIncomplete(InvalidInput):
    code = "checklist_incomplete"
    status = 422
    title = "Checklist incomplete"


class GateNotPassed(Conflict):
    code = "gate_not_passed"
    title = "Sensitive-data gate not passed"


class ObjectionPeriodClosed(Conflict):
    code = "objection_period_closed"
    title = "Objection period closed"


class NoticeRunning(Conflict):
    code = "notice_running"
    title = "Public notice still running"


class ObjectionDecided(Conflict):
    code = "objection_decided"
    title = "Objection already decided"
