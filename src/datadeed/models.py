"""Every ORM model, imported so that Base.metadata is complete (Alembic, tests)."""

from datadeed.accounts.models import (
    ApiToken,
    AuditEvent,
    LoginAttempt,
    Organization,
    User,
    UserRole,
    WebSession,
)
from datadeed.db import Base

metadata = Base.metadata

__all__ = [
    "ApiToken",
    "AuditEvent",
    "LoginAttempt",
    "Organization",
    "User",
    "UserRole",
    "WebSession",
    "metadata",
]
