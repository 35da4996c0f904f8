"""valuation cases

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 06:30:00

Issue #7: valuation cases and their signed reports (digest in the ledger).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import datadeed.db

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "valuation_cases"
INDEXED = (
    "appraiser_org_id",
    "certificate_no",
    "dataset_version_id",
    "holder_org_id",
    "pledgee_org_id",
    "status",
)


def _id(name: str, *, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=nullable)


def _json(name: str, *, nullable: bool) -> sa.Column[object]:
    kind = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
    return sa.Column(name, kind, nullable=nullable)


def _fk(column: str, target: str) -> sa.ForeignKeyConstraint:
    table = target.split(".")[0]
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f"fk_{TABLE}_{column}_{table}"))


def upgrade() -> None:
    op.create_table(
        TABLE,
        _id("id"),
        _id("appraiser_org_id"),
        _id("holder_org_id"),
        _id("pledgee_org_id", nullable=True),
        _id("dataset_version_id"),
        _id("quality_report_id", nullable=True),
        sa.Column("certificate_no", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("base_date", sa.Date(), nullable=False),
        sa.Column("value_type", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        _json("inputs", nullable=False),
        _json("result", nullable=True),
        sa.Column("value", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("coefficient_table", sa.String(length=64), nullable=True),
        sa.Column("report_no", sa.String(length=64), nullable=True),
        sa.Column("report_digest", sa.String(length=64), nullable=True),
        sa.Column("ledger_index", sa.BigInteger(), nullable=True),
        _id("signer_id", nullable=True),
        _id("created_by_id", nullable=True),
        sa.Column("created_at", datadeed.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", datadeed.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("signed_at", datadeed.db.UTCDateTime(timezone=True), nullable=True),
        _fk("appraiser_org_id", "organizations.id"),
        _fk("created_by_id", "users.id"),
        _fk("dataset_version_id", "dataset_versions.id"),
        _fk("holder_org_id", "organizations.id"),
        _fk("ledger_index", "ledger_entries.idx"),
        _fk("pledgee_org_id", "organizations.id"),
        _fk("quality_report_id", "quality_reports.id"),
        _fk("signer_id", "users.id"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
        sa.UniqueConstraint("ledger_index", name=op.f(f"uq_{TABLE}_ledger_index")),
        sa.UniqueConstraint("report_digest", name=op.f(f"uq_{TABLE}_report_digest")),
        sa.UniqueConstraint("report_no", name=op.f(f"uq_{TABLE}_report_no")),
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        for column in INDEXED:
            batch_op.create_index(batch_op.f(f"ix_{TABLE}_{column}"), [column], unique=False)


def downgrade() -> None:
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        for column in reversed(INDEXED):
            batch_op.drop_index(batch_op.f(f"ix_{TABLE}_{column}"))
    op.drop_table(TABLE)
