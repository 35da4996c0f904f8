"""Page translations from Babel message catalogs (web/locale/<locale>/LC_MESSAGES/messages.po).

Message ids are English; zh_CN is the default page language. Catalogs are compiled in
memory at start-up, so the repository holds only the .po sources.
"""

from __future__ import annotations

import contextvars
import io
from functools import cache
from pathlib import Path

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
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po_path.is_file():
        return NullTranslations()
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def gettext(message: str) -> str:
    return translations(current_locale.get()).ugettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_locale.get()).ungettext(singular, plural, n)
