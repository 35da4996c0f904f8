"""Seed and request body for the certificate routes of the authorization matrix
(tests/functional/test_authorization_matrix.py)."""

from __future__ import annotations

import hashlib
import itertools
from typing import Any

from datadeed.accounts.principal import Principal
from datadeed.accounts.roles import OrgKind, Role
from datadeed.certificates.numbering import Track
from datadeed.certificates.services import CertificateService, IssueInput
from tests.factories import OrganizationFactory

_n = itertools.count()


def seed_certificate(ledger: Any, settings: Any, user: Any, path: str) -> dict[str, str]:
    """A certificate held by the caller's enterprise (or by a new one)."""
    service = CertificateService(ledger.session, ledger, settings)
    OrganizationFactory(kind=OrgKind.REGISTRAR, region_code="330108")
    holder = user.organization if user is not None else None
    if holder is None or holder.kind != OrgKind.ENTERPRISE:
        holder = OrganizationFactory()
    n = next(_n)
    digest = hashlib.sha256(f"matrix {n}".encode()).hexdigest()
    data = IssueInput(
        Track.DATA_PROPERTY, holder.id, ["hold"], f"矩阵证书{n}", "data_resource", digest, digest
    )
    return {"number": service.issue(data, issued_by=Principal.system()).number}


def certificate_body(role: Role | None) -> dict[str, Any]:
    """A registration each allowed role may make: officers revoke, holders renew."""
    if role == Role.REGISTRATION_OFFICER:
        return {"type": "revocation", "reasons": "异议成立"}
    return {"type": "renewal"}
