"""Signed notes, checked against golang.org/x/mod/sumdb/note's vectors, a live checkpoint and
GM/T 0003.5's SM2 example, then every way a note can be tampered with."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from datadeed.ledger.note import (
    SM2_TYPE,
    Ed25519Signer,
    Ed25519Verifier,
    InvalidSignatureError,
    NoteError,
    SM2Signer,
    SM2Verifier,
    UnverifiedNoteError,
    is_valid_name,
    key_id,
    open_note,
    parse_skey,
    parse_vkey,
    sign_note,
)

PROPERTY = settings(deadline=None, max_examples=40, database=None)

# --- golang.org/x/mod/sumdb/note note_test.go ---------------------------------------------

PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotp"
    "RZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox"
    "33WWd1RvMc+QQ=\n"
)

# --- A live checkpoint of the arche2025h1 staging CT log (transparency.dev) ----------------

ARCHE_VKEY = (
    "arche2025h1.staging.ct.transparency.dev+ba2f06c0+AU0vHmlGCS/PdN8b2OaGmKprLI8HKM+dJ472xgFYh15f"
)
ARCHE_NOTE = (
    "arche2025h1.staging.ct.transparency.dev\n"
    "1432088532\n"
    "U7WM79jrzyhGZ5/GUBTpM7NzwdyfFx61t3RovgcC4Ro=\n"
    "\n"
    "— arche2025h1.staging.ct.transparency.dev zTM8sQAAAZ5W0WdjBAMARjBEAiBjW5IQf9pvsYLfQFX6hoGREP"
    "MHbdQ3urbllzalApkptQIgIpwtEroeW2BXaHAI4kJXFbon5Ch9MNL5zRNZ55lvGt0=\n"
    "— arche2025h1.staging.ct.transparency.dev ui8GwCF1+kWqZrxGdhj4aX3gcw7XUlXQQabg/27lefwhUkzbC3"
    "NygNI75MdhL1bfTW9g8Ei59RA23oHP7Ry1k3ZFWwQ=\n"
    "— transparency.dev/DEV:witness-little-garden 2AQqhwAAAABqEiEgzgFIqqhbUoDwjMWE6UP8nd8/KYTzwZ"
    "2rhIgcqoXHAwVkjZr4AscylP3v7sEodkRAErumC2q44vdgJY096st5BQ==\n"
    "— witness1.smartit.nu/witness1 pIyCDwAAAABqEiEghIp82KWebrw7/oHQwlTAm3g2RKS4+eebl8eO0WH+/iEc"
    "xZ75W3u5hNI7TOQtmJbqmNWVuE0tgh0XwzdZsDsUAQ==\n"
    "— remora.n621.de 2net5wAAAABqEiEgPlfF3V06o0Y+fHM+J5J9s27wgxxcOVSpZ/2g/KSiXCg9DEZI+aVCIobWX9"
    "sXTynk5XeU/zZ0WBxtqB0DrAWfBw==\n"
    "— witness.stagemole.eu Z/euoAAAAABqEiEgw0i+7g2ENfDAWHmtRzCfKTHSDwYDJA2NmKeGi9Y8FtEyOUvVr+AJ"
    "mIY/2TUFucgKi7lI7cUiOvKFYe/TmN9DAg==\n"
)

# --- GM/T 0003.5-2012 SM2 example on the recommended curve, user id 1234567812345678 -----

SM2_PRIVATE = bytes.fromhex("3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8")
SM2_PUBLIC = bytes.fromhex(
    "04"
    "09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020"
    "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13"
)
SM2_SIGNATURE = bytes.fromhex(
    "F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3"
    "B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA"
)
SM2_ORDER = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123


@pytest.fixture(scope="module")
def sm2_signer() -> SM2Signer:
    return SM2Signer("sm2.example/log", SM2_PRIVATE)


def _line_payload(line: str) -> bytes:
    return base64.b64decode(line.rstrip("\n").rsplit(" ", 1)[1])


def _line_with_payload(line: str, payload: bytes) -> str:
    head = line.rstrip("\n").rsplit(" ", 1)[0]
    return f"{head} {base64.b64encode(payload).decode()}\n"


# --- Go vectors ---------------------------------------------------------------------------


def test_go_vkey_parses_to_the_same_key_id_and_encoding() -> None:
    verifier = parse_vkey(PETER_VKEY)
    assert isinstance(verifier, Ed25519Verifier)
    assert (verifier.name, verifier.key_id.hex()) == ("PeterNeumann", "c74f20a3")
    assert verifier.vkey == PETER_VKEY
    assert parse_vkey(ENOCH_VKEY).key_id.hex() == "af0cfe78"


def test_go_skey_loads_and_re_encodes_byte_for_byte() -> None:
    signer = Ed25519Signer.from_skey(PETER_SKEY)
    assert signer.skey == PETER_SKEY
    assert signer.vkey == PETER_VKEY
    assert parse_skey(PETER_SKEY).key_id == signer.key_id


def test_sign_note_matches_go_output() -> None:
    signed = sign_note(GO_TEXT, [Ed25519Signer.from_skey(PETER_SKEY)])
    assert signed == GO_TEXT + "\n" + PETER_SIG


def test_open_note_with_one_known_key_counts_the_other_as_unknown() -> None:
    opened = open_note(GO_TEXT + "\n" + PETER_SIG + ENOCH_SIG, [parse_vkey(PETER_VKEY)])
    assert (opened.text, opened.verified, opened.unknown) == (GO_TEXT, ("PeterNeumann",), 1)


def test_open_note_with_both_keys_verifies_both_in_note_order() -> None:
    verifiers = [parse_vkey(ENOCH_VKEY), parse_vkey(PETER_VKEY)]
    opened = open_note(GO_TEXT + "\n" + PETER_SIG + ENOCH_SIG, verifiers)
    assert opened.verified == ("PeterNeumann", "EnochRoot")
    assert opened.unknown == 0


def test_duplicate_lines_count_once() -> None:
    note = GO_TEXT + "\n" + PETER_SIG + PETER_SIG + ENOCH_SIG + ENOCH_SIG
    opened = open_note(note, [parse_vkey(PETER_VKEY)])
    assert (opened.verified, opened.unknown) == (("PeterNeumann",), 1)


def test_note_signed_by_none_of_the_given_keys_is_refused() -> None:
    with pytest.raises(UnverifiedNoteError, match="no signature from any of the given keys"):
        open_note(GO_TEXT + "\n" + PETER_SIG + ENOCH_SIG, [])


def test_a_key_given_twice_is_ambiguous_only_when_used() -> None:
    enoch = parse_vkey(ENOCH_VKEY)
    with pytest.raises(NoteError, match="ambiguous key EnochRoot"):
        open_note(GO_TEXT + "\n" + ENOCH_SIG, [enoch, parse_vkey(PETER_VKEY), enoch])
    assert open_note(GO_TEXT + "\n" + PETER_SIG, [enoch, parse_vkey(PETER_VKEY), enoch])


def test_more_than_100_signatures_is_malformed() -> None:
    with pytest.raises(NoteError, match="more than 100"):
        open_note(GO_TEXT + "\n" + PETER_SIG * 101, [parse_vkey(PETER_VKEY)])


def test_go_corrupted_signature_is_tampering() -> None:
    corrupted = PETER_SIG[:60] + "ABCD" + PETER_SIG[60:]
    with pytest.raises(InvalidSignatureError, match="PeterNeumann\\+c74f20a3"):
        open_note(GO_TEXT + "\n" + corrupted, [parse_vkey(PETER_VKEY)])


@pytest.mark.parametrize(
    "note",
    [
        GO_TEXT,
        GO_TEXT + "\n",
        GO_TEXT + "\n" + PETER_SIG[:-1],
        "\x01" + GO_TEXT + "\n" + PETER_SIG,
        "\ud800" + GO_TEXT + "\n" + PETER_SIG,
        GO_TEXT + "\n" + "— Bad Name " + PETER_SIG.split(" ")[2],
        GO_TEXT + "\n" + PETER_SIG + "Unexpected line.\n",
    ],
    ids=[
        "no-signatures",
        "blank-only",
        "no-final-newline",
        "control",
        "surrogate",
        "space",
        "extra-line",
    ],
)
def test_go_malformed_notes_are_refused(note: str) -> None:
    with pytest.raises(NoteError) as caught:
        open_note(note, [parse_vkey(PETER_VKEY)])
    assert not isinstance(caught.value, InvalidSignatureError | UnverifiedNoteError)


def _manglings(key: str) -> set[str]:
    """Go's TestNewVerifier: every proper substring, and every one-character increment."""
    cuts = {key[i:j] for i in range(len(key) + 1) for j in range(i + 1, len(key) + 1)}
    bumps = {key[:i] + chr(ord(key[i]) + 1) + key[i + 1 :] for i in range(len(key))}
    return (cuts | bumps) - {key}


