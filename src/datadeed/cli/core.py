"""serve, db upgrade/current, config show, demo."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from datadeed import migrations
from datadeed.cli.common import console, database, print_json, settings


def register(app: typer.Typer) -> None:
    db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
    config_app = typer.Typer(help="Configuration.", no_args_is_help=True)
    db_app.command("upgrade")(db_upgrade)
    db_app.command("current")(db_current)
    config_app.command("show")(config_show)
    app.add_typer(db_app, name="db")
    app.add_typer(config_app, name="config")
    app.command()(serve)
    app.command()(demo)


def _prepare_home() -> None:
    s = settings()
    for folder in (s.home, s.keys_dir, s.blobs_dir):
        folder.mkdir(parents=True, exist_ok=True)


def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply database migrations (creates the SQLite file under DATADEED_HOME if needed)."""
    _prepare_home()
    migrations.upgrade(settings().effective_database_url, revision)
    current = migrations.current_revision(settings().effective_database_url)
    console.print(f"database at revision {current}")


def db_current() -> None:
    """Show the database's migration revision and the newest one this version knows."""
    url = settings().effective_database_url
    console.print(
        f"current: {migrations.current_revision(url)}  head: {migrations.head_revision()}"
    )


def config_show(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Print the effective settings (secrets masked)."""
    view = settings().public_view()
    if as_json:
        print_json(view)
        return
    table = Table("setting", "value")
    for key, value in view.items():
        table.add_row(f"DATADEED_{key.upper()}", "" if value is None else str(value))
    console.print(table)


def serve(
    host: Annotated[str | None, typer.Option(help="Bind address.")] = None,
    port: Annotated[int | None, typer.Option(help="Port.")] = None,
) -> None:
    """Serve the web pages and the API."""
    import uvicorn

    from datadeed.app import configure_logging, create_app

    s = settings().serving_at(host, port)
    configure_logging(s.log_level)
    if s.database_url is None:
        console.print(f"[yellow]development storage: SQLite at {s.home.resolve()}[/yellow]")
    console.print(f"datadeed serving on http://{s.host}:{s.port}/")
    uvicorn.run(create_app(s), host=s.host, port=s.port, log_level="warning")


def demo(
    seed_only: Annotated[bool, typer.Option("--seed-only", help="Seed and exit.")] = False,
    host: Annotated[str | None, typer.Option(help="Bind address.")] = None,
    port: Annotated[int | None, typer.Option(help="Port.")] = None,
) -> None:
    """Migrate, seed the demo world, print the logins, then serve (unless --seed-only)."""
    from datadeed.demo import DEMO_PASSWORD, seed_demo

    db_upgrade("head")
    logins = seed_demo(database(), settings())
    table = Table("organization", "kind", "username", "roles", title="demo logins")
    for org, user in logins:
        table.add_row(org.name, org.kind.value, user.username, ", ".join(user.roles))
    console.print(table)
    console.print(f"password for every demo user: [bold]{DEMO_PASSWORD}[/bold]")
    if not seed_only:
        s = settings()
        console.print(f"open http://{host or s.host}:{port or s.port}/login")
        serve(host=host, port=port)
