"""Background job handlers of the dataset domain, registered on import.

- ``dataset.intake``  {dataset_id, sha256, filename} → a new version of a large upload
- ``quality.assess``  {version_id, engine} → a new report of a stored version
"""

from __future__ import annotations

from typing import Any

from datadeed.datasets.services import ASSESS_JOB, INTAKE_JOB, DatasetService
from datadeed.jobs import JobContext, register_handler
from datadeed.ledger.keys import LogKeyring
from datadeed.ledger.services import LedgerService


def _run(ctx: JobContext, work: Any) -> dict[str, Any]:
    with ctx.database.session() as session:
        ledger = LedgerService(session, ctx.settings, LogKeyring.from_settings(ctx.settings))
        result: dict[str, Any] = work(DatasetService(session, ctx.settings, ledger))
        return result


def intake(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    def work(service: DatasetService) -> dict[str, Any]:
        version = service.ingest_stored(
            ctx.actor,
            int(params["dataset_id"]),
            str(params["sha256"]),
            params.get("filename"),
            progress=ctx.report,
        )
        report = version.reports[-1]
        return {
            "dataset_id": version.dataset_id,
            "version_no": version.version_no,
            "report_digest": report.digest,
            "score": report.score,
            "grade": report.grade,
        }

    return _run(ctx, work)


def assess(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    def work(service: DatasetService) -> dict[str, Any]:
        record = service.assess_stored(
            ctx.actor, int(params["version_id"]), params.get("engine"), progress=ctx.report
        )
        return {
            "dataset_id": record.version.dataset_id,
            "version_no": record.version.version_no,
            "report_digest": record.digest,
            "score": record.score,
            "grade": record.grade,
        }

    return _run(ctx, work)


register_handler(INTAKE_JOB, intake)
register_handler(ASSESS_JOB, assess)
