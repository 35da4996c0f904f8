"""The datadeed error tree.

Every error a caller can act on is a subclass of :class:`DatadeedError` with a stable
machine ``code`` and an HTTP ``status``. Services raise these; ``web/errors.py`` turns
them into RFC 9457 problem+json and the CLI prints ``message`` on one line.

    DatadeedError
    ├── InvalidInput                    400 invalid_input
    │   ├── InvalidIdentifier           422 invalid_identifier
    │   ├── WeakPassword                422 weak_password
    │   └── CalendarNotCovered          422 calendar_not_covered
    ├── AuthenticationFailed            401 authentication_failed
    │   ├── InvalidToken                401 invalid_token
    │   └── TooManyAttempts             429 too_many_attempts
    ├── PermissionDenied                403 permission_denied
    ├── NotFound                        404 not_found
    ├── Conflict                        409 conflict
    │   ├── DuplicateOrganization       409 duplicate_organization
    │   ├── DuplicateUser               409 duplicate_user
    │   └── InvalidTransition           409 invalid_transition
    └── ConfigurationError              500 configuration_error
"""

from __future__ import annotations

from typing import Any, ClassVar


class DatadeedError(Exception):
    """Root of every error datadeed raises on purpose."""

    code: ClassVar[str] = "error"
    status: ClassVar[int] = 500
    title: ClassVar[str] = "Internal error"

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extra: dict[str, Any] = extra


class InvalidInput(DatadeedError):
    code = "invalid_input"
    status = 400
    title = "Invalid input"


class InvalidIdentifier(InvalidInput):
    """An ID number, USCC, bank card or mobile number that fails validation."""

    code = "invalid_identifier"
    status = 422
    title = "Invalid identifier"

    def __init__(self, kind: str, reason: str, message: str | None = None) -> None:
        super().__init__(message or f"invalid {kind}: {reason}", kind=kind, reason=reason)
        self.kind = kind
        self.reason = reason


class WeakPassword(InvalidInput):
    code = "weak_password"
    status = 422
    title = "Password too weak"


class CalendarNotCovered(InvalidInput):
    """A date falls in a year the working-day calendar has no data for."""

    code = "calendar_not_covered"
    status = 422
    title = "Working-day calendar does not cover this year"

    def __init__(self, year: int) -> None:
        super().__init__(
            f"the working-day calendar has no holiday data for {year}; "
            "add it to the calendar overrides file",
            year=year,
        )
        self.year = year


class AuthenticationFailed(DatadeedError):
    code = "authentication_failed"
    status = 401
    title = "Authentication failed"


class InvalidToken(AuthenticationFailed):
    code = "invalid_token"
    title = "Invalid, expired or revoked API token"


class TooManyAttempts(AuthenticationFailed):
    code = "too_many_attempts"
    status = 429
    title = "Too many attempts"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, retry_after=retry_after)
        self.retry_after = retry_after


class PermissionDenied(DatadeedError):
    code = "permission_denied"
    status = 403
    title = "Permission denied"


class NotFound(DatadeedError):
    """Also raised for other tenants' objects, so that their existence does not leak."""

    code = "not_found"
    status = 404
    title = "Not found"


class Conflict(DatadeedError):
    code = "conflict"
    status = 409
    title = "Conflict"


class DuplicateOrganization(Conflict):
    code = "duplicate_organization"
    title = "Organization already exists"


class DuplicateUser(Conflict):
    code = "duplicate_user"
    title = "User already exists"


class InvalidTransition(Conflict):
    """A state machine was asked for a move it does not allow from the current state."""

    code = "invalid_transition"
    title = "Invalid state transition"


class ConfigurationError(DatadeedError):
    code = "configuration_error"
    status = 500
    title = "Configuration error"
