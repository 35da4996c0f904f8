"""Set-up shared by the benchmark scripts."""

from __future__ import annotations

import secrets
from pathlib import Path

from datadeed import migrations
from datadeed.config import Environment, Settings
from datadeed.db import Database
from datadeed.ledger.keys import LogKeyring


def migrated_ledger(url: str, home: Path) -> tuple[Settings, LogKeyring, Database]:
    """Migrate the database at ``url``; settings, keyring (keys under ``home``) and database."""
    migrations.upgrade(url)
    settings = Settings(
        env=Environment.TEST, home=home, database_url=url, secret_key=secrets.token_urlsafe(32)
    )
    return settings, LogKeyring.from_settings(settings), Database.from_url(url)
