"""The registration flow from the console, acting as a named user (``--as USERNAME``):
an applicant drafts, files documents and submits; a registrar accepts, assigns, reviews,
publishes the notice and registers; anyone objects, the applicant answers, the registrar
decides. Each command is one service call, with the same rules and errors as the API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from datadeed.accounts.models import User
from datadeed.accounts.services import principal_for
from datadeed.cli.common import console, open_session, print_json, settings
from datadeed.errors import InvalidInput, NotFound
from datadeed.ledger.keys import LogKeyring
from datadeed.ledger.services import LedgerService
from datadeed.registry.checklists import checklist_for
from datadeed.registry.models import Objection, RegistrationApplication
from datadeed.registry.presenters import application_out
from datadeed.registry.schemas import (
    ApplicationDraft,
    Decision,
    ObjectionDecisionIn,
    ObjectionIn,
    ObjectionOut,
    ObjectionResponseIn,
)
from datadeed.registry.services import RegistryService
from datadeed.registry.states import Action

AsUser = Annotated[str, typer.Option("--as", help="Act as this user (login name).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
Number = Annotated[str, typer.Argument(help="Application number, e.g. RA-2026-000001.")]
CHUNK = 1 << 20
# The checklist a decision is taken on, by action.
_STAGE = {Action.PASS_FORMAL: "formal", Action.PUBLISH_NOTICE: "substantive"}


def register(application_app: typer.Typer, app: typer.Typer) -> None:
    """Add the flow commands to ``datadeed application`` and a ``datadeed objection``."""
    application_app.command("draft")(application_draft)
    application_app.command("attach")(application_attach)
    application_app.command("submit")(application_submit)
    application_app.command("decide")(application_decide)
    objection_app = typer.Typer(help="Objections to public notices.", no_args_is_help=True)
    objection_app.command("file")(objection_file)
    objection_app.command("answer")(objection_answer)
    objection_app.command("decide")(objection_decide)
    app.add_typer(objection_app, name="objection")


class _Console:
    """A registry service on one session, acting as the user named on the command line."""

    def __init__(self, session: Session, username: str) -> None:
        current = settings()
        self.session = session
        ledger = LedgerService(session, current, LogKeyring.from_settings(current))
        self.registry = RegistryService(session, current, ledger)
        self.actor = principal_for(self.user(username))

    def user(self, username: str) -> User:
        user: User | None = self.session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(f"no user named {username!r}")
        return user

    def case(self, number: str) -> RegistrationApplication:
        return self.registry.get_by_number(self.actor, number)

    def show(self, app: RegistrationApplication, as_json: bool) -> None:
        if as_json:
            print_json(application_out(self.registry, app).model_dump(mode="json"))
        else:
            console.print(f"{app.application_no} [{app.state.value}] version {app.version}")


@contextmanager
def _acting_as(username: str) -> Iterator[_Console]:
    with open_session() as session:
        yield _Console(session, username)


def _draft_from(path: Path) -> ApplicationDraft:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"{path.name}: not a readable JSON file ({exc})") from None
    return ApplicationDraft.model_validate(data)


def application_draft(
    path: Annotated[Path, typer.Argument(help="The application as JSON (the API's fields).")],
    as_user: AsUser,
    number: Annotated[
        str | None, typer.Option("--number", help="Update this draft instead of a new one.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Save a new draft, or change a draft (or a case returned for correction)."""
    draft = _draft_from(path)
    with _acting_as(as_user) as cli:
        existing = cli.case(number).id if number else None
        cli.show(cli.registry.save_draft(cli.actor, draft, existing), as_json)


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            yield chunk


def application_attach(
    number: Number,
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The document.")],
    kind: Annotated[
        str, typer.Option(help="hold, use, operate or a source document kind it supports.")
    ],
    as_user: AsUser,
) -> None:
    """File a document: kept for the reviewers, lodged as evidence, cited by its receipt."""
    with _acting_as(as_user) as cli:
        app = cli.case(number)
        document = cli.registry.attach_document(
            cli.actor, app.id, kind, _chunks(path), filename=path.name
        )
        console.print(f"{app.application_no}: {kind} {path.name} receipt {document.receipt_id}")


