"""Evidence storage use cases: lodge a digest (given, or computed while streaming a file),
append evidence/v1 to the ledger in the same transaction, return the receipt."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from datadeed.accounts import audit
from datadeed.accounts.models import Organization
from datadeed.accounts.principal import Principal, require_role
from datadeed.accounts.roles import OrgKind, Role
from datadeed.config import Settings
from datadeed.db import utc_stamp
from datadeed.errors import InvalidInput, NotFound, PermissionDenied
from datadeed.evidence.models import EvidenceRecord
from datadeed.ledger.services import LedgerService

ALGORITHMS = ("sha256", "sm3")
SUBMITTER_ROLES = (Role.DATA_MANAGER, Role.ORG_ADMIN, Role.PLATFORM_ADMIN)
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class PayloadTooLarge(InvalidInput):
    code = "payload_too_large"
    status = 413
    title = "Payload too large"


@dataclass
class EvidenceInput:
    algo: str
    digest: str
    size_bytes: int | None = None
    filename: str | None = None
    media_type: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)


class StreamingDigest:
    """Hashes bytes as they arrive, refusing more than ``limit``: never holds the file."""

    def __init__(self, algo: str, limit: int) -> None:
        if algo not in ALGORITHMS:
            raise InvalidInput(f"algo must be one of {', '.join(ALGORITHMS)}; got {algo!r}")
        self.algo = algo
        self.limit = limit
        self.size = 0
        self._hash = hashlib.new(algo)

    def update(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limit:
            raise PayloadTooLarge(f"the file exceeds the upload limit of {self.limit} bytes")
        self._hash.update(chunk)

    def consume(self, chunks: Iterable[bytes]) -> StreamingDigest:
        for chunk in chunks:
            self.update(chunk)
        return self

    async def consume_async(self, chunks: AsyncIterator[bytes]) -> StreamingDigest:
        async for chunk in chunks:
            self.update(chunk)
        return self

    @property
    def hexdigest(self) -> str:
        return self._hash.hexdigest()


class EvidenceService:
    def __init__(self, session: Session, settings: Settings, ledger: LedgerService) -> None:
        self.session = session
        self.settings = settings
        self.ledger = ledger

    def lodge(
        self, actor: Principal, data: EvidenceInput, *, organization_id: int | None = None
    ) -> EvidenceRecord:
        """Record the digest in the ledger and keep a row for the submitter's own listing.
        ``organization_id`` lets the console operator lodge for an organization."""
        require_role(actor, *SUBMITTER_ROLES)
        org = self._submitter(actor, organization_id)
        digest = data.digest.strip().lower()
        if data.algo not in ALGORITHMS:
            raise InvalidInput(f"algo must be one of {', '.join(ALGORITHMS)}; got {data.algo!r}")
        if not _HEX64.match(digest):
            raise InvalidInput("digest must be 64 hexadecimal digits")
        body = self._entry_body(data, digest, org)
        appended = self.ledger.append("evidence/v1", body)
        record = EvidenceRecord(
            receipt_id=secrets.token_hex(12),
            organization_id=org.id if org else None,
            submitted_by_id=actor.user_id,
            algo=data.algo,
            digest=digest,
            size_bytes=data.size_bytes,
            filename=data.filename,
            media_type=data.media_type,
            meta=data.metadata,
            ledger_index=appended.index,
        )
        self.session.add(record)
        self.session.flush()
        audit.record(
            self.session,
            actor,
            "evidence.lodge",
            "evidence",
            record.receipt_id,
            organization_id=record.organization_id,
            detail={"algo": data.algo, "digest": digest, "ledger_index": appended.index},
        )
        self.session.commit()
        return record

    def _entry_body(
        self, data: EvidenceInput, digest: str, org: Organization | None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "algo": data.algo,
            "digest": digest,
            "submitted_at": utc_stamp(),
        }
        if org is not None:
            body["submitter"] = {"uscc": org.uscc, "name": org.name}
        optional = {
            "size_bytes": data.size_bytes,
            "filename": data.filename,
            "media_type": data.media_type,
            "metadata": data.metadata or None,
        }
        body.update({k: v for k, v in optional.items() if v is not None})
        return body

    def _submitter(self, actor: Principal, organization_id: int | None) -> Organization | None:
        if organization_id is None or organization_id == actor.organization_id:
            if actor.organization_id is not None:
                return self.session.get(Organization, actor.organization_id)
            return self._operator_org()
        if not actor.oversees_all_tenants:
            raise PermissionDenied("you can lodge evidence only for your own organization")
        org = self.session.get(Organization, organization_id)
        if org is None:
            raise NotFound("organization not found")
        return org

    def _operator_org(self) -> Organization | None:
        """The console operator lodges as the platform operator, when one is registered."""
        query = select(Organization).where(Organization.kind == OrgKind.PLATFORM_OPERATOR)
        return self.session.scalars(query.order_by(Organization.id).limit(1)).first()

    def get(self, receipt_id: str) -> EvidenceRecord:
        """Public: a receipt is meant to be shown to anyone the holder chooses."""
        record = self.session.scalar(
            select(EvidenceRecord).where(EvidenceRecord.receipt_id == receipt_id)
        )
        if record is None:
            raise NotFound("evidence receipt not found")
        return record

    def receipt(self, receipt_id: str) -> dict[str, Any]:
        record = self.get(receipt_id)
        receipt = self.ledger.receipt(record.ledger_index)
        receipt["receipt_id"] = record.receipt_id
        return receipt

    def list_own(self, actor: Principal, limit: int = 100) -> Sequence[EvidenceRecord]:
        if actor.organization_id is None:
            return []
        query = (
            select(EvidenceRecord)
            .where(EvidenceRecord.organization_id == actor.organization_id)
            .order_by(EvidenceRecord.id.desc())
            .limit(limit)
        )
        return self.session.scalars(query).all()
