"""Registry pages: the public notice board, my applications with the one-window form, the
registrar's queue and the case page with checklists and decision forms."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from datadeed.accounts.principal import Principal
from datadeed.errors import InvalidInput
from datadeed.registry import checklists
from datadeed.registry.api import RegistryDep, document_response
from datadeed.registry.base import DocumentUpload
from datadeed.registry.decisions import DECISIONS
from datadeed.registry.errors import FieldError, FieldErrors
from datadeed.registry.models import ObjectType, RegistrationApplication, Right, SourceCategory
from datadeed.registry.schemas import (
    ApplicationDraft,
    Decision,
    ObjectionDecisionIn,
    ObjectionIn,
    ObjectionResponseIn,
    RightClaim,
)
from datadeed.registry.services import DOCUMENT_KINDS, RegistryService
from datadeed.registry.states import Action, ApplicationState, allowed_actions
from datadeed.sensitive.grading import GRADE_LABELS
from datadeed.web.deps import PageActor, PageActorOptional, page_principal_optional
from datadeed.web.templating import check_csrf, render
from datadeed.web.uploads import form_file

router = APIRouter(include_in_schema=False, dependencies=[Depends(page_principal_optional)])
_RECEIPTS = re.compile(r"[\s,，;；]+")
TEXT_FIELDS = (
    "title",
    "object_type",
    "source_category",
    "source_explanation",
    "data_format",
    "coverage_period",
    "coverage_region",
    "coverage_industry",
    "update_frequency",
    "description",
)


def _receipts(value: Any) -> list[str]:
    return [r for r in _RECEIPTS.split(str(value or "").strip()) if r]


def _int_or_none(form: FormData, name: str) -> int | None:
    raw = str(form.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise FieldErrors([FieldError(name, "give a whole number")])
    return int(raw)


def draft_from_form(form: FormData) -> ApplicationDraft:
    """The one-window form (both tracks, every right with its own evidence) as a draft."""
    values: dict[str, Any] = {f: (str(form.get(f) or "").strip() or None) for f in TEXT_FIELDS}
    values["title"] = values["title"] or ""
    values["tracks"] = [str(t) for t in form.getlist("tracks")]
    values["rights_claimed"] = [
        RightClaim(right=r.value, evidence=_receipts(form.get(f"evidence_{r.value}")))
        for r in Right
        if form.get(f"right_{r.value}")
    ]
    values["source_documents"] = {
        kind: _receipts(form.get(f"doc_{kind}"))
        for kind in checklists.DOCUMENT_LABELS
        if _receipts(form.get(f"doc_{kind}"))
    }
    for name in ("scale_records", "dataset_version_id"):
        values[name] = _int_or_none(form, name)
    values["commitment_accepted"] = bool(form.get("commitment_accepted"))
    try:
        return ApplicationDraft(**values)
    except ValidationError as exc:
        errors = [FieldError(".".join(map(str, e["loc"])), e["msg"]) for e in exc.errors()]
        raise FieldErrors(errors) from None


def _form_context(registry: RegistryService, actor: Principal) -> dict[str, Any]:
    return {
        "versions": registry.version_choices(actor),
        "object_types": [o.value for o in ObjectType],
        "rights": [r.value for r in Right],
        "source_categories": [c.value for c in SourceCategory],
        "source_documents": {c.value: docs for c, docs in checklists.SOURCE_DOCUMENTS.items()},
        "document_labels": checklists.DOCUMENT_LABELS,
        "document_kinds": DOCUMENT_KINDS,
    }


# -- public notice board -----------------------------------------------------------


@router.get("/notices", response_class=HTMLResponse)
def notice_board(request: Request, registry: RegistryDep) -> Response:
    notices = registry.notices()
    return render(request, "registry/notices.html", {"notices": notices, "registry": registry})


@router.get("/notices/{notice_no}", response_class=HTMLResponse)
def notice_page(
    request: Request, notice_no: str, registry: RegistryDep, actor: PageActorOptional
) -> Response:
    notice = registry.notice(notice_no)
    context = {"notice": notice, "app": notice.application, "registry": registry}
    return render(request, "registry/notice.html", context)


@router.post("/notices/{notice_no}/objections")
def object_to_notice(
    request: Request,
    notice_no: str,
    actor: PageActor,
    registry: RegistryDep,
    csrf_token: Annotated[str, Form()],
    grounds: Annotated[str, Form(max_length=4000)] = "",
    evidence: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    check_csrf(request, csrf_token)
    if not grounds.strip():
        raise InvalidInput("give the grounds of the objection")
    data = ObjectionIn(grounds=grounds, evidence=_receipts(evidence))
    registry.file_objection(actor, notice_no, data)
    return RedirectResponse(f"/notices/{notice_no}?filed=1", status_code=303)


# -- the applicant -------------------------------------------------------------------


@router.get("/applications", response_class=HTMLResponse)
def my_applications(request: Request, actor: PageActor, registry: RegistryDep) -> Response:
    context = {
        "applications": registry.list_own(actor),
        "registry": registry,
        "draft": None,
        "errors": [],
        **_form_context(registry, actor),
    }
    return render(request, "registry/applications.html", context)


@router.post("/applications/new")
async def new_application(request: Request, actor: PageActor, registry: RegistryDep) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    app = registry.save_draft(actor, draft_from_form(form))
    if form.get("intent") == "submit":
        return _submit_or_show(request, actor, registry, app)
    return RedirectResponse(f"/applications/{app.id}?saved=1", status_code=303)


@router.get("/applications/{application_id}", response_class=HTMLResponse)
def application_page(
    request: Request, application_id: int, actor: PageActor, registry: RegistryDep
) -> Response:
    app = registry.get(actor, application_id)
    return _case_page(request, actor, registry, app, [])


@router.post("/applications/{application_id}")
async def edit_application(
    request: Request, application_id: int, actor: PageActor, registry: RegistryDep
) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    app = registry.save_draft(actor, draft_from_form(form), application_id)
    if form.get("intent") == "submit":
        return _submit_or_show(request, actor, registry, app)
    return RedirectResponse(f"/applications/{app.id}?saved=1", status_code=303)


def _submit_or_show(
    request: Request, actor: Principal, registry: RegistryService, app: RegistrationApplication
) -> Response:
    """Submit; on field errors show the form again with every error beside its field."""
    try:
        registry.submit(actor, app.id)
    except FieldErrors as exc:
        app = registry.get(actor, app.id)
        return _case_page(request, actor, registry, app, exc.errors, status_code=422)
    return RedirectResponse(f"/applications/{app.id}?submitted=1", status_code=303)


def _case_page(
    request: Request,
    actor: Principal,
    registry: RegistryService,
    app: RegistrationApplication,
    errors: list[FieldError],
    status_code: int = 200,
) -> Response:
    parties = registry.parties(actor, app)
    registrar = registry.is_registrar(actor)
    context = {
        "app": app,
        "draft": app,
        "errors": errors,
        "error_fields": {e.field.split("[")[0].split(".")[0] for e in errors},
        "clock": registry.clock_view(app),
        "actions": [a.value for a in allowed_actions(app.state, parties)],
        "decisions": [a for a in allowed_actions(app.state, parties) if a in DECISIONS],
        "editable": app.state in (ApplicationState.DRAFT, ApplicationState.RETURNED)
        and app.organization_id == actor.organization_id,
        "registrar": registrar,
        "conflicts": registry.conflicts(actor, app.id) if registrar else [],
        "reviewers": registry.reviewer_choices(actor),
        "formal_items": checklists.checklist_for("formal", app.tracks),
        "substantive_items": checklists.checklist_for("substantive", app.tracks),
        "refusal_grounds": checklists.REFUSAL_GROUNDS,
        "grade_labels": GRADE_LABELS,
        "registry": registry,
        **_form_context(registry, actor),
    }
    return render(request, "registry/application.html", context, status_code=status_code)


# -- the registrar -------------------------------------------------------------------


@router.get("/registry/queue", response_class=HTMLResponse)
def queue_page(
    request: Request,
    actor: PageActor,
    registry: RegistryDep,
    state: Annotated[str | None, Query(max_length=32)] = None,
    overdue: bool = False,
    mine: bool = False,
) -> Response:
    cases = registry.queue(actor, state or None, overdue=overdue, mine=mine)
    context = {
        "cases": cases,
        "registry": registry,
        "state": state or "",
        "overdue": overdue,
        "mine": mine,
        "states": [s.value for s in ApplicationState if s != ApplicationState.DRAFT],
    }
    return render(request, "registry/queue.html", context)


@router.post("/applications/{application_id}/decisions")
async def decide_page(
    request: Request, application_id: int, actor: PageActor, registry: RegistryDep
) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    registry.decide(actor, application_id, _decision_from_form(form))
    return RedirectResponse(f"/applications/{application_id}", status_code=303)


def _decision_from_form(form: FormData) -> Decision:
    action = str(form.get("action") or "")
    if action not in {a.value for a in Action}:
        raise InvalidInput("choose a decision")
    ticks = {k.removeprefix("check_"): True for k in form if k.startswith("check_") and form.get(k)}
    version = _int_or_none(form, "version")
    if version is None or version < 1:
        raise InvalidInput("the form lacks the case version; reload the page")
    return Decision(
        action=Action(action),
        version=version,
        reasons=str(form.get("reasons") or "").strip() or None,
        checklist=ticks if form.get("has_checklist") else None,
        grounds=[str(g) for g in form.getlist("grounds")] or None,
        reviewer_ids=[int(str(r)) for r in form.getlist("reviewer_ids") if str(r).isdigit()]
        or None,
    )


@router.post("/objections/{objection_id}/decision")
def decide_objection_page(
    request: Request,
    objection_id: int,
    actor: PageActor,
    registry: RegistryDep,
    csrf_token: Annotated[str, Form()],
    outcome: Annotated[str, Form()],
    version: Annotated[int, Form()],
    reasons: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    check_csrf(request, csrf_token)
    if outcome not in ("upheld", "dismissed") or not reasons.strip():
        raise InvalidInput("choose uphold or dismiss and give the reasons")
    data = ObjectionDecisionIn(upheld=outcome == "upheld", reasons=reasons, version=version)
    objection = registry.decide_objection(actor, objection_id, data)
    return RedirectResponse(f"/applications/{objection.application_id}", status_code=303)


@router.post("/objections/{objection_id}/response")
async def respond_to_objection_page(
    request: Request,
    objection_id: int,
    actor: PageActor,
    registry: RegistryDep,
    csrf_token: Annotated[str, Form()],
    text: Annotated[str, Form(max_length=4000)] = "",
    file: UploadFile | None = None,
) -> Response:
    """The applicant's answer: text and, optionally, a document kept as evidence."""
    check_csrf(request, csrf_token)
    documents = []
    if file is not None and file.filename:  # the document is optional here
        chosen = form_file(file)
        documents.append(DocumentUpload(chosen.filename, chosen.media_type, chosen.chunks))
    objection = await run_in_threadpool(
        registry.respond_to_objection,
        actor,
        objection_id,
        ObjectionResponseIn(text=text),
        documents,
    )
    return RedirectResponse(f"/applications/{objection.application_id}?answered=1", status_code=303)


# -- documents -----------------------------------------------------------------------


@router.post("/application-documents/{application_id}")
async def upload_document_page(
    request: Request,
    application_id: int,
    actor: PageActor,
    registry: RegistryDep,
    csrf_token: Annotated[str, Form()],
    kind: Annotated[str, Form(max_length=64)],
    file: UploadFile | None = None,
) -> Response:
    check_csrf(request, csrf_token)
    chosen = form_file(file)
    await run_in_threadpool(
        registry.attach_document,
        actor,
        application_id,
        kind,
        chosen.chunks,
        filename=chosen.filename,
        media_type=chosen.media_type,
    )
    return RedirectResponse(f"/applications/{application_id}?saved=1", status_code=303)


@router.get("/applications/{application_id}/documents/{document_id}")
def download_document_page(
    application_id: int, document_id: int, actor: PageActor, registry: RegistryDep
) -> Response:
    return document_response(registry, actor, application_id, document_id)
