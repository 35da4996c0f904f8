"""Datasets API: upload a version (raw body), list, read; a version's quality report as
JSON, HTML or PDF; re-assessment as a job; rule sets; comparison; overlap flags."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from datadeed.datasets import tasks  # noqa: F401  (registers the dataset job handlers)
from datadeed.datasets.compare import VersionComparison
from datadeed.datasets.models import Dataset, DatasetRuleSet, DatasetVersion
from datadeed.datasets.report_view import cached_pdf, report_html
from datadeed.datasets.schemas import OverlapFlag, RuleSetIn, RuleSetOut, VersionOut
from datadeed.datasets.services import UploadOutcome
from datadeed.jobs.api import wake_worker
from datadeed.jobs.schemas import JobOut
from datadeed.web.deps import ApiActor, DatasetsDep, SettingsDep
from datadeed.web.uploads import spool_chunks, spooled_body

router = APIRouter(prefix="/datasets", tags=["datasets"])
VersionPath = "/{dataset_id}/versions/{version_no}"


class DatasetOut(BaseModel):
    id: int
    organization_id: int
    name: str
    versions: list[VersionOut]
    job: JobOut | None = None


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


def rule_set_out(dataset_id: int, rule_set: DatasetRuleSet | None) -> RuleSetOut:
    if rule_set is None:
        return RuleSetOut(
            dataset_id=dataset_id,
            version_no=0,
            label=None,
            yaml_text="",
            rules=None,
            created_at=None,
        )
    return RuleSetOut(
        dataset_id=dataset_id,
        version_no=rule_set.version_no,
        label=rule_set.label,
        yaml_text=rule_set.yaml_text,
        rules=rule_set.rules,
        created_at=rule_set.created_at,
    )


def _upload_response(request: Request, outcome: UploadOutcome) -> JSONResponse:
    out = dataset_out(outcome.dataset)
    if outcome.job is None:
        return JSONResponse(out.model_dump(mode="json"), status_code=status.HTTP_201_CREATED)
    wake_worker(request)
    out.job = JobOut.model_validate(outcome.job)
    return JSONResponse(out.model_dump(mode="json"), status_code=status.HTTP_202_ACCEPTED)


@router.post(
    "/upload",
    status_code=status.HTTP_201_CREATED,
    response_model=DatasetOut,
    responses={202: {"model": DatasetOut, "description": "large file: intake job queued"}},
)
async def upload(
    request: Request,
    actor: ApiActor,
    datasets: DatasetsDep,
    settings: SettingsDep,
    name: Annotated[str, Query(min_length=1, max_length=200)] = "dataset",
    filename: Annotated[str | None, Query(max_length=255)] = None,
    dataset_id: Annotated[int | None, Query(description="add a version to this dataset")] = None,
) -> JSONResponse:
    """Send the file as the raw body. It is spooled to disk (never held in memory) and
    stored content-addressed. Files under ``assess_async_min_bytes`` are read,
    fingerprinted and assessed at once (201); larger ones by a background job (202,
    with ``job``; poll ``GET /api/v1/jobs/{id}``)."""
    async with spooled_body(request, settings.upload_max_bytes) as spool:
        outcome = await run_in_threadpool(
            datasets.submit_upload,
            actor,
            spool_chunks(spool),
            name=name,
            filename=filename,
            dataset_id=dataset_id,
        )
    return _upload_response(request, outcome)


@router.get("", response_model=list[DatasetOut])
def list_datasets(actor: ApiActor, datasets: DatasetsDep) -> list[DatasetOut]:
    return [dataset_out(d) for d in datasets.list_own(actor)]


@router.get("/{dataset_id}", response_model=DatasetOut)
def get_dataset(dataset_id: int, actor: ApiActor, datasets: DatasetsDep) -> DatasetOut:
    return dataset_out(datasets.get(actor, dataset_id))


ReportFormat = Literal["json", "html", "pdf"]


@router.get(
    VersionPath + "/report",
    response_model=None,
    responses={
        200: {
            "content": {"application/json": {}, "text/html": {}, "application/pdf": {}},
            "description": "the report as JSON (default), HTML with charts, or PDF",
        }
    },
)
async def get_report(
    dataset_id: int,
    version_no: int,
    actor: ApiActor,
    datasets: DatasetsDep,
    settings: SettingsDep,
    format: Annotated[ReportFormat, Query()] = "json",
) -> Response | dict[str, Any]:
    """The version's latest sealed quality report; its digest is in the ledger. As JSON,
    a standalone HTML document with charts (inline SVG), or a PDF (A4, CJK fonts
    embedded)."""
    record = datasets.latest_report(actor, dataset_id, version_no)
    if format == "json":
        return {**record.report, "ledger_index": record.ledger_index}
    html = report_html(record)
    if format == "html":
        return HTMLResponse(html)
    pdf = await run_in_threadpool(cached_pdf, settings, record, html)
    return pdf_response(pdf, dataset_id, version_no)


def pdf_response(pdf: bytes, dataset_id: int, version_no: int) -> Response:
    name = f"quality-report-{dataset_id}-v{version_no}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@router.post(VersionPath + "/assessments", status_code=status.HTTP_202_ACCEPTED)
def start_assessment(
    request: Request,
    dataset_id: int,
    version_no: int,
    actor: ApiActor,
    datasets: DatasetsDep,
    engine: Annotated[Literal["duckdb", "spark"] | None, Query()] = None,
) -> JobOut:
    """Assess the version again (with the dataset's current rule set) as a background
    job; poll ``GET /api/v1/jobs/{id}``."""
    job = datasets.request_assessment(actor, dataset_id, version_no, engine)
    wake_worker(request)
    return JobOut.model_validate(job)


@router.get(VersionPath + "/overlaps")
def get_overlaps(
    dataset_id: int,
    version_no: int,
    actor: ApiActor,
    datasets: DatasetsDep,
    min_containment: Annotated[float, Query(ge=0, le=1)] = 0.5,
) -> list[OverlapFlag]:
    """Other holders' datasets that share at least ``min_containment`` of the rows."""
    return datasets.overlaps_of(actor, dataset_id, version_no, min_containment=min_containment)


@router.get("/{dataset_id}/comparison")
def get_comparison(
    dataset_id: int,
    actor: ApiActor,
    datasets: DatasetsDep,
    new: Annotated[int, Query(ge=1, description="the newer version")],
    old: Annotated[int | None, Query(ge=1, description="default: new - 1")] = None,
) -> VersionComparison:
    """Schema changes, row-count change and quality delta between two versions."""
    return datasets.compare(actor, dataset_id, new, old)


@router.get("/{dataset_id}/rules")
def get_rules(dataset_id: int, actor: ApiActor, datasets: DatasetsDep) -> RuleSetOut:
    """The dataset's current rule set (YAML as written, and parsed)."""
    return rule_set_out(dataset_id, datasets.rule_set(actor, dataset_id))


@router.put("/{dataset_id}/rules")
def put_rules(
    dataset_id: int, body: RuleSetIn, actor: ApiActor, datasets: DatasetsDep
) -> RuleSetOut:
    """Store a new rule set version (validated; errors carry their YAML line)."""
    return rule_set_out(dataset_id, datasets.save_rule_set(actor, dataset_id, body.yaml_text))


@router.get("/{dataset_id}/rules/suggestion")
def suggest_rules(dataset_id: int, actor: ApiActor, datasets: DatasetsDep) -> dict[str, str]:
    """Rules proposed from the latest version's profile, as YAML to edit and PUT."""
    return {"yaml_text": datasets.suggest_rules(actor, dataset_id)}
