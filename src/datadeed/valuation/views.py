"""Pages: the case list (with the new-case form for appraisers), the case editor (inputs
per approach, as YAML in the CASE.yaml shape), the result page with charts and the
formulas with their values, the workflow buttons, and the PDF report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from datadeed.accounts.roles import Role
from datadeed.errors import InvalidInput
from datadeed.valuation.api import ValuationsDep
from datadeed.valuation.models import ValuationCase
from datadeed.valuation.report import charts, parameter_label, report_pdf
from datadeed.web.deps import PageActor, page_principal_optional
from datadeed.web.templating import check_csrf, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(page_principal_optional)])
Csrf = Annotated[str, Form()]
Text = Annotated[str, Form(max_length=20000)]
APPROACH_FIELDS = ("cost", "income", "market", "reconciliation", "uncertainty", "accounting")

# What a new case's editor starts from: a complete, valid example to change.
STARTER: dict[str, str] = {
    "cost": (
        "items:\n  - {category: collection, description: 采集, amount: 400000}\n"
        "  - {category: cleaning, description: 清洗, amount: 250000}\n"
        "  - {category: quality_assessment, description: 质量评估, amount: 50000}\n"
        "return_rate: 0.12\ndepreciation_rate: 0.10\nrisk_discount: 0.05\n"
    ),
    "income": (
        "method: royalty\ncash_flows: [2000000, 2200000, 2400000, 2500000]\n"
        "share_rate: 0.25\nlegal_term_years: 5\neconomic_life_years: 4\n"
        "risk_free_rate: 0.025\npremiums: {market: 0.06, data: 0.03}\n"
    ),
    "market": "",
    "reconciliation": (
        "weights:\n  cost: {weight: 0.4, reason: 成本资料完整}\n"
        "  income: {weight: 0.6, reason: 有历史许可收入}\n"
    ),
    "uncertainty": (
        "seed: 20260630\ndraws: 100000\ninputs:\n"
        "  income.share_rate: {kind: triangular, low: 0.2, mode: 0.25, high: 0.3}\n"
        "  cost.return_rate: {kind: uniform, low: 0.08, high: 0.16}\n"
    ),
    "accounting": "",
}


def _yaml_block(name: str, text: str) -> Any:
    if not text.strip():
        return None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"{name}: not valid YAML ({exc.__class__.__name__})") from None


def case_from_form(meta: dict[str, str], blocks: dict[str, str]) -> dict[str, Any]:
    """CASE.yaml fields from the editor: metadata fields plus one YAML block per part."""
    raw: dict[str, Any] = {k: v for k, v in meta.items() if v}
    for name in APPROACH_FIELDS:
        value = _yaml_block(name, blocks.get(name, ""))
        if value is not None:
            raw[name] = value
    return raw


def _blocks_of(case: ValuationCase) -> dict[str, str]:
    out = {}
    for name in APPROACH_FIELDS:
        value = case.inputs.get(name)
        out[name] = (
            yaml.safe_dump(value, allow_unicode=True, sort_keys=False) if value is not None else ""
        )
    return out


def _is_appraiser(actor: Any, case: ValuationCase | None = None) -> bool:
    mine = case is None or case.appraiser_org_id == actor.organization_id
    return bool(actor.has(Role.APPRAISER) and mine)


@router.get("/valuations", response_class=HTMLResponse)
def cases_page(request: Request, actor: PageActor, valuations: ValuationsDep) -> Response:
    context = {"cases": valuations.list_for(actor), "can_create": _is_appraiser(actor)}
    return render(request, "valuation/list.html", context)


@router.get("/valuations/new", response_class=HTMLResponse)
def new_case_page(request: Request, actor: PageActor) -> Response:
    context = {"case": None, "blocks": STARTER, "meta": {}, "error": None}
    return render(request, "valuation/edit.html", context)


@dataclass
class CaseForm:
    """The editor's fields, shared by the new-case and edit forms."""

    name: Annotated[str, Form(max_length=200)]
    purpose: Annotated[str, Form(max_length=32)]
    base_date: Annotated[str, Form(max_length=10)]
    value_type: Annotated[str, Form(max_length=32)]
    cost: Text = ""
    income: Text = ""
    market: Text = ""
    reconciliation: Text = ""
    uncertainty: Text = ""
    accounting: Text = ""

    def meta(self) -> dict[str, str]:
        return {k: getattr(self, k) for k in ("name", "purpose", "base_date", "value_type")}

    def blocks(self) -> dict[str, str]:
        return {k: getattr(self, k) for k in APPROACH_FIELDS}


