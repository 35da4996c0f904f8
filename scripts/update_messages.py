"""Extract page messages and merge them into the zh_CN and en catalogs.

Run `make messages` after changing template text, then translate the new entries in
src/datadeed/web/locale/*/LC_MESSAGES/messages.po (a test fails on any untranslated
zh_CN entry). Message ids already translated in a domain catalog next to it
(registry.po, valuation.po …) are left out of messages.po.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "src" / "datadeed" / "web" / "locale"
POT = ROOT / "var" / "messages.pot"


def _without_domain_ids(template: Catalog, locale: str) -> Catalog:
    """The template minus message ids that a domain catalog of ``locale`` translates."""
    folder = LOCALE_DIR / locale / "LC_MESSAGES"
    taken: set[str] = set()
    for path in folder.glob("*.po"):
        if path.name == "messages.po":
            continue
        with path.open("rb") as fh:
            taken |= {m.id for m in read_po(fh, locale=locale) if m.id and m.string}
    kept = Catalog()
    for message in template:
        if message.id and message.id not in taken:
            kept[message.id] = message
    return kept


def main() -> None:
    POT.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "N_", "--no-location", "--sort-output", "-o", str(POT), "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    with POT.open("rb") as fh:
        template = read_po(fh)
    for locale in ("zh_CN", "en"):
        path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            with path.open("rb") as fh:
                catalog = read_po(fh, locale=locale)
        else:
            catalog = read_po(POT.open("rb"), locale=locale)
        catalog.update(_without_domain_ids(template, locale), no_fuzzy_matching=True)
        with path.open("wb") as fh:
            write_po(fh, catalog, omit_header=False, ignore_obsolete=True, width=100)
        missing = [m.id for m in catalog if m.id and not m.string]
        print(f"{locale}: {len(catalog)} messages, {len(missing)} untranslated")


if __name__ == "__main__":
    main()
