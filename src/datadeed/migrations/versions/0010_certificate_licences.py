"""certificate licences

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 09:30:00

Issue #6: licences granted on a certificate, tracked with their term; cancellation withdrawal.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import datadeed.db

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


ID = sa.BigInteger().with_variant(sa.INTEGER(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
TIMESTAMP = datadeed.db.UTCDateTime(timezone=True)


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _fk(column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_certificate_licences_{column}_{target}")
    )


def upgrade() -> None:
    op.create_table(
        "certificate_licences",
        sa.Column("id", ID, nullable=False),
        sa.Column("licence_no", sa.String(length=40), nullable=False),
        sa.Column("certificate_id", ID, nullable=False),
        sa.Column("licensor_id", ID, nullable=False),
        sa.Column("licensee_id", ID, nullable=False),
        sa.Column("rights", JSON, nullable=False),
        sa.Column(
            "exclusivity",
            _enum("certificate_licence_exclusivity", "exclusive", "sole", "non_exclusive"),
            nullable=False,
        ),
        sa.Column("scope", sa.Text(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column(
            "state",
            _enum("certificate_licence_state", "granted", "revoked_early"),
            nullable=False,
        ),
        sa.Column("ledger_index", sa.BigInteger(), nullable=True),
        sa.Column("event_id", ID, nullable=True),
        sa.Column("granted_at", TIMESTAMP, nullable=False),
        sa.Column("revoked_at", TIMESTAMP, nullable=True),
        sa.Column("revocation_reasons", sa.Text(), nullable=True),
        sa.Column("revocation_ledger_index", sa.BigInteger(), nullable=True),
        _fk("certificate_id", "certificates"),
        _fk("event_id", "certificate_events"),
        _fk("licensee_id", "organizations"),
        _fk("licensor_id", "organizations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate_licences")),
        sa.UniqueConstraint("licence_no", name=op.f("uq_certificate_licences_licence_no")),
    )
    with op.batch_alter_table("certificate_licences", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_certificate_licences_certificate_id"), ["certificate_id"]
        )
        batch_op.create_index(batch_op.f("ix_certificate_licences_licensee_id"), ["licensee_id"])


def downgrade() -> None:
    with op.batch_alter_table("certificate_licences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certificate_licences_licensee_id"))
        batch_op.drop_index(batch_op.f("ix_certificate_licences_certificate_id"))
    op.drop_table("certificate_licences")
