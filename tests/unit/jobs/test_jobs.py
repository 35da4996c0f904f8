"""The job runner on the test database: enqueue, claim, run, progress, failures,
recovery of jobs a dead process left running, tenant isolation."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys

import pytest

from datadeed.accounts.principal import Principal
from datadeed.accounts.roles import Role
from datadeed.accounts.services import principal_for
from datadeed.db import utcnow
from datadeed.errors import InvalidInput, NotFound
from datadeed.jobs import register_handler
from datadeed.jobs.models import Job, JobStatus
from datadeed.jobs.registry import handler_for
from datadeed.jobs.services import JobService, visible_job
from tests.factories import UserFactory

calls: list[tuple[int, dict[str, object]]] = []


def _echo(ctx, params):  # type: ignore[no-untyped-def]
    ctx.report(0.5, "halfway")
    calls.append((ctx.job_id, dict(params)))
    with ctx.database.session() as session:
        seen = session.get(Job, ctx.job_id)
        assert seen is not None
        progress = (seen.progress, seen.message)
    return {"echo": params["n"], "progress_seen": list(progress), "actor": ctx.actor.username}


def _refuse(ctx, params):  # type: ignore[no-untyped-def]
    raise InvalidInput("the input was refused", field="n")


def _crash(ctx, params):  # type: ignore[no-untyped-def]
    raise RuntimeError("secret internals /etc/datadeed")


register_handler("test.echo", _echo)
register_handler("test.refuse", _refuse)
register_handler("test.crash", _crash)


@pytest.fixture
def jobs(db, settings) -> JobService:  # type: ignore[no-untyped-def]
    return JobService(db, settings)


@pytest.fixture
def member() -> Principal:
    return principal_for(UserFactory(roles=[Role.DATA_MANAGER]))


def _job(jobs: JobService, job_id: int) -> Job:
    with jobs.database.session() as session:
        job = session.get(Job, job_id)
        assert job is not None
        return job


def test_enqueue_run_and_record_progress_and_result(jobs, member) -> None:  # type: ignore[no-untyped-def]
    job = jobs.enqueue("test.echo", {"n": 7}, member, subject="dataset:1")
    assert (job.status, job.progress, job.organization_id) == (
        "queued",
        0.0,
        member.organization_id,
    )
    assert jobs.run_pending() == 1
    done = _job(jobs, job.id)
    assert done.state is JobStatus.SUCCEEDED and done.progress == 1.0
    assert done.result == {"echo": 7, "progress_seen": [0.5, "halfway"], "actor": member.username}
    assert done.started_at and done.finished_at and done.finished_at >= done.started_at
    assert jobs.run_pending() == 0  # nothing left


def test_jobs_run_oldest_first_and_each_once(jobs, member) -> None:  # type: ignore[no-untyped-def]
    calls.clear()
    ids = [jobs.enqueue("test.echo", {"n": n}, member).id for n in range(3)]
    assert jobs.run_pending(limit=2) == 2
    assert jobs.run_pending() == 1
    assert [c[0] for c in calls] == ids


def test_domain_errors_keep_their_code_and_others_hide_internals(jobs, member) -> None:  # type: ignore[no-untyped-def]
    refused = jobs.enqueue("test.refuse", {}, member)
    crashed = jobs.enqueue("test.crash", {}, member)
    unknown = jobs.enqueue("test.nobody-handles-this", {}, member)
    assert jobs.run_pending() == 3
    assert (_job(jobs, refused.id).error_code, _job(jobs, refused.id).error_message) == (
        "invalid_input",
        "the input was refused",
    )
    crash = _job(jobs, crashed.id)
    assert crash.state is JobStatus.FAILED and crash.error_code == "internal_error"
    assert "secret" not in (crash.error_message or "")
    assert _job(jobs, unknown.id).error_code == "unknown_job_kind"


def test_other_tenants_job_is_404(jobs, db) -> None:  # type: ignore[no-untyped-def]
    user = UserFactory(roles=[Role.DATA_MANAGER])
    member = principal_for(user)
    job = jobs.enqueue("test.echo", {"n": 1}, member)
    stranger = principal_for(UserFactory(roles=[Role.DATA_MANAGER]))
    colleague = principal_for(UserFactory(organization=user.organization, roles=[Role.ORG_ADMIN]))
    with db.session() as session:
        assert visible_job(session, colleague, job.id).id == job.id
        with pytest.raises(NotFound):
            visible_job(session, stranger, job.id)
        with pytest.raises(NotFound):
            visible_job(session, member, 999_999)
    system_job = jobs.enqueue("test.echo", {"n": 2}, Principal.system())
    with db.session() as session, pytest.raises(NotFound):
        visible_job(session, member, system_job.id)  # no organization: the operator's own


def _dead_pid() -> int:
    code = "import os; print(os.getpid())"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(proc.stdout)


def test_jobs_left_running_by_a_dead_process_are_failed_at_start_up(jobs, member) -> None:  # type: ignore[no-untyped-def]
    orphan = jobs.enqueue("test.echo", {"n": 1}, member)
    silent = jobs.enqueue("test.echo", {"n": 2}, member)
    alive = jobs.enqueue("test.echo", {"n": 3}, member)
    host = socket.gethostname()
    with jobs.database.session() as session:
        for job_id, claimed_by, beat in (
            (orphan.id, f"{host}:{_dead_pid()}", utcnow()),
            (silent.id, "another-host:1", utcnow() - dt.timedelta(hours=2)),
            (alive.id, f"{host}:{os.getppid()}", utcnow()),
        ):
            job = session.get(Job, job_id)
            assert job is not None
            job.status, job.claimed_by, job.started_at, job.heartbeat_at = (
                "running",
                claimed_by,
                beat,
                beat,
            )
        session.commit()
    assert jobs.recover_stale() == 2
    assert _job(jobs, orphan.id).error_code == "worker_lost"
    assert _job(jobs, silent.id).error_code == "worker_lost"
    assert _job(jobs, alive.id).state is JobStatus.RUNNING  # its process still runs
    assert jobs.run_pending() == 0  # failed jobs are not picked up again


def test_a_kind_has_one_handler() -> None:
    assert handler_for("test.echo") is _echo
    register_handler("test.echo", _echo)  # the same function again: fine
    with pytest.raises(ValueError, match="already has a handler"):
        register_handler("test.echo", _refuse)
    assert handler_for("test.echo") is _echo
