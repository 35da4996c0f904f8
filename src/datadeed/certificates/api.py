"""Certificate API: list, public look-up, bundle and PDF; the registrations on a
certificate (holder: transfer, licence, renewal, change, cancellation; registrar:
correction, revocation)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, status
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from datadeed.canonical import canonical_json
from datadeed.certificates.schemas import certificate_out, event_out
from datadeed.certificates.services import CertificateService, Correction
from datadeed.web.deps import ApiActor, LedgerDep, SessionDep, SettingsDep

router = APIRouter(prefix="/certificates", tags=["certificates"])


def get_certificates(
    session: SessionDep, settings: SettingsDep, ledger: LedgerDep
) -> CertificateService:
    return CertificateService(session, ledger, settings)


CertificatesDep = Annotated[CertificateService, Depends(get_certificates)]
Reasons = Annotated[str, Field(min_length=1, max_length=4000)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TransferIn(Strict):
    to_uscc: str = Field(min_length=18, max_length=18)


class LicenceIn(Strict):
    licensee_uscc: str = Field(min_length=18, max_length=18)
    rights: list[str] = Field(min_length=1, max_length=3)
    ends_on: dt.date
    exclusive: bool = False


class ReasonsIn(Strict):
    reasons: Reasons


class ChangeIn(Strict):
    object_name: str = Field(min_length=1, max_length=200)
    object_description: str | None = Field(default=None, max_length=4000)
    reasons: Reasons


class CorrectionIn(Strict):
    object_name: str | None = Field(default=None, min_length=1, max_length=200)
    object_type: str | None = Field(default=None, max_length=32)
    rights: list[str] | None = Field(default=None, min_length=1, max_length=3)
    reasons: Reasons


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


@router.post("/{number}/transfers", status_code=status.HTTP_201_CREATED)
def offer_transfer(
    number: str, body: TransferIn, actor: ApiActor, certificates: CertificatesDep
) -> dict[str, Any]:
    return event_out(certificates.offer_transfer(actor, number, body.to_uscc))


@router.post("/{number}/transfers/accept")
def accept_transfer(number: str, actor: ApiActor, certificates: CertificatesDep) -> dict[str, Any]:
    return event_out(certificates.accept_transfer(actor, number))


@router.post("/{number}/transfers/withdraw")
def withdraw_transfer(
    number: str, actor: ApiActor, certificates: CertificatesDep
) -> dict[str, Any]:
    """The holder withdraws its offer, or the offered organization declines it."""
    return event_out(certificates.withdraw_transfer(actor, number))


@router.post("/{number}/licences", status_code=status.HTTP_201_CREATED)
def grant_licence(
    number: str, body: LicenceIn, actor: ApiActor, certificates: CertificatesDep
) -> dict[str, Any]:
    event = certificates.grant_licence(
        actor, number, body.licensee_uscc, body.rights, body.ends_on, exclusive=body.exclusive
    )
    return event_out(event)


@router.post("/{number}/renewal")
def renew(number: str, actor: ApiActor, certificates: CertificatesDep) -> dict[str, Any]:
    return event_out(certificates.renew(actor, number))


@router.post("/{number}/changes")
def change(
    number: str, body: ChangeIn, actor: ApiActor, certificates: CertificatesDep
) -> dict[str, Any]:
    event = certificates.change(
        actor, number, body.object_name, body.object_description, body.reasons
    )
    return event_out(event)


@router.post("/{number}/cancellation")
def cancel(
    number: str, body: ReasonsIn, actor: ApiActor, certificates: CertificatesDep
) -> dict[str, Any]:
    return event_out(certificates.cancel(actor, number, body.reasons))


@router.post("/{number}/corrections")
def correct(
    number: str, body: CorrectionIn, actor: ApiActor, certificates: CertificatesDep
) -> dict[str, Any]:
    fix = Correction(body.object_name, body.object_type, body.rights)
    return event_out(certificates.correct(actor, number, fix, body.reasons))


@router.post("/{number}/revocation")
def revoke(
    number: str, body: ReasonsIn, actor: ApiActor, certificates: CertificatesDep
) -> dict[str, Any]:
    return event_out(certificates.revoke(actor, number, body.reasons))
