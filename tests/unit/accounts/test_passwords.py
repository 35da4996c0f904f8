from __future__ import annotations

import pytest

from datadeed.accounts.passwords import check_strength, hash_password, verify_password
from datadeed.errors import WeakPassword


def test_hash_verifies_only_the_right_password():
    hashed = hash_password("Correct-Horse-42")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "Correct-Horse-42")
    assert not verify_password(hashed, "correct-horse-42")
    assert not verify_password(None, "anything")
    assert not verify_password("not-a-hash", "anything")


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Short-1", "at least 10"),
        ("alllowercaseletters", "mix at least two"),
        ("wang.lei-2026", "username"),
        ("Password123", "commonly used"),
    ],
)
def test_weak_passwords_are_refused(password, reason):
    with pytest.raises(WeakPassword, match=reason):
        check_strength(password, username="wang.lei", min_length=10)


def test_a_reasonable_password_passes():
    check_strength("Datadeed-Demo-2026", username="corpus.admin", min_length=10)
