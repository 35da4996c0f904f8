"""The parts of an assessment that are not the engine: the stored rule set as the
engine's RuleSet, the datasets its reference rules name, progress mapping, and
recording a sealed report (ledger entry, row, audit event) in the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from datadeed.accounts import audit
from datadeed.accounts.principal import Principal
from datadeed.datasets.models import Dataset, DatasetRuleSet, DatasetVersion, QualityReportRecord
from datadeed.datasets.rulesets import DATASET_REF, referenced_datasets
from datadeed.db import serialize_appends, utc_stamp
from datadeed.ledger.services import LedgerService
from datadeed.quality.errors import InvalidRuleSet
from datadeed.quality.report import QualityReport
from datadeed.quality.rules import RuleSet

# progress(fraction 0..1, message)
Progress = Callable[[float, str | None], None]


def ruleset_of(rule_set: DatasetRuleSet | None) -> RuleSet | None:
    """The stored rules, named after their dataset version (``dataset-7/r3``)."""
    if rule_set is None:
        return None
    ruleset = RuleSet.model_validate(rule_set.rules)
    return ruleset.model_copy(update={"version": rule_set.label})


def columns_of(dataset: Dataset) -> list[str] | None:
    """The columns of the dataset's latest assessed version (None: nothing assessed)."""
    version = dataset.latest_version
    if version is None or not version.reports:
        return None
    return [c["name"] for c in version.reports[-1].report.get("columns", [])]


def reference_blobs(
    session: Session, dataset: Dataset | None, rule_set: DatasetRuleSet | None
) -> dict[str, str]:
    """``{"dataset:12": sha256}``: the latest version of each dataset the rules
    reference, resolved before the long part (only the holder's own datasets)."""
    if dataset is None or rule_set is None:
        return {}
    out = {}
    for name, other_id in referenced_datasets(ruleset_of(rule_set) or RuleSet()).items():
        other = session.get(Dataset, other_id)
        latest = other.latest_version if other is not None else None
        if other is None or other.organization_id != dataset.organization_id or not latest:
            raise InvalidRuleSet(f"the rules reference {name}, which has no version of yours")
        out[name] = latest.sha256
    return out


def reference_columns(session: Session, dataset: Dataset, name: str) -> list[str] | None:
    """The columns of the dataset a rule references, if it is the holder's own."""
    match = DATASET_REF.fullmatch(name)
    other = session.get(Dataset, int(match.group(1))) if match else None
    if other is None or other.organization_id != dataset.organization_id:
        return None
    return columns_of(other)


def step_reporter(progress: Progress | None) -> Callable[[str, int, int], None] | None:
    """The engine's (step, done, total) mapped onto 30–98 % of the job."""
    if progress is None:
        return None

    def step(label: str, done: int, total: int) -> None:
        progress(0.3 + 0.68 * done / max(total, 1), label)

    return step


def record_report(
    session: Session,
    ledger: LedgerService,
    actor: Principal,
    version: DatasetVersion,
    report: QualityReport,
    rule_set: DatasetRuleSet | None,
) -> QualityReportRecord:
    # The ledger's append lock, taken now, also serializes the numbering of a
    # version's reports across processes (two re-assessments at once).
    serialize_appends(session)
    issued_at = utc_stamp()
    number = 1 + (
        session.scalar(
            select(func.count())
            .select_from(QualityReportRecord)
            .where(QualityReportRecord.dataset_version_id == version.id)
        )
        or 0
    )
    subject = f"dataset:{version.dataset_id}/v{version.version_no}"
    report = report.issued_for(f"{subject}#{number}", issued_at)
    appended = ledger.append(
        "report-digest/v1",
        {
            "report_type": "quality",
            "report_id": report.digest[:16],
            "digest": {"algo": "sha256", "hex": report.digest},
            "subject": subject,
            "issued_at": issued_at,
        },
    )
    record = QualityReportRecord(
        version=version,
        engine=report.engine,
        ruleset_version=report.ruleset_version,
        weight_profile_version=report.weight_profile_version,
        score=report.score,
        grade=report.grade,
        digest=report.digest,
        report=report.model_dump(mode="json"),
        ledger_index=appended.index,
        rule_set=rule_set,
    )
    session.add(record)
    session.flush()
    audit.record(
        session,
        actor,
        "dataset.report" if number > 1 else "dataset.version",
        "dataset",
        version.dataset_id,
        organization_id=version.dataset.organization_id,
        detail={
            "version": version.version_no,
            "sha256": version.sha256,
            "report_digest": report.digest,
            "rule_set": rule_set.label if rule_set else None,
        },
    )
    return record
