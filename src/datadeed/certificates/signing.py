"""The platform's signature on a certificate.

A certificate is signed as a C2SP signed note whose text is one header line and the RFC
8785 canonical JSON of the certificate/v1 body (see
``datadeed.ledger.verify.certificate_signing_text``). Notes already carry Ed25519 and SM2
signatures, key ids, key rotation and witnesses' cosignatures, and a verifier needs
nothing new to check one: the log's public key (vkey) verifies it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from datadeed.ledger.keys import LogKeyring
from datadeed.ledger.note import NoteError, open_note, parse_vkey, sign_note
from datadeed.ledger.verify import certificate_signing_text


def sign_certificate(session: Session, keyring: LogKeyring, body: Mapping[str, Any]) -> str:
    """The signed note over ``body``, by the log's current key."""
    return sign_note(certificate_signing_text(body), [keyring.signer(session)])


def signature_holds(note: str, body: Mapping[str, Any], vkeys: Sequence[str]) -> bool:
    """Whether ``note`` is a signature over exactly ``body`` by one of ``vkeys``."""
    try:
        opened = open_note(note, [parse_vkey(k) for k in vkeys])
    except NoteError:
        return False
    return opened.text == certificate_signing_text(body)
