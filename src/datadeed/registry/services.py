"""The registry's use cases in one service, ``RegistryService``: the applicant's (drafts,
documents, complete submission behind the sensitive-data gate) and the reads (queue,
notices, conflicts) here; the registrar's decisions in ``decisions``; objections in
``objections``; the shared case machinery (parties, visibility, the recorded transition
under the optimistic lock) in ``base``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

from sqlalchemy import select

from datadeed.accounts.models import Organization, User, UserRole
from datadeed.accounts.principal import Principal, require_role
from datadeed.datasets.models import Dataset, DatasetVersion
from datadeed.datasets.schemas import OverlapFlag
from datadeed.datasets.services import DatasetService
from datadeed.datasets.storage import blob_store
from datadeed.errors import (
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
)
from datadeed.registry import checklists
from datadeed.registry.base import APPLICANT_ROLES, REGISTRAR_ROLES, DocumentUpload, S
from datadeed.registry.decisions import RegistrarDecisions
from datadeed.registry.errors import (
    ApplicationIncomplete,
    FieldError,
    FieldErrors,
)
from datadeed.registry.models import (
    ApplicationDocument,
    PublicNotice,
    RegistrationApplication,
    ReviewAssignment,
    Right,
)
from datadeed.registry.objections import ObjectionHandling
from datadeed.registry.schemas import (
    ApplicationDraft,
)
from datadeed.registry.states import (
    CLOCKED,
    EDITABLE,
    Action,
    Party,
)
from datadeed.registry.validation import OPEN_STATES, ApplicationValidator
from datadeed.sensitive.gates import evaluate_gate
from datadeed.workdays import shanghai_date

DOCUMENT_KINDS = (*(r.value for r in Right), *checklists.DOCUMENT_LABELS)

# columns that hold an empty value, never NULL, when a draft sends null
_EMPTY: dict[str, Callable[[], Any]] = {
    "title": str,
    "tracks": list,
    "rights_claimed": list,
    "source_documents": dict,
    "compliance_documents": dict,
    "commitment_accepted": bool,
}


@dataclass(frozen=True)
class Conflicting:
    """An overlap flag and the other holder's registration of that dataset, if any."""

    flag: OverlapFlag
    registration: RegistrationApplication | None


__all__ = ["APPLICANT_ROLES", "DOCUMENT_KINDS", "REGISTRAR_ROLES", "Conflicting", "RegistryService"]


class RegistryService(RegistrarDecisions, ObjectionHandling):
    """All registry use cases; see ``base``, ``decisions`` and ``objections``."""

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
        document = self._store_document(
            actor, app, DocumentUpload(filename, media_type, chunks), kind
        )
        self._cite(app, kind, document.receipt_id)
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

    # -- reading -------------------------------------------------------------------

    def list_own(self, actor: Principal) -> Sequence[RegistrationApplication]:
        if actor.organization_id is None:
            return []
        query = select(RegistrationApplication).where(
            RegistrationApplication.organization_id == actor.organization_id
        )
        return self.session.scalars(query.order_by(RegistrationApplication.id.desc())).all()

    def queue(
        self,
        actor: Principal,
        state: str | None = None,
        *,
        overdue: bool = False,
        mine: bool = False,
    ) -> Sequence[RegistrationApplication]:
        """The registrar's queue: cases past the draft, earliest deadline first; ``mine``:
        only the cases assigned to the actor."""
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
        if mine:
            assigned = select(ReviewAssignment.application_id).where(
                ReviewAssignment.reviewer_id == actor.user_id
            )
            query = query.where(RegistrationApplication.id.in_(assigned))
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

    def conflicts(self, actor: Principal, application_id: int) -> list[Conflicting]:
        """Other holders' datasets this case's dataset matches or largely overlaps, each
        with the other holder's registration of it (registered or pending), if any."""
        app = self.get(actor, application_id)
        if not (self.is_registrar(actor) or actor.oversees_all_tenants):
            raise PermissionDenied("conflict checks are for the registrar")
        if app.dataset_version_id is None:
            return []
        datasets = DatasetService(self.session, self.settings, self.ledger)
        flags = datasets.find_overlaps(app.dataset_version_id, min_containment=0.5)
        return [Conflicting(flag, self._registration_of(flag.dataset_id)) for flag in flags]

    def _registration_of(self, dataset_id: int) -> RegistrationApplication | None:
        """The latest registered or pending application over any version of the dataset."""
        query = (
            select(RegistrationApplication)
            .join(DatasetVersion, DatasetVersion.id == RegistrationApplication.dataset_version_id)
            .where(
                DatasetVersion.dataset_id == dataset_id,
                RegistrationApplication.state.in_(OPEN_STATES),
            )
            .order_by(RegistrationApplication.id.desc())
            .limit(1)
        )
        return self.session.scalars(query).first()

    def notices(self) -> Sequence[PublicNotice]:
        """Public: the notices running now (and those with objections being handled)."""
        query = (
            select(PublicNotice)
            .join(RegistrationApplication)
            .where(RegistrationApplication.state.in_((S.PUBLIC_NOTICE, S.OBJECTION_REVIEW)))
            .order_by(PublicNotice.ends_on, PublicNotice.id)
        )
        return self.session.scalars(query).all()

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