CaseFields = Annotated[CaseForm, Depends()]


@router.post("/valuations/new", response_model=None)
def create_case(
    request: Request,
    actor: PageActor,
    valuations: ValuationsDep,
    csrf_token: Csrf,
    form: CaseFields,
    dataset_id: Annotated[int, Form()],
    version_no: Annotated[int, Form()],
    certificate_no: Annotated[str, Form(max_length=64)] = "",
    pledgee_uscc: Annotated[str, Form(max_length=18)] = "",
) -> Response:
    check_csrf(request, csrf_token)
    meta, blocks = form.meta(), form.blocks()
    try:
        case = valuations.create(
            actor,
            dataset_id=dataset_id,
            version_no=version_no,
            case=case_from_form(meta, blocks),
            certificate_no=certificate_no.strip() or None,
            pledgee_uscc=pledgee_uscc.strip() or None,
        )
    except InvalidInput as exc:
        meta |= {"dataset_id": str(dataset_id), "version_no": str(version_no)}
        meta |= {"certificate_no": certificate_no, "pledgee_uscc": pledgee_uscc}
        context = {"case": None, "blocks": blocks, "meta": meta, "error": exc.message}
        return render(request, "valuation/edit.html", context, status_code=exc.status)
    return RedirectResponse(f"/valuations/{case.id}", status_code=303)


@router.get("/valuations/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request, case_id: int, actor: PageActor, valuations: ValuationsDep
) -> Response:
    case = valuations.get(actor, case_id)
    context = {
        "case": case,
        "r": case.result,
        "charts": charts(case.result) if case.result else None,
        "can_act": _is_appraiser(actor, case),
        "parameter_label": parameter_label,
    }
    return render(request, "valuation/case.html", context)


@router.get("/valuations/{case_id}/edit", response_class=HTMLResponse)
def edit_page(
    request: Request, case_id: int, actor: PageActor, valuations: ValuationsDep
) -> Response:
    case = valuations.get(actor, case_id)
    meta = {k: str(case.inputs.get(k, "")) for k in ("name", "purpose", "base_date", "value_type")}
    context = {"case": case, "blocks": _blocks_of(case), "meta": meta, "error": None}
    return render(request, "valuation/edit.html", context)


@router.post("/valuations/{case_id}/edit", response_model=None)
def save_inputs(
    request: Request,
    case_id: int,
    actor: PageActor,
    valuations: ValuationsDep,
    csrf_token: Csrf,
    form: CaseFields,
) -> Response:
    check_csrf(request, csrf_token)
    meta, blocks = form.meta(), form.blocks()
    try:
        valuations.update_inputs(actor, case_id, case_from_form(meta, blocks))
    except InvalidInput as exc:
        case = valuations.get(actor, case_id)
        context = {"case": case, "blocks": blocks, "meta": meta, "error": exc.message}
        return render(request, "valuation/edit.html", context, status_code=exc.status)
    return RedirectResponse(f"/valuations/{case_id}", status_code=303)


def _workflow(action: str) -> Any:
    def route(
        request: Request,
        case_id: int,
        actor: PageActor,
        valuations: ValuationsDep,
        csrf_token: Csrf,
    ) -> Response:
        check_csrf(request, csrf_token)
        getattr(valuations, action)(actor, case_id)
        return RedirectResponse(f"/valuations/{case_id}", status_code=303)

    route.__name__ = f"{action}_case"
    return route


for _action in ("submit", "reopen", "sign"):
    router.post(f"/valuations/{{case_id}}/{_action}", response_model=None)(_workflow(_action))


@router.get("/valuations/{case_id}/report.pdf", response_class=Response)
def case_pdf(case_id: int, actor: PageActor, valuations: ValuationsDep) -> Response:
    pdf = report_pdf(valuations.get(actor, case_id))
    return Response(pdf, media_type="application/pdf")
