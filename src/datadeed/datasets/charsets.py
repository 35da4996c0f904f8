"""Text encodings of delimited files and JSON Lines: UTF-8 (with or without BOM), GBK and
GB18030, told apart from the bytes, never guessed from the locale.

The whole file is checked in one streaming pass (C-speed ``bytes.decode`` on line-aligned
blocks): a byte that no supported encoding accepts is refused with its offset, and so is a
file whose lines switch between UTF-8 and GBK/GB18030. GB files are transcoded to UTF-8
in the same pass because DuckDB reads UTF-8 only.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO

from datadeed.datasets.errors import InvalidEncoding, MixedEncodings, UnsupportedEncoding

BLOCK_SIZE = 1 << 20
_UTF16_32_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


class TextEncoding(StrEnum):
    UTF8 = "utf-8"
    UTF8_BOM = "utf-8-sig"
    GBK = "gbk"
    GB18030 = "gb18030"

    @property
    def is_gb(self) -> bool:
        return self in (TextEncoding.GBK, TextEncoding.GB18030)


def refuse_wide_unicode(head: bytes, name: str) -> None:
    """UTF-16/32 (recognised by their BOM) are not supported: say so rather than garble."""
    for bom, label in _UTF16_32_BOMS:
        if head.startswith(bom):
            raise UnsupportedEncoding(name, label)


def scan_text(source: Path, utf8_copy: Path | None = None, *, name: str = "") -> TextEncoding:
    """Check the whole file's encoding; when it is GBK/GB18030 and ``utf8_copy`` is given,
    write the file there as UTF-8. Raises InvalidEncoding or MixedEncodings with offsets."""
    scanner = _Scanner(name or source.name)
    with source.open("rb") as raw:
        refuse_wide_unicode(raw.read(4), scanner.name)
        raw.seek(0)
        out: BinaryIO | None = None
        try:
            for offset, line, block in _line_blocks(raw):
                converted = scanner.feed(block, offset, line)
                if converted is None or utf8_copy is None:
                    continue
                if out is None:
                    out = utf8_copy.open("wb")
                    _copy_prefix(source, out, offset)  # pure ASCII: the same in UTF-8
                out.write(converted)
        finally:
            if out is not None:
                out.close()
    return scanner.result()


def _copy_prefix(source: Path, out: BinaryIO, length: int) -> None:
    with source.open("rb") as again:
        while length > 0:
            chunk = again.read(min(BLOCK_SIZE, length))
            out.write(chunk)
            length -= len(chunk)


def detect_sample(sample: bytes, name: str) -> TextEncoding:
    """The encoding of a line-aligned sample (the start of a file)."""
    scanner = _Scanner(name)
    scanner.feed(sample, 0, 1)
    return scanner.result()


def _line_blocks(raw: BinaryIO) -> Iterator[tuple[int, int, bytes]]:
    """Blocks of whole lines with the byte offset and line number where each starts."""
    offset, line, carry = 0, 1, b""
    while chunk := raw.read(BLOCK_SIZE):
        data = carry + chunk
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            carry = data
            continue
        block, carry = data[:cut], data[cut:]
        yield offset, line, block
        offset += len(block)
        line += block.count(b"\n")
    if carry:
        yield offset, line, carry


class _Scanner:
    """UTF-8 until a byte proves otherwise; GB18030 when the text before was pure ASCII."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.gb = False
        self.gbk_only = True
        self.bom = False
        self.utf8_seen = False
        self.started = False

    def feed(self, block: bytes, offset: int, line: int) -> bytes | None:
        """None while the text is UTF-8; the block as UTF-8 once it is known to be GB."""
        if not self.started:
            self.started = True
            self.bom = block.startswith(codecs.BOM_UTF8)
        if not self.gb:
            try:
                block.decode("utf-8")
            except UnicodeDecodeError as exc:
                self._leave_utf8(block, offset, line, exc.start)
            else:
                self.utf8_seen = self.utf8_seen or not block.isascii()
                return None
        return self._feed_gb(block, offset, line)

    def _leave_utf8(self, block: bytes, offset: int, line: int, bad: int) -> None:
        if self.bom or self.utf8_seen or not block[:bad].isascii():
            where = _locate(block, bad, offset, line)
            if _is_gb_text(_line_at(block, bad)):
                raise MixedEncodings(self.name, "utf-8", "gb18030", *where)
            raise InvalidEncoding(self.name, "utf-8", *where)
        self.gb = True

    def _feed_gb(self, block: bytes, offset: int, line: int) -> bytes:
        try:
            text = block.decode("gb18030")
        except UnicodeDecodeError as exc:
            where = _locate(block, exc.start, offset, line)
            if _is_utf8_text(_line_at(block, exc.start)):
                raise MixedEncodings(self.name, self._gb_label(), "utf-8", *where) from None
            raise InvalidEncoding(self.name, "gb18030", *where) from None
        self._refuse_utf8_lines(block, offset, line)
        if self.gbk_only:
            try:
                block.decode("gbk")
            except UnicodeDecodeError:
                self.gbk_only = False
        return text.encode("utf-8")

    def _refuse_utf8_lines(self, block: bytes, offset: int, line: int) -> None:
        # A UTF-8 line often decodes as (mojibake) GB18030; only a per-line check sees it.
        start = 0
        for number, raw_line in enumerate(block.split(b"\n")):
            if not raw_line.isascii() and _is_utf8_text(raw_line):
                first = start + next(i for i, b in enumerate(raw_line) if b >= 0x80)
                raise MixedEncodings(
                    self.name, self._gb_label(), "utf-8", offset + first, line + number
                )
            start += len(raw_line) + 1

    def _gb_label(self) -> str:
        return "gbk" if self.gbk_only else "gb18030"

    def result(self) -> TextEncoding:
        if self.gb:
            return TextEncoding.GBK if self.gbk_only else TextEncoding.GB18030
        return TextEncoding.UTF8_BOM if self.bom else TextEncoding.UTF8


def _locate(block: bytes, index: int, offset: int, line: int) -> tuple[int, int]:
    return offset + index, line + block.count(b"\n", 0, index)


def _line_at(block: bytes, index: int) -> bytes:
    start = block.rfind(b"\n", 0, index) + 1
    end = block.find(b"\n", index)
    return block[start : end if end >= 0 else len(block)]


def _is_utf8_text(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _is_gb_text(line: bytes) -> bool:
    try:
        line.rstrip(b"\r").decode("gb18030")
    except UnicodeDecodeError:
        return False
    return True
