"""org, user and token management from the server's console (acts as the system operator)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from sqlalchemy import select

from datadeed.accounts.models import User
from datadeed.accounts.principal import Principal
from datadeed.accounts.roles import MerchantTier, OrgKind, Role
from datadeed.accounts.schemas import OrganizationCreate, UserCreate
from datadeed.accounts.services import AccountsService, principal_for
from datadeed.cli.common import console, emit_rows, open_session, print_json, settings
from datadeed.errors import NotFound

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def register(app: typer.Typer) -> None:
    org_app = typer.Typer(help="Organizations.", no_args_is_help=True)
    user_app = typer.Typer(help="Users.", no_args_is_help=True)
    token_app = typer.Typer(help="API tokens.", no_args_is_help=True)
    org_app.command("create")(org_create)
    org_app.command("list")(org_list)
    user_app.command("create")(user_create)
    user_app.command("list")(user_list)
    user_app.command("roles")(user_roles)
    user_app.command("password")(user_password)
    token_app.command("create")(token_create)
    token_app.command("list")(token_list)
    token_app.command("revoke")(token_revoke)
    app.add_typer(org_app, name="org")
    app.add_typer(user_app, name="user")
    app.add_typer(token_app, name="token")


@contextmanager
def _accounts() -> Iterator[tuple[AccountsService, Principal]]:
    with open_session() as session:
        yield AccountsService(session, settings()), Principal.system()


def _user_principal(service: AccountsService, username: str) -> Principal:
    user = service.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user named {username!r}")
    return principal_for(user)


def org_create(
    uscc: Annotated[str, typer.Option(help="Unified social credit code.")],
    name: Annotated[str, typer.Option(help="Registered name.")],
    kind: Annotated[OrgKind, typer.Option(help="Kind of organization.")],
    name_en: Annotated[str | None, typer.Option(help="English name.")] = None,
    tier: Annotated[MerchantTier | None, typer.Option(help="Data-merchant tier.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Create an organization."""
    with _accounts() as (service, system):
        data = OrganizationCreate(
            uscc=uscc, name=name, name_en=name_en, kind=kind, merchant_tier=tier
        )
        org = service.create_organization(system, data)
        if as_json:
            print_json({"id": org.id, "uscc": org.uscc, "name": org.name, "kind": org.kind.value})
        else:
            console.print(f"created organization {org.id}: {org.name} ({org.uscc})")


def org_list(as_json: JsonOpt = False) -> None:
    """List organizations."""
    with _accounts() as (service, system):
        orgs = service.list_organizations(system)
        rows = [{"id": o.id, "uscc": o.uscc, "name": o.name, "kind": o.kind.value} for o in orgs]
        emit_rows(rows, ["id", "uscc", "name", "kind"], as_json=as_json)


def user_create(
    org_id: Annotated[int, typer.Option("--org", help="Organization id.")],
    username: Annotated[str, typer.Option(help="Login name (lower case).")],
    display_name: Annotated[str, typer.Option(help="Name shown on pages.")],
    role: Annotated[list[Role], typer.Option(help="Role; repeat for several.")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    email: Annotated[str | None, typer.Option(help="E-mail address.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a user in an organization."""
    with _accounts() as (service, system):
        data = UserCreate(
            username=username, display_name=display_name, email=email, password=password, roles=role
        )
        user = service.create_user(system, org_id, data)
        if as_json:
            print_json({"id": user.id, "username": user.username, "roles": sorted(user.role_set)})
        else:
            console.print(f"created user {user.id}: {user.username}")


def user_list(
    org_id: Annotated[int, typer.Option("--org", help="Organization id.")], as_json: JsonOpt = False
) -> None:
    """List the users of an organization."""
    with _accounts() as (service, system):
        users = service.list_users(system, org_id)
        rows = [
            {
                "id": u.id,
                "username": u.username,
                "display_name": u.display_name,
                "roles": sorted(u.role_set),
                "active": u.is_active,
            }
            for u in users
        ]
        emit_rows(rows, ["id", "username", "display_name", "roles", "active"], as_json=as_json)


def user_roles(
    user_id: Annotated[int, typer.Argument()],
    role: Annotated[list[Role], typer.Option(help="Role; repeat for several.")],
) -> None:
    """Replace a user's roles."""
    with _accounts() as (service, system):
        user = service.set_roles(system, user_id, role)
        console.print(f"{user.username}: {', '.join(sorted(user.role_set))}")


def user_password(
    user_id: Annotated[int, typer.Argument()],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
) -> None:
    """Set a user's password."""
    with _accounts() as (service, system):
        service.set_password(system, user_id, password)
        console.print("password changed")


def token_create(
    username: Annotated[str, typer.Option(help="User the token acts as.")],
    name: Annotated[str, typer.Option(help="What the token is for.")],
    ttl_days: Annotated[int | None, typer.Option(help="Lifetime in days.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Issue an API token for a user; the secret is printed once."""
    with _accounts() as (service, _system):
        token, secret = service.create_token(_user_principal(service, username), name, ttl_days)
        if as_json:
            print_json(
                {"id": token.id, "token": secret, "expires_at": token.expires_at.isoformat()}
            )
        else:
            console.print(f"token {token.id} (expires {token.expires_at:%Y-%m-%d}): {secret}")


def token_list(
    username: Annotated[str, typer.Option(help="Whose tokens.")], as_json: JsonOpt = False
) -> None:
    """List a user's tokens (never the secrets)."""
    with _accounts() as (service, _system):
        tokens = service.list_tokens(_user_principal(service, username))
        rows = [
            {
                "id": t.id,
                "name": t.name,
                "prefix": t.prefix,
                "expires_at": t.expires_at.isoformat(),
                "revoked": t.revoked_at is not None,
            }
            for t in tokens
        ]
        emit_rows(rows, ["id", "name", "prefix", "expires_at", "revoked"], as_json=as_json)


def token_revoke(token_id: Annotated[int, typer.Argument()]) -> None:
    """Revoke a token at once."""
    with _accounts() as (service, system):
        service.revoke_token(system, token_id)
        console.print(f"token {token_id} revoked")
