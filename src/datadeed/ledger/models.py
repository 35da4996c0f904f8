"""Ledger tables: leaves, the perfect-subtree hashes proofs read, signed checkpoints, and
the public half of every signing key the log has used."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, Index, LargeBinary, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from datadeed.db import Base, utcnow


class LedgerEntry(Base):
    """One leaf. ``idx`` is dense from 0: appends are serialized, so no gap or reuse."""

    __tablename__ = "ledger_entries"
    __table_args__ = (Index("ix_ledger_entries_leaf_hash", "leaf_hash"),)

    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class LedgerNode(Base):
    """Hash of the aligned block of leaves [idx·2^level, (idx+1)·2^level), level ≥ 1.
    Level 0 is ``LedgerEntry.leaf_hash``. Written once, when the block is complete."""

    __tablename__ = "ledger_nodes"

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LedgerKey(Base):
    """The public key (C2SP vkey) of a key the log signs or signed checkpoints with.
    Private keys live in files under DATADEED_HOME/keys, never in the database."""

    __tablename__ = "ledger_keys"

    key_id: Mapped[str] = mapped_column(String(8), primary_key=True)
    algorithm: Mapped[str] = mapped_column(String(16))
    vkey: Mapped[str] = mapped_column(Text, unique=True)
    activated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[dt.datetime | None] = mapped_column()


class LedgerCheckpoint(Base):
    """A signed checkpoint. One per tree size: the log never signs two roots for a size."""

    __tablename__ = "ledger_checkpoints"

    tree_size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    note: Mapped[str] = mapped_column(Text)
    key_id: Mapped[str] = mapped_column(ForeignKey("ledger_keys.key_id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
