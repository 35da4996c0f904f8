"""Fixtures for running the `datadeed` command as a subprocess against a fresh database."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import TEST_CALENDAR
from tests.functional.helpers import run


@pytest.fixture
def cli_env(tmp_path: Path, fresh_database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATADEED_")}
    env.update(
        DATADEED_HOME=str(tmp_path / "home"),
        DATADEED_DATABASE_URL=fresh_database_url,
        DATADEED_CALENDAR_OVERRIDES=str(TEST_CALENDAR),
        COLUMNS="200",
    )
    return env


@pytest.fixture
def migrated(cli_env: dict[str, str]) -> dict[str, str]:
    result = run(cli_env, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    return cli_env
