"""Pages: the public log, a public page per evidence receipt (with QR code), and the
enterprise's own evidence list with the lodge form."""

from __future__ import annotations

from typing import Annotated

import segno
from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from datadeed.errors import InvalidInput
from datadeed.evidence.services import EvidenceInput, StreamingDigest
from datadeed.ledger import entries
from datadeed.web.deps import (
    EvidenceDep,
    LedgerDep,
    PageActor,
    SettingsDep,
    page_principal_optional,
)
from datadeed.web.templating import check_csrf, render

# Every page knows who is logged in, so the header can show it (public pages included).
router = APIRouter(include_in_schema=False, dependencies=[Depends(page_principal_optional)])
CHUNK = 1 << 20


def qr_svg(url: str) -> str:
    """An inline SVG QR code (no image files, no network)."""
    return str(segno.make(url, error="m").svg_inline(scale=4, dark="#1d2430"))


@router.get("/ledger", response_class=HTMLResponse)
def ledger_page(request: Request, ledger: LedgerDep) -> Response:
    checkpoint = ledger.latest_checkpoint()
    first = max(0, checkpoint.tree_size - 20)
    recent = [
        (row, entries.decode_entry(row.data)[1])
        for row in reversed(ledger.store.leaves(first, checkpoint.tree_size))
    ]
    context = {"checkpoint": checkpoint, "recent": recent, "keys": ledger.keys()}
    return render(request, "ledger.html", context)


@router.get("/evidence", response_class=HTMLResponse)
def my_evidence(request: Request, actor: PageActor, evidence: EvidenceDep) -> Response:
    return render(request, "evidence_list.html", {"records": evidence.list_own(actor)})


@router.post("/evidence/new")
async def lodge(
    request: Request,
    actor: PageActor,
    evidence: EvidenceDep,
    settings: SettingsDep,
    csrf_token: Annotated[str, Form()],
    algo: Annotated[str, Form(pattern="^(sha256|sm3)$")] = "sha256",
    file: UploadFile | None = None,
    digest: Annotated[str, Form(max_length=64)] = "",
    label: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """A file (hashed in chunks from the spooled upload) or a digest typed in."""
    check_csrf(request, csrf_token)
    data = EvidenceInput(algo=algo, digest=digest.strip())
    if file is not None and file.filename:
        hashed = StreamingDigest(algo, settings.upload_max_bytes)
        while chunk := await file.read(CHUNK):
            hashed.update(chunk)
        data = EvidenceInput(
            algo=algo,
            digest=hashed.hexdigest,
            size_bytes=hashed.size,
            filename=file.filename.rsplit("/", 1)[-1][:255],
        )
    elif not data.digest:
        raise InvalidInput("choose a file or enter a digest")
    if label.strip():
        data.metadata = {"label": label.strip()}
    record = await run_in_threadpool(evidence.lodge, actor, data)
    return RedirectResponse(f"/evidence/{record.receipt_id}", status_code=303)


@router.get("/evidence/{receipt_id}", response_class=HTMLResponse)
def receipt_page(
    request: Request, receipt_id: str, evidence: EvidenceDep, settings: SettingsDep
) -> Response:
    receipt = evidence.receipt(receipt_id)
    url = f"{settings.base_url.rstrip('/')}/evidence/{receipt_id}"
    context = {"receipt": receipt, "body": receipt["entry"]["body"], "qr": qr_svg(url), "url": url}
    return render(request, "evidence_receipt.html", context)
