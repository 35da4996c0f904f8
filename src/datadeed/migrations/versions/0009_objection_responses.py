"""objection responses

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 09:30:00

Issue #6: the applicant's answer to an objection.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import datadeed.db

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.INTEGER(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
TIMESTAMP = datadeed.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "objection_responses",
        sa.Column("id", ID, nullable=False),
        sa.Column("objection_id", ID, nullable=False),
        sa.Column("organization_id", ID, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("evidence", JSON, nullable=False),
        sa.Column("responded_by_id", ID, nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["objection_id"],
            ["objections.id"],
            name=op.f("fk_objection_responses_objection_id_objections"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_objection_responses_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["responded_by_id"],
            ["users.id"],
            name=op.f("fk_objection_responses_responded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objection_responses")),
        sa.UniqueConstraint("objection_id", name=op.f("uq_objection_responses_objection_id")),
    )
    with op.batch_alter_table("objection_responses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_objection_responses_organization_id"), ["organization_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("objection_responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_objection_responses_organization_id"))

    op.drop_table("objection_responses")
