"""The one table from domain errors to HTTP: RFC 9457 problem+json for the API, an HTML
page (or a redirect to the login page) for browsers."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from datadeed.errors import AuthenticationFailed, DatadeedError, TooManyAttempts

log = logging.getLogger("datadeed.web")

PROBLEM_JSON = "application/problem+json"

# Stable codes for errors raised by the framework rather than by datadeed.
HTTP_CODES: dict[int, tuple[str, str]] = {
    400: ("bad_request", "Bad request"),
    401: ("authentication_failed", "Authentication required"),
    403: ("permission_denied", "Permission denied"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
    406: ("not_acceptable", "Not acceptable"),
    413: ("payload_too_large", "Payload too large"),
    415: ("unsupported_media_type", "Unsupported media type"),
    422: ("validation_failed", "Request validation failed"),
    429: ("too_many_requests", "Too many requests"),
    500: ("internal_error", "Internal server error"),
}


def problem(
    request: Request, status: int, code: str, title: str, detail: str, **extra: Any
) -> JSONResponse:
    """Build a problem+json response (RFC 9457) with datadeed's stable ``code``."""
    body: dict[str, Any] = {
        "type": f"https://datadeed.dev/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "instance": request.url.path,
        "request_id": getattr(request.state, "request_id", None),
    }
    body.update(extra)
    response = JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)
    if body["request_id"]:
        # Errors that escape to the outermost middleware never pass the request-id layer.
        response.headers["x-request-id"] = body["request_id"]
    return response


def wants_html(request: Request) -> bool:
    """Pages answer errors with HTML; the API, health checks and JSON clients get problem+json."""
    path = request.url.path
    if path.startswith(("/api/", "/static/")) or path in ("/healthz", "/readyz"):
        return False
    accept = request.headers.get("accept", "")
    return "application/json" not in accept or "text/html" in accept


def _html_error(request: Request, status: int, code: str, detail: str) -> Response:
    from datadeed.web.templating import render

    return render(
        request,
        "error.html",
        {"status": status, "code": code, "detail": detail},
        status_code=status,
    )


async def handle_datadeed_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DatadeedError)
    if wants_html(request):
        if isinstance(exc, AuthenticationFailed) and not isinstance(exc, TooManyAttempts):
            return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
        return _html_error(request, exc.status, exc.code, exc.message)
    extra = {k: v for k, v in exc.extra.items() if k not in ("detail", "code")}
    response = problem(request, exc.status, exc.code, exc.title, exc.message, **extra)
    if isinstance(exc, TooManyAttempts):
        response.headers["Retry-After"] = str(exc.retry_after)
    if exc.status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


async def handle_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code, title = HTTP_CODES.get(exc.status_code, (f"http_{exc.status_code}", "HTTP error"))
    detail = exc.detail if isinstance(exc.detail, str) else title
    if wants_html(request):
        return _html_error(request, exc.status_code, code, detail)
    response = problem(request, exc.status_code, code, title, detail)
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


async def handle_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors()
    ]
    malformed = any(e["type"] == "json_invalid" for e in errors)
    code = "malformed_json" if malformed else "validation_failed"
    title = "Malformed JSON" if malformed else "Request validation failed"
    detail = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in errors)
    status = 400 if malformed else 422
    return problem(request, status, code, title, detail, errors=errors)


async def handle_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error", exc_info=exc)
    if wants_html(request):
        return _html_error(request, 500, "internal_error", "internal server error")
    return problem(request, 500, "internal_error", "Internal server error", "internal server error")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DatadeedError, handle_datadeed_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(Exception, handle_unexpected)
