"""Every API error path answers problem+json with a stable code."""

from __future__ import annotations

import json

from fastapi import APIRouter
from fastapi.testclient import TestClient

from datadeed.app import create_app
from tests.functional.helpers import assert_problem


def test_unknown_path_is_404_problem(client):
    assert_problem(client.get("/api/v1/nothing-here"), 404, "not_found")


def test_wrong_method_is_405_problem(client):
    assert_problem(client.delete("/healthz"), 405, "method_not_allowed")


def test_validation_error_is_422_with_field_errors(client):
    response = client.post("/api/v1/tokens/login", json={"username": "x"})
    body = assert_problem(response, 422, "validation_failed")
    assert {tuple(e["loc"]) for e in body["errors"]} >= {("body", "password"), ("body", "name")}


def test_malformed_json_is_400_problem(client):
    response = client.post(
        "/api/v1/tokens/login",
        content=b'{"username": "a",',
        headers={"content-type": "application/json"},
    )
    assert_problem(response, 400, "malformed_json")


def test_oversized_declared_body_is_413_problem(client, settings):
    big = b"x" * (settings.max_body_bytes + 1)
    response = client.post(
        "/api/v1/tokens/login", content=big, headers={"content-type": "application/json"}
    )
    body = assert_problem(response, 413, "payload_too_large")
    assert str(settings.max_body_bytes) in body["detail"]


def test_oversized_streamed_body_is_413_problem(client, settings):
    def chunks():
        for _ in range(settings.max_body_bytes // 1024 + 2):
            yield b" " * 1024

    response = client.post(
        "/api/v1/tokens/login", content=chunks(), headers={"content-type": "application/json"}
    )
    assert_problem(response, 413, "payload_too_large")


def test_unexpected_exception_is_500_problem_without_internals(settings, db):
    router = APIRouter()

    @router.get("/api/v1/_boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    app = create_app(settings, db)  # its own app: the shared one must not keep this route
    app.include_router(router)
    with TestClient(app, raise_server_exceptions=False) as client:
        body = assert_problem(client.get("/api/v1/_boom"), 500, "internal_error")
    assert "secret" not in json.dumps(body)


def test_request_id_is_echoed_when_sane_and_replaced_when_not(client):
    kept = client.get("/healthz", headers={"X-Request-ID": "abc12345-trace"})
    assert kept.headers["x-request-id"] == "abc12345-trace"
    replaced = client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    assert replaced.headers["x-request-id"] != "bad id\twith spaces"
    assert len(replaced.headers["x-request-id"]) == 16


def test_openapi_is_served_under_v1(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["info"]["title"] == "datadeed"
    assert "/api/v1/organizations" in spec["paths"]
