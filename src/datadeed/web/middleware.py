"""ASGI middleware: request ids (in logs and responses), body-size limit, page locale."""

from __future__ import annotations

import json
import logging
import re
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from datadeed.accounts.audit import current_request_id
from datadeed.web.i18n import SUPPORTED_LOCALES, current_locale

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

REQUEST_ID_HEADER = b"x-request-id"
LOCALE_COOKIE = "datadeed_locale"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
log = logging.getLogger("datadeed.access")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every log record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get() or "-"
        return True


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


class RequestContextMiddleware:
    """Gives each request an id (kept from a sane X-Request-ID header), echoes it in the
    response, puts it in the logs, and picks the page locale."""

    def __init__(self, app: ASGIApp, default_locale: str) -> None:
        self.app = app
        self.default_locale = default_locale

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, REQUEST_ID_HEADER)
        request_id = incoming if incoming and _SAFE_ID.match(incoming) else secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = request_id
        locale = self._locale(scope)
        scope["state"]["locale"] = locale
        id_token = current_request_id.set(request_id)
        locale_token = current_locale.set(locale)
        status_holder: dict[str, int] = {}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                headers = message.setdefault("headers", [])
                if not any(k.lower() == REQUEST_ID_HEADER for k, _ in headers):
                    headers.append((REQUEST_ID_HEADER, request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            log.info("%s %s %s", scope["method"], scope["path"], status_holder.get("status", "-"))
            current_request_id.reset(id_token)
            current_locale.reset(locale_token)

    def _locale(self, scope: Scope) -> str:
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        wanted = (query.get("lang") or [None])[0]
        if wanted in SUPPORTED_LOCALES:
            return str(wanted)
        cookie = SimpleCookie(_header(scope, b"cookie") or "")
        if LOCALE_COOKIE in cookie and cookie[LOCALE_COOKIE].value in SUPPORTED_LOCALES:
            return cookie[LOCALE_COOKIE].value
        return self.default_locale


class BodyLimitMiddleware:
    """Refuses bodies over the limit with 413 problem+json, whether the size is declared
    in Content-Length or only discovered while streaming. Upload paths get their own,
    larger limit (``upload_prefixes``); everything else ``max_bytes``."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        upload_prefixes: tuple[str, ...] = (),
        upload_max_bytes: int = 0,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.upload_prefixes = upload_prefixes
        self.upload_max_bytes = upload_max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_upload = bool(self.upload_prefixes) and scope["path"].startswith(self.upload_prefixes)
        limit = self.upload_max_bytes if is_upload else self.max_bytes
        declared = _header(scope, b"content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, send, limit)
            return
        received = 0
        refused = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request" and not refused:
                received += len(message.get("body", b""))
                if received > limit:
                    # Answer now and tell the app the client went away: frameworks turn
                    # exceptions raised here into their own 400, which would hide the 413.
                    refused = True
                    await self._refuse(scope, send, limit)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not refused:
                await send(message)

        await self.app(scope, counting_receive, guarded_send)

    async def _refuse(self, scope: Scope, send: Send, limit: int) -> None:
        body = json.dumps(
            {
                "type": "https://datadeed.dev/problems/payload_too_large",
                "title": "Payload too large",
                "status": 413,
                "detail": f"request body exceeds {limit} bytes",
                "code": "payload_too_large",
                "instance": scope["path"],
                "request_id": scope.get("state", {}).get("request_id"),
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
