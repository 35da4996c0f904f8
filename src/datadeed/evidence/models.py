"""Evidence records: who stored which digest when, and where it sits in the ledger."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from datadeed.db import Base, BigId, JSONDoc, utcnow


class EvidenceRecord(Base):
    __tablename__ = "evidence_records"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    receipt_id: Mapped[str] = mapped_column(String(32), unique=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    algo: Mapped[str] = mapped_column(String(8))
    digest: Mapped[str] = mapped_column(String(64), index=True)
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    filename: Mapped[str | None] = mapped_column(String(255))
    media_type: Mapped[str | None] = mapped_column(String(127))
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSONDoc, default=dict)
    ledger_index: Mapped[int] = mapped_column(ForeignKey("ledger_entries.idx"), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
