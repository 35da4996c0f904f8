"""Registry routes in the authorization matrix (tests/functional/test_authorization_matrix.py):
who may call each, the rows each call needs, and the bodies the allowed roles send.

Cases are written as rows in the state a route needs (the matrix tests authorization, the
workflow tests drive the real transitions); only /submit gets a complete application, as
submission validates everything."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Any

from datadeed.accounts.roles import Role
from datadeed.accounts.services import principal_for
from datadeed.datasets.services import DatasetService
from datadeed.datasets.storage import blob_store
from datadeed.db import utcnow
from datadeed.evidence.services import EvidenceService
from datadeed.ledger.keys import LogKeyring
from datadeed.ledger.services import LedgerService
from datadeed.registry.models import (
    ApplicationDocument,
    Objection,
    PublicNotice,
    RegistrationApplication,
)
from datadeed.registry.services import RegistryService
from datadeed.registry.states import ApplicationState
from tests.factories import OrganizationFactory
from tests.unit.registry.builders import complete_draft, version_of

PUBLIC = "public"
ANY_USER = "any user"
APPLICANTS = frozenset({Role.DATA_MANAGER, Role.ORG_ADMIN})
OFFICERS = frozenset({Role.REGISTRATION_OFFICER})
REGISTRAR_STAFF = frozenset({Role.REVIEWER, Role.REGISTRATION_OFFICER, Role.PLATFORM_ADMIN})

REGISTRY_ACCESS: dict[tuple[str, str], Any] = {
    ("GET", "/api/v1/applications"): ANY_USER,
    ("POST", "/api/v1/applications"): APPLICANTS,
    ("GET", "/api/v1/applications/{application_id}"): ANY_USER,
    ("PUT", "/api/v1/applications/{application_id}"): APPLICANTS,
    ("POST", "/api/v1/applications/{application_id}/submit"): APPLICANTS,
    ("POST", "/api/v1/applications/{application_id}/decisions"): OFFICERS,
    ("GET", "/api/v1/applications/{application_id}/conflicts"): REGISTRAR_STAFF,
    ("GET", "/api/v1/notices"): PUBLIC,
    ("GET", "/api/v1/notices/{notice_no}"): PUBLIC,
    ("POST", "/api/v1/notices/{notice_no}/objections"): ANY_USER,
    ("POST", "/api/v1/objections/{objection_id}/decision"): OFFICERS,
    ("PUT", "/api/v1/objections/{objection_id}/response"): APPLICANTS,
    ("POST", "/api/v1/objections/{objection_id}/documents"): APPLICANTS,
    ("GET", "/notices"): PUBLIC,
    ("GET", "/notices/{notice_no}"): PUBLIC,
    ("POST", "/notices/{notice_no}/objections"): ANY_USER,
    ("GET", "/applications"): ANY_USER,
    ("POST", "/applications/new"): APPLICANTS,
    ("GET", "/applications/{application_id}"): ANY_USER,
    ("POST", "/applications/{application_id}"): APPLICANTS,
    ("POST", "/applications/{application_id}/decisions"): OFFICERS,
    ("POST", "/objections/{objection_id}/decision"): OFFICERS,
    ("POST", "/objections/{objection_id}/response"): APPLICANTS,
    ("GET", "/registry/queue"): REGISTRAR_STAFF,
    ("POST", "/api/v1/application-documents/{application_id}"): APPLICANTS,
    ("GET", "/api/v1/applications/{application_id}/documents/{document_id}"): ANY_USER,
    ("POST", "/application-documents/{application_id}"): APPLICANTS,
    ("GET", "/applications/{application_id}/documents/{document_id}"): ANY_USER,
}
# query strings and files the document uploads need
REGISTRY_QUERY = {
    "/api/v1/application-documents/{application_id}": "?kind=hold&filename=a.pdf",
    "/api/v1/objections/{objection_id}/documents": "?filename=a.pdf",
}
DOCUMENT_FILE = {"file": ("授权书.pdf", b"%PDF-1.4 matrix", "application/pdf")}

_n = itertools.count()
_VERSIONS: dict[str, int] = {}  # "application:ID" / "objection:ID" -> case version to send


def _case(session: Any, organization_id: int, state: ApplicationState) -> RegistrationApplication:
    n = next(_n)
    app = RegistrationApplication(
        application_no=f"RA-M-{n:06d}",
        organization_id=organization_id,
        title=f"矩阵申请{n}",
        tracks=["data_property"],
        object_type="data_resource",
        rights_claimed=[{"right": "hold", "evidence": []}],
        source_documents={},
        compliance_documents={},
        checklist={},
        state=state,
        gate_result={"allowed": True, "grade": "general_2", "reasons": []},
    )
    session.add(app)
    session.flush()
    return app


def _noticed(
    session: Any, state: ApplicationState, organization_id: int | None = None
) -> tuple[RegistrationApplication, PublicNotice]:
    """A case under notice, objections open: of a new organization, or of the one given."""
    app = _case(session, organization_id or OrganizationFactory().id, state)
    today = dt.date.today()
    notice = PublicNotice(
        application=app,
        notice_no=f"GS-M-{app.id:06d}",
        starts_on=today,
        ends_on=today + dt.timedelta(days=14),
        workdays=10,
    )
    session.add(notice)
    session.flush()
    return app, notice


def seed_registry(accounts: Any, user: Any, path: str) -> dict[str, str]:
    """The rows a registry route needs, written in the caller's test transaction."""
    settings = accounts.settings
    ledger = LedgerService(accounts.session, settings, LogKeyring.from_settings(settings))
    session = ledger.session
    values: dict[str, str] = {}
    if "{notice_no}" in path:
        _, notice = _noticed(session, ApplicationState.PUBLIC_NOTICE)
        values["notice_no"] = notice.notice_no
    if "{objection_id}" in path:
        # answers to an objection come from the applicant: the case is the caller's own
        answer = path.endswith(("/response", "/documents"))
        mine = user.organization_id if user is not None and answer else None
        app, notice = _noticed(session, ApplicationState.OBJECTION_REVIEW, mine)
        objection = Objection(application=app, notice_id=notice.id, grounds="矩阵异议")
        app.paused_since = utcnow()
        session.add(objection)
        session.flush()
        _VERSIONS[f"objection:{objection.id}"] = app.version
        values["objection_id"] = str(objection.id)
    if "{application_id}" in path:
        app = _own_case(ledger, settings, user, path)
        if "{document_id}" in path:
            values["document_id"] = str(_document(ledger, settings, app).id)
        _VERSIONS[f"application:{app.id}"] = app.version
        values["application_id"] = str(app.id)
    session.commit()
    return values


