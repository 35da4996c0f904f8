"""Helpers every CLI module shares: settings, database, output."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

from rich.console import Console

from datadeed.config import Settings, get_settings
from datadeed.db import Database

console = Console()
err_console = Console(stderr=True)


def settings() -> Settings:
    return get_settings()


def database() -> Database:
    return Database.from_url(settings().effective_database_url)


def print_json(value: Any) -> None:
    """Machine-readable output: plain JSON on stdout, nothing else."""
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


def fail(message: str, *, code: str = "error", exit_code: int = 1) -> NoReturn:
    """One line on stderr, then exit non-zero."""
    sys.stderr.write(f"error [{code}]: {message}\n")
    raise SystemExit(exit_code)
