"""Who is acting: the principal every service call receives, and the checks on it.

Authorization is decided here and in services, never in routes.
"""

from __future__ import annotations

from dataclasses import dataclass

from datadeed.accounts.roles import OVERSIGHT_KINDS, OrgKind, Role
from datadeed.errors import NotFound, PermissionDenied


@dataclass(frozen=True)
class Principal:
    """An authenticated user (or the local operator using the CLI)."""

    user_id: int | None
    username: str
    display_name: str
    organization_id: int | None
    organization_name: str
    org_kind: OrgKind
    roles: frozenset[Role]

    @classmethod
    def system(cls) -> Principal:
        """The operator at the server's console: `datadeed` CLI commands act as this."""
        return cls(
            user_id=None,
            username="system",
            display_name="system (CLI)",
            organization_id=None,
            organization_name="",
            org_kind=OrgKind.PLATFORM_OPERATOR,
            roles=frozenset({Role.PLATFORM_ADMIN}),
        )

    @property
    def label(self) -> str:
        return self.username

    def has(self, *roles: Role) -> bool:
        return any(r in self.roles for r in roles)

    @property
    def oversees_all_tenants(self) -> bool:
        return self.org_kind in OVERSIGHT_KINDS and self.has(Role.PLATFORM_ADMIN)


def require_role(actor: Principal, *roles: Role) -> None:
    """Raise PermissionDenied unless the actor holds one of ``roles``."""
    if not actor.has(*roles):
        wanted = ", ".join(sorted(r.value for r in roles))
        raise PermissionDenied(f"this needs one of the roles: {wanted}", required=sorted(roles))


def require_tenant(actor: Principal, organization_id: int, what: str = "object") -> None:
    """Raise NotFound (not 403: existence must not leak) for another tenant's object."""
    if actor.oversees_all_tenants or actor.organization_id == organization_id:
        return
    raise NotFound(f"{what} not found")
