from __future__ import annotations

from fastapi.testclient import TestClient

from datadeed.app import create_app
from datadeed.db import Database
from tests.conftest import make_settings
from tests.functional.helpers import assert_problem


def test_healthz_answers(client):
    assert client.get("/healthz").json()["status"] == "ok"


def test_readyz_checks_the_database(client, db):
    body = client.get("/readyz").json()
    assert body == {"status": "ready", "database": db.dialect}


def test_readyz_is_503_problem_when_the_database_is_unreachable(tmp_path):
    url = "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=1"
    app = create_app(make_settings(tmp_path, url), Database.from_url(url))
    with TestClient(app, raise_server_exceptions=False) as client:
        assert_problem(client.get("/readyz"), 503, "database_unavailable")
