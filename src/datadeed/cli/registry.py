"""application and notice: the registration queue, one case, and the public notices, from
the server's console (acts as the platform operator, who sees every case)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.markup import escape

from datadeed.accounts.principal import Principal
from datadeed.cli import registry_actions
from datadeed.cli.common import console, emit_rows, open_session, print_json, settings
from datadeed.ledger.keys import LogKeyring
from datadeed.ledger.services import LedgerService
from datadeed.registry.models import RegistrationApplication
from datadeed.registry.presenters import application_out, notice_out
from datadeed.registry.services import RegistryService
from datadeed.workdays import SHANGHAI

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def register(app: typer.Typer) -> None:
    application_app = typer.Typer(help="Registration applications.", no_args_is_help=True)
    application_app.command("list")(application_list)
    application_app.command("show")(application_show)
    notice_app = typer.Typer(help="Public notices of registrations.", no_args_is_help=True)
    notice_app.command("list")(notice_list)
    registry_actions.register(application_app, app)
    app.add_typer(application_app, name="application")
    app.add_typer(notice_app, name="notice")


@contextmanager
def _registry() -> Iterator[RegistryService]:
    """A registry service on a session that is closed (and its pool disposed) on exit."""
    current = settings()
    with open_session() as session:
        ledger = LedgerService(session, current, LogKeyring.from_settings(current))
        yield RegistryService(session, current, ledger)


def _row(registry: RegistryService, app: RegistrationApplication) -> dict[str, Any]:
    clock = registry.clock_view(app)
    return {
        "application_no": app.application_no,
        "title": app.title,
        "applicant": registry.holder_name(app),
        "tracks": app.tracks,
        "state": app.state.value,
        "deadline": clock.deadline.isoformat() if clock.deadline else None,
        "remaining_workdays": clock.remaining,
        "paused": clock.paused,
        "overdue": clock.overdue,
        "certificate_number": app.certificate_number,
    }


def application_list(
    state: Annotated[str | None, typer.Option(help="Only cases in this state.")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue cases.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """The registrar's queue: every case past the draft, earliest deadline first."""
    with _registry() as registry:
        cases = registry.queue(Principal.system(), state, overdue=overdue)
        rows = [_row(registry, a) for a in cases]
    columns = ["application_no", "title", "applicant", "state", "deadline", "overdue"]
    emit_rows(rows, columns, as_json=as_json)


def application_show(
    application_no: Annotated[str, typer.Argument(help="Application number, e.g. RA-2026-000001.")],
    as_json: JsonOpt = False,
) -> None:
    """One case with its history (each event with its ledger index) and objections."""
    with _registry() as registry:
        _show(registry, registry.get_by_number(Principal.system(), application_no), as_json)


def _show(registry: RegistryService, app: RegistrationApplication, as_json: bool) -> None:
    if as_json:
        print_json(application_out(registry, app).model_dump(mode="json"))
        return
    row = _row(registry, app)
    console.print(escape(f"{app.application_no} {app.title} [{row['state']}] {row['applicant']}"))
    for event in app.events:
        index = "" if event.ledger_index is None else f" ledger #{event.ledger_index}"
        when = event.occurred_at.astimezone(SHANGHAI)
        console.print(escape(f"  {when:%Y-%m-%d %H:%M} (UTC+8) {event.action}{index}"))
    for objection in app.objections:
        status = objection.status.value
        console.print(escape(f"  objection #{objection.id} [{status}]: {objection.grounds}"))
        if objection.response is not None:
            answer = objection.response
            console.print(escape(f"    answer (revision {answer.revision}): {answer.text}"))


def notice_list(as_json: JsonOpt = False) -> None:
    """The public notices running now, with their objection deadlines."""
    with _registry() as registry:
        rows = [notice_out(registry, n).model_dump(mode="json") for n in registry.notices()]
    columns = ["notice_no", "title", "holder", "objection_deadline", "state"]
    emit_rows(rows, columns, as_json=as_json)
