"""Accounts API under /api/v1: thin routes, one service call each."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request, status

from datadeed.accounts.models import User
from datadeed.accounts.schemas import (
    AuditEventOut,
    MeOut,
    OrganizationCreate,
    OrganizationOut,
    RolesUpdate,
    TokenCreated,
    TokenLogin,
    TokenOut,
    UserCreate,
    UserOut,
)
from datadeed.accounts.services import principal_for
from datadeed.web.deps import AccountsDep, ApiActor

router = APIRouter(tags=["accounts"])


def _user_out(user: User) -> UserOut:
    return UserOut(
        id=user.id,
        organization_id=user.organization_id,
        username=user.username,
        display_name=user.display_name,
        email=user.email,
        is_active=user.is_active,
        roles=sorted(user.role_set),
        created_at=user.created_at,
        last_login_at=user.last_login_at,
    )


@router.get("/me", response_model=MeOut)
def me(actor: ApiActor) -> MeOut:
    return MeOut(
        user_id=actor.user_id,
        username=actor.username,
        display_name=actor.display_name,
        organization_id=actor.organization_id,
        organization_name=actor.organization_name,
        org_kind=actor.org_kind,
        roles=sorted(actor.roles),
    )


@router.post("/tokens/login", response_model=TokenCreated, status_code=status.HTTP_201_CREATED)
def login_for_token(body: TokenLogin, accounts: AccountsDep, request: Request) -> TokenCreated:
    """Exchange a username and password for an API token (rate-limited like page logins)."""
    client = request.client.host if request.client else None
    user = accounts.authenticate(body.username, body.password, client)
    token, secret = accounts.create_token(principal_for(user), body.name, body.ttl_days)
    return TokenCreated(**TokenOut.model_validate(token).model_dump(), token=secret)


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(actor: ApiActor, accounts: AccountsDep) -> list[TokenOut]:
    return [TokenOut.model_validate(t) for t in accounts.list_tokens(actor)]


@router.delete("/tokens/{token_id}", response_model=TokenOut)
def revoke_token(token_id: int, actor: ApiActor, accounts: AccountsDep) -> TokenOut:
    return TokenOut.model_validate(accounts.revoke_token(actor, token_id))


@router.get("/organizations", response_model=list[OrganizationOut])
def list_organizations(actor: ApiActor, accounts: AccountsDep) -> list[OrganizationOut]:
    return [OrganizationOut.model_validate(o) for o in accounts.list_organizations(actor)]


@router.post("/organizations", response_model=OrganizationOut, status_code=status.HTTP_201_CREATED)
def create_organization(
    body: OrganizationCreate, actor: ApiActor, accounts: AccountsDep
) -> OrganizationOut:
    return OrganizationOut.model_validate(accounts.create_organization(actor, body))


@router.get("/organizations/{organization_id}", response_model=OrganizationOut)
def get_organization(
    organization_id: int, actor: ApiActor, accounts: AccountsDep
) -> OrganizationOut:
    return OrganizationOut.model_validate(accounts.get_organization(actor, organization_id))


@router.get("/organizations/{organization_id}/users", response_model=list[UserOut])
def list_users(organization_id: int, actor: ApiActor, accounts: AccountsDep) -> list[UserOut]:
    return [_user_out(u) for u in accounts.list_users(actor, organization_id)]


@router.post(
    "/organizations/{organization_id}/users",
    response_model=UserOut,
    status_code=status.HTTP_201_CREATED,
)
def create_user(
    organization_id: int, body: UserCreate, actor: ApiActor, accounts: AccountsDep
) -> UserOut:
    return _user_out(accounts.create_user(actor, organization_id, body))


@router.get("/users/{user_id}", response_model=UserOut)
def get_user(user_id: int, actor: ApiActor, accounts: AccountsDep) -> UserOut:
    return _user_out(accounts.get_user(actor, user_id))


@router.put("/users/{user_id}/roles", response_model=UserOut)
def set_roles(user_id: int, body: RolesUpdate, actor: ApiActor, accounts: AccountsDep) -> UserOut:
    return _user_out(accounts.set_roles(actor, user_id, body.roles))


@router.get("/audit-events", response_model=list[AuditEventOut])
def list_audit_events(
    actor: ApiActor,
    accounts: AccountsDep,
    limit: int = Query(default=100, ge=1, le=500),
    before_seq: int | None = Query(default=None, ge=1),
    action: str | None = None,
) -> list[AuditEventOut]:
    events = accounts.list_audit_events(actor, limit=limit, before_seq=before_seq, action=action)
    return [AuditEventOut.model_validate(e) for e in events]
