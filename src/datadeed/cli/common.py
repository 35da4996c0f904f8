"""Helpers every CLI module shares: settings, database, output."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

from rich.console import Console
from sqlalchemy.orm import Session

from datadeed.config import Settings, get_settings
from datadeed.db import Database

console = Console()
err_console = Console(stderr=True)


def settings() -> Settings:
    return get_settings()


def database() -> Database:
    return Database.from_url(settings().effective_database_url)


@contextmanager
def open_session() -> Iterator[Session]:
    """A session on the configured database, closed (and the pool disposed) on exit, so
    that a command leaves no transaction open behind it."""
    db = database()
    try:
        with db.session() as session:
            yield session
    finally:
        db.dispose()


def print_json(value: Any) -> None:
    """Machine-readable output: plain JSON on stdout, nothing else."""
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


def fail(message: str, *, code: str = "error", exit_code: int = 1) -> NoReturn:
    """One line on stderr, then exit non-zero."""
    sys.stderr.write(f"error [{code}]: {message}\n")
    raise SystemExit(exit_code)


def emit_rows(rows: list[dict[str, Any]], columns: list[str], *, as_json: bool) -> None:
    """Rows as JSON (``--json``) or as a table of ``columns``."""
    if as_json:
        print_json(rows)
        return
    from rich.table import Table

    table = Table(*columns)
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in columns))
    console.print(table)


def _cell(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)
