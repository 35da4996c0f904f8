"""Certificate API: list, public look-up, bundle and PDF; the registrations on a
certificate (holder: transfer, licence, renewal, change, cancellation; registrar:
correction, revocation)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, status
from fastapi.responses import Response

from datadeed.canonical import canonical_json
from datadeed.certificates.schemas import RegistrationRequest, certificate_out, event_out
from datadeed.certificates.services import CertificateService
from datadeed.web.deps import ApiActor, LedgerDep, SessionDep, SettingsDep

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


@router.get("/{number}")
def get_certificate(number: str, certificates: CertificatesDep) -> dict[str, Any]:
    """Public: a certificate and its history, by number."""
    certificate = certificates.get(number)
    history = [event_out(e) for e in certificates.history(certificate)]
    return {**certificate_out(certificate), "history": history}


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
    side), licence, renewal, change, cancellation (a request). Registrar:
    cancellation_decision, correction, revocation."""
    return event_out(certificates.apply(actor, number, body))
