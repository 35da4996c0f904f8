"""sensitive data scans

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 06:30:00

Issue #5: sensitivity scans of dataset versions with their proposed and confirmed
grades, the reviewers' grade decisions, risk assessments and PI safeguards.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import datadeed.db

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id(name: str = "id", nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=nullable)


def _json(name: str) -> sa.Column[object]:
    return sa.Column(
        name,
        sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
        nullable=False,
    )


def _created_at() -> sa.Column[object]:
    return sa.Column("created_at", datadeed.db.UTCDateTime(timezone=True), nullable=False)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    referred = target.split(".")[0]
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f"fk_{table}_{column}_{referred}"))


def _index(table: str, column: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def upgrade() -> None:
    op.create_table(
        "sensitivity_scans",
        _id(),
        _id("dataset_version_id"),
        sa.Column("engine", sa.String(length=16), nullable=False),
        sa.Column("row_count", sa.BigInteger(), nullable=False),
        sa.Column("proposed_grade", sa.String(length=16), nullable=False),
        sa.Column("grade", sa.String(length=16), nullable=False),
        sa.Column("grade_status", sa.String(length=16), nullable=False),
        sa.Column("has_pi", sa.Boolean(), nullable=False),
        sa.Column("has_sensitive_pi", sa.Boolean(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        _json("result"),
        sa.Column("ledger_index", sa.BigInteger(), nullable=False),
        _id("created_by_id", nullable=True),
        _created_at(),
        _id("reviewed_by_id", nullable=True),
        sa.Column("reviewed_at", datadeed.db.UTCDateTime(timezone=True), nullable=True),
        _fk("sensitivity_scans", "created_by_id", "users.id"),
        _fk("sensitivity_scans", "dataset_version_id", "dataset_versions.id"),
        _fk("sensitivity_scans", "ledger_index", "ledger_entries.idx"),
        _fk("sensitivity_scans", "reviewed_by_id", "users.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sensitivity_scans")),
        sa.UniqueConstraint("ledger_index", name=op.f("uq_sensitivity_scans_ledger_index")),
    )
    _index("sensitivity_scans", "dataset_version_id")

    op.create_table(
        "sensitivity_grade_reviews",
        _id(),
        _id("scan_id"),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("from_grade", sa.String(length=16), nullable=False),
        sa.Column("to_grade", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        _id("reviewer_id", nullable=True),
        sa.Column("reviewer_label", sa.String(length=100), nullable=False),
        _created_at(),
        _fk("sensitivity_grade_reviews", "reviewer_id", "users.id"),
        _fk("sensitivity_grade_reviews", "scan_id", "sensitivity_scans.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sensitivity_grade_reviews")),
    )
    _index("sensitivity_grade_reviews", "scan_id")

    op.create_table(
        "risk_assessments",
        _id(),
        _id("dataset_id"),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("assessor", sa.String(length=200), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        _id("created_by_id", nullable=True),
        _created_at(),
        _fk("risk_assessments", "created_by_id", "users.id"),
        _fk("risk_assessments", "dataset_id", "datasets.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_assessments")),
    )
    _index("risk_assessments", "dataset_id")

    op.create_table(
        "pi_safeguards",
        _id(),
        _id("dataset_version_id"),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("satisfied", sa.Boolean(), nullable=False),
        _json("detail"),
        _id("created_by_id", nullable=True),
        _created_at(),
        _fk("pi_safeguards", "created_by_id", "users.id"),
        _fk("pi_safeguards", "dataset_version_id", "dataset_versions.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pi_safeguards")),
    )
    _index("pi_safeguards", "dataset_version_id")


def downgrade() -> None:
    for table, column in (
        ("pi_safeguards", "dataset_version_id"),
        ("risk_assessments", "dataset_id"),
        ("sensitivity_grade_reviews", "scan_id"),
        ("sensitivity_scans", "dataset_version_id"),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))
        op.drop_table(table)
