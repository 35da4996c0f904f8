"""Every page message has a Chinese translation, and the catalogs are up to date."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from datadeed.web.i18n import merged_catalog, translations

ROOT = Path(__file__).resolve().parents[2]


def _extract(tmp_path: Path) -> set[str]:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "N_",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as fh:
        return {m.id for m in read_po(fh) if m.id}


def test_every_message_is_translated_to_chinese(tmp_path):
    used = _extract(tmp_path)
    merged = merged_catalog("zh_CN")
    assert merged is not None
    catalog = {m.id: m.string for m in merged if m.id}
    missing = sorted(m for m in used if not catalog.get(m))
    assert missing == [], "run `make messages` and translate these in zh_CN: " + repr(missing[:10])


def test_catalogs_compile_and_translate():
    assert translations("zh_CN").ugettext("Log in") == "登录"
    assert translations("en").ugettext("Log in") == "Log in"
    assert translations("en").ugettext("platform_operator") == "Platform operator"
