"""Jinja2 environment, the page renderer, and CSRF tokens for forms.

CSRF uses a signed double-submit cookie: the cookie holds ``random.signature``; every
form and HTMX request sends the same value back, and the server checks both the
signature (made with the secret key) and equality. SameSite=Lax is a second layer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from datadeed.errors import PermissionDenied
from datadeed.web.i18n import LOCALE_NAMES, SUPPORTED_LOCALES, current_locale, gettext, ngettext
from datadeed.workdays import SHANGHAI

TEMPLATE_DIR = Path(__file__).parent / "templates"
CSRF_COOKIE = "datadeed_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def _local_time(value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return "" if value is None else value.astimezone(SHANGHAI).strftime(fmt)


def _iso_local(value: str) -> str:
    """An RFC 3339 UTC string (as stored in ledger entries) shown in Asia/Shanghai."""
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return value
    return _local_time(parsed, "%Y-%m-%d %H:%M:%S") + " (UTC+8)"


def make_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["local_time"] = _local_time
    env.filters["iso_local"] = _iso_local
    env.globals["LOCALE_NAMES"] = LOCALE_NAMES
    env.globals["SUPPORTED_LOCALES"] = SUPPORTED_LOCALES
    return env


_ENV = make_environment()


def _sign(secret_key: str, nonce: str) -> str:
    return hmac.new(secret_key.encode(), nonce.encode(), hashlib.sha256).hexdigest()[:32]


def _valid_cookie_token(secret_key: str, token: str | None) -> bool:
    if not token or "." not in token:
        return False
    nonce, sig = token.rsplit(".", 1)
    return hmac.compare_digest(sig, _sign(secret_key, nonce))


def _secret(request: Request) -> str:
    return str(request.app.state.settings.secret_key.get_secret_value())


def csrf_token(request: Request) -> str:
    """The CSRF token for this browser, minting one if the cookie is missing or forged."""
    existing = request.cookies.get(CSRF_COOKIE)
    if _valid_cookie_token(_secret(request), existing):
        return str(existing)
    minted = getattr(request.state, "new_csrf", None)
    if minted is None:
        nonce = secrets.token_urlsafe(24)
        minted = f"{nonce}.{_sign(_secret(request), nonce)}"
        request.state.new_csrf = minted
    return str(minted)


def check_csrf(request: Request, submitted: str | None) -> None:
    """Raise PermissionDenied unless the submitted token matches the signed cookie."""
    cookie = request.cookies.get(CSRF_COOKIE)
    submitted = submitted or request.headers.get(CSRF_HEADER)
    if not (
        _valid_cookie_token(_secret(request), cookie)
        and submitted
        and hmac.compare_digest(str(cookie), submitted)
    ):
        raise PermissionDenied("the form expired or came from another site; reload and retry")


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    """Render a page with the common context: user, locale, CSRF token."""
    token = csrf_token(request)
    page = _ENV.get_template(template).render(
        request=request,
        user=getattr(request.state, "principal", None),
        locale=current_locale.get(),
        csrf_token=token,
        settings=request.app.state.settings,
        **(context or {}),
    )
    response = HTMLResponse(page, status_code=status_code)
    if getattr(request.state, "new_csrf", None):
        response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="lax", path="/")
    return response
