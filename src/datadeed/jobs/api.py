"""Jobs API: read one job (its organization's members only; others get 404)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from datadeed.jobs.schemas import JobOut
from datadeed.jobs.services import visible_job
from datadeed.web.deps import ApiActor, SessionDep

router = APIRouter(prefix="/jobs", tags=["jobs"])


def wake_worker(request: Request) -> None:
    """Tell this process's worker (if it runs) that a job was queued."""
    worker = getattr(request.app.state, "job_worker", None)
    if worker is not None:
        worker.wake()


@router.get("/{job_id}", response_model=JobOut)
def get_job(job_id: int, actor: ApiActor, session: SessionDep) -> JobOut:
    """A background job: status, progress 0..1, message, result or error."""
    # The request's own session: on SQLite a second one would wait for its write lock.
    return JobOut.model_validate(visible_job(session, actor, job_id))
