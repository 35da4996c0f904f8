"""overlap sketch index

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 10:00:00

Issue #4: an index of the overlap sketches' hashes, so that finding the datasets that
overlap a version reads only the versions sharing a hash with it (filled from the sketches
already stored).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.INTEGER(), "sqlite")
_HEADER = struct.Struct(">4sBHQH")  # datasets/minhash.py, sketch format v1


def upgrade() -> None:
    table = op.create_table(
        "dataset_sketch_hashes",
        sa.Column("dataset_version_id", ID, nullable=False),
        sa.Column("hash", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_version_id"],
            ["dataset_versions.id"],
            name=op.f("fk_dataset_sketch_hashes_dataset_version_id_dataset_versions"),
        ),
        sa.PrimaryKeyConstraint(
            "dataset_version_id", "hash", name=op.f("pk_dataset_sketch_hashes")
        ),
    )
    with op.batch_alter_table("dataset_sketch_hashes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dataset_sketch_hashes_hash"), ["hash"], unique=False)
    _backfill(table)


def _backfill(table: sa.Table) -> None:
    bind = op.get_bind()
    versions = bind.execute(sa.text("SELECT id, overlap_sketch FROM dataset_versions")).all()
    rows = [
        {"dataset_version_id": version_id, "hash": h}
        for version_id, sketch in versions
        for h in _hashes(bytes(sketch or b""))
    ]
    if rows:
        op.bulk_insert(table, rows)


def _hashes(sketch: bytes) -> list[int]:
    """The sketch's hashes as signed 64-bit integers; none for a sketch that does not parse."""
    if len(sketch) < _HEADER.size:
        return []
    magic, version, _k, _distinct, n = _HEADER.unpack_from(sketch)
    body = sketch[_HEADER.size :]
    if magic != b"DDMH" or version != 1 or len(body) != 8 * n:
        return []
    return [int.from_bytes(body[i : i + 8], "big", signed=True) for i in range(0, len(body), 8)]


def downgrade() -> None:
    with op.batch_alter_table("dataset_sketch_hashes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dataset_sketch_hashes_hash"))
    op.drop_table("dataset_sketch_hashes")
