"""Job kinds and their handlers, and the context a handler runs with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from datadeed.accounts.principal import Principal
from datadeed.config import Settings
from datadeed.db import Database

Result = dict[str, Any] | None


@dataclass
class JobContext:
    """What a handler gets: the job's id and owner, the database, the settings, and
    ``report`` to record progress (0..1) and a short message the page shows."""

    job_id: int
    actor: Principal
    database: Database
    settings: Settings
    _report: Callable[[float, str | None], None]

    def report(self, progress: float, message: str | None = None) -> None:
        self._report(min(max(float(progress), 0.0), 1.0), message)


Handler = Callable[[JobContext, dict[str, Any]], Result]
_HANDLERS: dict[str, Handler] = {}


def register_handler(kind: str, handler: Handler) -> Handler:
    """Make ``handler`` run the jobs of ``kind`` (one handler per kind; re-registering
    the same function is a no-op, so modules may be imported twice)."""
    existing = _HANDLERS.get(kind)
    if existing is not None and existing is not handler:
        existing_name = getattr(existing, "__qualname__", repr(existing))
        if existing_name != getattr(handler, "__qualname__", repr(handler)):
            raise ValueError(f"job kind {kind!r} already has a handler: {existing_name}")
    _HANDLERS[kind] = handler
    return handler


def handler_for(kind: str) -> Handler | None:
    return _HANDLERS.get(kind)


def known_kinds() -> list[str]:
    return sorted(_HANDLERS)
