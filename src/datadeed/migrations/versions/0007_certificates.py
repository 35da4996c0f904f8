"""certificates and their lifecycle

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 06:30:00

Placeholder reserved for issue #6: certificates, their lifecycle events and transfers.
The owner fills in upgrade() and downgrade().
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
