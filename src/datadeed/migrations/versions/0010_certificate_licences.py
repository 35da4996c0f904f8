"""certificate licences

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 09:30:00

Issue #6: licences granted on a certificate, tracked with their term; cancellation withdrawal.
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
