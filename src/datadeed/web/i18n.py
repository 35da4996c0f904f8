"""Page translations from Babel message catalogs (web/locale/<locale>/LC_MESSAGES/*.po).

Message ids are English; zh_CN is the default page language. ``messages.po`` holds the
shared catalog; a domain may keep its own file next to it (``registry.po``,
``valuation.po`` …) and all files of a locale are merged, ``messages.po`` first. Catalogs
are compiled in memory at start-up, so the repository holds only the .po sources.
"""

from __future__ import annotations

import contextvars
import io
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).parent / "locale"
SUPPORTED_LOCALES = ("zh_CN", "en")
LOCALE_NAMES = {"zh_CN": "中文", "en": "English"}

current_locale: contextvars.ContextVar[str] = contextvars.ContextVar(
    "datadeed_locale", default="zh_CN"
)


@cache
def translations(locale: str) -> NullTranslations:
    """The compiled catalog of ``locale``; English falls back to the message ids."""
    catalog = merged_catalog(locale)
    if catalog is None:
        return NullTranslations()
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def catalog_paths(locale: str) -> list[Path]:
    """The .po files of ``locale``: messages.po first, then the domain files by name."""
    folder = LOCALE_DIR / locale / "LC_MESSAGES"
    if not folder.is_dir():
        return []
    main = folder / "messages.po"
    others = sorted(p for p in folder.glob("*.po") if p.name != "messages.po")
    return ([main] if main.is_file() else []) + others


def merged_catalog(locale: str) -> Catalog | None:
    """All catalogs of ``locale`` in one; a message id in two files keeps the first."""
    paths = catalog_paths(locale)
    if not paths:
        return None
    with paths[0].open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    for path in paths[1:]:
        with path.open("rb") as fh:
            extra = read_po(fh, locale=locale)
        for message in extra:
            if message.id and message.id not in catalog:
                catalog[message.id] = message
    return catalog


def gettext(message: str) -> str:
    return translations(current_locale.get()).ugettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_locale.get()).ungettext(singular, plural, n)
