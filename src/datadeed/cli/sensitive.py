"""scan, sensitivity …: personal-information scans, grade review, gates, de-identification."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, cast

import typer

from datadeed.accounts.principal import Principal
from datadeed.cli.common import console, emit_rows, fail, open_session, print_json, settings
from datadeed.datasets.intake import IntakeLimits, normalize
from datadeed.sensitive.anonymity import check_anonymity
from datadeed.sensitive.gates import GatePurpose
from datadeed.sensitive.grading import GradingThresholds
from datadeed.sensitive.scan import ScanResult, scan_path
from datadeed.sensitive.services import SensitiveService

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
PathArg = Annotated[
    Path, typer.Argument(help="A data file (CSV/TSV/Parquet/JSONL/XLSX) or a folder.")
]
EngineOpt = Annotated[str, typer.Option(help="duckdb or spark.")]


def register(app: typer.Typer) -> None:
    app.command("scan")(scan)
    group = typer.Typer(help="Sensitivity scans of stored datasets and grade review.")
    group.command("reviews")(reviews)
    group.command("confirm")(confirm)
    group.command("change")(change)
    group.command("gate")(gate)
    group.command("deid")(deid)
    app.add_typer(group, name="sensitivity")


def _existing(path: Path) -> Path:
    if not path.exists():
        fail(f"no such file or folder: {path}", code="invalid_input")
    return path


def _engine(engine: str) -> str:
    if engine not in ("duckdb", "spark"):
        fail(f"engine must be duckdb or spark, not {engine!r}", code="invalid_input")
    return engine


def _limits() -> IntakeLimits:
    return IntakeLimits(max_bytes=settings().upload_max_bytes)


def _print_scan(path: Path, result: ScanResult) -> None:
    console.print(f"{path}: {result.row_count} rows, proposed grade {result.grade}")
    for c in result.columns:
        if c.pi_types:
            flag = " (sensitive)" if c.sensitive else ""
            console.print(
                f"  {c.name}: {', '.join(c.pi_types)}{flag}, {c.match_count} matches, "
                f"confidence {c.confidence:.2f}"
            )


def scan(path: PathArg, engine: EngineOpt = "duckdb", as_json: JsonOpt = False) -> None:
    """Scan a local file for personal information (all rows) and propose a grade."""
    s = settings()
    thresholds = GradingThresholds(
        s.sensitive_important_pi_subjects, s.sensitive_important_spi_subjects
    )
    result = scan_path(
        _existing(path), engine=_engine(engine), limits=_limits(), thresholds=thresholds
    )
    if as_json:
        print_json(result.as_dict())
    else:
        _print_scan(path, result)


@contextmanager
def _service() -> Iterator[SensitiveService]:
    """A service on its own session; afterwards the session is closed (uncommitted work
    rolled back) and the engine's connections too."""
    from datadeed.ledger.keys import LogKeyring
    from datadeed.ledger.services import LedgerService

    s = settings()
    with open_session() as session:
        keyring = LogKeyring.from_settings(s)
        yield SensitiveService(session, s, LedgerService(session, s, keyring))


def reviews(as_json: JsonOpt = False) -> None:
    """Proposed grades awaiting a reviewer."""
    with _service() as service:
        rows = [
            {
                "dataset_id": i.dataset.id,
                "dataset": i.dataset.name,
                "version": i.version.version_no,
                "proposed_grade": i.scan.proposed_grade,
                "sensitive_pi": i.scan.has_sensitive_pi,
            }
            for i in service.review_queue(Principal.system())
        ]
    emit_rows(rows, ["dataset_id", "dataset", "version", "proposed_grade"], as_json=as_json)


def confirm(dataset_id: int, version_no: int) -> None:
    """Confirm the proposed grade of a version's latest scan."""
    with _service() as service:
        scan_ = service.review_latest(Principal.system(), dataset_id, version_no, "confirm")
        console.print(f"confirmed: {scan_.grade}")


def change(
    dataset_id: int,
    version_no: int,
    grade: str,
    reason: Annotated[str, typer.Option(help="Why the grade changes (recorded).")],
) -> None:
    """Set another grade for a version's latest scan, with the reason."""
    with _service() as service:
        scan_ = service.review_latest(
            Principal.system(), dataset_id, version_no, "change", grade, reason
        )
        console.print(f"changed to: {scan_.grade}")


def gate(
    dataset_id: int,
    version_no: int,
    purpose: Annotated[str, typer.Option(help="register, list or pledge.")] = "register",
    as_json: JsonOpt = False,
) -> None:
    """May this version be registered, listed or pledged; if not, what is missing."""
    if purpose not in ("register", "list", "pledge"):
        fail(f"purpose must be register, list or pledge, not {purpose!r}", code="invalid_input")
    with _service() as service:
        decision = service.gate(
            Principal.system(), dataset_id, version_no, cast(GatePurpose, purpose)
        )
    body = {
        "allowed": decision.allowed,
        "grade": decision.grade,
        "reasons": [{"code": r.code, "message": r.message} for r in decision.reasons],
    }
    if as_json:
        print_json(body)
        return
    console.print(f"{purpose}: {'allowed' if decision.allowed else 'not allowed'}")
    for r in decision.reasons:
        console.print(f"  {r.code}: {r.message}")


def deid(
    path: PathArg,
    qi: Annotated[str, typer.Option(help="Quasi-identifier columns, comma-separated.")],
    sensitive: Annotated[str | None, typer.Option(help="Sensitive attribute column.")] = None,
    k_min: Annotated[int, typer.Option(min=2)] = 5,
    l_min: Annotated[int, typer.Option(min=1)] = 2,
    engine: EngineOpt = "duckdb",
    as_json: JsonOpt = False,
) -> None:
    """k-anonymity and l-diversity of a local file over declared quasi-identifiers."""
    import tempfile

    columns = [c.strip() for c in qi.split(",") if c.strip()]
    with tempfile.TemporaryDirectory(prefix="datadeed-deid-") as work:
        data = normalize(_existing(path), Path(work) / "data.parquet", limits=_limits())
        result = check_anonymity(
            data.path, columns, sensitive, k_min=k_min, l_min=l_min, engine=_engine(engine)
        )
    if as_json:
        print_json(result.as_dict())
        return
    verdict = "passed" if result.passed else "failed"
    console.print(
        f"k={result.k} l={result.l_diversity} max risk {result.max_risk} "
        f"average risk {result.average_risk}: {verdict}"
    )
