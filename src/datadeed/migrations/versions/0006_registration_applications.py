"""registration applications, review assignments, events, public notices, objections

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 06:30:00

Issue #6 part 1: the one-window application and everything before the certificate.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import datadeed.db

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "registration_applications",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("application_no", sa.String(length=32), nullable=False),
        sa.Column(
            "organization_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False
        ),
        sa.Column(
            "created_by_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=True
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column(
            "tracks",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("object_type", sa.String(length=32), nullable=True),
        sa.Column(
            "rights_claimed",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("source_category", sa.String(length=32), nullable=True),
        sa.Column(
            "source_documents",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("source_explanation", sa.Text(), nullable=True),
        sa.Column("data_format", sa.String(length=64), nullable=True),
        sa.Column("scale_records", sa.BigInteger(), nullable=True),
        sa.Column("scale_bytes", sa.BigInteger(), nullable=True),
        sa.Column("coverage_period", sa.String(length=200), nullable=True),
        sa.Column("coverage_region", sa.String(length=200), nullable=True),
        sa.Column("coverage_industry", sa.String(length=200), nullable=True),
        sa.Column("update_frequency", sa.String(length=64), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "dataset_version_id",
            sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"),
            nullable=True,
        ),
        sa.Column("fingerprint_sha256", sa.String(length=64), nullable=True),
        sa.Column("content_fingerprint", sa.String(length=64), nullable=True),
        sa.Column(
            "quality_report_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=True
        ),
        sa.Column("quality_grade", sa.String(length=1), nullable=True),
        sa.Column(
            "gate_result",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "compliance_documents",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("commitment_accepted", sa.Boolean(), nullable=False),
        sa.Column("commitment_accepted_at", datadeed.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "draft",
                "submitted",
                "returned",
                "accepted",
                "formal_review",
                "substantive_review",
                "public_notice",
                "objection_review",
                "registered",
                "refused",
                name="application_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "checklist",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("submitted_at", datadeed.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("accepted_at", datadeed.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("paused_workdays", sa.Integer(), nullable=False),
        sa.Column("paused_since", datadeed.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_at", datadeed.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("certificate_number", sa.String(length=64), nullable=True),
        sa.Column("created_at", datadeed.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", datadeed.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_registration_applications_created_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["dataset_version_id"],
            ["dataset_versions.id"],
            name=op.f("fk_registration_applications_dataset_version_id_dataset_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_registration_applications_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["quality_report_id"],
            ["quality_reports.id"],
            name=op.f("fk_registration_applications_quality_report_id_quality_reports"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registration_applications")),
        sa.UniqueConstraint(
            "application_no", name=op.f("uq_registration_applications_application_no")
        ),
    )
    with op.batch_alter_table("registration_applications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_registration_applications_content_fingerprint"),
            ["content_fingerprint"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_registration_applications_dataset_version_id"),
            ["dataset_version_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_registration_applications_organization_id"),
            ["organization_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_registration_applications_state_deadline", ["state", "deadline"], unique=False
        )

    op.create_table(
        "application_documents",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column(
            "application_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False
        ),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=127), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("receipt_id", sa.String(length=32), nullable=False),
        sa.Column(
            "uploaded_by_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=True
        ),
        sa.Column("created_at", datadeed.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["registration_applications.id"],
            name=op.f("fk_application_documents_application_id_registration_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["users.id"],
            name=op.f("fk_application_documents_uploaded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_documents")),
    )
    with op.batch_alter_table("application_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_application_documents_application_id"), ["application_id"], unique=False
        )

    op.create_table(
        "public_notices",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column(
            "application_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False
        ),
        sa.Column("notice_no", sa.String(length=32), nullable=False),
        sa.Column("published_at", datadeed.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("workdays", sa.Integer(), nullable=False),
        sa.Column("closed_at", datadeed.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["registration_applications.id"],
            name=op.f("fk_public_notices_application_id_registration_applications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_notices")),
        sa.UniqueConstraint("application_id", name=op.f("uq_public_notices_application_id")),
        sa.UniqueConstraint("notice_no", name=op.f("uq_public_notices_notice_no")),
    )
    with op.batch_alter_table("public_notices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_public_notices_ends_on"), ["ends_on"], unique=False)

    op.create_table(
        "registration_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column(
            "application_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False
        ),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_state", sa.String(length=32), nullable=False),
        sa.Column("to_state", sa.String(length=32), nullable=False),
        sa.Column(
            "actor_user_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=True
        ),
        sa.Column(
            "actor_organization_id",
            sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"),
            nullable=True,
        ),
        sa.Column("actor_label", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column(
            "details",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("ledger_index", sa.BigInteger(), nullable=True),
        sa.Column("occurred_at", datadeed.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_organization_id"],
            ["organizations.id"],
            name=op.f("fk_registration_events_actor_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_user_id"], ["users.id"], name=op.f("fk_registration_events_actor_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["registration_applications.id"],
            name=op.f("fk_registration_events_application_id_registration_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["ledger_index"],
            ["ledger_entries.idx"],
            name=op.f("fk_registration_events_ledger_index_ledger_entries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registration_events")),
        sa.UniqueConstraint("ledger_index", name=op.f("uq_registration_events_ledger_index")),
    )
    with op.batch_alter_table("registration_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_registration_events_application_id"), ["application_id"], unique=False
        )

    op.create_table(
        "review_assignments",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column(
            "application_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False
        ),
        sa.Column(
            "reviewer_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False
        ),
        sa.Column(
            "assigned_by_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=True
        ),
        sa.Column("assigned_at", datadeed.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["registration_applications.id"],
            name=op.f("fk_review_assignments_application_id_registration_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"],
            ["users.id"],
            name=op.f("fk_review_assignments_assigned_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["users.id"], name=op.f("fk_review_assignments_reviewer_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_assignments")),
        sa.UniqueConstraint("application_id", "reviewer_id", name="uq_review_assignments_reviewer"),
    )
    with op.batch_alter_table("review_assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_assignments_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_review_assignments_reviewer_id"), ["reviewer_id"], unique=False
        )

    op.create_table(
        "objections",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column(
            "application_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False
        ),
        sa.Column(
            "notice_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False
        ),
        sa.Column(
            "objector_organization_id",
            sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"),
            nullable=True,
        ),
        sa.Column(
            "objector_user_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=True
        ),
        sa.Column("grounds", sa.Text(), nullable=False),
        sa.Column(
            "evidence",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "upheld",
                "dismissed",
                "closed",
                name="objection_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("filed_at", datadeed.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column(
            "decided_by_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=True
        ),
        sa.Column("decided_at", datadeed.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["registration_applications.id"],
            name=op.f("fk_objections_application_id_registration_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_objections_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["public_notices.id"],
            name=op.f("fk_objections_notice_id_public_notices"),
        ),
        sa.ForeignKeyConstraint(
            ["objector_organization_id"],
            ["organizations.id"],
            name=op.f("fk_objections_objector_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["objector_user_id"], ["users.id"], name=op.f("fk_objections_objector_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objections")),
    )
    with op.batch_alter_table("objections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_objections_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_objections_notice_id"), ["notice_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_objections_objector_organization_id"),
            ["objector_organization_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("application_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_documents_application_id"))

    op.drop_table("application_documents")
    with op.batch_alter_table("objections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_objections_objector_organization_id"))
        batch_op.drop_index(batch_op.f("ix_objections_notice_id"))
        batch_op.drop_index(batch_op.f("ix_objections_application_id"))

    op.drop_table("objections")
    with op.batch_alter_table("review_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_assignments_reviewer_id"))
        batch_op.drop_index(batch_op.f("ix_review_assignments_application_id"))

    op.drop_table("review_assignments")
    with op.batch_alter_table("registration_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registration_events_application_id"))

    op.drop_table("registration_events")
    with op.batch_alter_table("public_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_public_notices_ends_on"))

    op.drop_table("public_notices")
    with op.batch_alter_table("registration_applications", schema=None) as batch_op:
        batch_op.drop_index("ix_registration_applications_state_deadline")
        batch_op.drop_index(batch_op.f("ix_registration_applications_organization_id"))
        batch_op.drop_index(batch_op.f("ix_registration_applications_dataset_version_id"))
        batch_op.drop_index(batch_op.f("ix_registration_applications_content_fingerprint"))

    op.drop_table("registration_applications")