def application_submit(number: Number, as_user: AsUser, as_json: JsonOpt = False) -> None:
    """Validate completely (every missing field is named) and submit."""
    with _acting_as(as_user) as cli:
        cli.show(cli.registry.submit(cli.actor, cli.case(number).id), as_json)


def application_decide(
    number: Number,
    action: Annotated[Action, typer.Argument(help="accept, return, assign, pass_formal …")],
    as_user: AsUser,
    reason: Annotated[str | None, typer.Option(help="Reasons, where the step needs them.")] = None,
    tick: Annotated[
        list[str] | None,
        typer.Option(help="A checklist item met (repeat), or 'all' for every item."),
    ] = None,
    ground: Annotated[list[str] | None, typer.Option(help="A refusal ground (repeat).")] = None,
    reviewer: Annotated[
        list[str] | None, typer.Option(help="Assign this reviewer (login name; repeat).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """A registrar's move on the case as it is now (its current version)."""
    with _acting_as(as_user) as cli:
        app = cli.case(number)
        decision = Decision(
            action=action,
            version=app.version,
            reasons=reason,
            checklist=_checklist(action, app.tracks, tick or []),
            grounds=ground or None,
            reviewer_ids=[cli.user(name).id for name in reviewer] if reviewer else None,
        )
        cli.show(cli.registry.decide(cli.actor, app.id, decision), as_json)


def _checklist(action: Action, tracks: list[str], ticks: list[str]) -> dict[str, bool] | None:
    stage = _STAGE.get(action)
    if stage is None:
        return None
    items = checklist_for(stage, tracks)
    met = set(items) if "all" in ticks else set(ticks)
    unknown = sorted(met - set(items))
    if unknown:
        raise InvalidInput(f"not on the {stage} checklist: {', '.join(unknown)}")
    return {key: key in met for key in items}


def _objection_line(objection: Objection, as_json: bool) -> None:
    if as_json:
        print_json(ObjectionOut.model_validate(objection).model_dump(mode="json"))
    else:
        console.print(f"objection #{objection.id} [{objection.status.value}]")


def objection_file(
    notice_no: Annotated[str, typer.Argument(help="The notice's number.")],
    grounds: Annotated[str, typer.Option(help="Why the registration should not go ahead.")],
    as_user: AsUser,
    as_json: JsonOpt = False,
) -> None:
    """Object to a notice while it runs (a member of another organization)."""
    with _acting_as(as_user) as cli:
        objection = cli.registry.file_objection(cli.actor, notice_no, ObjectionIn(grounds=grounds))
        _objection_line(objection, as_json)


def objection_answer(
    objection_id: Annotated[int, typer.Argument(help="The objection's id.")],
    text: Annotated[str, typer.Option(help="The applicant's answer (答辩).")],
    as_user: AsUser,
    as_json: JsonOpt = False,
) -> None:
    """The applicant answers a pending objection; answering again replaces the text."""
    with _acting_as(as_user) as cli:
        answer = ObjectionResponseIn(text=text)
        _objection_line(cli.registry.respond_to_objection(cli.actor, objection_id, answer), as_json)


def objection_decide(
    objection_id: Annotated[int, typer.Argument(help="The objection's id.")],
    upheld: Annotated[
        bool, typer.Option("--uphold/--dismiss", help="Uphold (the case is refused) or dismiss.")
    ],
    reason: Annotated[str, typer.Option(help="The reasons for the decision.")],
    as_user: AsUser,
    as_json: JsonOpt = False,
) -> None:
    """The registrar decides an objection, with reasons."""
    with _acting_as(as_user) as cli:
        objection = cli.session.get(Objection, objection_id)
        if objection is None:
            raise NotFound(f"no objection {objection_id}")
        version = cli.registry.get(cli.actor, objection.application_id).version
        data = ObjectionDecisionIn(upheld=upheld, reasons=reason, version=version)
        _objection_line(cli.registry.decide_objection(cli.actor, objection_id, data), as_json)
