"""Pages: home per role, login and logout, language switch, API tokens, organization
members, and the audit log for the platform operator."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from datadeed.accounts.principal import Principal
from datadeed.errors import AuthenticationFailed, InvalidInput, TooManyAttempts
from datadeed.web.deps import (
    SESSION_COOKIE,
    AccountsDep,
    PageActor,
    PageActorOptional,
    page_principal_optional,
)
from datadeed.web.i18n import SUPPORTED_LOCALES
from datadeed.web.middleware import LOCALE_COOKIE
from datadeed.web.templating import check_csrf, render

# Every page knows who is logged in, so the header can show it (public pages included).
router = APIRouter(include_in_schema=False, dependencies=[Depends(page_principal_optional)])

CsrfField = Annotated[str, Form(alias="csrf_token")]


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths, so the login form is no open redirect."""
    if not target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/", response_class=HTMLResponse)
def home(request: Request, actor: PageActorOptional, accounts: AccountsDep) -> Response:
    if actor is None:
        return render(request, "home_public.html")
    org = accounts.get_organization(actor, actor.organization_id) if actor.organization_id else None
    activity = accounts.list_org_activity(actor, limit=10)
    members = accounts.count_users(actor.organization_id) if actor.organization_id else 0
    return render(
        request,
        "home.html",
        {"org": org, "activity": activity, "members": members},
    )


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, actor: PageActorOptional, next: str | None = None) -> Response:
    if actor is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "login.html", {"next": _safe_next(next), "error": None})


@router.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request,
    accounts: AccountsDep,
    csrf_token: CsrfField,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    check_csrf(request, csrf_token)
    client = request.client.host if request.client else None
    try:
        user = accounts.authenticate(username, password, client)
    except TooManyAttempts:
        error, status = "too_many_attempts", 429
    except AuthenticationFailed:
        error, status = "wrong_credentials", 401
    else:
        secret = accounts.start_session(user)
        response = RedirectResponse(_safe_next(next), status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            secret,
            httponly=True,
            samesite="lax",
            path="/",
            secure=request.url.scheme == "https",
        )
        return response
    context = {"next": _safe_next(next), "error": error, "username": username}
    return render(request, "login.html", context, status_code=status)


@router.post("/logout")
def logout(request: Request, accounts: AccountsDep, csrf_token: CsrfField) -> Response:
    check_csrf(request, csrf_token)
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        accounts.end_session(secret)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/locale/{locale}")
def switch_locale(locale: str, next: str | None = None) -> Response:
    if locale not in SUPPORTED_LOCALES:
        raise InvalidInput(f"unsupported language {locale!r}")
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(LOCALE_COOKIE, locale, samesite="lax", path="/", max_age=365 * 86400)
    return response


@router.get("/account/tokens", response_class=HTMLResponse)
def tokens_page(request: Request, actor: PageActor, accounts: AccountsDep) -> Response:
    return render(request, "tokens.html", {"tokens": accounts.list_tokens(actor), "created": None})


@router.post("/account/tokens", response_class=HTMLResponse)
def tokens_create(
    request: Request,
    actor: PageActor,
    accounts: AccountsDep,
    csrf_token: CsrfField,
    name: Annotated[str, Form(min_length=1, max_length=100)],
) -> Response:
    check_csrf(request, csrf_token)
    _token, secret = accounts.create_token(actor, name)
    context = {"tokens": accounts.list_tokens(actor), "created": secret}
    return render(request, "tokens.html", context, status_code=201)


@router.post("/account/tokens/{token_id}/revoke")
def tokens_revoke(
    request: Request, token_id: int, actor: PageActor, accounts: AccountsDep, csrf_token: CsrfField
) -> Response:
    check_csrf(request, csrf_token)
    accounts.revoke_token(actor, token_id)
    return RedirectResponse("/account/tokens", status_code=303)


@router.get("/org/members", response_class=HTMLResponse)
def members_page(request: Request, actor: PageActor, accounts: AccountsDep) -> Response:
    org_id = _own_org(actor)
    users = accounts.list_users(actor, org_id)
    return render(request, "members.html", {"members_list": users})


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    actor: PageActor,
    accounts: AccountsDep,
    action: str | None = None,
    before_seq: int | None = None,
) -> Response:
    events = accounts.list_audit_events(actor, limit=50, before_seq=before_seq, action=action)
    chain = accounts.verify_audit_chain(actor)
    return render(request, "audit.html", {"events": events, "chain": chain, "action": action})


def _own_org(actor: Principal) -> int:
    if actor.organization_id is None:
        raise InvalidInput("the console user belongs to no organization")
    return actor.organization_id
