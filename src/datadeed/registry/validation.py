"""Complete validation of an application at submission: every problem, field by field.

Evidence receipts must exist and belong to the applicant (an organization cannot lean on
another's evidence). The sensitive-data gate's reasons come back as errors on
``dataset_version_id``.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from datadeed.evidence.models import EvidenceRecord
from datadeed.registry.checklists import DOCUMENT_LABELS, SOURCE_DOCUMENTS
from datadeed.registry.errors import FieldError
from datadeed.registry.models import (
    ObjectType,
    RegistrationApplication,
    Right,
    SourceCategory,
    Track,
)
from datadeed.registry.states import ApplicationState

REQUIRED_TEXT = {
    "title": "a title",
    "source_explanation": "an explanation of where the data comes from",
    "data_format": "the data format",
    "coverage_period": "the period the data covers",
    "coverage_region": "the region the data covers",
    "update_frequency": "the update frequency",
    "description": "a description of the data",
}
OPEN_STATES = frozenset(ApplicationState) - {ApplicationState.DRAFT, ApplicationState.REFUSED}


def own_receipts(session: Session, organization_id: int, receipts: Iterable[str]) -> set[str]:
    """Which of ``receipts`` are evidence receipts lodged by the organization."""
    wanted = {r for r in receipts if isinstance(r, str)}
    if not wanted:
        return set()
    found = session.scalars(
        select(EvidenceRecord.receipt_id).where(
            EvidenceRecord.receipt_id.in_(wanted),
            EvidenceRecord.organization_id == organization_id,
        )
    )
    return set(found)


class ApplicationValidator:
    def __init__(self, session: Session, application: RegistrationApplication) -> None:
        self.session = session
        self.app = application
        self.errors: list[FieldError] = []

    def run(self) -> list[FieldError]:
        self._text_fields()
        self._tracks_and_type()
        self._rights()
        self._source()
        self._dataset()
        if not self.app.commitment_accepted:
            self._error("commitment_accepted", "accept the commitment statement")
        return self.errors

    def _error(self, field: str, message: str) -> None:
        self.errors.append(FieldError(field, message))

    def _text_fields(self) -> None:
        for field, what in REQUIRED_TEXT.items():
            value = getattr(self.app, field)
            if not value or not str(value).strip():
                self._error(field, f"give {what}")

    def _tracks_and_type(self) -> None:
        tracks = self.app.tracks or []
        valid = {t.value for t in Track}
        if not tracks:
            self._error("tracks", "choose data property, data IP or both")
        elif not set(tracks) <= valid or len(set(tracks)) != len(tracks):
            self._error("tracks", f"tracks must be among {', '.join(sorted(valid))}")
        if self.app.object_type not in {o.value for o in ObjectType}:
            self._error("object_type", "choose the kind of data object")
        elif (
            self.app.object_type == ObjectType.PUBLIC_DATA
            and self.app.source_category != SourceCategory.PUBLIC_AUTHORISATION
        ):
            self._error("source_category", "public data needs the public-data authorisation")

    def _rights(self) -> None:
        claims = self.app.rights_claimed or []
        if not claims:
            self._error("rights_claimed", "claim at least one right")
            return
        seen: set[str] = set()
        for i, claim in enumerate(claims):
            right = claim.get("right")
            if right not in {r.value for r in Right}:
                self._error(f"rights_claimed[{i}].right", "the right must be hold, use or operate")
                continue
            if right in seen:
                self._error(f"rights_claimed[{i}].right", f"{right} is claimed twice")
            seen.add(right)
            self._evidence(f"rights_claimed[{i}].evidence", claim.get("evidence") or [], right)

    def _evidence(self, field: str, receipts: list[str], what: str) -> None:
        """Each right needs its own evidence (holding does not imply use or operation)."""
        if not receipts:
            self._error(field, f"the {what} right needs its own evidence")
            return
        missing = set(receipts) - own_receipts(self.session, self.app.organization_id, receipts)
        for receipt in sorted(missing, key=str):
            self._error(field, f"evidence receipt {receipt} is not one of yours")

    def _source(self) -> None:
        category = self.app.source_category
        if category not in {c.value for c in SourceCategory}:
            self._error("source_category", "choose the data-source category")
            return
        documents = self.app.source_documents or {}
        for kind in SOURCE_DOCUMENTS[SourceCategory(category)]:
            receipts = documents.get(kind) or []
            field = f"source_documents.{kind}"
            if not receipts:
                self._error(field, f"attach: {DOCUMENT_LABELS[kind]}")
                continue
            missing = set(receipts) - own_receipts(self.session, self.app.organization_id, receipts)
            for receipt in sorted(missing, key=str):
                self._error(field, f"evidence receipt {receipt} is not one of yours")

    def _dataset(self) -> None:
        if self.app.dataset_version_id is None:
            self._error("dataset_version_id", "choose the dataset version to register")
            return
        if self.app.quality_report_id is None:
            self._error("dataset_version_id", "the dataset version has no quality report")
        duplicate = self.session.scalar(
            select(RegistrationApplication.application_no).where(
                RegistrationApplication.dataset_version_id == self.app.dataset_version_id,
                RegistrationApplication.id != self.app.id,
                RegistrationApplication.state.in_(OPEN_STATES),
            )
        )
        if duplicate is not None:
            self._error("dataset_version_id", f"this version is already in application {duplicate}")
