"""Pages: a version's sensitivity (scan, grade, gates, review form) and the reviewers'
queue of proposed grades."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from datadeed.sensitive.deps import SensitiveDep
from datadeed.sensitive.grading import GRADES
from datadeed.sensitive.recognizers import RECOGNIZERS
from datadeed.web.deps import PageActor, page_principal_optional
from datadeed.web.templating import check_csrf, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(page_principal_optional)])
PAGE = "/datasets/{dataset_id}/versions/{version_no}/sensitivity"
PI_LABELS = {r.pi_type: (r.label_zh, r.label_en) for r in RECOGNIZERS}


def _back(dataset_id: int, version_no: int) -> RedirectResponse:
    return RedirectResponse(
        f"/datasets/{dataset_id}/versions/{version_no}/sensitivity", status_code=303
    )


@router.get(PAGE, response_class=HTMLResponse)
def sensitivity_page(
    request: Request, dataset_id: int, version_no: int, actor: PageActor, sensitive: SensitiveDep
) -> Response:
    view = sensitive.version_view(actor, dataset_id, version_no)
    context = {"view": view, "grades": GRADES, "pi_labels": PI_LABELS}
    return render(request, "sensitive/version.html", context)


@router.post(f"{PAGE}/scan")
async def rescan(
    request: Request,
    dataset_id: int,
    version_no: int,
    actor: PageActor,
    sensitive: SensitiveDep,
    csrf_token: Annotated[str, Form()],
) -> Response:
    check_csrf(request, csrf_token)
    await run_in_threadpool(sensitive.scan, actor, dataset_id, version_no)
    return _back(dataset_id, version_no)


@router.post(f"{PAGE}/grade")
def review(
    request: Request,
    dataset_id: int,
    version_no: int,
    actor: PageActor,
    sensitive: SensitiveDep,
    csrf_token: Annotated[str, Form()],
    action: Annotated[str, Form(pattern="^(confirm|change)$")],
    grade: Annotated[str, Form(max_length=16)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    check_csrf(request, csrf_token)
    sensitive.review_latest(actor, dataset_id, version_no, action, grade, reason)
    return _back(dataset_id, version_no)


@router.get("/sensitivity/reviews", response_class=HTMLResponse)
def review_queue_page(request: Request, actor: PageActor, sensitive: SensitiveDep) -> Response:
    context = {"items": sensitive.review_queue(actor), "pi_labels": PI_LABELS}
    return render(request, "sensitive/reviews.html", context)
