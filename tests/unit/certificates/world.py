"""A small world for certificate tests: a registrar, two enterprises, a bank, and the
service; ``issue`` makes a certificate held by the first enterprise."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from datadeed.accounts.principal import Principal
from datadeed.accounts.roles import OrgKind, Role
from datadeed.accounts.services import principal_for
from datadeed.certificates.models import Certificate
from datadeed.certificates.numbering import Track
from datadeed.certificates.services import CertificateService, IssueInput
from tests.factories import OrganizationFactory, UserFactory


@dataclass
class World:
    service: CertificateService
    officer: Any
    holder: Any
    other: Any
    banker: Any

    def p(self, user: Any) -> Principal:
        return principal_for(user)

    def issue(
        self,
        name: str = "杭州公交刷卡数据集",
        track: Track = Track.DATA_PROPERTY,
        holder: Any = None,
        issued_by: Any = None,
    ) -> Certificate:
        owner = holder or self.holder
        data = hashlib.sha256(name.encode()).hexdigest()
        return self.service.issue(
            IssueInput(
                track=track,
                holder_id=owner.organization_id,
                rights=["hold", "use"],
                object_name=name,
                object_type="data_resource",
                sha256=data,
                content_fingerprint=hashlib.sha256(data.encode()).hexdigest(),
                source_category="self_produced",
                case_no="DJ2026000001",
            ),
            issued_by=principal_for(issued_by or self.officer),
        )


def make_world(ledger: Any, settings: Any) -> World:
    registrar = OrganizationFactory(
        kind=OrgKind.REGISTRAR, name="杭州数据交易所", region_code="330108"
    )
    officer = UserFactory(organization=registrar, roles=[Role.REGISTRATION_OFFICER])
    holder = UserFactory(roles=[Role.DATA_MANAGER])
    other = UserFactory(roles=[Role.DATA_MANAGER])
    bank = OrganizationFactory(kind=OrgKind.BANK)
    banker = UserFactory(organization=bank, roles=[Role.BANK_OFFICER])
    service = CertificateService(ledger.session, ledger, settings)
    return World(service, officer, holder, other, banker)
