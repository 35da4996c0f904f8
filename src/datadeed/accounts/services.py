"""Account use cases. No HTTP here: callers pass a Principal and get rows or DatadeedErrors."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from datadeed.accounts import audit
from datadeed.accounts.models import (
    ApiToken,
    AuditEvent,
    LoginAttempt,
    Organization,
    User,
    UserRole,
    WebSession,
)
from datadeed.accounts.passwords import check_strength, hash_password, verify_password
from datadeed.accounts.principal import Principal, require_role, require_tenant
from datadeed.accounts.roles import ROLES_BY_KIND, Role
from datadeed.accounts.schemas import OrganizationCreate, UserCreate
from datadeed.config import Settings
from datadeed.db import utcnow
from datadeed.errors import (
    AuthenticationFailed,
    DuplicateOrganization,
    DuplicateUser,
    InvalidInput,
    InvalidToken,
    NotFound,
    TooManyAttempts,
)
from datadeed.identifiers import validate_uscc

TOKEN_PREFIX = "ddt_"  # noqa: S105 - a public prefix, not a secret


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def principal_for(user: User) -> Principal:
    org = user.organization
    return Principal(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        organization_id=org.id,
        organization_name=org.name,
        org_kind=org.kind,
        roles=user.role_set,
    )


class AccountsService:
    """Organizations, users, roles, tokens, page sessions, and the audit log."""

    def __init__(self, session: Session, settings: Settings) -> None:
        self.session = session
        self.settings = settings

    # -- organizations -------------------------------------------------------------

    def create_organization(self, actor: Principal, data: OrganizationCreate) -> Organization:
        require_role(actor, Role.PLATFORM_ADMIN)
        uscc = validate_uscc(data.uscc)
        if self.session.scalar(select(Organization.id).where(Organization.uscc == uscc)):
            raise DuplicateOrganization(
                f"an organization with USCC {uscc} already exists", uscc=uscc
            )
        org = Organization(
            uscc=uscc,
            name=data.name,
            name_en=data.name_en,
            kind=data.kind,
            region_code=uscc[2:8],
            legal_representative=data.legal_representative,
            merchant_tier=data.merchant_tier,
        )
        self.session.add(org)
        self._flush_or_conflict(
            DuplicateOrganization(f"an organization with USCC {uscc} already exists")
        )
        audit.record(
            self.session,
            actor,
            "organization.create",
            "organization",
            org.id,
            organization_id=org.id,
            detail={"uscc": uscc, "kind": org.kind.value},
        )
        self.session.commit()
        return org

    def list_organizations(self, actor: Principal) -> Sequence[Organization]:
        """The directory of organizations (name, USCC, kind) is visible to every user."""
        return self.session.scalars(select(Organization).order_by(Organization.id)).all()

    def get_organization(self, actor: Principal, organization_id: int) -> Organization:
        org = self.session.get(Organization, organization_id)
        if org is None:
            raise NotFound("organization not found")
        return org

    # -- users ---------------------------------------------------------------------

    def create_user(self, actor: Principal, organization_id: int, data: UserCreate) -> User:
        org = self._managed_org(actor, organization_id)
        roles = self._check_roles(org, data.roles)
        check_strength(
            data.password, username=data.username, min_length=self.settings.password_min_length
        )
        if self.session.scalar(select(User.id).where(User.username == data.username)):
            raise DuplicateUser(f"username {data.username!r} is taken", username=data.username)
        user = User(
            organization=org,
            username=data.username,
            display_name=data.display_name,
            email=data.email,
            password_hash=hash_password(data.password),
            roles=[UserRole(role=r) for r in roles],
        )
        self.session.add(user)
        self._flush_or_conflict(DuplicateUser(f"username {data.username!r} is taken"))
        audit.record(
            self.session,
            actor,
            "user.create",
            "user",
            user.id,
            organization_id=org.id,
            detail={"username": user.username, "roles": sorted(roles)},
        )
        self.session.commit()
        return user

    def list_users(self, actor: Principal, organization_id: int) -> Sequence[User]:
        self._managed_org(actor, organization_id)
        query = select(User).where(User.organization_id == organization_id).order_by(User.id)
        return self.session.scalars(query).all()

    def get_user(self, actor: Principal, user_id: int) -> User:
        user = self.session.get(User, user_id)
        if user is None:
            raise NotFound("user not found")
        if user.id != actor.user_id:
            self._managed_org(actor, user.organization_id, what="user")
        return user

    def set_roles(self, actor: Principal, user_id: int, roles: list[Role]) -> User:
        user = self.get_user(actor, user_id)
        self._managed_org(actor, user.organization_id, what="user")
        wanted = self._check_roles(user.organization, roles)
        before = sorted(user.role_set)
        user.roles = [UserRole(role=r) for r in sorted(wanted)]
        audit.record(
            self.session,
            actor,
            "user.roles",
            "user",
            user.id,
            organization_id=user.organization_id,
            detail={"before": before, "after": sorted(wanted)},
        )
        self.session.commit()
        return user

    def set_password(self, actor: Principal, user_id: int, password: str) -> None:
        user = self.get_user(actor, user_id)
        check_strength(
            password, username=user.username, min_length=self.settings.password_min_length
        )
        user.password_hash = hash_password(password)
        audit.record(
            self.session,
            actor,
            "user.password",
            "user",
            user.id,
            organization_id=user.organization_id,
        )
        self.session.commit()

    # -- login and page sessions ---------------------------------------------------

    def authenticate(self, username: str, password: str, client: str | None = None) -> User:
        """Check a password, refusing after too many recent failures for this username."""
        username = username.strip().lower()
        self._check_rate_limit(username)
        user = self.session.scalar(select(User).where(User.username == username))
        ok = verify_password(user.password_hash if user else None, password)
        ok = ok and user is not None and user.is_active and user.organization.is_active
        self.session.add(LoginAttempt(username=username, succeeded=ok, client=client))
        if not ok or user is None:
            self.session.commit()
            raise AuthenticationFailed("wrong username or password")
        user.last_login_at = utcnow()
        audit.record(
            self.session,
            principal_for(user),
            "user.login",
            "user",
            user.id,
            organization_id=user.organization_id,
        )
        self.session.commit()
        return user

    def start_session(self, user: User) -> str:
        """Create a page session and return the cookie secret."""
        secret = secrets.token_urlsafe(32)
        ttl = dt.timedelta(hours=self.settings.session_ttl_hours)
        self.session.add(WebSession(id=_sha256(secret), user_id=user.id, expires_at=utcnow() + ttl))
        self.session.commit()
        return secret

    def resolve_session(self, secret: str) -> Principal | None:
        row = self.session.get(WebSession, _sha256(secret))
        if row is None or row.expires_at <= utcnow() or not row.user.is_active:
            return None
        return principal_for(row.user)

    def end_session(self, secret: str) -> None:
        row = self.session.get(WebSession, _sha256(secret))
        if row is not None:
            user = row.user
            self.session.delete(row)
            audit.record(
                self.session,
                principal_for(user),
                "user.logout",
                "user",
                user.id,
                organization_id=user.organization_id,
            )
            self.session.commit()

    # -- API tokens ----------------------------------------------------------------

    def create_token(
        self, actor: Principal, name: str, ttl_days: int | None = None
    ) -> tuple[ApiToken, str]:
        """Issue a token for the acting user; returns the row and the secret (shown once)."""
        if actor.user_id is None:
            raise InvalidInput("API tokens belong to users; the CLI system actor has none")
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        days = ttl_days or self.settings.token_ttl_days
        token = ApiToken(
            user_id=actor.user_id,
            name=name,
            token_hash=_sha256(secret),
            prefix=secret[:12],
            expires_at=utcnow() + dt.timedelta(days=days),
        )
        self.session.add(token)
        self.session.flush()
        audit.record(
            self.session,
            actor,
            "token.create",
            "api_token",
            token.id,
            organization_id=actor.organization_id,
            detail={"name": name},
        )
        self.session.commit()
        return token, secret

    def list_tokens(self, actor: Principal) -> Sequence[ApiToken]:
        query = select(ApiToken).where(ApiToken.user_id == actor.user_id).order_by(ApiToken.id)
        return self.session.scalars(query).all()

    def revoke_token(self, actor: Principal, token_id: int) -> ApiToken:
        token = self.session.get(ApiToken, token_id)
        if token is None or (token.user_id != actor.user_id and not actor.oversees_all_tenants):
            raise NotFound("token not found")
        if token.revoked_at is None:
            token.revoked_at = utcnow()
            audit.record(
                self.session,
                actor,
                "token.revoke",
                "api_token",
                token.id,
                organization_id=token.user.organization_id,
            )
            self.session.commit()
        return token

    def resolve_token(self, secret: str) -> Principal:
        token = self.session.scalar(select(ApiToken).where(ApiToken.token_hash == _sha256(secret)))
        now = utcnow()
        if token is None:
            raise InvalidToken("unknown API token")
        if token.revoked_at is not None:
            raise InvalidToken("this API token was revoked")
        if token.expires_at <= now:
            raise InvalidToken("this API token has expired")
        if not token.user.is_active:
            raise InvalidToken("the token's user is deactivated")
        token.last_used_at = now
        self.session.commit()
        return principal_for(token.user)

    # -- audit log -----------------------------------------------------------------

    def list_audit_events(
        self,
        actor: Principal,
        *,
        limit: int = 100,
        before_seq: int | None = None,
        action: str | None = None,
    ) -> Sequence[AuditEvent]:
        require_role(actor, Role.PLATFORM_ADMIN)
        query = select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(min(limit, 500))
        if before_seq is not None:
            query = query.where(AuditEvent.seq < before_seq)
        if action:
            query = query.where(AuditEvent.action == action)
        return self.session.scalars(query).all()

    def list_org_activity(self, actor: Principal, *, limit: int = 10) -> Sequence[AuditEvent]:
        """Recent events concerning the actor's own organization (every member may see them)."""
        if actor.organization_id is None:
            return []
        query = (
            select(AuditEvent)
            .where(AuditEvent.organization_id == actor.organization_id)
            .order_by(AuditEvent.seq.desc())
            .limit(limit)
        )
        return self.session.scalars(query).all()

    def verify_audit_chain(self, actor: Principal) -> audit.ChainCheck:
        require_role(actor, Role.PLATFORM_ADMIN)
        events = self.session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
        return audit.verify_chain(events)

    def count_users(self, organization_id: int) -> int:
        query = (
            select(func.count()).select_from(User).where(User.organization_id == organization_id)
        )
        return int(self.session.scalar(query) or 0)

    # -- helpers -------------------------------------------------------------------

    def _managed_org(
        self, actor: Principal, organization_id: int, what: str = "organization"
    ) -> Organization:
        """The organization whose users the actor may manage: its own (as org admin) or any
        (as platform admin). Other tenants' organizations answer NotFound."""
        require_tenant(actor, organization_id, what)
        if not actor.oversees_all_tenants:
            require_role(actor, Role.ORG_ADMIN)
        org = self.session.get(Organization, organization_id)
        if org is None:
            raise NotFound(f"{what} not found")
        return org

    @staticmethod
    def _check_roles(org: Organization, roles: list[Role]) -> set[Role]:
        allowed = ROLES_BY_KIND[org.kind]
        bad = sorted(set(roles) - allowed)
        if bad:
            raise InvalidInput(
                f"a {org.kind.value} organization cannot hold the roles: {', '.join(bad)}",
                allowed=sorted(allowed),
            )
        return set(roles)

    def _flush_or_conflict(self, error: Exception) -> None:
        """Flush; a unique-constraint race with a concurrent request becomes ``error``."""
        try:
            self.session.flush()
        except IntegrityError as exc:
            self.session.rollback()
            raise error from exc

    def _check_rate_limit(self, username: str) -> None:
        window = dt.timedelta(seconds=self.settings.login_window_seconds)
        since = utcnow() - window
        failures = self.session.scalar(
            select(func.count())
            .select_from(LoginAttempt)
            .where(
                LoginAttempt.username == username,
                LoginAttempt.attempted_at >= since,
                LoginAttempt.succeeded.is_(False),
            )
        )
        if (failures or 0) >= self.settings.login_max_failures:
            raise TooManyAttempts(
                "too many failed logins for this account; try again later",
                retry_after=self.settings.login_window_seconds,
            )
