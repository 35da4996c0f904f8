"""Certificate API: list, public look-up, bundle and PDF; the registrations on a
certificate (holder: transfer, licence, renewal, change, cancellation; registrar:
correction, revocation)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, status
from fastapi.responses import Response

from datadeed.canonical import canonical_json
from datadeed.certificates.schemas import (
    RegistrationRequest,
    active_counts,
    certificate_out,
    encumbrances_out,
    event_out,
    licence_out,
)
from datadeed.certificates.services import CertificateService
from datadeed.db import utcnow
from datadeed.web.deps import ApiActor, LedgerDep, SessionDep, SettingsDep
from datadeed.workdays import shanghai_date

router = APIRouter(prefix="/certificates", tags=["certificates"])


def get_certificates(
    session: SessionDep, settings: SettingsDep, ledger: LedgerDep
) -> CertificateService:
    return CertificateService(session, ledger, settings)


CertificatesDep = Annotated[CertificateService, Depends(get_certificates)]


@router.get("")
def list_certificates(actor: ApiActor, certificates: CertificatesDep) -> list[dict[str, Any]]:
    """Certificates you hold or are offered (registrars and the platform: all)."""
    return [certificate_out(c) for c in certificates.list_for(actor)]


# Declared before "/{number}" so that "licences" is not read as a certificate number.
@router.get("/licences")
def our_licences(actor: ApiActor, certificates: CertificatesDep) -> dict[str, Any]:
    """Licences granted to your organization and by it, with their confidential scope
    (registrars and the platform: every licence, under ``granted_by_us``)."""
    lists = certificates.licences_for(actor)
    return {
        "granted_to_us": [licence_out(lic, confidential=True) for lic in lists.granted_to_us],
        "granted_by_us": [licence_out(lic, confidential=True) for lic in lists.granted_by_us],
    }


@router.get("/{number}")
def get_certificate(number: str, certificates: CertificatesDep) -> dict[str, Any]:
    """Public: a certificate and its history, by number."""
    certificate = certificates.get(number)
    history = [event_out(e) for e in certificates.history(certificate)]
    return {**certificate_out(certificate), "history": history}


@router.get("/{number}/licences")
def get_licences(number: str, certificates: CertificatesDep) -> dict[str, Any]:
    """Public: the certificate's licences (without their confidential scope) and how many
    are in force today, per exclusivity."""
    licences = certificates.licences_of(number)
    day = shanghai_date(utcnow())
    return {
        "number": number.strip().upper(),
        "in_force": active_counts(licences, day),
        "licences": [licence_out(lic, day) for lic in licences],
    }


@router.get("/{number}/encumbrances")
def get_encumbrances(number: str, certificates: CertificatesDep) -> dict[str, Any]:
    """Public: is the certificate pledged, and which exclusive or sole licences bind it."""
    return encumbrances_out(certificates.encumbrances(number))


@router.get("/{number}/bundle")
def get_bundle(number: str, certificates: CertificatesDep) -> Response:
    """Public: the verification bundle (datadeed-bundle/v1), to check offline."""
    bundle = certificates.bundle(number)
    headers = {"content-disposition": f'attachment; filename="{bundle["number"]}.bundle.json"'}
    return Response(canonical_json(bundle), media_type="application/json", headers=headers)


@router.get("/{number}/pdf")
def get_pdf(number: str, certificates: CertificatesDep) -> Response:
    """Public: the certificate as a PDF (Chinese, with a QR code to the verification page)."""
    clean, pdf = certificates.pdf(number)
    headers = {"content-disposition": f'inline; filename="{clean}.pdf"'}
    return Response(pdf, media_type="application/pdf", headers=headers)


@router.post("/{number}/registrations", status_code=status.HTTP_201_CREATED)
def register(
    number: str, body: RegistrationRequest, actor: ApiActor, certificates: CertificatesDep
) -> dict[str, Any]:
    """A registration on the certificate, by ``type``. Holder: transfer,
    transfer_acceptance (by the receiving organization), transfer_withdrawal (either
    side), licence, licence_revocation, renewal, change, cancellation (a request),
    cancellation_withdrawal. Registrar:
    cancellation_decision, correction, revocation."""
    return event_out(certificates.apply(actor, number, body))
