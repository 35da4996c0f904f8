"""Valuation routes for the authorization matrix: who may call them, request bodies, and
a seeded case the caller is related to (its appraiser, the dataset's holder, or the
pledgee bank once signed), in the state the route needs."""

from __future__ import annotations

import secrets
from typing import Any

from datadeed.accounts.roles import OrgKind, Role
from datadeed.accounts.services import principal_for
from datadeed.datasets.models import Dataset, DatasetVersion, QualityReportRecord
from datadeed.db import utc_stamp
from datadeed.valuation.services import ValuationService
from tests.factories import OrganizationFactory, UserFactory

APPRAISERS = frozenset({Role.APPRAISER})
VIEWERS = frozenset(
    {Role.APPRAISER, Role.DATA_MANAGER, Role.ORG_ADMIN, Role.BANK_OFFICER, Role.PLATFORM_ADMIN}
)
ANY_USER = "any user"
CSV = "id,金额\n1,10\n2,20\n3,30\n".encode()
CASE: dict[str, Any] = {
    "name": "矩阵估值",
    "purpose": "pledge",
    "base_date": "2026-06-30",
    "cost": {"items": [{"category": "collection", "amount": 1000}], "return_rate": 0.1},
    "reconciliation": {"weights": {"cost": {"weight": 1, "reason": "仅成本法"}}},
    "uncertainty": {"draws": 1000},
}
FORM = {
    "name": "矩阵估值",
    "purpose": "pledge",
    "base_date": "2026-06-30",
    "value_type": "market_value",
    "cost": "items:\n  - {category: collection, amount: 1000}\nreturn_rate: 0.1\n",
    "reconciliation": "weights:\n  cost: {weight: 1, reason: 仅成本法}\n",
    "uncertainty": "draws: 1000\n",
}

VALUATION_ACCESS: dict[tuple[str, str], Any] = {
    ("GET", "/api/v1/valuations"): ANY_USER,
    ("POST", "/api/v1/valuations"): APPRAISERS,
    ("GET", "/api/v1/valuations/{case_id}"): VIEWERS,
    ("PUT", "/api/v1/valuations/{case_id}/inputs"): APPRAISERS,
    ("POST", "/api/v1/valuations/{case_id}/submit"): APPRAISERS,
    ("POST", "/api/v1/valuations/{case_id}/reopen"): APPRAISERS,
    ("POST", "/api/v1/valuations/{case_id}/sign"): APPRAISERS,
    ("GET", "/api/v1/valuations/{case_id}/report.pdf"): VIEWERS,
    ("GET", "/api/v1/valuations/{case_id}/report.json"): VIEWERS,
    ("GET", "/valuations"): ANY_USER,
    ("GET", "/valuations/new"): ANY_USER,
    ("POST", "/valuations/new"): APPRAISERS,
    ("GET", "/valuations/{case_id}"): VIEWERS,
    ("GET", "/valuations/{case_id}/edit"): VIEWERS,
    ("POST", "/valuations/{case_id}/edit"): APPRAISERS,
    ("POST", "/valuations/{case_id}/submit"): APPRAISERS,
    ("POST", "/valuations/{case_id}/reopen"): APPRAISERS,
    ("POST", "/valuations/{case_id}/sign"): APPRAISERS,
    ("GET", "/valuations/{case_id}/report.pdf"): VIEWERS,
}


def _org(user: Any, role: Role, kind: OrgKind) -> Any:
    if user is not None and role in {r.role for r in user.roles}:
        return user.organization
    return OrganizationFactory(kind=kind)


def _dataset(ledger: Any, holder_org: Any) -> DatasetVersion:
    """A dataset version with a quality report, as rows (an upload assesses the file with
    DuckDB, ~1.5 s; this matrix seeds one per test, 162 times)."""
    digest = secrets.token_hex(32)
    appended = ledger.append(
        "report-digest/v1",
        {
            "report_type": "quality",
            "report_id": digest[:16],
            "digest": {"algo": "sha256", "hex": digest},
            "subject": "dataset:matrix",
            "issued_at": utc_stamp(),
        },
    )
    version = DatasetVersion(
        dataset=Dataset(organization_id=holder_org.id, name="估值种子"),
        version_no=1,
        format="csv",
        size_bytes=len(CSV),
        sha256=secrets.token_hex(32),
        sm3=secrets.token_hex(32),
        content_fingerprint=secrets.token_hex(32),
        schema_fingerprint=secrets.token_hex(32),
        row_count=3,
        column_count=2,
        overlap_sketch=b"",
    )
    ledger.session.add(version)
    ledger.session.add(
        QualityReportRecord(
            version=version,
            engine="duckdb",
            weight_profile_version="gbt36344-equal/1",
            score=95.0,
            grade="A",
            digest=digest,
            report={"score": 95.0, "grade": "A", "digest": digest},
            ledger_index=appended.index,
        )
    )
    ledger.session.commit()
    return version


def seed_valuation(ledger: Any, settings: Any, user: Any, path: str) -> dict[str, str]:
    """A case related to ``user`` in the state ``path`` acts on; ``{"case_id": ...}``."""
    enterprise = user is not None and user.organization.kind == OrgKind.ENTERPRISE
    holder = user.organization if enterprise else OrganizationFactory()
    firm = _org(user, Role.APPRAISER, OrgKind.APPRAISER)
    bank = _org(user, Role.BANK_OFFICER, OrgKind.BANK)
    appraiser = principal_for(UserFactory(organization=firm, roles=[Role.APPRAISER]))
    version = _dataset(ledger, holder)
    service = ValuationService(ledger.session, settings, ledger)
    case = service.create(
        appraiser,
        dataset_id=version.dataset_id,
        version_no=1,
        case=CASE,
        pledgee_uscc=bank.uscc,
    )
    if path.endswith(("/reopen", "/sign")) or _is_bank(user):
        service.submit(appraiser, case.id)
    if _is_bank(user) and not path.endswith(("/reopen", "/sign")):
        service.sign(appraiser, case.id)
    return {"case_id": str(case.id)}


def _is_bank(user: Any) -> bool:
    return user is not None and user.organization.kind == OrgKind.BANK


def valuation_body(method: str, path: str, caller: Any) -> dict[str, Any] | None:
    """The JSON (API) or form fields (pages) a valuation route needs."""
    if (method, path) == ("POST", "/api/v1/valuations"):
        ids = caller.seed_dataset(caller.user)
        return {"dataset_id": int(ids["dataset_id"]), "version_no": 1, "case": CASE}
    if method == "PUT" and path.endswith("/inputs"):
        return {"case": CASE}
    if (method, path) == ("POST", "/valuations/new"):
        ids = caller.seed_dataset(caller.user)
        return FORM | {"dataset_id": ids["dataset_id"], "version_no": "1"}
    if method == "POST" and path.endswith("/edit"):
        return FORM
    return None
