"""value run, value shapley: valuation cases and ML data value on this machine."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

import typer

from datadeed.accounts.principal import Principal
from datadeed.cli.common import console, emit_rows, fail, open_session, print_json, settings
from datadeed.datasets.intake import IntakeLimits
from datadeed.valuation.case import CaseResult, load_case_file, run_case

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@contextmanager
def _service() -> Iterator[Any]:
    from datadeed.ledger.keys import LogKeyring
    from datadeed.ledger.services import LedgerService
    from datadeed.valuation.services import ValuationService

    s = settings()
    with open_session() as session:
        ledger = LedgerService(session, s, LogKeyring.from_settings(s))
        yield ValuationService(session, s, ledger)


def case_list(as_json: JsonOpt = False) -> None:
    """Every valuation case on this server: status, value, report number."""
    from datadeed.valuation.schemas import case_out

    with _service() as service:
        rows = [
            case_out(c).model_dump(mode="json", exclude={"inputs", "result"})
            for c in service.list_for(Principal.system())
        ]
    emit_rows(rows, ["id", "name", "status", "value", "report_no", "holder"], as_json=as_json)


def case_report(
    case_id: Annotated[int, typer.Argument(help="Valuation case id.")],
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Write the PDF here.")] = None,
) -> None:
    """Print a case's signed report document (JSON); with --pdf, write the Chinese PDF."""
    from datadeed.valuation.report import report_pdf
    from datadeed.valuation.services import report_document

    with _service() as service:
        case = service.get(Principal.system(), case_id)
        if pdf is not None:
            pdf.write_bytes(report_pdf(case))
            console.print(f"wrote {pdf}")
            return
        print_json(report_document(case))


def register(app: typer.Typer) -> None:
    value_app = typer.Typer(help="Data asset valuation.", no_args_is_help=True)
    value_app.command("run")(run)
    value_app.command("shapley")(shapley)
    value_app.command("list")(case_list)
    value_app.command("report")(case_report)
    app.add_typer(value_app, name="value")


def _existing(path: Path) -> Path:
    if not path.is_file():
        fail(f"no such file: {path}", code="invalid_input")
    return path


def summary(result: CaseResult) -> dict[str, Any]:
    """The CLI's JSON: value, each approach's value, the range, and the full working."""
    full = result.model_dump(mode="json")
    return {
        "value": full["value"],
        "approaches": full["approaches"],
        "range": full["range"],
        "coefficient_table": result.coefficients.table_version,
        "monte_carlo": {k: full["monte_carlo"][k] for k in ("seed", "draws", "seconds", "mean")},
        "detail": {k: v for k, v in full.items() if k not in ("value", "approaches", "range")},
    }


def run(
    case_file: Annotated[Path, typer.Argument(help="CASE.yaml (see docs/valuation.md).")],
    as_json: JsonOpt = False,
) -> None:
    """Value a case: cost, income and market approaches, reconciliation, P5/P50/P95."""
    result = run_case(load_case_file(_existing(case_file)))
    if as_json:
        print_json(summary(result))
        return
    console.print(f"value: {result.value} yuan")
    for name, value in result.approaches.items():
        weight = result.reconciliation.weights[name]
        console.print(f"  {name}: {value} (weight {weight})")
    r = result.range
    console.print(f"range: P5 {r['p5']}  P50 {r['p50']}  P95 {r['p95']}")
    console.print(f"coefficient table: {result.coefficients.table_version}")


def _revenue(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        fail(f"revenue must be a number of yuan, not {text!r}", code="invalid_input")


def shapley(
    train: Annotated[Path, typer.Argument(help="Training data file.")],
    test: Annotated[Path | None, typer.Argument(help="Test data file (KNN-Shapley).")] = None,
    label: Annotated[str, typer.Option(help="Label column.")] = "label",
    k: Annotated[int, typer.Option("--k", help="Neighbours (KNN-Shapley).")] = 5,
    group: Annotated[str | None, typer.Option(help="Contributor column.")] = None,
    revenue: Annotated[str | None, typer.Option(help="Revenue (yuan) to split.")] = None,
    method: Annotated[str, typer.Option(help="knn-shapley or data-oob.")] = "knn-shapley",
    seed: Annotated[int, typer.Option(help="Seed for Data-OOB.")] = 0,
    features: Annotated[
        str | None, typer.Option(help="Feature columns, comma-separated (default: numeric).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Value each training row (exact KNN-Shapley or Data-OOB); with --group, shares."""
    from datadeed.valuation.datafiles import value_files  # scikit-learn: only when needed

    limits = IntakeLimits(max_bytes=settings().upload_max_bytes)
    out = value_files(
        _existing(train),
        _existing(test) if test is not None else None,
        label,
        method=method,
        k=k,
        group=group,
        revenue=_revenue(revenue),
        seed=seed,
        features=[f.strip() for f in features.split(",") if f.strip()] if features else None,
        limits=limits,
    )
    if as_json:
        print_json(out)
        return
    console.print(f"{out['rows']} rows valued by {method}; total {out['total']:.6f}")
    for c in out.get("contributors", {}).get("contributors", []):
        console.print(f"  {c['contributor']}: value {c['value']:.6f}, share {c['share']}")
