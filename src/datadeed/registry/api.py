"""Registry API: applications (drafts, submission, decisions), public notices, objections."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from datadeed.accounts.principal import Principal
from datadeed.registry.base import DocumentUpload
from datadeed.registry.presenters import application_out, notice_out
from datadeed.registry.schemas import (
    ApplicationDraft,
    ApplicationOut,
    Decision,
    DocumentOut,
    NoticeOut,
    ObjectionDecisionIn,
    ObjectionIn,
    ObjectionOut,
    ObjectionResponseIn,
    OverlapOut,
)
from datadeed.registry.services import Conflicting, RegistryService
from datadeed.web.deps import ApiActor, LedgerDep, SessionDep, SettingsDep
from datadeed.web.uploads import spool_chunks, spooled_body

router = APIRouter(tags=["registry"])
CHUNK = 1 << 20


def get_registry(session: SessionDep, settings: SettingsDep, ledger: LedgerDep) -> RegistryService:
    return RegistryService(session, settings, ledger)


RegistryDep = Annotated[RegistryService, Depends(get_registry)]


@router.get("/applications", response_model=list[ApplicationOut])
def list_applications(
    actor: ApiActor,
    registry: RegistryDep,
    state: Annotated[str | None, Query(max_length=32)] = None,
    overdue: bool = False,
    mine: Annotated[bool, Query(description="registrar: only cases assigned to me")] = False,
) -> list[ApplicationOut]:
    """Registrar staff get the queue (earliest deadline first); others their own cases."""
    if overdue or mine:
        cases = registry.queue(actor, state, overdue=overdue, mine=mine)
    else:
        cases = registry.listing(actor, state)
    return [application_out(registry, a) for a in cases]


@router.post("/applications", status_code=status.HTTP_201_CREATED, response_model=ApplicationOut)
def create_application(
    data: ApplicationDraft, actor: ApiActor, registry: RegistryDep
) -> ApplicationOut:
    """Save a new draft; nothing is required until submission."""
    return application_out(registry, registry.save_draft(actor, data))


@router.get("/applications/{application_id}", response_model=ApplicationOut)
def get_application(application_id: int, actor: ApiActor, registry: RegistryDep) -> ApplicationOut:
    return application_out(registry, registry.get(actor, application_id))


@router.put("/applications/{application_id}", response_model=ApplicationOut)
def update_application(
    application_id: int, data: ApplicationDraft, actor: ApiActor, registry: RegistryDep
) -> ApplicationOut:
    """Change a draft or a case returned for correction; only the fields sent change."""
    return application_out(registry, registry.save_draft(actor, data, application_id))


@router.post("/applications/{application_id}/submit", response_model=ApplicationOut)
def submit_application(
    application_id: int, actor: ApiActor, registry: RegistryDep
) -> ApplicationOut:
    """Validate completely (422 ``application_incomplete`` lists every field) and submit."""
    return application_out(registry, registry.submit(actor, application_id))


@router.post("/applications/{application_id}/decisions", response_model=ApplicationOut)
def decide_application(
    application_id: int, decision: Decision, actor: ApiActor, registry: RegistryDep
) -> ApplicationOut:
    """A registrar's move; ``version`` must match the case (409 ``conflict`` otherwise)."""
    return application_out(registry, registry.decide(actor, application_id, decision))


@router.get("/applications/{application_id}/conflicts", response_model=list[OverlapOut])
def application_conflicts(
    application_id: int, actor: ApiActor, registry: RegistryDep
) -> list[OverlapOut]:
    """Other holders' datasets with the same content or a large overlap."""
    return [overlap_out(c) for c in registry.conflicts(actor, application_id)]


def overlap_out(conflict: Conflicting) -> OverlapOut:
    out = OverlapOut.model_validate(conflict.flag.model_dump())
    if conflict.registration is not None:
        out.registration_no = conflict.registration.application_no
        out.registration_state = conflict.registration.state.value
        out.certificate_number = conflict.registration.certificate_number
    return out


@router.get("/notices", response_model=list[NoticeOut])
def list_notices(registry: RegistryDep) -> list[NoticeOut]:
    """Public: the notices running now, with their objection deadlines."""
    return [notice_out(registry, n) for n in registry.notices()]


