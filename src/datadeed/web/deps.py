"""Typed FastAPI dependencies: the database session, services, and who is asking.

The API authenticates with bearer tokens only; pages with the session cookie only. So a
cookie can never drive the API, and API clients need no CSRF token.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from datadeed.accounts.principal import Principal
from datadeed.accounts.services import AccountsService
from datadeed.config import Settings
from datadeed.datasets.services import DatasetService
from datadeed.db import Database
from datadeed.errors import AuthenticationFailed
from datadeed.evidence.services import EvidenceService
from datadeed.ledger.keys import LogKeyring
from datadeed.ledger.services import LedgerService

SESSION_COOKIE = "datadeed_session"


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_db_session(request: Request) -> Iterator[Session]:
    database: Database = request.app.state.db
    with database.session() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SessionDep = Annotated[Session, Depends(get_db_session)]


def get_accounts(session: SessionDep, settings: SettingsDep) -> AccountsService:
    return AccountsService(session, settings)


AccountsDep = Annotated[AccountsService, Depends(get_accounts)]


def api_principal(request: Request, accounts: AccountsDep) -> Principal:
    """The caller of an API route, from ``Authorization: Bearer <token>``."""
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise AuthenticationFailed("this API needs an 'Authorization: Bearer <token>' header")
    principal = accounts.resolve_token(secret.strip())
    request.state.principal = principal
    return principal


def page_principal_optional(request: Request, accounts: AccountsDep) -> Principal | None:
    """The logged-in page user, or None."""
    secret = request.cookies.get(SESSION_COOKIE)
    principal = accounts.resolve_session(secret) if secret else None
    request.state.principal = principal
    return principal


def page_principal(
    principal: Annotated[Principal | None, Depends(page_principal_optional)],
) -> Principal:
    if principal is None:
        raise AuthenticationFailed("please log in")
    return principal


ApiActor = Annotated[Principal, Depends(api_principal)]
PageActor = Annotated[Principal, Depends(page_principal)]
PageActorOptional = Annotated[Principal | None, Depends(page_principal_optional)]


def get_keyring(request: Request) -> LogKeyring:
    keyring: LogKeyring = request.app.state.keyring
    return keyring


def get_ledger(
    session: SessionDep, settings: SettingsDep, keyring: Annotated[LogKeyring, Depends(get_keyring)]
) -> LedgerService:
    return LedgerService(session, settings, keyring)


LedgerDep = Annotated[LedgerService, Depends(get_ledger)]


def get_evidence(session: SessionDep, settings: SettingsDep, ledger: LedgerDep) -> EvidenceService:
    return EvidenceService(session, settings, ledger)


EvidenceDep = Annotated[EvidenceService, Depends(get_evidence)]


def get_datasets(session: SessionDep, settings: SettingsDep, ledger: LedgerDep) -> DatasetService:
    return DatasetService(session, settings, ledger)


DatasetsDep = Annotated[DatasetService, Depends(get_datasets)]
