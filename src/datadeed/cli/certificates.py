"""datadeed certificate list / show / licences / encumbrances / bundle / pdf."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from datadeed.canonical import canonical_json
from datadeed.certificates.schemas import (
    certificate_out,
    encumbrances_out,
    event_out,
    licence_out,
)
from datadeed.certificates.services import CertificateService
from datadeed.cli.common import console, emit_rows, open_session, print_json, settings
from datadeed.ledger.keys import LogKeyring
from datadeed.ledger.services import LedgerService

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
OutOpt = Annotated[Path, typer.Option("--out", help="File to write.", dir_okay=False)]


def register(app: typer.Typer) -> None:
    certificate_app = typer.Typer(
        help="Registration certificates (登记证书).", no_args_is_help=True
    )
    certificate_app.command("list")(certificate_list)
    certificate_app.command("show")(certificate_show)
    certificate_app.command("licences")(certificate_licences)
    certificate_app.command("encumbrances")(certificate_encumbrances)
    certificate_app.command("bundle")(certificate_bundle)
    certificate_app.command("pdf")(certificate_pdf)
    app.add_typer(certificate_app, name="certificate")


@contextmanager
def _service() -> Iterator[CertificateService]:
    s = settings()
    with open_session() as session:
        ledger = LedgerService(session, s, LogKeyring.from_settings(s))
        yield CertificateService(session, ledger, s)


def _row(out: dict[str, Any]) -> dict[str, Any]:
    return {
        **out,
        "holder": out["holder"]["name"],
        "holder_uscc": out["holder"]["uscc"],
        "issuer": out["issuer"]["name"],
    }


def certificate_list(as_json: JsonOpt = False) -> None:
    """Every certificate: number, holder, status, validity."""
    with _service() as service:
        rows = [_row(certificate_out(c)) for c in service.list_all()]
    emit_rows(rows, ["number", "holder", "status", "valid_to", "edition"], as_json=as_json)


def certificate_show(number: str, as_json: JsonOpt = False) -> None:
    """One certificate and its history of registrations."""
    with _service() as service:
        certificate = service.get(number)
        out = _row(certificate_out(certificate))
        out["history"] = [event_out(e) for e in service.history(certificate)]
    if as_json:
        print_json(out)
        return
    for key in ("number", "holder", "status", "valid_from", "valid_to", "edition"):
        console.print(f"{key}: {out[key]}")
    for event in out["history"]:
        console.print(f"  {event['event_no']} {event['kind']} ({event['state']})")


def certificate_licences(number: str, as_json: JsonOpt = False) -> None:
    """The certificate's licences: number, licensee, rights, type, term, status (public
    fields; the confidential scope is left out)."""
    with _service() as service:
        rows = [licence_out(lic) for lic in service.licences_of(number)]
    for row in rows:
        row["licensee_uscc"], row["licensee"] = row["licensee"]["uscc"], row["licensee"]["name"]
        row["licensor_uscc"], row["licensor"] = row["licensor"]["uscc"], row["licensor"]["name"]
    columns = ["licence_no", "licensee", "rights", "exclusivity", "starts_on", "ends_on", "status"]
    emit_rows(rows, columns, as_json=as_json)


def certificate_encumbrances(number: str, as_json: JsonOpt = False) -> None:
    """Is the certificate pledged, and which exclusive or sole licences bind it."""
    with _service() as service:
        out = encumbrances_out(service.encumbrances(number))
    if as_json:
        print_json(out)
        return
    pledge = out["pledge"]
    console.print(f"{out['number']}: {out['status']}, encumbered: {out['encumbered']}")
    if pledge:
        console.print(f"  pledged to {pledge['pledgee']['name']} ({pledge['pledge_ref']})")
    for lic in out["exclusive_licences"]:
        rights = ",".join(lic["rights"])
        console.print(
            f"  {lic['exclusivity']} licence {lic['licence_no']} of {rights} to "
            f"{lic['licensee']['name']}, {lic['starts_on']} – {lic['ends_on']} ({lic['status']})"
        )


def certificate_bundle(number: str, out: OutOpt) -> None:
    """Write the verification bundle (datadeed-bundle/v1); check it with `datadeed verify`."""
    with _service() as service:
        bundle = service.bundle(number)
    out.write_bytes(canonical_json(bundle))
    console.print(f"wrote {out} ({bundle['number']}, ledger entry {bundle['receipt']['index']})")


def certificate_pdf(number: str, out: OutOpt) -> None:
    """Write the certificate PDF."""
    with _service() as service:
        clean, pdf = service.pdf(number)
    out.write_bytes(pdf)
    console.print(f"wrote {out} ({clean})")
