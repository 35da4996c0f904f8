"""Registry objects as their API/CLI shapes, without HTTP (the API and the CLI share them)."""

from __future__ import annotations

from datadeed.registry.models import PublicNotice, RegistrationApplication
from datadeed.registry.schemas import (
    ApplicationOut,
    ClockOut,
    DocumentOut,
    EventOut,
    NoticeOut,
    ObjectionOut,
)
from datadeed.registry.services import RegistryService


def application_out(registry: RegistryService, app: RegistrationApplication) -> ApplicationOut:
    out = ApplicationOut.model_validate(app)
    view = registry.clock_view(app)
    out.clock = ClockOut(
        deadline=view.deadline,
        remaining_workdays=view.remaining,
        paused=view.paused,
        overdue=view.overdue,
    )
    out.reviewer_ids = [a.reviewer_id for a in app.assignments]
    out.events = [EventOut.model_validate(e) for e in app.events]
    out.objections = [ObjectionOut.model_validate(o) for o in app.objections]
    out.documents = [DocumentOut.model_validate(d) for d in app.documents]
    return out


def notice_out(registry: RegistryService, notice: PublicNotice) -> NoticeOut:
    app = notice.application
    return NoticeOut(
        notice_no=notice.notice_no,
        application_no=app.application_no,
        title=app.title,
        holder=registry.holder_name(app),
        tracks=app.tracks,
        object_type=app.object_type,
        rights=[c.get("right", "") for c in app.rights_claimed],
        fingerprint_sha256=app.fingerprint_sha256,
        published_at=notice.published_at,
        starts_on=notice.starts_on,
        objection_deadline=notice.ends_on,
        open_for_objections=registry.open_for_objections(notice),
        state=app.state.value,
    )
