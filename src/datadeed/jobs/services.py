"""Job use cases: enqueue, read with tenant isolation, and the runner's steps (claim
the next queued job atomically, run its handler, record progress and the outcome,
recover jobs a dead process left running)."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from datadeed.accounts.models import User
from datadeed.accounts.principal import Principal, require_tenant
from datadeed.accounts.services import principal_for
from datadeed.config import Settings
from datadeed.db import Database, utcnow
from datadeed.errors import DatadeedError, NotFound
from datadeed.jobs.errors import UnknownJobKind
from datadeed.jobs.models import Job, JobStatus
from datadeed.jobs.registry import JobContext, Result, handler_for

log = logging.getLogger("datadeed.jobs")
WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"


def enqueue(
    session: Session,
    kind: str,
    params: dict[str, Any],
    principal: Principal,
    *,
    subject: str | None = None,
    organization_id: int | None = None,
) -> Job:
    """Add a queued job in the caller's transaction (it runs once the caller commits)."""
    job = Job(
        kind=kind,
        params=params,
        subject=subject,
        organization_id=organization_id or principal.organization_id,
        created_by_id=principal.user_id,
        status=JobStatus.QUEUED.value,
        progress=0.0,
    )
    session.add(job)
    session.flush()
    return job


def visible_job(session: Session, actor: Principal, job_id: int) -> Job:
    """The job, if ``actor`` may see it: its organization's members (404 otherwise)."""
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound("job not found")
    if job.organization_id is not None:
        require_tenant(actor, job.organization_id, "job")
    elif not (actor.oversees_all_tenants or actor.user_id == job.created_by_id):
        raise NotFound("job not found")
    return job


def recent_jobs(session: Session, actor: Principal, subject: str, limit: int = 5) -> Sequence[Job]:
    """The newest jobs on ``subject`` that the actor may see."""
    query = select(Job).where(Job.subject == subject).order_by(Job.id.desc()).limit(limit)
    return [j for j in session.scalars(query).all() if _may_see(actor, j)]


