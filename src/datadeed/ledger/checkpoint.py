"""C2SP tlog-checkpoint note bodies (https://c2sp.org/tlog-checkpoint): a log's signed tree head.

A checkpoint body is the text of a signed note::

    <origin>\\n
    <tree size, ASCII decimal, no leading zeros>\\n
    <base64 of the 32-byte root hash>\\n
    [<extension line>\\n ...]

``parse_checkpoint`` is strict, so that one tree head has exactly one accepted encoding.
It reads a note's text only: open the note with ``datadeed.ledger.note.open_note`` first.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

from datadeed.ledger.note import NoteError, b64decode

__all__ = ["HASH_SIZE", "MAX_TREE_SIZE", "Checkpoint", "CheckpointError", "parse_checkpoint"]

HASH_SIZE = 32
"""SHA-256 and SM3 digests are both 32 bytes."""
MAX_TREE_SIZE = 2**63 - 1
"""Tree sizes travel as unsigned 64-bit integers; we keep a signed margin as Go's int64 does."""

_DECIMAL = re.compile(r"0|[1-9][0-9]*")


class CheckpointError(NoteError):
    """A checkpoint body that does not follow tlog-checkpoint; the message says where."""


def _check_line(value: str, what: str) -> None:
    if not value:
        raise CheckpointError(f"the {what} is empty")
    if "\n" in value:
        raise CheckpointError(f"the {what} contains a newline")
    bad = next((c for c in value if c < " "), None)
    if bad is not None:
        raise CheckpointError(f"the {what} contains the control character U+{ord(bad):04X}")


@dataclass(frozen=True)
class Checkpoint:
    """A log's tree head: who (origin), how many leaves (size) and their Merkle root."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_line(self.origin, "origin")
        if isinstance(self.size, bool) or not 0 <= self.size <= MAX_TREE_SIZE:
            raise CheckpointError(f"tree size {self.size} is outside [0, 2^63 - 1]")
        if len(self.root_hash) != HASH_SIZE:
            raise CheckpointError(f"the root hash is {len(self.root_hash)} bytes, not 32")
        for extension in self.extensions:
            _check_line(extension, "extension line")

    def body(self) -> str:
        """The note text: origin, size, base64 root and extension lines, each ending "\\n"."""
        root = base64.b64encode(self.root_hash).decode("ascii")
        return "".join(
            f"{line}\n" for line in (self.origin, str(self.size), root, *self.extensions)
        )


def _parse_size(line: str) -> int:
    if not _DECIMAL.fullmatch(line):
        raise CheckpointError(f"tree size {line!r} is not a decimal without leading zeros")
    size = int(line)
    if size > MAX_TREE_SIZE:
        raise CheckpointError(f"tree size {line} exceeds 2^63 - 1")
    return size


def _parse_root(line: str) -> bytes:
    try:
        root = b64decode(line, "the root hash")
    except NoteError as error:
        raise CheckpointError(str(error)) from None
    if len(root) != HASH_SIZE or base64.b64encode(root).decode("ascii") != line:
        raise CheckpointError(f"root hash {line!r} is not the base64 of a 32-byte hash")
    return root


def parse_checkpoint(text: str) -> Checkpoint:
    """The checkpoint in a note text; CheckpointError unless it is exactly one encoding."""
    if not text.endswith("\n"):
        raise CheckpointError("a checkpoint body must end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise CheckpointError(f"a checkpoint has at least 3 lines, not {len(lines)}")
    origin, size, root, *extensions = lines
    return Checkpoint(origin, _parse_size(size), _parse_root(root), tuple(extensions))
