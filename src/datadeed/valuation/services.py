"""Valuation case use cases: create and edit (appraisers), submit for review, sign (the
report digest goes into the ledger as report-digest/v1 in the same transaction), read.

Who sees a case: the appraiser organization that runs it (the tenant), the enterprise
that holds the dataset (always: it commissioned the valuation), a bank named as pledgee
(once signed: the report is what it lends against), and the platform operator. Anyone
else holding one of those roles is told "not found"; other roles (registrars,
regulators) are refused. Only appraisers create, edit, submit and sign.

State changes that race (two signers, an edit during signing) are conditional updates
on the current status: the loser gets 409 invalid_transition.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from datadeed.accounts import audit
from datadeed.accounts.models import Organization
from datadeed.accounts.principal import Principal, require_role
from datadeed.accounts.roles import OrgKind, Role
from datadeed.canonical import canonical_json, sha256_hex
from datadeed.certificates.models import Certificate
from datadeed.config import Settings
from datadeed.datasets.models import Dataset, DatasetVersion, QualityReportRecord
from datadeed.db import utc_stamp, utcnow
from datadeed.errors import InvalidInput, InvalidTransition, NotFound
from datadeed.ledger.services import LedgerService
from datadeed.valuation.case import CaseInputs, CaseResult, parse_case, run_case
from datadeed.valuation.models import CaseStatus, ValuationCase
from datadeed.valuation.quality_map import QualityInput

REPORT_FORMAT = "datadeed-valuation-report/1"
# Roles that may look at cases at all (which cases: see the module docstring).
VIEWER_ROLES = (
    Role.APPRAISER,
    Role.DATA_MANAGER,
    Role.ORG_ADMIN,
    Role.BANK_OFFICER,
    Role.PLATFORM_ADMIN,
)


def _quality(record: QualityReportRecord | None) -> QualityInput:
    if record is None or record.score is None or record.grade is None:
        raise InvalidInput("the dataset version has no quality report with a score to value on")
    return QualityInput(
        score=Decimal(str(record.score)),
        grade=record.grade,
        digest=record.digest,
        weight_profile_version=record.weight_profile_version,
    )


def build_inputs(raw: dict[str, Any], record: QualityReportRecord | None) -> CaseInputs:
    """Case inputs from a mapping; the quality always comes from ``record``."""
    if "quality" in raw or "quality_report" in raw:
        raise InvalidInput("quality comes from the dataset version's quality report")
    return parse_case({**raw, "quality": _quality(record).model_dump(mode="json")})


class ValuationService:
    def __init__(self, session: Session, settings: Settings, ledger: LedgerService) -> None:
        self.session = session
        self.settings = settings
        self.ledger = ledger

    # -- reading ---------------------------------------------------------------------

    def _may_view(self, actor: Principal, case: ValuationCase) -> bool:
        org = actor.organization_id
        return (
            actor.oversees_all_tenants
            or org in (case.appraiser_org_id, case.holder_org_id)
            or (org == case.pledgee_org_id and case.status == CaseStatus.SIGNED)
        )

    def get(self, actor: Principal, case_id: int) -> ValuationCase:
        require_role(actor, *VIEWER_ROLES)
        case = self.session.get(ValuationCase, case_id)
        if case is None or not self._may_view(actor, case):
            raise NotFound("valuation case not found")
        return case

    def list_for(self, actor: Principal) -> list[ValuationCase]:
        query = select(ValuationCase).order_by(ValuationCase.id.desc())
        if not actor.oversees_all_tenants:
            org = actor.organization_id
            query = query.where(
                or_(
                    ValuationCase.appraiser_org_id == org,
                    ValuationCase.holder_org_id == org,
                    (ValuationCase.pledgee_org_id == org)
                    & (ValuationCase.status == CaseStatus.SIGNED.value),
                )
            )
        return list(self.session.scalars(query))

    def _own(self, actor: Principal, case_id: int) -> ValuationCase:
        """A case the actor's appraiser organization runs (others: 404 or 403)."""
        require_role(actor, Role.APPRAISER)
        case = self.get(actor, case_id)
        if case.appraiser_org_id != actor.organization_id:
            raise NotFound("valuation case not found")
        return case

    # -- creating and editing -----------------------------------------------------------

    def _version(self, dataset_id: int, version_no: int) -> DatasetVersion:
        version = self.session.scalar(
            select(DatasetVersion).where(
                DatasetVersion.dataset_id == dataset_id, DatasetVersion.version_no == version_no
            )
        )
        if version is None:
            raise NotFound("dataset version not found")
        return version

    def _pledgee(self, uscc: str | None) -> Organization | None:
        if uscc is None:
            return None
        bank = self.session.scalar(select(Organization).where(Organization.uscc == uscc))
        if bank is None or bank.kind != OrgKind.BANK:
            raise InvalidInput("the pledgee must be a bank registered on the platform")
        return bank

    def _check_certificate(self, number: str | None, version: DatasetVersion) -> None:
        if number is None:
            return
        cert = self.session.scalar(select(Certificate).where(Certificate.number == number))
        if cert is None:
            raise InvalidInput(f"no certificate numbered {number}")
        if cert.dataset_version_id not in (None, version.id):
            raise InvalidInput(f"certificate {number} is for another dataset version")

    def create(
        self,
        actor: Principal,
        *,
        dataset_id: int,
        version_no: int,
        case: dict[str, Any],
        certificate_no: str | None = None,
        pledgee_uscc: str | None = None,
    ) -> ValuationCase:
        """A draft case, already run on its inputs (its result shown at once)."""
        require_role(actor, Role.APPRAISER)
        if actor.organization_id is None:
            raise InvalidInput("cases are run by an appraiser organization")
        version = self._version(dataset_id, version_no)
        record = version.reports[-1] if version.reports else None
        inputs = build_inputs(case, record)
        self._check_certificate(certificate_no, version)
        row = ValuationCase(
            appraiser_org_id=actor.organization_id,
            holder_org_id=self.session.get_one(Dataset, dataset_id).organization_id,
            pledgee=self._pledgee(pledgee_uscc),
            version=version,
            quality_report=record,
            certificate_no=certificate_no,
            status=CaseStatus.DRAFT.value,
            created_by_id=actor.user_id,
        )
        _apply(row, inputs, run_case(inputs))
        self.session.add(row)
        self.session.flush()
        _audit(self.session, actor, row, "valuation.create")
        self.session.commit()
        return row

    def update_inputs(self, actor: Principal, case_id: int, case: dict[str, Any]) -> ValuationCase:
        """Replace a draft's inputs and run it again."""
        row = self._own(actor, case_id)
        inputs = build_inputs(case, row.quality_report)
        result = run_case(inputs)
        self._move(row, CaseStatus.DRAFT, CaseStatus.DRAFT)
        _apply(row, inputs, result)
        _audit(self.session, actor, row, "valuation.update")
        self.session.commit()
        return row

    # -- workflow ------------------------------------------------------------------------

    def _move(self, row: ValuationCase, source: CaseStatus, target: CaseStatus) -> None:
        """Conditional update: only one of two racing transitions wins."""
        done = self.session.execute(
            update(ValuationCase)
            .where(ValuationCase.id == row.id, ValuationCase.status == source.value)
            .values(status=target.value, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            self.session.rollback()
            raise InvalidTransition(
                f"the case is {row.status}, not {source.value}", current=row.status
            )
        self.session.refresh(row)

    def submit(self, actor: Principal, case_id: int) -> ValuationCase:
        row = self._own(actor, case_id)
        self._move(row, CaseStatus.DRAFT, CaseStatus.IN_REVIEW)
        _audit(self.session, actor, row, "valuation.submit")
        self.session.commit()
        return row

    def reopen(self, actor: Principal, case_id: int) -> ValuationCase:
        row = self._own(actor, case_id)
        self._move(row, CaseStatus.IN_REVIEW, CaseStatus.DRAFT)
        _audit(self.session, actor, row, "valuation.reopen")
        self.session.commit()
        return row

    def sign(self, actor: Principal, case_id: int) -> ValuationCase:
        """Sign the report: number it, seal its digest, append report-digest/v1."""
        row = self._own(actor, case_id)
        self._move(row, CaseStatus.IN_REVIEW, CaseStatus.SIGNED)
        issued_at = utc_stamp()
        row.signer_id = actor.user_id
        row.signed_at = utcnow()
        row.report_no = f"VAL-{row.signed_at.year}-{row.id:06d}"
        row.report_digest = sha256_hex(canonical_json(report_document(row, actor.display_name)))
        appended = self.ledger.append(
            "report-digest/v1",
            {
                "report_type": "valuation",
                "report_id": row.report_no,
                "digest": {"algo": "sha256", "hex": row.report_digest},
                "subject": _subject(row),
                "signed_by": row.appraiser.uscc,
                "issued_at": issued_at,
            },
        )
        row.ledger_index = appended.index
        _audit(self.session, actor, row, "valuation.sign")
        self.session.commit()
        return row


def _audit(session: Session, actor: Principal, row: ValuationCase, action: str) -> None:
    audit.record(
        session, actor, action, "valuation_case", row.id, organization_id=row.appraiser_org_id
    )


def _subject(row: ValuationCase) -> str:
    if row.certificate_no:
        return f"certificate:{row.certificate_no}"
    return f"dataset:{row.version.dataset_id}"


def _apply(row: ValuationCase, inputs: CaseInputs, result: CaseResult) -> None:
    row.name = inputs.name
    row.purpose = inputs.purpose.value
    row.base_date = inputs.base_date
    row.value_type = inputs.value_type.value
    row.inputs = inputs.model_dump(mode="json")
    row.result = result.model_dump(mode="json")
    row.value = result.value
    row.coefficient_table = result.coefficients.table_version


def report_document(row: ValuationCase, signer: str | None = None) -> dict[str, Any]:
    """What the signature covers: the case, its inputs and result, who signed, when."""
    signed_at = row.signed_at.astimezone(dt.UTC).isoformat() if row.signed_at else None
    return {
        "format": REPORT_FORMAT,
        "report_no": row.report_no,
        "case_id": row.id,
        "appraiser": {"name": row.appraiser.name, "uscc": row.appraiser.uscc},
        "signer": signer
        if signer is not None
        else (row.signer.display_name if row.signer else None),
        "holder": {"name": row.holder.name, "uscc": row.holder.uscc},
        "dataset": {
            "id": row.version.dataset_id,
            "version_no": row.version.version_no,
            "sha256": row.version.sha256,
        },
        "certificate_no": row.certificate_no,
        "quality_report_digest": row.quality_report.digest if row.quality_report else None,
        "inputs": row.inputs,
        "result": row.result,
        "signed_at": signed_at,
    }