def test_every_mangled_go_vkey_is_refused() -> None:
    accepted = []
    for mangled in _manglings(PETER_VKEY):
        try:
            parse_vkey(mangled)
        except NoteError:
            continue
        accepted.append(mangled)
    assert accepted == []


def test_every_mangled_go_skey_is_refused() -> None:
    accepted = []
    for mangled in _manglings(PETER_SKEY):
        try:
            Ed25519Signer.from_skey(mangled)
        except NoteError:
            continue
        accepted.append(mangled)
    assert accepted == []


@pytest.mark.parametrize(
    ("vkey", "reason"),
    [
        (
            "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
            "32 bytes",
        ),
        ("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "unknown"),
        ("PeterNeumann+c74f20a3", "name\\+keyid\\+base64"),
        ("rekor.sigstore.dev+12345678+THIS_IS_NOT_BASE64!", "base64"),
        ("rekor.sigstore.dev+NOT_A_NUMBER+AQ==", "hexadecimal"),
        ("PeterNeumann+00000000+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "does not match"),
        ("a b+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "name"),
        ("+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "name"),
    ],
)
def test_bad_vkeys_say_what_is_wrong(vkey: str, reason: str) -> None:
    with pytest.raises(NoteError, match=reason):
        parse_vkey(vkey)


def test_a_cosignature_key_is_pointed_to_the_witness_module() -> None:
    remora = "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2"
    with pytest.raises(NoteError, match="parse_cosigner_vkey"):
        parse_vkey(remora)


# --- A live log checkpoint ----------------------------------------------------------------


def test_live_checkpoint_log_signature_verifies_and_others_are_ignored() -> None:
    opened = open_note(ARCHE_NOTE, [parse_vkey(ARCHE_VKEY)])
    assert opened.verified == ("arche2025h1.staging.ct.transparency.dev",)
    # The RFC 6962 (0x05) signature shares the log's name but not its key id, and four
    # witnesses cosigned: all are other keys.
    assert opened.unknown == 5
    assert opened.text.startswith("arche2025h1.staging.ct.transparency.dev\n1432088532\n")


def test_live_checkpoint_with_one_changed_digit_is_tampering() -> None:
    with pytest.raises(InvalidSignatureError):
        open_note(ARCHE_NOTE.replace("1432088532", "1432088533"), [parse_vkey(ARCHE_VKEY)])


# --- Round trips and tampering ------------------------------------------------------------

note_texts = st.lists(
    st.text(st.characters(min_codepoint=0x20, codec="utf-8"), max_size=30),
    min_size=1,
    max_size=5,
).map(lambda lines: "\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def alice() -> Ed25519Signer:
    return Ed25519Signer.generate("alice.example/log")


@pytest.fixture(scope="module")
def bob() -> Ed25519Signer:
    return Ed25519Signer.generate("bob.example/witness")


@PROPERTY
@given(text=note_texts)
def test_any_text_round_trips(text: str) -> None:
    signers = [Ed25519Signer.from_skey(PETER_SKEY), parse_skey(Ed25519Signer.generate("x").skey)]
    opened = open_note(sign_note(text, signers), [s.verifier() for s in signers])
    assert opened.text == text
    assert opened.verified == ("PeterNeumann", "x")


@PROPERTY
@given(text=note_texts, data=st.data())
def test_any_changed_character_is_caught(text: str, data: st.DataObject) -> None:
    signer = Ed25519Signer.from_skey(PETER_SKEY)
    note = sign_note(text, [signer])
    position = data.draw(st.integers(0, len(text) - 1))
    replacement = data.draw(st.sampled_from("a!é—\n"))
    tampered = note[:position] + replacement + note[position + 1 :]
    if tampered == note:
        return
    with pytest.raises(NoteError):
        open_note(tampered, [signer.verifier()])


def test_changed_text_is_tampering(alice: Ed25519Signer) -> None:
    note = sign_note("origin\n5\n", [alice])
    with pytest.raises(InvalidSignatureError, match="does not verify"):
        open_note(note.replace("5", "6", 1), [alice.verifier()])


def test_flipped_signature_byte_is_tampering(alice: Ed25519Signer) -> None:
    text = "origin\n5\n"
    line = sign_note(text, [alice]).split("\n\n")[1]
    payload = bytearray(_line_payload(line))
    payload[10] ^= 0x01
    with pytest.raises(InvalidSignatureError):
        open_note(text + "\n" + _line_with_payload(line, bytes(payload)), [alice.verifier()])


def test_second_altered_line_from_a_known_key_is_tampering(alice: Ed25519Signer) -> None:
    note = sign_note("origin\n5\n", [alice])
    line = note.split("\n\n")[1]
    payload = bytearray(_line_payload(line))
    payload[-1] ^= 0x01
    with pytest.raises(InvalidSignatureError):
        open_note(note + _line_with_payload(line, bytes(payload)), [alice.verifier()])


def test_same_name_other_key_is_not_trusted(alice: Ed25519Signer) -> None:
    impostor = Ed25519Signer.generate(alice.name)
    with pytest.raises(UnverifiedNoteError):
        open_note(sign_note("origin\n5\n", [impostor]), [alice.verifier()])


def test_unknown_key_alone_is_refused(alice: Ed25519Signer, bob: Ed25519Signer) -> None:
    with pytest.raises(UnverifiedNoteError):
        open_note(sign_note("origin\n5\n", [bob]), [alice.verifier()])


def test_wrong_key_id_makes_the_line_unknown(alice: Ed25519Signer) -> None:
    text = "origin\n5\n"
    line = sign_note(text, [alice]).split("\n\n")[1]
    payload = b"\x00\x00\x00\x00" + _line_payload(line)[4:]
    with pytest.raises(UnverifiedNoteError):
        open_note(text + "\n" + _line_with_payload(line, payload), [alice.verifier()])


def test_missing_blank_line_is_malformed(alice: Ed25519Signer) -> None:
    note = sign_note("origin\n5\n", [alice]).replace("\n\n", "\n")
    with pytest.raises(NoteError, match="no blank line"):
        open_note(note, [alice.verifier()])


@pytest.mark.parametrize("encoded", ["not base64!", "QUJD=", "QUJDRA", "QUJDRA=="])
def test_malformed_or_short_base64_is_malformed(alice: Ed25519Signer, encoded: str) -> None:
    note = f"origin\n5\n\n— {alice.name} {encoded}\n"
    with pytest.raises(NoteError, match=r"base64|shorter"):
        open_note(note, [alice.verifier()])


@pytest.mark.parametrize(
    ("text", "reason"),
    [("no newline", "end with a newline"), ("tab\there\n", "U\\+0009")],
)
def test_sign_note_refuses_bad_texts(alice: Ed25519Signer, text: str, reason: str) -> None:
    with pytest.raises(NoteError, match=reason):
        sign_note(text, [alice])


def test_sign_note_needs_a_signer() -> None:
    with pytest.raises(NoteError, match="at least one signer"):
        sign_note("text\n", [])


@pytest.mark.parametrize("name", ["", "a+b", "a b", "a\u00a0b", "tab\tname"])
def test_invalid_key_names(name: str) -> None:
    assert not is_valid_name(name)
    with pytest.raises(NoteError, match="name"):
        Ed25519Signer.generate(name)


def test_text_may_hold_blank_lines_and_dash_lines(alice: Ed25519Signer) -> None:
    text = "a\n\n— looks like a signature\n"
    assert open_note(sign_note(text, [alice]), [alice.verifier()]).text == text


# --- SM2 ----------------------------------------------------------------------------------


def test_sm2_published_example_verifies() -> None:
    verifier = SM2Verifier("sm2.example/log", SM2_PUBLIC)
    assert verifier.verify(b"message digest", SM2_SIGNATURE)
    assert not verifier.verify(b"message digesT", SM2_SIGNATURE)


def test_sm2_private_key_derives_the_published_public_key(sm2_signer: SM2Signer) -> None:
    assert sm2_signer.public_key == SM2_PUBLIC
    assert sm2_signer.key_id == key_id("sm2.example/log", SM2_TYPE + SM2_PUBLIC)


def test_sm2_note_round_trips_through_its_keys(sm2_signer: SM2Signer) -> None:
    verifier = parse_vkey(sm2_signer.vkey)
    assert isinstance(verifier, SM2Verifier)
    assert SM2Signer.from_skey(sm2_signer.skey).key_id == sm2_signer.key_id
    assert isinstance(parse_skey(sm2_signer.skey), SM2Signer)
    note = sign_note("origin\n5\n", [sm2_signer])
    assert open_note(note, [verifier]).verified == ("sm2.example/log",)
    with pytest.raises(InvalidSignatureError):
        open_note(note.replace("5", "6", 1), [verifier])


def test_sm2_signatures_are_randomised_and_both_verify(sm2_signer: SM2Signer) -> None:
    first, second = sm2_signer.sign(b"m"), sm2_signer.sign(b"m")
    assert first != second
    assert all(sm2_signer.verifier().verify(b"m", s) for s in (first, second))


@pytest.mark.parametrize(
    "signature",
    [
        bytes(64),
        SM2_SIGNATURE[:32] + bytes(32),
        SM2_ORDER.to_bytes(32, "big") + SM2_SIGNATURE[32:],
        SM2_SIGNATURE[:63],
        SM2_SIGNATURE + b"\x00",
    ],
    ids=["zero", "s-zero", "r-is-n", "short", "long"],
)
def test_sm2_out_of_range_signatures_are_refused(signature: bytes) -> None:
    assert not SM2Verifier("sm2.example/log", SM2_PUBLIC).verify(b"message digest", signature)


def test_sm2_point_off_the_curve_is_refused() -> None:
    off_curve = SM2_PUBLIC[:-1] + bytes([SM2_PUBLIC[-1] ^ 1])
    with pytest.raises(NoteError, match="not a point"):
        SM2Verifier("sm2.example/log", off_curve)


def test_sm2_generated_key_signs(sm2_signer: SM2Signer) -> None:
    fresh = SM2Signer.generate("fresh.example/log")
    assert fresh.verifier().verify(b"abc", fresh.sign(b"abc"))
    assert fresh.key_id != sm2_signer.key_id
