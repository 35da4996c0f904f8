"""Valuation cases API: create, edit, submit, reopen, sign, read, and the report PDF."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, status
from fastapi.responses import Response

from datadeed.valuation.report import report_pdf
from datadeed.valuation.schemas import CaseCreate, CaseInputsUpdate, CaseOut, case_out
from datadeed.valuation.services import ValuationService, report_document
from datadeed.web.deps import ApiActor, LedgerDep, SessionDep, SettingsDep

router = APIRouter(prefix="/valuations", tags=["valuations"])


def get_valuations(
    session: SessionDep, settings: SettingsDep, ledger: LedgerDep
) -> ValuationService:
    return ValuationService(session, settings, ledger)


ValuationsDep = Annotated[ValuationService, Depends(get_valuations)]


@router.get("", response_model=list[CaseOut])
def list_cases(actor: ApiActor, valuations: ValuationsDep) -> list[CaseOut]:
    return [case_out(c) for c in valuations.list_for(actor)]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CaseOut)
def create_case(body: CaseCreate, actor: ApiActor, valuations: ValuationsDep) -> CaseOut:
    """A draft case on a dataset version, run at once on its inputs (CASE.yaml fields)."""
    return case_out(
        valuations.create(
            actor,
            dataset_id=body.dataset_id,
            version_no=body.version_no,
            case=body.case,
            certificate_no=body.certificate_no,
            pledgee_uscc=body.pledgee_uscc,
        )
    )


@router.get("/{case_id}", response_model=CaseOut)
def get_case(case_id: int, actor: ApiActor, valuations: ValuationsDep) -> CaseOut:
    return case_out(valuations.get(actor, case_id))


@router.put("/{case_id}/inputs", response_model=CaseOut)
def update_inputs(
    case_id: int, body: CaseInputsUpdate, actor: ApiActor, valuations: ValuationsDep
) -> CaseOut:
    return case_out(valuations.update_inputs(actor, case_id, body.case))


@router.post("/{case_id}/submit", response_model=CaseOut)
def submit(case_id: int, actor: ApiActor, valuations: ValuationsDep) -> CaseOut:
    return case_out(valuations.submit(actor, case_id))


@router.post("/{case_id}/reopen", response_model=CaseOut)
def reopen(case_id: int, actor: ApiActor, valuations: ValuationsDep) -> CaseOut:
    return case_out(valuations.reopen(actor, case_id))


@router.post("/{case_id}/sign", response_model=CaseOut)
def sign(case_id: int, actor: ApiActor, valuations: ValuationsDep) -> CaseOut:
    """Sign: the report gets its number and its digest is appended to the ledger."""
    return case_out(valuations.sign(actor, case_id))


@router.get("/{case_id}/report.json")
def case_report_document(
    case_id: int, actor: ApiActor, valuations: ValuationsDep
) -> dict[str, Any]:
    """The report document whose RFC 8785 canonical JSON's SHA-256 is the signed digest."""
    return report_document(valuations.get(actor, case_id))


@router.get("/{case_id}/report.pdf", response_class=Response)
def case_report_pdf(case_id: int, actor: ApiActor, valuations: ValuationsDep) -> Response:
    """The report in Chinese as a PDF (marked unsigned until signed)."""
    return Response(report_pdf(valuations.get(actor, case_id)), media_type="application/pdf")
