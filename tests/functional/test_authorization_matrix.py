"""Role × route authorization, for every route the app serves.

ACCESS must name every route: adding a route without deciding who may call it fails
``test_every_route_has_an_access_rule``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from datadeed.accounts.principal import Principal
from datadeed.accounts.roles import OrgKind, Role
from datadeed.accounts.services import AccountsService, principal_for
from datadeed.app import create_app
from datadeed.datasets.services import DatasetService
from datadeed.evidence.services import EvidenceInput
from datadeed.identifiers import make_uscc
from datadeed.web.deps import SESSION_COOKIE
from tests.conftest import make_settings
from tests.factories import PASSWORD, OrganizationFactory, UserFactory
from tests.unit.certificates.matrix import certificate_body
from tests.unit.registry.matrix import (
    DOCUMENT_FILE,
    REGISTRY_ACCESS,
    REGISTRY_QUERY,
    registry_body,
    seed_registry,
)
from tests.unit.valuation.matrix import VALUATION_ACCESS, seed_valuation, valuation_body

PUBLIC = "public"
ANY_USER = "any user"
ADMINS = frozenset({Role.ORG_ADMIN, Role.PLATFORM_ADMIN})
LODGERS = frozenset({Role.DATA_MANAGER, Role.ORG_ADMIN, Role.PLATFORM_ADMIN})
UPLOADERS = frozenset({Role.DATA_MANAGER, Role.ORG_ADMIN})
CSV = "id,城市\n1,杭州\n2,宁波\n".encode()
GRADE_REVIEWERS = frozenset(
    {Role.REVIEWER, Role.REGISTRATION_OFFICER, Role.REGULATOR, Role.PLATFORM_ADMIN}
)
SCANNERS = UPLOADERS | GRADE_REVIEWERS
RISK_RECORDERS = UPLOADERS | {Role.REGULATOR, Role.PLATFORM_ADMIN}
HOLDERS = frozenset({Role.DATA_MANAGER, Role.ORG_ADMIN})
OFFICERS = frozenset({Role.REGISTRATION_OFFICER})
CERTIFICATE_ACCESS: dict[tuple[str, str], Any] = {
    ("GET", "/api/v1/certificates"): ANY_USER,
    ("GET", "/api/v1/certificates/{number}"): PUBLIC,
    ("GET", "/api/v1/certificates/{number}/bundle"): PUBLIC,
    ("GET", "/api/v1/certificates/{number}/pdf"): PUBLIC,
    ("GET", "/api/v1/certificates/licences"): ANY_USER,
    ("GET", "/api/v1/certificates/{number}/licences"): PUBLIC,
    ("GET", "/api/v1/certificates/{number}/encumbrances"): PUBLIC,
    ("POST", "/api/v1/certificates/{number}/registrations"): HOLDERS | OFFICERS,
    ("GET", "/verify/certificate"): PUBLIC,
    ("GET", "/certificates"): ANY_USER,
    ("GET", "/certificates/licences"): ANY_USER,
    ("GET", "/certificates/{number}"): PUBLIC,
    ("POST", "/certificates/{number}/registrations"): HOLDERS | OFFICERS,
}

# (method, path) -> who may call it: PUBLIC, ANY_USER, or a set of roles.
ACCESS: dict[tuple[str, str], Any] = {
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("GET", "/api/v1/openapi.json"): PUBLIC,
    ("GET", "/api/v1/me"): ANY_USER,
    ("POST", "/api/v1/tokens/login"): PUBLIC,
    ("GET", "/api/v1/tokens"): ANY_USER,
    ("DELETE", "/api/v1/tokens/{token_id}"): ANY_USER,
    ("GET", "/api/v1/organizations"): ANY_USER,
    ("POST", "/api/v1/organizations"): {Role.PLATFORM_ADMIN},
    ("GET", "/api/v1/organizations/{organization_id}"): ANY_USER,
    ("GET", "/api/v1/organizations/{organization_id}/users"): ADMINS,
    ("POST", "/api/v1/organizations/{organization_id}/users"): ADMINS,
    ("GET", "/api/v1/users/{user_id}"): ANY_USER,
    ("PUT", "/api/v1/users/{user_id}/roles"): ADMINS,
    ("GET", "/api/v1/audit-events"): {Role.PLATFORM_ADMIN},
    ("GET", "/api/v1/ledger/checkpoint"): PUBLIC,
    ("GET", "/api/v1/ledger/entries/{index}"): PUBLIC,
    ("GET", "/api/v1/ledger/proofs/inclusion"): PUBLIC,
    ("GET", "/api/v1/ledger/proofs/consistency"): PUBLIC,
    ("GET", "/api/v1/ledger/keys"): PUBLIC,
    ("GET", "/api/v1/ledger/receipts/{index}"): PUBLIC,
    ("GET", "/ledger/checkpoint"): PUBLIC,
    ("GET", "/ledger/tile/{path:path}"): PUBLIC,
    ("POST", "/api/v1/evidence"): LODGERS,
    ("POST", "/api/v1/evidence/upload"): LODGERS,
    ("GET", "/api/v1/evidence"): ANY_USER,
    ("GET", "/api/v1/evidence/{receipt_id}"): PUBLIC,
    ("GET", "/ledger"): PUBLIC,
    ("GET", "/evidence"): ANY_USER,
    ("POST", "/evidence/new"): LODGERS,
    ("GET", "/evidence/{receipt_id}"): PUBLIC,
    ("POST", "/api/v1/datasets/upload"): UPLOADERS,
    ("GET", "/api/v1/datasets"): ANY_USER,
    ("GET", "/api/v1/datasets/{dataset_id}"): ANY_USER,
    ("GET", "/api/v1/datasets/{dataset_id}/versions/{version_no}/report"): ANY_USER,
    ("GET", "/datasets"): ANY_USER,
    ("POST", "/datasets/new"): UPLOADERS,
    ("GET", "/datasets/{dataset_id}"): ANY_USER,
    # quality reports, jobs, rule sets, comparison, overlaps (issue #4)
    ("POST", "/api/v1/datasets/{dataset_id}/versions/{version_no}/assessments"): UPLOADERS,
    ("GET", "/api/v1/datasets/{dataset_id}/versions/{version_no}/overlaps"): ANY_USER,
    ("GET", "/api/v1/datasets/{dataset_id}/comparison"): ANY_USER,
    ("GET", "/api/v1/datasets/{dataset_id}/rules"): ANY_USER,
    ("PUT", "/api/v1/datasets/{dataset_id}/rules"): UPLOADERS,
    ("GET", "/api/v1/datasets/{dataset_id}/rules/suggestion"): ANY_USER,
    ("GET", "/api/v1/jobs/{job_id}"): ANY_USER,
    ("GET", "/datasets/{dataset_id}/jobs"): ANY_USER,
    ("GET", "/datasets/{dataset_id}/versions/{version_no}/report"): ANY_USER,
    ("POST", "/datasets/{dataset_id}/versions/{version_no}/assess"): UPLOADERS,
    ("GET", "/datasets/{dataset_id}/rules"): ANY_USER,
    ("POST", "/datasets/{dataset_id}/rules"): UPLOADERS,
    ("GET", "/"): PUBLIC,
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("POST", "/logout"): PUBLIC,
    ("GET", "/locale/{locale}"): PUBLIC,
    ("GET", "/account/tokens"): ANY_USER,
    ("POST", "/account/tokens"): ANY_USER,
    ("POST", "/account/tokens/{token_id}/revoke"): ANY_USER,
    ("GET", "/org/members"): ADMINS,
    ("GET", "/admin/audit"): {Role.PLATFORM_ADMIN},
    **REGISTRY_ACCESS,
    # sensitive data (issue #5)
    ("POST", "/api/v1/datasets/{dataset_id}/versions/{version_no}/scan"): SCANNERS,
    ("GET", "/api/v1/datasets/{dataset_id}/versions/{version_no}/scan"): ANY_USER,
    ("POST", "/api/v1/datasets/{dataset_id}/versions/{version_no}/grade"): GRADE_REVIEWERS,
    ("GET", "/api/v1/sensitivity/reviews"): GRADE_REVIEWERS,
    ("POST", "/api/v1/datasets/{dataset_id}/risk-assessments"): RISK_RECORDERS,
    ("POST", "/api/v1/datasets/{dataset_id}/versions/{version_no}/safeguards"): UPLOADERS,
    ("GET", "/api/v1/datasets/{dataset_id}/versions/{version_no}/gate"): ANY_USER,
    ("GET", "/datasets/{dataset_id}/versions/{version_no}/sensitivity"): ANY_USER,
    ("POST", "/datasets/{dataset_id}/versions/{version_no}/sensitivity/scan"): SCANNERS,
    ("POST", "/datasets/{dataset_id}/versions/{version_no}/sensitivity/grade"): GRADE_REVIEWERS,
    ("GET", "/sensitivity/reviews"): GRADE_REVIEWERS,
    **CERTIFICATE_ACCESS,
    **VALUATION_ACCESS,
}

KIND_OF_ROLE = {
    Role.ORG_ADMIN: OrgKind.ENTERPRISE,
    Role.DATA_MANAGER: OrgKind.ENTERPRISE,
    Role.REVIEWER: OrgKind.REGISTRAR,
    Role.REGISTRATION_OFFICER: OrgKind.REGISTRAR,
    Role.APPRAISER: OrgKind.APPRAISER,
    Role.BANK_OFFICER: OrgKind.BANK,
    Role.REGULATOR: OrgKind.REGULATOR,
    Role.PLATFORM_ADMIN: OrgKind.PLATFORM_OPERATOR,
}
ACTORS: list[Role | None] = [None, *Role]
# Query strings that routes need to answer at all.
QUERY = {
    "/api/v1/ledger/proofs/inclusion": "?index=0",
    "/api/v1/ledger/proofs/consistency": "?old=1",
    **REGISTRY_QUERY,
    "/api/v1/datasets/{dataset_id}/comparison": "?old=1&new=1",
}
_counter = itertools.count()


def _app_routes() -> set[tuple[str, str]]:
    app = create_app(make_settings(Path("/nonexistent"), "sqlite://"))
    found = set()
    for context in iter_route_contexts(app.routes):
        methods = getattr(context, "methods", None) or set()
        found |= {(m, context.path) for m in methods if m != "HEAD"}
    return found


def test_every_route_has_an_access_rule():
    routes = _app_routes()
    assert routes - ACCESS.keys() == set(), "new routes need an entry in ACCESS"
    assert ACCESS.keys() - routes == set(), "ACCESS names routes that no longer exist"


@dataclass
class Caller:
    client: TestClient
    accounts: AccountsService
    role: Role | None
    user: Any
    csrf: str
    login_as: Any = None  # a real account whose password the login routes are given
    seed_ledger: Any = None  # lodges one receipt and returns the path values it needs
    seed_dataset: Any = None  # uploads a dataset in the caller's organization
    seed_certificate: Any = None  # issues a certificate the caller holds (or is offered)
    seed_valuation: Any = None  # a valuation case the caller is related to

    def request(self, method: str, path: str) -> Any:
        path = self._fill(path) + QUERY.get(path, "")
        kwargs: dict[str, Any] = {"follow_redirects": False}
        body = _body(method, path, self)
        if path.startswith("/api/v1/evidence/upload"):
            kwargs["content"] = b"evidence bytes"
            body = None
        if path.startswith("/api/v1/datasets/upload"):
            kwargs["content"] = CSV
        if path == "/datasets/new":
            kwargs["files"] = {"file": ("a.csv", CSV, "text/csv")}
        if path.startswith("/application-documents/"):
            kwargs["files"] = DOCUMENT_FILE
        if path.startswith("/api/"):
            if self.user is not None:
                _token, secret = self.accounts.create_token(principal_for(self.user), "matrix")
                kwargs["headers"] = {"Authorization": f"Bearer {secret}"}
            if body is not None:
                kwargs["json"] = body
        elif method == "POST":
            kwargs["data"] = {"csrf_token": self.csrf, **(body or {})}
        return self.client.request(method, path, **kwargs)

    def _fill(self, path: str) -> str:
        values = {"organization_id": "0", "user_id": "0", "token_id": "0", "locale": "en"}
        if any(p in path for p in ("{index}", "{receipt_id}", "{path", "/proofs/")):
            values.update(self.seed_ledger())
        if "{dataset_id}" in path or "{job_id}" in path:
            values.update(self.seed_dataset(self.user))
        if "{number}" in path:
            values.update(self.seed_certificate(self.user, path))
        if "{case_id}" in path:
            values.update(self.seed_valuation(self.user, path))
        if any(p in path for p in ("{application_id}", "{notice_no}", "{objection_id}")):
            values.update(seed_registry(self.accounts, self.user, path))
        if self.user is not None:
            token, _ = self.accounts.create_token(principal_for(self.user), "target")
            values |= {
                "organization_id": str(self.user.organization_id),
                "user_id": str(self.user.id),
                "token_id": str(token.id),
                "locale": "en",
            }
        return path.replace(":path}", "}").format(**values)


def _body(method: str, path: str, caller: Caller) -> dict[str, Any] | None:
    n = next(_counter)
    if (registry := registry_body(method, path)) is not None:
        return registry
    if (method, path) == ("POST", "/api/v1/organizations"):
        return {"uscc": make_uscc(f"91330108MA2DX{n:04d}"), "name": f"矩阵测试{n}", "kind": "bank"}
    if method == "POST" and path.endswith("/users"):
        return {
            "username": f"matrix{n}",
            "display_name": "矩阵",
            "password": "Matrix-Pass-2026",
            "roles": ["org_admin"],
        }
    if method == "PUT" and path.endswith("/roles"):
        return {"roles": ["org_admin"]}
    if path == "/api/v1/tokens/login":
        return {"username": caller.login_as.username, "password": PASSWORD, "name": "matrix"}
    if path == "/login":
        return {"username": caller.login_as.username, "password": PASSWORD}
    if path == "/account/tokens":
        return {"name": "matrix"}
    if path in ("/api/v1/evidence", "/evidence/new") and method == "POST":
        return {"algo": "sha256", "digest": f"{n:064x}"}
    if path == "/datasets/new":
        return {"name": "矩阵数据集"}
    if path.endswith("/rules") and method in ("POST", "PUT"):
        return {"yaml_text": "rules:\n  - type: not_null\n    column: id\n"}
    if path.endswith("/grade"):
        return {"action": "confirm"}
    if path.endswith("/risk-assessments"):
        return {
            "title": "风险评估",
            "assessor": "矩阵评估",
            "valid_from": "2026-01-01",
            "valid_to": "2027-12-31",
        }
    if path.endswith("/safeguards"):
        return {"kind": "consent", "basis": "单独同意"}
    if "/certificates/" in path and method == "POST":
        return certificate_body(caller.role)
    if "/valuations" in path:
        return valuation_body(method, path, caller)
    return None


@pytest.fixture
def seed_ledger(evidence):  # type: ignore[no-untyped-def]
    """One evidence receipt in the ledger, so that the read routes have something to show."""

    def seed() -> dict[str, str]:
        OrganizationFactory(kind=OrgKind.PLATFORM_OPERATOR)
        record = evidence.lodge(Principal.system(), EvidenceInput("sha256", "ab" * 32))
        return {"index": "0", "receipt_id": record.receipt_id, "path": "0/000.p/1"}

    return seed


@pytest.fixture
def seed_dataset(ledger, settings):  # type: ignore[no-untyped-def]
    """A dataset of the caller's organization (or of a new one, for anonymous callers)."""

    def seed(user: Any) -> dict[str, str]:
        org = user.organization if user is not None else OrganizationFactory()
        actor = principal_for(UserFactory(organization=org, roles=[Role.DATA_MANAGER]))
        version = DatasetService(ledger.session, settings, ledger).upload_version(
            actor, [CSV], name="种子数据集"
        )
        job = DatasetService(ledger.session, settings, ledger).request_assessment(
            actor, version.dataset_id, 1
        )
        return {"dataset_id": str(version.dataset_id), "version_no": "1", "job_id": str(job.id)}

    return seed


