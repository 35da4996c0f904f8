"""tlog-checkpoint bodies: the spec's example, a live checkpoint, and one encoding per head."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from datadeed.ledger.checkpoint import Checkpoint, CheckpointError, parse_checkpoint
from datadeed.ledger.note import NoteError, open_note, parse_vkey
from tests.unit.ledger.test_note import ARCHE_NOTE, ARCHE_VKEY

PROPERTY = settings(deadline=None, max_examples=40, database=None)

SPEC_BODY = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
ROOT = base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")


def test_spec_example_parses_and_re_encodes_identically() -> None:
    checkpoint = parse_checkpoint(SPEC_BODY)
    assert checkpoint == Checkpoint("example.com/behind-the-sofa", 20852163, ROOT)
    assert checkpoint.body() == SPEC_BODY


def test_extension_lines_are_kept_in_order() -> None:
    checkpoint = parse_checkpoint(SPEC_BODY + "ext one\next two\n")
    assert checkpoint.extensions == ("ext one", "ext two")
    assert checkpoint.body() == SPEC_BODY + "ext one\next two\n"


def test_live_signed_checkpoint_parses_after_opening() -> None:
    checkpoint = parse_checkpoint(open_note(ARCHE_NOTE, [parse_vkey(ARCHE_VKEY)]).text)
    assert (checkpoint.origin, checkpoint.size) == (
        "arche2025h1.staging.ct.transparency.dev",
        1432088532,
    )


def test_empty_tree_is_size_zero() -> None:
    empty = base64.b64encode(bytes(32)).decode()
    assert parse_checkpoint(f"log\n0\n{empty}\n").size == 0


def _with(line: int, value: str) -> str:
    lines = SPEC_BODY.split("\n")
    lines[line] = value
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (SPEC_BODY[:-1], "end with a newline"),
        ("example.com\n5\n", "at least 3 lines"),
        (_with(0, ""), "origin is empty"),
        (_with(1, "020852163"), "leading zeros"),
        (_with(1, "+20852163"), "leading zeros"),
        (_with(1, " 20852163"), "leading zeros"),
        (_with(1, "-1"), "leading zeros"),
        (_with(1, "2085.2163"), "leading zeros"),
        (_with(1, "٣"), "leading zeros"),
        (_with(1, ""), "leading zeros"),
        (_with(1, str(2**63)), "2\\^63"),
        (_with(2, "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I"), "base64"),
        (_with(2, "CsUYapGGPo4dkMgIAUqom_Xajj7h2fB2MPA3j2jxq2I="), "base64"),
        (_with(2, base64.b64encode(bytes(31)).decode()), "32-byte"),
        (_with(2, base64.b64encode(bytes(33)).decode()), "32-byte"),
        (_with(2, "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J="), "32-byte"),
        (SPEC_BODY + "\n", "extension line is empty"),
        ("exa\tmple\n5\n" + SPEC_BODY.split("\n")[2] + "\n", "U\\+0009"),
    ],
    ids=[
        "no-final-newline",
        "two-lines",
        "empty-origin",
        "leading-zero",
        "plus",
        "space",
        "negative",
        "decimal-point",
        "arabic-digit",
        "empty-size",
        "too-large",
        "unpadded-root",
        "urlsafe-root",
        "short-root",
        "long-root",
        "noncanonical-root",
        "empty-extension",
        "control-in-origin",
    ],
)
def test_strict_parsing_refuses_every_other_encoding(text: str, reason: str) -> None:
    with pytest.raises(CheckpointError, match=reason):
        parse_checkpoint(text)


def test_checkpoint_errors_are_note_errors() -> None:
    assert issubclass(CheckpointError, NoteError)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"origin": "a\nb"}, "newline"),
        ({"size": -1}, "outside"),
        ({"size": True}, "outside"),
        ({"root_hash": bytes(20)}, "20 bytes"),
        ({"extensions": ("",)}, "extension line is empty"),
    ],
)
def test_a_checkpoint_cannot_be_built_with_an_unparseable_body(
    fields: dict[str, object], reason: str
) -> None:
    values: dict[str, object] = {"origin": "log", "size": 1, "root_hash": ROOT, **fields}
    with pytest.raises(CheckpointError, match=reason):
        Checkpoint(**values)  # type: ignore[arg-type]


line_text = st.text(st.characters(min_codepoint=0x20, codec="utf-8"), min_size=1)


@PROPERTY
@given(
    origin=line_text,
    size=st.integers(0, 2**63 - 1),
    root=st.binary(min_size=32, max_size=32),
    extensions=st.lists(line_text, max_size=3),
)
def test_body_and_parse_are_inverse(
    origin: str, size: int, root: bytes, extensions: list[str]
) -> None:
    checkpoint = Checkpoint(origin, size, root, tuple(extensions))
    assert parse_checkpoint(checkpoint.body()) == checkpoint
