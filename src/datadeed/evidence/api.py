"""Evidence API: lodge a digest, or stream a file to be hashed; fetch receipts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from datadeed.evidence.services import EvidenceInput, StreamingDigest
from datadeed.web.deps import ApiActor, EvidenceDep, SettingsDep

router = APIRouter(prefix="/evidence", tags=["evidence"])


class EvidenceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    algo: str = Field(default="sha256", pattern="^(sha256|sm3)$")
    digest: str = Field(min_length=64, max_length=64, description="hex digest of the data")
    size_bytes: int | None = Field(default=None, ge=0)
    filename: str | None = Field(default=None, max_length=255)
    media_type: str | None = Field(default=None, max_length=127)
    metadata: dict[str, str] = Field(default_factory=dict, max_length=32)


class EvidenceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    receipt_id: str
    algo: str
    digest: str
    size_bytes: int | None
    filename: str | None
    ledger_index: int


@router.post("", status_code=status.HTTP_201_CREATED)
def lodge_digest(body: EvidenceCreate, actor: ApiActor, evidence: EvidenceDep) -> dict[str, Any]:
    """Lodge a digest computed elsewhere; the answer is the receipt."""
    record = evidence.lodge(actor, EvidenceInput(**body.model_dump()))
    return evidence.receipt(record.receipt_id)


@router.post("/upload", status_code=status.HTTP_201_CREATED)
async def lodge_file(
    request: Request,
    actor: ApiActor,
    evidence: EvidenceDep,
    settings: SettingsDep,
    algo: Annotated[str, Query(pattern="^(sha256|sm3)$")] = "sha256",
    filename: Annotated[str | None, Query(max_length=255)] = None,
) -> dict[str, Any]:
    """Send the file as the raw request body: it is hashed while it streams, never stored."""
    hashed = await StreamingDigest(algo, settings.upload_max_bytes).consume_async(request.stream())
    media_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    data = EvidenceInput(
        algo=algo,
        digest=hashed.hexdigest,
        size_bytes=hashed.size,
        filename=filename,
        media_type=media_type if media_type and media_type != "application/octet-stream" else None,
    )
    # The database work is blocking: keep it off the event loop.
    record = await run_in_threadpool(evidence.lodge, actor, data)
    return await run_in_threadpool(evidence.receipt, record.receipt_id)


@router.get("", response_model=list[EvidenceOut])
def list_evidence(actor: ApiActor, evidence: EvidenceDep) -> list[EvidenceOut]:
    return [EvidenceOut.model_validate(r) for r in evidence.list_own(actor)]


@router.get("/{receipt_id}")
def get_receipt(receipt_id: str, evidence: EvidenceDep) -> dict[str, Any]:
    """Public: anyone holding the receipt id can fetch the receipt and verify it."""
    return evidence.receipt(receipt_id)
