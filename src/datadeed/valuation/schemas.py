"""API input and output of valuation cases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from datadeed.valuation.models import ValuationCase


class CaseCreate(BaseModel):
    """A new case: which dataset version, for whom, and the case inputs (CASE.yaml fields
    except ``quality``, which always comes from the version's latest quality report)."""

    model_config = ConfigDict(extra="forbid")

    dataset_id: int
    version_no: int = Field(ge=1)
    certificate_no: str | None = Field(default=None, min_length=1, max_length=64)
    pledgee_uscc: str | None = Field(default=None, min_length=18, max_length=18)
    case: dict[str, Any]


class CaseInputsUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    case: dict[str, Any]


class CaseOut(BaseModel):
    id: int
    name: str
    status: str
    purpose: str
    base_date: dt.date
    value_type: str
    dataset_id: int
    version_no: int
    certificate_no: str | None
    appraiser: str
    holder: str
    pledgee: str | None
    value: Decimal | None
    coefficient_table: str | None
    report_no: str | None
    report_digest: str | None
    ledger_index: int | None
    signed_at: dt.datetime | None
    inputs: dict[str, Any]
    result: dict[str, Any] | None


def case_out(case: ValuationCase) -> CaseOut:
    return CaseOut(
        id=case.id,
        name=case.name,
        status=case.status,
        purpose=case.purpose,
        base_date=case.base_date,
        value_type=case.value_type,
        dataset_id=case.version.dataset_id,
        version_no=case.version.version_no,
        certificate_no=case.certificate_no,
        appraiser=case.appraiser.name,
        holder=case.holder.name,
        pledgee=case.pledgee.name if case.pledgee else None,
        value=case.value,
        coefficient_table=case.coefficient_table,
        report_no=case.report_no,
        report_digest=case.report_digest,
        ledger_index=case.ledger_index,
        signed_at=case.signed_at,
        inputs=case.inputs,
        result=case.result,
    )
