"""Password hashing (argon2id) and the strength rule."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from datadeed.errors import WeakPassword

_HASHER = PasswordHasher()

# The most common passwords in leaked lists; anything containing one is refused.
_COMMON = (
    "password",
    "123456",
    "12345678",
    "qwerty",
    "111111",
    "abc123",
    "admin",
    "letmein",
    "welcome",
    "iloveyou",
    "woaini",
    "000000",
    "888888",
    "666666",
)


@cache
def _dummy_hash() -> str:
    """A hash to verify against when the user does not exist, so timing does not reveal it.
    Made on first use: argon2 is deliberately slow, and start-up should not pay for it."""
    return _HASHER.hash("datadeed-dummy-password")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; always does the work of one argon2 verification."""
    try:
        return (
            _HASHER.verify(password_hash or _dummy_hash(), password) and password_hash is not None
        )
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def check_strength(password: str, *, username: str, min_length: int) -> None:
    """Refuse short, single-class, common or username-based passwords."""
    if len(password) < min_length:
        raise WeakPassword(f"password must have at least {min_length} characters")
    classes = sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )
    if classes < 2:
        raise WeakPassword(
            "password must mix at least two of: lower case, upper case, digits, symbols"
        )
    lowered = password.lower()
    if username and username.lower() in lowered:
        raise WeakPassword("password must not contain the username")
    if any(word in lowered for word in _COMMON) and len(password) < 2 * min_length:
        raise WeakPassword("password is too close to a commonly used password")