@pytest.fixture
def seed_certificate(ledger, settings):  # type: ignore[no-untyped-def]
    from tests.unit.certificates.matrix import seed_certificate as seed

    return lambda user, path: seed(ledger, settings, user, path)


@pytest.fixture
def seed_valuation_case(ledger, settings):  # type: ignore[no-untyped-def]
    return lambda user, path: seed_valuation(ledger, settings, user, path)


@pytest.fixture
def make_caller(  # type: ignore[no-untyped-def]
    client, accounts, seed_ledger, seed_dataset, seed_certificate, seed_valuation_case
):
    def make(role: Role | None) -> Caller:
        csrf_page = client.get("/login")
        assert csrf_page.status_code == 200
        user = None
        if role is not None:
            org = OrganizationFactory(kind=KIND_OF_ROLE[role])
            user = UserFactory(organization=org, roles=[role])
            client.cookies.set(SESSION_COOKIE, accounts.start_session(user))
        csrf = client.cookies.get("datadeed_csrf") or ""
        return Caller(
            client,
            accounts,
            role,
            user,
            csrf,
            user or UserFactory(),
            seed_ledger,
            seed_dataset,
            seed_certificate,
            seed_valuation=seed_valuation_case,
        )

    return make


def _allowed(rule: Any, role: Role | None) -> bool:
    if rule == PUBLIC:
        return True
    if rule == ANY_USER:
        return role is not None
    return role in rule


@pytest.mark.matrix
@pytest.mark.parametrize(("method", "path"), sorted(ACCESS))
@pytest.mark.parametrize("role", ACTORS, ids=lambda r: r.value if r else "anonymous")
def test_role_route_matrix(make_caller, method, path, role):
    caller = make_caller(role)
    response = caller.request(method, path)
    status = response.status_code
    location = response.headers.get("location", "")
    if _allowed(ACCESS[(method, path)], role):
        assert status < 400, f"{role} should reach {method} {path}: {status} {response.text[:200]}"
        assert not location.startswith("/login?"), f"{role} was sent to log in"
    elif role is None and path.startswith("/api/"):
        assert status == 401
    elif role is None:
        assert status == 303 and location.startswith("/login?next=")
    else:
        assert status == 403, f"{role} must not reach {method} {path}: {status}"
