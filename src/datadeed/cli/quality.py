"""assess, rules suggest, overlap: quality and fingerprints of files on this machine."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from datadeed.cli.common import console, database, err_console, fail, print_json, settings
from datadeed.datasets.intake import IntakeLimits
from datadeed.datasets.storage import intake_limits
from datadeed.quality import load_ruleset, suggest_rules_yaml
from datadeed.quality.local import assess_path, overlap_paths
from datadeed.quality.report import QualityReport

JsonOpt = Annotated[bool, typer.Option("--json", help="Print the JSON report.")]
PathArg = Annotated[
    Path, typer.Argument(help="A data file (CSV/TSV/Parquet/JSONL/XLSX) or a folder.")
]


def register(app: typer.Typer) -> None:
    rules_app = typer.Typer(help="Quality rule sets.", no_args_is_help=True)
    rules_app.command("suggest")(rules_suggest)
    app.add_typer(rules_app, name="rules")
    app.command("assess")(assess)
    app.command("overlap")(overlap)
    jobs_app = typer.Typer(
        help="Background jobs (assessments, large uploads).", no_args_is_help=True
    )
    jobs_app.command("run")(jobs_run)
    app.add_typer(jobs_app, name="jobs")


def _limits() -> IntakeLimits:
    return intake_limits(settings())


def _existing(path: Path) -> Path:
    if not path.exists():
        fail(f"no such file or folder: {path}", code="invalid_input")
    return path


def _run(path: Path, rules: Path | None, engine: str, show_progress: bool) -> QualityReport:
    ruleset = load_ruleset(rules) if rules is not None else None
    if not show_progress:
        return assess_path(path, ruleset, engine=engine, limits=_limits())
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    # On stderr, so that stdout carries only the result.
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task("assessing", total=None)

        def step(label: str, done: int, total: int) -> None:
            bar.update(task, description=label, completed=done, total=total)

        return assess_path(path, ruleset, engine=engine, limits=_limits(), progress=step)


def assess(
    path: PathArg,
    rules: Annotated[Path | None, typer.Option(help="Rule set (YAML).")] = None,
    engine: Annotated[str, typer.Option(help="duckdb or spark.")] = "duckdb",
    as_json: JsonOpt = False,
) -> None:
    """Measure the quality of the data itself (GB/T 36344) and print the report."""
    if engine not in ("duckdb", "spark"):
        fail(f"engine must be duckdb or spark, not {engine!r}", code="invalid_input")
    report = _run(_existing(path), rules, engine, show_progress=not as_json and sys.stderr.isatty())
    if as_json:
        sys.stdout.write(report.to_json() + "\n")
        return
    console.print(f"{path}: {report.row_count} rows, score {report.score}, grade {report.grade}")
    for name, dimension in report.dimensions.items():
        score = "not assessed" if dimension.score is None else f"{dimension.score:.1f}"
        console.print(f"  {name}: {score}")


def rules_suggest(path: PathArg) -> None:
    """Propose a rule set (YAML) from the data's profile."""
    report = assess_path(_existing(path), None, limits=_limits())
    sys.stdout.write(suggest_rules_yaml(report))


def overlap(
    a: Annotated[Path, typer.Argument(help="First dataset.")],
    b: Annotated[Path, typer.Argument(help="Second dataset.")],
    as_json: JsonOpt = False,
) -> None:
    """Estimate how much two datasets' rows overlap (Jaccard, containment)."""
    result = overlap_paths(_existing(a), _existing(b), _limits())
    if as_json:
        print_json(result)
        return
    console.print(
        f"Jaccard ≈ {result['jaccard']:.3f}; {a.name} in {b.name} ≈ "
        f"{result['containment_a_in_b']:.3f}; {b.name} in {a.name} ≈ "
        f"{result['containment_b_in_a']:.3f}"
    )


def jobs_run() -> None:
    """Run the queued background jobs in this process until none is left (for servers
    started with DATADEED_JOB_WORKER=false, or to drain the queue by hand)."""
    from datadeed.datasets import tasks  # noqa: F401  (registers the dataset job handlers)
    from datadeed.jobs.services import JobService

    service = JobService(database(), settings())
    recovered = service.recover_stale()
    ran = service.run_pending()
    console.print(f"ran {ran} job(s); marked {recovered} abandoned job(s) failed")
