"""The log's signing keys. The private key is a file (DATADEED_HOME/keys/ledger.skey,
mode 0600), never a database row; every public key the log has used stays in
``ledger_keys`` so that receipts signed before a rotation still verify."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from datadeed.config import Settings
from datadeed.db import utcnow
from datadeed.errors import ConfigurationError
from datadeed.ledger.models import LedgerKey
from datadeed.ledger.note import Ed25519Signer, NoteError, SM2Signer, parse_skey

SIGNER_CLASSES: dict[str, type[Ed25519Signer] | type[SM2Signer]] = {
    "ed25519": Ed25519Signer,
    "sm2": SM2Signer,
}
KEY_FILE = "ledger.skey"


class LogKeyring:
    """Loads (or, on first use, creates) the log's signing key from ``keys_dir``."""

    def __init__(self, keys_dir: Path, origin: str, algorithm: str = "ed25519") -> None:
        self.keys_dir = keys_dir
        self.origin = origin
        self.algorithm = algorithm
        self._signer: Ed25519Signer | SM2Signer | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> LogKeyring:
        return cls(settings.keys_dir, settings.ledger_origin, settings.ledger_key_algorithm)

    @property
    def key_path(self) -> Path:
        return self.keys_dir / KEY_FILE

    def signer(self, session: Session) -> Ed25519Signer | SM2Signer:
        """The current signer; its public key is registered in ``ledger_keys``."""
        if self._signer is None:
            self._signer = self._load() if self.key_path.exists() else self._create()
        self._register(session, self._signer)
        return self._signer

    def public_keys(self, session: Session) -> list[str]:
        """Every vkey the log has signed with, oldest first."""
        self.signer(session)
        query = select(LedgerKey.vkey).order_by(LedgerKey.activated_at, LedgerKey.key_id)
        return list(session.scalars(query))

    def rotate(self, session: Session) -> Ed25519Signer | SM2Signer:
        """Retire the current key (its vkey stays published) and start signing with a new one."""
        old = self.signer(session)
        retired = session.get(LedgerKey, old.key_id.hex())
        if retired is not None:
            retired.retired_at = utcnow()
        self._signer = None
        self.key_path.rename(self.keys_dir / f"ledger-{old.key_id.hex()}.retired.skey")
        return self.signer(session)

    def _load(self) -> Ed25519Signer | SM2Signer:
        try:
            signer = parse_skey(self.key_path.read_text(encoding="ascii").strip())
        except (NoteError, UnicodeDecodeError, ValueError) as exc:
            raise ConfigurationError(f"cannot read the ledger key {self.key_path}: {exc}") from exc
        if signer.name != self.origin:
            raise ConfigurationError(
                f"the ledger key in {self.key_path} is named {signer.name!r} but "
                f"DATADEED_LEDGER_ORIGIN is {self.origin!r}"
            )
        return signer

    def _create(self) -> Ed25519Signer | SM2Signer:
        """Write a new key to a temporary file, then link it into place: a process racing
        to create the first key either wins or loads the winner's complete file."""
        signer = SIGNER_CLASSES[self.algorithm].generate(self.origin)
        self.keys_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.keys_dir, prefix=".ledger-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(signer.skey + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o600)
            os.link(tmp, self.key_path)
        except FileExistsError:
            return self._load()
        finally:
            os.unlink(tmp)
        return signer

    def _register(self, session: Session, signer: Ed25519Signer | SM2Signer) -> None:
        key_id = signer.key_id.hex()
        if session.get(LedgerKey, key_id) is not None:
            return
        algorithm = "sm2" if isinstance(signer, SM2Signer) else "ed25519"
        dialect = session.get_bind().dialect.name
        make_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        # Readers may register the key too; concurrent first registrations must not fail.
        statement = make_insert(LedgerKey).values(
            key_id=key_id, algorithm=algorithm, vkey=signer.vkey, activated_at=utcnow()
        )
        session.execute(statement.on_conflict_do_nothing(index_elements=["key_id"]))
