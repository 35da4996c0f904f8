"""The `datadeed` command: one Typer app, one module per domain."""

from __future__ import annotations

import sys

import typer
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError

from datadeed.cli import accounts, core, ledger, quality
from datadeed.cli import certificates as certificates_cli
from datadeed.cli import registry as registry_cli
from datadeed.cli import sensitive as sensitive_cli
from datadeed.cli import valuation as valuation_cli
from datadeed.cli.common import fail
from datadeed.errors import DatadeedError

app = typer.Typer(
    name="datadeed",
    help="datadeed: register, prove, assess and value data assets.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
core.register(app)
accounts.register(app)
ledger.register(app)
quality.register(app)
sensitive_cli.register(app)
valuation_cli.register(app)
certificates_cli.register(app)
registry_cli.register(app)


def main() -> None:
    """Console entry point: domain errors become one line on stderr and exit code 1."""
    try:
        app()
    except DatadeedError as exc:
        fail(exc.message, code=exc.code)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "input"
        fail(f"{where}: {first.get('msg', 'invalid')}", code="validation_failed")
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "unknown"
        fail(
            f"database error: {reason} (is the schema migrated? `datadeed db upgrade`)",
            code="database_error",
        )
    except KeyboardInterrupt:
        sys.exit(130)
