"""certificates and their lifecycle

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 06:30:00

Certificates (one row per number, edited in place as editions) and the registrations
made on them afterwards (change, correction, transfer, licence, renewal, cancellation,
revocation).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import datadeed.db

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


ID = sa.BigInteger().with_variant(sa.INTEGER(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
TIMESTAMP = datadeed.db.UTCDateTime(timezone=True)


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.{'idx' if target == 'ledger_entries' else 'id'}"],
        name=op.f(f"fk_{table}_{column}_{target}"),
    )


def upgrade() -> None:
    op.create_table(
        "certificates",
        sa.Column("id", ID, nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("registration_no", sa.String(length=32), nullable=False),
        sa.Column(
            "track",
            _enum("certificate_track", "data_property", "data_ip", "public_data"),
            nullable=False,
        ),
        sa.Column("edition", sa.Integer(), nullable=False),
        sa.Column("holder_id", ID, nullable=False),
        sa.Column("issuer_id", ID, nullable=False),
        sa.Column("rights", JSON, nullable=False),
        sa.Column("object_name", sa.String(length=200), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_description", sa.Text(), nullable=True),
        sa.Column("dataset_version_id", ID, nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("case_no", sa.String(length=64), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column(
            "status",
            _enum("certificate_status", "valid", "encumbered", "cancelled", "revoked"),
            nullable=False,
        ),
        sa.Column("pending_transfer_to_id", ID, nullable=True),
        sa.Column("first_issued_at", TIMESTAMP, nullable=False),
        sa.Column("issued_at", TIMESTAMP, nullable=False),
        sa.Column("ledger_index", sa.BigInteger(), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        _fk("certificates", "dataset_version_id", "dataset_versions"),
        _fk("certificates", "holder_id", "organizations"),
        _fk("certificates", "issuer_id", "organizations"),
        _fk("certificates", "ledger_index", "ledger_entries"),
        _fk("certificates", "pending_transfer_to_id", "organizations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates")),
        sa.UniqueConstraint("number", name=op.f("uq_certificates_number")),
        sa.UniqueConstraint("registration_no", name=op.f("uq_certificates_registration_no")),
    )
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certificates_holder_id"), ["holder_id"])
        batch_op.create_index(batch_op.f("ix_certificates_sha256"), ["sha256"])

    op.create_table(
        "certificate_events",
        sa.Column("id", ID, nullable=False),
        sa.Column("certificate_id", ID, nullable=False),
        sa.Column("event_no", sa.String(length=40), nullable=False),
        sa.Column(
            "kind",
            _enum(
                "certificate_event_kind",
                "issue",
                "change",
                "correction",
                "transfer",
                "licence",
                "renewal",
                "cancellation",
                "revocation",
                "pledge",
                "pledge_release",
            ),
            nullable=False,
        ),
        sa.Column(
            "state",
            _enum("certificate_event_state", "pending", "registered", "withdrawn"),
            nullable=False,
        ),
        sa.Column("actor_org_id", ID, nullable=True),
        sa.Column("actor_user_id", ID, nullable=True),
        sa.Column("counterparty_id", ID, nullable=True),
        sa.Column("reasons", sa.Text(), nullable=True),
        sa.Column("details", JSON, nullable=False),
        sa.Column("edition", sa.Integer(), nullable=False),
        sa.Column("ledger_index", sa.BigInteger(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("decided_at", TIMESTAMP, nullable=True),
        _fk("certificate_events", "actor_org_id", "organizations"),
        _fk("certificate_events", "actor_user_id", "users"),
        _fk("certificate_events", "certificate_id", "certificates"),
        _fk("certificate_events", "counterparty_id", "organizations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate_events")),
        sa.UniqueConstraint("event_no", name=op.f("uq_certificate_events_event_no")),
    )
    with op.batch_alter_table("certificate_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_certificate_events_certificate_id"), ["certificate_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("certificate_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certificate_events_certificate_id"))
    op.drop_table("certificate_events")
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certificates_sha256"))
        batch_op.drop_index(batch_op.f("ix_certificates_holder_id"))
    op.drop_table("certificates")
