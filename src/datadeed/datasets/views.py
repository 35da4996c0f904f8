"""Pages: our datasets with the upload form, and a dataset's versions and reports."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from datadeed.errors import InvalidInput
from datadeed.web.deps import DatasetsDep, PageActor, page_principal_optional
from datadeed.web.templating import check_csrf, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(page_principal_optional)])
CHUNK = 1 << 20


@router.get("/datasets", response_class=HTMLResponse)
def datasets_page(request: Request, actor: PageActor, datasets: DatasetsDep) -> Response:
    return render(request, "datasets.html", {"datasets": datasets.list_own(actor)})


@router.post("/datasets/new")
async def upload(
    request: Request,
    actor: PageActor,
    datasets: DatasetsDep,
    csrf_token: Annotated[str, Form()],
    name: Annotated[str, Form(max_length=200)],
    file: UploadFile,
) -> Response:
    check_csrf(request, csrf_token)
    if not file.filename:
        raise InvalidInput("choose a file")

    def chunks() -> Iterator[bytes]:
        while chunk := file.file.read(CHUNK):
            yield chunk

    version = await run_in_threadpool(
        datasets.upload_version, actor, chunks(), name=name, filename=file.filename[-255:]
    )
    return RedirectResponse(f"/datasets/{version.dataset_id}", status_code=303)


@router.get("/datasets/{dataset_id}", response_class=HTMLResponse)
def dataset_page(
    request: Request, dataset_id: int, actor: PageActor, datasets: DatasetsDep
) -> Response:
    dataset = datasets.get(actor, dataset_id)
    return render(request, "dataset_detail.html", {"dataset": dataset})
