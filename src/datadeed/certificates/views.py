"""Pages: public look-up and verification of a certificate (by number or QR code), the
certificate with its history, "my certificates", and the forms for each registration."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from datadeed.accounts.roles import Role
from datadeed.certificates.api import CertificatesDep
from datadeed.certificates.errors import CertificateNotFound
from datadeed.certificates.licences import IN_FORCE
from datadeed.certificates.models import CertificateStatus
from datadeed.certificates.numbering import parse_certificate_number
from datadeed.certificates.pdf import RIGHT_NAMES, verification_url
from datadeed.certificates.schemas import REQUEST_ADAPTER, RegistrationRequest, active_counts
from datadeed.db import utcnow
from datadeed.errors import InvalidInput
from datadeed.evidence.views import qr_svg
from datadeed.web.deps import PageActor, PageActorOptional, SettingsDep, page_principal_optional
from datadeed.web.templating import check_csrf, render
from datadeed.workdays import shanghai_date

router = APIRouter(include_in_schema=False, dependencies=[Depends(page_principal_optional)])


@router.get("/verify/certificate", response_class=HTMLResponse)
def verify_page(request: Request, certificates: CertificatesDep, number: str = "") -> Response:
    """Public: type a number (or scan the QR code) and see whether the certificate holds."""
    context: dict[str, object] = {"number": number.strip(), "outcome": None}
    if number.strip():
        try:
            parse_certificate_number(number)
            certificate, result = certificates.verify(number)
            day = shanghai_date(utcnow())
            context.update(outcome="found", certificate=certificate, result=result)
            context["status"] = certificate.status_on(day)
            context["in_force"] = active_counts(certificates.licences(certificate), day)
        except (CertificateNotFound, InvalidInput):
            context["outcome"] = "not_found"
    return render(request, "certificates/verify.html", context)


@router.get("/certificates", response_class=HTMLResponse)
def my_certificates(request: Request, actor: PageActor, certificates: CertificatesDep) -> Response:
    context = {
        "certificates": certificates.list_for(actor),
        "today": shanghai_date(utcnow()),
    }
    return render(request, "certificates/list.html", context)


# Declared before "/certificates/{number}": "licences" is not a certificate number.
@router.get("/certificates/licences", response_class=HTMLResponse)
def our_licences(request: Request, actor: PageActor, certificates: CertificatesDep) -> Response:
    """Licences granted to our organization, and by it (registrars: every licence)."""
    context = {"lists": certificates.licences_for(actor), "today": shanghai_date(utcnow())}
    return render(request, "certificates/licences.html", context)


@router.get("/certificates/{number}", response_class=HTMLResponse)
def certificate_page(
    request: Request,
    number: str,
    actor: PageActorOptional,
    certificates: CertificatesDep,
    settings: SettingsDep,
) -> Response:
    """Public: the certificate and its history; the forms for whoever may act on it."""
    certificate = certificates.get(number)
    url = verification_url(settings.base_url, certificate.number)
    org = actor.organization_id if actor else None
    licences = certificates.licences(certificate)
    today = shanghai_date(utcnow())
    context = {
        "c": certificate,
        "history": certificates.history(certificate),
        "status": certificate.status_on(shanghai_date(utcnow())),
        "qr": qr_svg(url),
        "url": url,
        "right_names": RIGHT_NAMES,
        "is_holder": bool(actor and org == certificate.holder_id),
        "is_offered": bool(actor and org and org == certificate.pending_transfer_to_id),
        "is_registrar": bool(actor and actor.has(Role.REGISTRATION_OFFICER)),
        "live": certificate.status in (CertificateStatus.VALID, CertificateStatus.ENCUMBERED),
        "pending_cancellation": certificates.pending_cancellation(certificate),
        "licences": licences,
        "ending": [lic for lic in licences if lic.status_on(today) in IN_FORCE],
        "scopes": {lic.id for lic in licences if certificates.may_see_scope(actor, lic)},
        "in_force": active_counts(licences, today),
        "encumbrances": certificates.encumbrances(certificate.number),
        "today": today,
    }
    return render(request, "certificates/detail.html", context)


@router.post("/certificates/{number}/registrations")
async def register(
    request: Request, number: str, actor: PageActor, certificates: CertificatesDep
) -> Response:
    """Every form on the certificate page posts here, its ``type`` saying which one."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    registration = parse_form(
        {k: form.getlist(k) if k == "rights" else form.get(k) for k in form if k != "csrf_token"}
    )
    await run_in_threadpool(certificates.apply, actor, number, registration)
    return RedirectResponse(f"/certificates/{number}", status_code=303)


def parse_form(fields: dict[str, object]) -> RegistrationRequest:
    """Form fields to a registration request; empty optional fields are left out."""
    values = {k: v for k, v in fields.items() if v not in ("", None, [])}
    if values.get("exclusive") is not None:
        values["exclusive"] = values["exclusive"] == "true"
    try:
        return REQUEST_ADAPTER.validate_python(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "form"
        raise InvalidInput(f"{where}: {first.get('msg', 'invalid')}") from None
