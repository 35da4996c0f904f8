"""Pages: our datasets with the upload form; a dataset's versions, jobs, comparison and
overlap flags; a version's quality report (page, PDF, JSON); the rule editor."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from datadeed.datasets.api import pdf_response
from datadeed.datasets.report_view import (
    cached_pdf,
    dimension_radar,
    report_context,
    report_html,
)
from datadeed.jobs.api import wake_worker
from datadeed.quality.errors import InvalidRuleSet
from datadeed.web.deps import DatasetsDep, PageActor, SettingsDep, page_principal_optional
from datadeed.web.i18n import gettext
from datadeed.web.templating import check_csrf, render
from datadeed.web.uploads import form_file

router = APIRouter(include_in_schema=False, dependencies=[Depends(page_principal_optional)])
VERSION = "/datasets/{dataset_id}/versions/{version_no}"


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
    file: UploadFile | None = None,
    dataset_id: Annotated[int | None, Form(description="add a version to this dataset")] = None,
) -> Response:
    check_csrf(request, csrf_token)
    chosen = form_file(file)
    outcome = await run_in_threadpool(
        datasets.submit_upload,
        actor,
        chosen.chunks,
        name=name,
        filename=chosen.filename[-255:],
        dataset_id=dataset_id,
    )
    if outcome.job is not None:
        wake_worker(request)
    return RedirectResponse(f"/datasets/{outcome.dataset.id}", status_code=303)


@router.get("/datasets/{dataset_id}", response_class=HTMLResponse)
def dataset_page(
    request: Request, dataset_id: int, actor: PageActor, datasets: DatasetsDep
) -> Response:
    page = datasets.page(actor, dataset_id)
    latest_report = page.latest.reports[-1] if page.latest and page.latest.reports else None
    radar = dimension_radar(latest_report.report, gettext) if latest_report else None
    return render(
        request,
        "dataset_detail.html",
        {"page": page, "dataset": page.dataset, "version": page.latest, "radar": radar}
        | page.extra,
    )


@router.get("/datasets/{dataset_id}/jobs", response_class=HTMLResponse)
def jobs_fragment(
    request: Request,
    dataset_id: int,
    actor: PageActor,
    datasets: DatasetsDep,
    watching: Annotated[list[int] | None, Query()] = None,
) -> Response:
    """The jobs panel, polled by HTMX while a job runs; when a job the page was watching
    has finished, the page reloads (HX-Refresh) to show the new version or report."""
    jobs = datasets.jobs(actor, dataset_id)
    finished = {j.id for j in jobs if j.state.finished}
    response = render(request, "jobs/_panel.html", {"jobs": jobs, "dataset_id": dataset_id})
    if watching and finished & set(watching):
        response.headers["HX-Refresh"] = "true"
    return response


@router.get(VERSION + "/report", response_class=HTMLResponse)
async def report_page(
    request: Request,
    dataset_id: int,
    version_no: int,
    actor: PageActor,
    datasets: DatasetsDep,
    settings: SettingsDep,
    format: Annotated[Literal["html", "pdf", "json"], Query()] = "html",
) -> Response:
    """The report page; ``?format=pdf`` and ``?format=json`` download it."""
    record = datasets.latest_report(actor, dataset_id, version_no)
    if format == "json":
        return JSONResponse(
            {**record.report, "ledger_index": record.ledger_index},
            headers={"Content-Disposition": f'inline; filename="{record.digest[:16]}.json"'},
        )
    if format == "pdf":
        pdf = await run_in_threadpool(cached_pdf, settings, record, report_html(record))
        return pdf_response(pdf, dataset_id, version_no)
    return render(request, "datasets/report.html", report_context(record, gettext))


@router.post(VERSION + "/assess")
def assess(
    request: Request,
    dataset_id: int,
    version_no: int,
    actor: PageActor,
    datasets: DatasetsDep,
    csrf_token: Annotated[str, Form()],
) -> Response:
    check_csrf(request, csrf_token)
    datasets.request_assessment(actor, dataset_id, version_no)
    wake_worker(request)
    return RedirectResponse(f"/datasets/{dataset_id}#jobs", status_code=303)


def _editor(
    request: Request,
    datasets: DatasetsDep,
    actor: PageActor,
    dataset_id: int,
    text: str | None = None,
    errors: list[dict[str, object]] | None = None,
    status_code: int = 200,
) -> Response:
    dataset = datasets.get(actor, dataset_id)
    current = dataset.current_rule_set
    context = {
        "dataset": dataset,
        "rule_set": current,
        "yaml_text": text if text is not None else (current.yaml_text if current else ""),
        "errors": errors or [],
        "columns": datasets.columns_of(dataset),
    }
    return render(request, "datasets/rules.html", context, status_code=status_code)


@router.get("/datasets/{dataset_id}/rules", response_class=HTMLResponse)
def rules_page(
    request: Request,
    dataset_id: int,
    actor: PageActor,
    datasets: DatasetsDep,
    suggest: Annotated[bool, Query()] = False,
) -> Response:
    """The rule editor; ``?suggest=1`` fills it with rules proposed from the latest
    profile (not saved until the user saves them)."""
    text = datasets.suggest_rules(actor, dataset_id) if suggest else None
    return _editor(request, datasets, actor, dataset_id, text=text)


@router.post("/datasets/{dataset_id}/rules", response_class=HTMLResponse)
def rules_save(
    request: Request,
    dataset_id: int,
    actor: PageActor,
    datasets: DatasetsDep,
    csrf_token: Annotated[str, Form()],
    yaml_text: Annotated[str, Form(max_length=256 * 1024)] = "",
) -> Response:
    check_csrf(request, csrf_token)
    try:
        datasets.save_rule_set(actor, dataset_id, yaml_text)
    except InvalidRuleSet as exc:
        errors = exc.extra.get("errors") or [{"line": None, "msg": exc.message}]
        return _editor(request, datasets, actor, dataset_id, yaml_text, errors, exc.status)
    return RedirectResponse(f"/datasets/{dataset_id}/rules?saved=1", status_code=303)
