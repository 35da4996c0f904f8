"""The typed dependency that hands routes a SensitiveService."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from datadeed.sensitive.services import SensitiveService
from datadeed.web.deps import LedgerDep, SessionDep, SettingsDep


def get_sensitive(
    session: SessionDep, settings: SettingsDep, ledger: LedgerDep
) -> SensitiveService:
    return SensitiveService(session, settings, ledger)


SensitiveDep = Annotated[SensitiveService, Depends(get_sensitive)]
