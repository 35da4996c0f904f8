"""Background jobs: a ``jobs`` table as the queue and an in-process worker thread.

- ``models``    the ``Job`` row (kind, owner, status, progress, params, result, error)
- ``registry``  ``register_handler(kind, fn)``; a handler is ``fn(ctx, params) -> result``
- ``services``  ``JobService``: enqueue, read (tenant-checked), claim, run, recover
- ``worker``    ``JobWorker``: the thread started in the app's lifespan
- ``api``/``views``  ``GET /api/v1/jobs/{id}`` and the polling fragment for pages

A handler runs in no transaction of ours: it opens sessions from ``ctx.database`` as it
needs and calls ``ctx.report(progress, message)`` between them (on SQLite a transaction
holds the write lock, so do not keep one open across a report).
"""

from datadeed.jobs.registry import JobContext, register_handler

__all__ = ["JobContext", "register_handler"]
