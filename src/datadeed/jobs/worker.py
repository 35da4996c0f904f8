"""The in-process worker: a daemon thread that runs queued jobs, started and stopped
by the app's lifespan. It polls every ``job_poll_seconds`` and is woken at once when
this process enqueues a job (``JobWorker.wake``)."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Engine

from datadeed.jobs.services import JobService

log = logging.getLogger("datadeed.jobs")


class JobWorker:
    def __init__(self, service: JobService, poll_seconds: float) -> None:
        self.service = service
        self.poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="datadeed-jobs", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def _recover(self) -> None:
        """In the thread, not at start-up: an unreachable database must not stop the
        app from starting (``/readyz`` reports it)."""
        try:
            recovered = self.service.recover_stale()
        except Exception:
            log.exception("job worker: could not check for abandoned jobs")
            return
        if recovered:
            log.warning("marked %d job(s) left running by a stopped process as failed", recovered)

    def _loop(self) -> None:
        self._recover()
        while not self._stop.is_set():
            try:
                ran = self.service.run_pending()
            except Exception:  # the database may be briefly away; try again later
                log.exception("job worker: claiming jobs failed")
                ran = 0
            if ran == 0:
                self._wake.wait(self.poll_seconds)
                self._wake.clear()


@asynccontextmanager
async def jobs_lifespan(app: Any) -> AsyncIterator[None]:
    """Start the worker with the app when the database is an engine of its own (not the
    single rolled-back connection tests hand in) and ``job_worker`` is on."""
    settings, database = app.state.settings, app.state.db
    worker = None
    if settings.job_worker and isinstance(database.bind, Engine):
        worker = JobWorker(JobService(database, settings), settings.job_poll_seconds)
        worker.start()
    app.state.job_worker = worker
    try:
        yield
    finally:
        if worker is not None:
            worker.stop()