class JobService:
    """Jobs over one Database. ``run_pending()`` runs the queue to empty in this thread
    (tests and ``datadeed jobs run``); the app's worker thread calls the same steps."""

    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.settings = settings

    # -- callers -------------------------------------------------------------------

    def enqueue(
        self,
        kind: str,
        params: dict[str, Any],
        principal: Principal,
        *,
        subject: str | None = None,
        session: Session | None = None,
    ) -> Job:
        """Queue a job. With ``session`` it joins the caller's transaction (the caller
        commits); without, it is committed at once."""
        if session is not None:
            return enqueue(session, kind, params, principal, subject=subject)
        with self.database.session() as own:
            job = enqueue(own, kind, params, principal, subject=subject)
            own.commit()
            return job

    def get(self, actor: Principal, job_id: int) -> Job:
        with self.database.session() as session:
            return visible_job(session, actor, job_id)

    def recent_for(self, actor: Principal, subject: str, limit: int = 5) -> Sequence[Job]:
        """The newest jobs on ``subject`` that the actor may see."""
        with self.database.session() as session:
            return recent_jobs(session, actor, subject, limit)

    # -- the runner ----------------------------------------------------------------

    def run_pending(self, *, limit: int | None = None) -> int:
        """Claim and run queued jobs one after another until none is left (or ``limit``
        ran); returns how many ran."""
        ran = 0
        while limit is None or ran < limit:
            job_id = self.claim_next()
            if job_id is None:
                break
            self.run(job_id)
            ran += 1
        return ran

    def claim_next(self) -> int | None:
        """Mark the oldest queued job running and return its id, atomically: PostgreSQL
        skips rows another worker has locked; SQLite's BEGIN IMMEDIATE serializes."""
        with self.database.session() as session:
            job = session.scalars(
                select(Job)
                .where(Job.status == JobStatus.QUEUED.value)
                .order_by(Job.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            ).first()
            if job is None:
                session.rollback()
                return None
            now = utcnow()
            job.status, job.claimed_by = JobStatus.RUNNING.value, WORKER_ID
            job.started_at = job.heartbeat_at = now
            session.commit()
            return job.id

    def run(self, job_id: int) -> None:
        """Run a claimed job's handler and record how it ended. Errors of the domain
        keep their code; anything else is logged and reported without internals."""
        kind, params, actor = self._load(job_id)
        handler = handler_for(kind)
        try:
            if handler is None:
                raise UnknownJobKind(f"no handler is registered for jobs of kind {kind!r}")
            context = JobContext(
                job_id,
                actor,
                self.database,
                self.settings,
                lambda p, m: self.progress(job_id, p, m),
            )
            result = handler(context, params)
        except DatadeedError as exc:
            self._finish(job_id, JobStatus.FAILED, error=(exc.code, exc.message))
        except Exception:
            log.exception("job %s (%s) failed", job_id, kind)
            self._finish(
                job_id, JobStatus.FAILED, error=("internal_error", "the job failed; see the log")
            )
        else:
            self._finish(job_id, JobStatus.SUCCEEDED, result=result)

    def progress(self, job_id: int, progress: float, message: str | None = None) -> None:
        with self.database.session() as session:
            job = session.get(Job, job_id)
            if job is None:
                return
            job.progress, job.heartbeat_at = progress, utcnow()
            if message is not None:
                job.message = message[:500]
            session.commit()

    def recover_stale(self) -> int:
        """Fail the jobs left running by a process that is gone: one on this host whose
        pid no longer exists, or any whose last heartbeat is older than
        ``job_stale_after_seconds``. Returns how many were failed."""
        cutoff = utcnow() - dt.timedelta(seconds=self.settings.job_stale_after_seconds)
        with self.database.session() as session:
            running = session.scalars(
                select(Job).where(Job.status == JobStatus.RUNNING.value).with_for_update()
            ).all()
            lost = [j for j in running if _worker_gone(j.claimed_by) or _older(j, cutoff)]
            for job in lost:
                _mark_finished(
                    job,
                    JobStatus.FAILED,
                    error=("worker_lost", "the process running this job stopped; start it again"),
                )
            session.commit()
            return len(lost)

    def _load(self, job_id: int) -> tuple[str, dict[str, Any], Principal]:
        with self.database.session() as session:
            job = session.get(Job, job_id)
            if job is None:
                raise NotFound("job not found")
            user = session.get(User, job.created_by_id) if job.created_by_id else None
            actor = principal_for(user) if user is not None else Principal.system()
            return job.kind, dict(job.params), actor

    def _finish(
        self,
        job_id: int,
        status: JobStatus,
        *,
        result: Result = None,
        error: tuple[str, str] | None = None,
    ) -> None:
        with self.database.session() as session:
            job = session.get(Job, job_id)
            if job is not None:
                _mark_finished(job, status, result=result, error=error)
                session.commit()


def _mark_finished(
    job: Job, status: JobStatus, *, result: Result = None, error: tuple[str, str] | None = None
) -> None:
    job.status, job.finished_at, job.heartbeat_at = status.value, utcnow(), utcnow()
    if status is JobStatus.SUCCEEDED:
        job.progress, job.result = 1.0, result
    if error is not None:
        job.error_code, job.error_message = error


def _may_see(actor: Principal, job: Job) -> bool:
    if actor.oversees_all_tenants:
        return True
    if job.organization_id is not None:
        return actor.organization_id == job.organization_id
    return actor.user_id is not None and actor.user_id == job.created_by_id


def _worker_gone(claimed_by: str | None) -> bool:
    """True when ``claimed_by`` names a process on this host that no longer runs."""
    if not claimed_by or ":" not in claimed_by:
        return False
    host, _, pid_text = claimed_by.rpartition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # exists, owned by someone else
        return False
    return False


def _older(job: Job, cutoff: dt.datetime) -> bool:
    seen = job.heartbeat_at or job.started_at
    return seen is not None and seen < cutoff
