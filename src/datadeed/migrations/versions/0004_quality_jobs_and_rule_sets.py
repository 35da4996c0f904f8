"""quality jobs and rule sets

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 06:30:00

Placeholder reserved for issue #4 (datasets/quality): background jobs, per-dataset rule sets.
The owner fills in upgrade() and downgrade().
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
