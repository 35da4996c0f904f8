"""The case machinery every registry use case shares: who is acting and in which part,
which cases they may see, and how a transition is recorded (history row, ledger entry
registration-event/v1, audit event) under the case's optimistic lock."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from datadeed.accounts import audit
from datadeed.accounts.models import Organization
from datadeed.accounts.principal import Principal, require_role
from datadeed.accounts.roles import OrgKind, Role
from datadeed.config import Settings
from datadeed.datasets.storage import blob_store
from datadeed.db import utcnow
from datadeed.errors import (
    ConfigurationError,
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
)
from datadeed.evidence.services import EvidenceInput, EvidenceService
from datadeed.ledger.services import LedgerService
from datadeed.registry import clock
from datadeed.registry.models import (
    ApplicationDocument,
    PublicNotice,
    RegistrationApplication,
    RegistrationEvent,
    Track,
)
from datadeed.registry.states import (
    CLOCKED,
    TRANSITIONS,
    Action,
    ApplicationState,
    Party,
)

APPLICANT_ROLES = (Role.DATA_MANAGER, Role.ORG_ADMIN)
REGISTRAR_ROLES = (Role.REVIEWER, Role.REGISTRATION_OFFICER)
LEDGER_ROLE = {
    Party.APPLICANT: "applicant",
    Party.OFFICER: "registrar",
    Party.REVIEWER: "reviewer",
    Party.OBJECTOR: "objector",
}
# control characters the ledger's text fields refuse (newlines are allowed in reasons)
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")
S = ApplicationState


def primary_track(tracks: Sequence[str]) -> str:
    """The track a registration-event/v1 entry names; ``details.tracks`` lists them all."""
    return Track.DATA_PROPERTY.value if Track.DATA_PROPERTY.value in tracks else Track.DATA_IP


def _clean_text(text: str | None, limit: int = 4000) -> str | None:
    """Text the ledger accepts: control characters other than newlines become spaces."""
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


@dataclass(frozen=True)
class DocumentUpload:
    """A file the applicant files: its name, media type and bytes (read once)."""

    filename: str
    media_type: str | None
    chunks: Iterable[bytes]


class CaseBase:
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
            "occurred_at": self.now().astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
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

    def _store_document(
        self, actor: Principal, app: RegistrationApplication, upload: DocumentUpload, kind: str
    ) -> ApplicationDocument:
        """Keep a filed document for the reviewers: the file goes to the blob store and its
        digest is lodged as evidence (the receipt is the document's citation)."""
        name = upload.filename.strip()[-255:] or "document"
        store = blob_store(self.settings)
        blob = store.put_stream(upload.chunks, limit=self.settings.upload_max_bytes)
        record = EvidenceService(self.session, self.settings, self.ledger).lodge(
            actor,
            EvidenceInput(
                "sha256",
                blob.sha256,
                size_bytes=blob.size,
                filename=name,
                media_type=upload.media_type,
                metadata={"application": app.application_no, "kind": kind},
            ),
        )
        document = ApplicationDocument(
            application=app,
            kind=kind,
            filename=name,
            media_type=upload.media_type,
            size_bytes=blob.size,
            sha256=blob.sha256,
            receipt_id=record.receipt_id,
            uploaded_by_id=actor.user_id,
        )
        self.session.add(document)
        return document

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

    def clock_view(self, app: RegistrationApplication) -> clock.ClockView:
        return clock.view(
            self.calendar,
            app.deadline,
            app.paused_since is not None,
            app.state in CLOCKED,
            self.now(),
        )

    def notice(self, notice_no: str) -> PublicNotice:
        """Public: one notice by number."""
        found = self.session.scalar(
            select(PublicNotice).where(PublicNotice.notice_no == notice_no.strip().upper())
        )
        if found is None:
            raise NotFound("notice not found")
        return found

    def _recompute_deadline(self, app: RegistrationApplication) -> None:
        if app.accepted_at is not None:
            app.deadline = clock.deadline(
                self.calendar,
                app.accepted_at,
                self.settings.registration_time_limit_workdays,
                app.paused_workdays,
            )