@router.get("/notices/{notice_no}", response_model=NoticeOut)
def get_notice(notice_no: str, registry: RegistryDep) -> NoticeOut:
    return notice_out(registry, registry.notice(notice_no))


@router.post(
    "/notices/{notice_no}/objections",
    status_code=status.HTTP_201_CREATED,
    response_model=ObjectionOut,
)
def file_objection(
    notice_no: str, data: ObjectionIn, actor: ApiActor, registry: RegistryDep
) -> ObjectionOut:
    """Any account holder of another organization, while the notice runs."""
    return ObjectionOut.model_validate(registry.file_objection(actor, notice_no, data))


@router.post("/objections/{objection_id}/decision", response_model=ObjectionOut)
def decide_objection(
    objection_id: int, data: ObjectionDecisionIn, actor: ApiActor, registry: RegistryDep
) -> ObjectionOut:
    """Uphold (the case is refused) or dismiss, with reasons."""
    return ObjectionOut.model_validate(registry.decide_objection(actor, objection_id, data))


@router.put("/objections/{objection_id}/response", response_model=ObjectionOut)
def respond_to_objection(
    objection_id: int, data: ObjectionResponseIn, actor: ApiActor, registry: RegistryDep
) -> ObjectionOut:
    """The applicant answers a pending objection (text and its own evidence receipts);
    sent again, the text is replaced and the evidence added to, until it is decided."""
    return ObjectionOut.model_validate(registry.respond_to_objection(actor, objection_id, data))


@router.post(
    "/application-documents/{application_id}",
    status_code=status.HTTP_201_CREATED,
    response_model=DocumentOut,
)
async def upload_document(
    request: Request,
    actor: ApiActor,
    registry: RegistryDep,
    settings: SettingsDep,
    application_id: int,
    kind: Annotated[
        str, Query(max_length=64, description="hold, use, operate or a source document kind")
    ],
    filename: Annotated[str, Query(min_length=1, max_length=255)],
) -> DocumentOut:
    """Send the document as the raw body: it is kept for the reviewers, its digest is
    lodged as evidence and the receipt is cited for the right or source document."""
    media_type = request.headers.get("content-type")
    async with spooled_body(request, settings.upload_max_bytes) as spool:
        document = await run_in_threadpool(
            registry.attach_document,
            actor,
            application_id,
            kind,
            spool_chunks(spool),
            filename=filename,
            media_type=media_type,
        )
    return DocumentOut.model_validate(document)


@router.post(
    "/objections/{objection_id}/documents",
    status_code=status.HTTP_201_CREATED,
    response_model=DocumentOut,
)
async def upload_response_document(
    request: Request,
    actor: ApiActor,
    registry: RegistryDep,
    settings: SettingsDep,
    objection_id: int,
    filename: Annotated[str, Query(min_length=1, max_length=255)],
) -> DocumentOut:
    """The applicant files a document for its answer to a pending objection (raw body):
    kept for the reviewers and lodged as evidence; cite ``receipt_id`` in the answer."""
    media_type = request.headers.get("content-type")
    async with spooled_body(request, settings.upload_max_bytes) as spool:
        upload = DocumentUpload(filename, media_type, spool_chunks(spool))
        document = await run_in_threadpool(
            registry.file_response_document, actor, objection_id, upload
        )
    return DocumentOut.model_validate(document)


def document_response(
    registry: RegistryService, actor: Principal, application_id: int, document_id: int
) -> StreamingResponse:
    """The document's bytes, as an attachment."""
    document, stream = registry.document(actor, application_id, document_id)

    def chunks() -> Iterator[bytes]:
        with stream:
            while chunk := stream.read(CHUNK):
                yield chunk

    disposition = f"attachment; filename*=UTF-8''{quote(document.filename)}"
    return StreamingResponse(
        chunks(),
        media_type=document.media_type or "application/octet-stream",
        headers={"content-disposition": disposition},
    )


@router.get("/applications/{application_id}/documents/{document_id}", response_model=None)
def download_document(
    application_id: int, document_id: int, actor: ApiActor, registry: RegistryDep
) -> StreamingResponse:
    """For the applicant and the registrar; others answer 404."""
    return document_response(registry, actor, application_id, document_id)
