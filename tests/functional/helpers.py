"""Helpers for functional tests: tokens and authenticated clients."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from datadeed.accounts.models import User
from datadeed.accounts.services import AccountsService, principal_for
from datadeed.config import Settings
from datadeed.db import Database
from datadeed.ledger.keys import LogKeyring
from datadeed.ledger.services import LedgerService
from tests import factories
from tests.conftest import make_settings


def bearer(accounts: AccountsService, user: User) -> dict[str, str]:
    _token, secret = accounts.create_token(principal_for(user), "test")
    return {"Authorization": f"Bearer {secret}"}


def assert_problem(response, status: int, code: str) -> dict:  # type: ignore[no-untyped-def]
    """The response is RFC 9457 problem+json with datadeed's stable code."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert {"type", "title", "detail", "instance", "request_id"} <= body.keys()
    assert body["request_id"] == response.headers["x-request-id"]
    return dict(body)


def login_page(client: TestClient, username: str, password: str):  # type: ignore[no-untyped-def]
    """Log in through the HTML form, CSRF token included."""
    page = client.get("/login")
    token = client.cookies.get("datadeed_csrf")
    assert token and token in page.text
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run `python -m datadeed ARGS` with ``env``."""
    return subprocess.run(
        [sys.executable, "-m", "datadeed", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def one_error_line(result: subprocess.CompletedProcess[str], code: str) -> str:
    """The command failed with exit 1 and exactly one line `error [code]: …` on stderr."""
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error [{code}]: ")
    return lines[0]


@contextmanager
def seeded(env: dict[str, str]) -> Iterator[tuple[Session, Settings, LedgerService]]:
    """A session, settings and ledger on the database of a CLI test's ``env``, with the
    factories bound to it, to seed what the commands then act on; unbound and the
    connections closed on exit."""
    url = env["DATADEED_DATABASE_URL"]
    database = Database.from_url(url)
    settings = make_settings(Path(env["DATADEED_HOME"]), url)
    factories.bind(database)
    try:
        with database.session() as session:
            yield (
                session,
                settings,
                LedgerService(session, settings, LogKeyring.from_settings(settings)),
            )
    finally:
        factories.unbind()
        database.dispose()
