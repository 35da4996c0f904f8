"""factory_boy factories for test rows, bound to the test's rolled-back session."""

from __future__ import annotations

import factory
from factory.alchemy import SQLAlchemyModelFactory
from sqlalchemy.orm import Session, scoped_session

from datadeed.accounts.models import Organization, User, UserRole
from datadeed.accounts.passwords import hash_password
from datadeed.accounts.roles import ROLES_BY_KIND, OrgKind, Role
from datadeed.db import Database
from datadeed.identifiers import USCC_CHARSET, make_uscc

PASSWORD = "Test-Password-2026"
_PASSWORD_HASH = hash_password(PASSWORD)  # argon2 is slow on purpose: hash once
_session: scoped_session[Session] | None = None


def bind(database: Database) -> None:
    global _session
    _session = scoped_session(database.sessions)
    for f in (OrganizationFactory, UserFactory):
        f._meta.sqlalchemy_session = _session


def unbind() -> None:
    global _session
    if _session is not None:
        _session.remove()
    _session = None


def _org_code(n: int) -> str:
    digits = []
    for _ in range(9):
        n, r = divmod(n, len(USCC_CHARSET))
        digits.append(USCC_CHARSET[r])
    return "".join(reversed(digits))


class OrganizationFactory(SQLAlchemyModelFactory):
    class Meta:
        model = Organization
        sqlalchemy_session_persistence = "commit"

    uscc = factory.Sequence(lambda n: make_uscc(f"91330108{_org_code(n + 1000)}"))
    name = factory.Sequence(lambda n: f"测试企业{n}有限公司")
    kind = OrgKind.ENTERPRISE
    region_code = "330108"


class UserFactory(SQLAlchemyModelFactory):
    class Meta:
        model = User
        sqlalchemy_session_persistence = "commit"

    organization = factory.SubFactory(OrganizationFactory)
    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    password_hash = _PASSWORD_HASH

    @factory.post_generation
    def roles(self, create: bool, extracted: list[Role] | None, **_: object) -> None:
        wanted = (
            extracted if extracted is not None else sorted(ROLES_BY_KIND[self.organization.kind])
        )
        self.roles = [UserRole(role=r) for r in wanted]
        if create and _session is not None:
            _session.commit()
