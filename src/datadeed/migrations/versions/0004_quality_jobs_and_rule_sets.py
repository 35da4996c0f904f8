"""quality jobs and rule sets

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 06:30:00

Issue #4 (datasets/quality): background jobs (the ``jobs`` table is the queue),
per-dataset rule set versions, and the rule set a quality report was assessed with.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import datadeed.db

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.INTEGER(), "sqlite")
JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _utc(name: str, nullable: bool) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, datadeed.db.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("organization_id", BIG_ID, nullable=True),
        sa.Column("created_by_id", BIG_ID, nullable=True),
        sa.Column("subject", sa.String(length=120), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=True),
        sa.Column("params", JSON_DOC, nullable=False),
        sa.Column("result", JSON_DOC, nullable=True),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("claimed_by", sa.String(length=120), nullable=True),
        _utc("created_at", False),
        _utc("started_at", True),
        _utc("heartbeat_at", True),
        _utc("finished_at", True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_jobs_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_jobs_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index("ix_jobs_status_id", ["status", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_jobs_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_jobs_subject"), ["subject"], unique=False)

    op.create_table(
        "dataset_rule_sets",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("dataset_id", BIG_ID, nullable=False),
        sa.Column("version_no", sa.Integer(), nullable=False),
        sa.Column("yaml_text", sa.Text(), nullable=False),
        sa.Column("rules", JSON_DOC, nullable=False),
        sa.Column("created_by_id", BIG_ID, nullable=True),
        _utc("created_at", False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_dataset_rule_sets_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["datasets.id"], name=op.f("fk_dataset_rule_sets_dataset_id_datasets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dataset_rule_sets")),
        sa.UniqueConstraint("dataset_id", "version_no", name="uq_dataset_rule_sets_no"),
    )
    with op.batch_alter_table("dataset_rule_sets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dataset_rule_sets_dataset_id"), ["dataset_id"], unique=False
        )

    with op.batch_alter_table("quality_reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rule_set_id", BIG_ID, nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_quality_reports_rule_set_id_dataset_rule_sets"),
            "dataset_rule_sets",
            ["rule_set_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("quality_reports", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_quality_reports_rule_set_id_dataset_rule_sets"), type_="foreignkey"
        )
        batch_op.drop_column("rule_set_id")
    with op.batch_alter_table("dataset_rule_sets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dataset_rule_sets_dataset_id"))
    op.drop_table("dataset_rule_sets")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_subject"))
        batch_op.drop_index(batch_op.f("ix_jobs_organization_id"))
        batch_op.drop_index("ix_jobs_status_id")
    op.drop_table("jobs")
