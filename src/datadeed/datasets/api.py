"""Datasets API: upload a version (raw body), list, read, fetch the quality report."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO, Annotated, Any

from fastapi import APIRouter, Query, Request, status
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool

from datadeed.datasets.models import Dataset, DatasetVersion
from datadeed.evidence.services import PayloadTooLarge
from datadeed.web.deps import ApiActor, DatasetsDep, SettingsDep

router = APIRouter(prefix="/datasets", tags=["datasets"])
CHUNK = 1 << 20


class VersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    version_no: int
    filename: str | None
    format: str
    encoding: str | None
    size_bytes: int
    sha256: str
    sm3: str
    content_fingerprint: str
    row_count: int
    column_count: int
    score: float | None = None
    grade: str | None = None
    report_digest: str | None = None


class DatasetOut(BaseModel):
    id: int
    organization_id: int
    name: str
    versions: list[VersionOut]


def version_out(version: DatasetVersion) -> VersionOut:
    out = VersionOut.model_validate(version)
    if version.reports:
        latest = version.reports[-1]
        out.score, out.grade, out.report_digest = latest.score, latest.grade, latest.digest
    return out


def dataset_out(dataset: Dataset) -> DatasetOut:
    return DatasetOut(
        id=dataset.id,
        organization_id=dataset.organization_id,
        name=dataset.name,
        versions=[version_out(v) for v in dataset.versions],
    )


def _chunks(spool: IO[bytes]) -> Iterator[bytes]:
    spool.seek(0)
    while chunk := spool.read(CHUNK):
        yield chunk


@router.post("/upload", status_code=status.HTTP_201_CREATED, response_model=DatasetOut)
async def upload(
    request: Request,
    actor: ApiActor,
    datasets: DatasetsDep,
    settings: SettingsDep,
    name: Annotated[str, Query(min_length=1, max_length=200)] = "dataset",
    filename: Annotated[str | None, Query(max_length=255)] = None,
    dataset_id: Annotated[int | None, Query(description="add a version to this dataset")] = None,
) -> DatasetOut:
    """Send the file as the raw body. It is spooled to disk (never held in memory), stored
    content-addressed, read into canonical form, fingerprinted and assessed."""
    with tempfile.TemporaryFile() as spool:
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > settings.upload_max_bytes:
                raise PayloadTooLarge(f"the file exceeds {settings.upload_max_bytes} bytes")
            spool.write(chunk)
        version = await run_in_threadpool(
            datasets.upload_version,
            actor,
            _chunks(spool),
            name=name,
            filename=filename,
            dataset_id=dataset_id,
        )
    return dataset_out(version.dataset)


@router.get("", response_model=list[DatasetOut])
def list_datasets(actor: ApiActor, datasets: DatasetsDep) -> list[DatasetOut]:
    return [dataset_out(d) for d in datasets.list_own(actor)]


@router.get("/{dataset_id}", response_model=DatasetOut)
def get_dataset(dataset_id: int, actor: ApiActor, datasets: DatasetsDep) -> DatasetOut:
    return dataset_out(datasets.get(actor, dataset_id))


@router.get("/{dataset_id}/versions/{version_no}/report")
def get_report(
    dataset_id: int, version_no: int, actor: ApiActor, datasets: DatasetsDep
) -> dict[str, Any]:
    """The sealed quality report (JSON); its digest is in the ledger."""
    record = datasets.latest_report(actor, dataset_id, version_no)
    return {**record.report, "ledger_index": record.ledger_index}