def _own_case(ledger: Any, settings: Any, user: Any, path: str) -> RegistrationApplication:
    """A case of the caller's organization: submitted for decisions, complete for submit."""
    org_id = user.organization_id if user is not None else OrganizationFactory().id
    applicant = user is not None and bool(user.role_set & APPLICANTS)
    if path.endswith("/submit") and applicant:
        datasets = DatasetService(ledger.session, settings, ledger)
        version = version_of(datasets, user)
        evidence = EvidenceService(ledger.session, settings, ledger)
        draft = complete_draft(evidence, user, version.id)
        registry = RegistryService(ledger.session, settings, ledger)
        return registry.save_draft(principal_for(user), draft)
    state = ApplicationState.SUBMITTED if "/decisions" in path else ApplicationState.DRAFT
    return _case(ledger.session, org_id, state)


def _document(ledger: Any, settings: Any, app: RegistrationApplication) -> ApplicationDocument:
    data = b"%PDF-1.4 seeded"
    blob = blob_store(settings).put_stream([data])
    document = ApplicationDocument(
        application=app,
        kind="hold",
        filename="持有权证明.pdf",
        media_type="application/pdf",
        size_bytes=blob.size,
        sha256=blob.sha256,
        receipt_id="0" * 24,
    )
    ledger.session.add(document)
    ledger.session.flush()
    return document


_ID = re.compile(r"/(applications|objections)/(\d+)/")


def registry_body(method: str, path: str) -> dict[str, Any] | None:
    """The body an allowed caller sends (``path`` is filled in)."""
    if method not in ("POST", "PUT"):
        return None
    found = _ID.search(path + "/")
    version = _VERSIONS.get(f"{found[1][:-1]}:{found[2]}", 1) if found else 1
    if path.endswith("/decisions"):
        return {"action": "accept", "version": version}
    if path.endswith("/decision"):
        if path.startswith("/api/"):
            return {"upheld": False, "reasons": "矩阵驳回", "version": version}
        return {"outcome": "dismissed", "reasons": "矩阵驳回", "version": version}
    if path.endswith("/objections"):
        return {"grounds": "矩阵异议"}
    if path.endswith("/response"):
        return {"text": "矩阵答辩"}
    if path.endswith("/submit") or path.startswith("/api/v1/application-documents/"):
        return None
    if path.startswith("/application-documents/"):
        return {"kind": "hold"}
    if path == "/api/v1/applications" or path == "/applications/new":
        return {"title": "矩阵草稿"}
    if re.fullmatch(r"(/api/v1)?/applications/\d+", path):
        return {"title": "矩阵草稿"}
    return None
