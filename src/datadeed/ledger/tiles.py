"""C2SP tlog-tiles layout: tile paths, which tiles a tree has, and entry bundles. No I/O.

A tiled log serves its Merkle tree as static files (https://c2sp.org/tlog-tiles):

* ``tile/<L>/<N>[.p/<W>]`` — tile ``N`` of level ``L``: the concatenated hashes of the
  tree nodes at height ``8·L`` with indices ``N·256 … N·256 + W − 1``; ``W = 256`` for a
  full tile, ``1 … 255`` for the partial tile at the right edge of a level. Level-0 tiles
  hold leaf hashes; each hash of a level-``L+1`` tile is the root of a full level-``L``
  tile (its 256 hashes hashed up 8 levels).
* ``tile/entries/<N>[.p/<W>]`` — the entries behind level-0 tile ``N``, each a big-endian
  uint16 length and the entry bytes.

``N`` is written in groups of three digits, every group but the last prefixed with ``x``:
1234067 is ``x001/x234/067``. Node ``(h, k)`` below is the hash of leaves
``[k·2^h, (k+1)·2^h)``, the same (level, index) address as ``tree.PerfectHashFn``, so a
tile store answers ``tree.PerfectSubtreeSource`` by reading tiles and hashing within them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = [
    "MAX_BUNDLE_ENTRY_BYTES",
    "MAX_LEVEL",
    "TILE_HEIGHT",
    "TILE_WIDTH",
    "decode_entry_bundle",
    "encode_entry_bundle",
    "entries_path",
    "parse_tile_path",
    "tile_hash_range",
    "tile_node_coords",
    "tile_path",
    "tiles_for_size",
]

TILE_HEIGHT = 8
"""Tree levels spanned by one tile."""

TILE_WIDTH = 1 << TILE_HEIGHT
"""Hashes in a full tile, entries in a full bundle: 256."""

MAX_LEVEL = 63
"""Highest tile level a path may name (the spec's bound)."""

MAX_BUNDLE_ENTRY_BYTES = 0xFFFF
"""Largest entry a bundle can hold behind its uint16 length."""

_PATH = re.compile(
    r"tile/(?P<level>entries|0|[1-9][0-9]?)/(?P<index>(?:x[0-9]{3}/)*[0-9]{3})"
    r"(?:\.p/(?P<width>[1-9][0-9]{0,2}))?"
)


def _check_tile(level: int, index: int, width: int) -> None:
    if not 0 <= level <= MAX_LEVEL:
        raise ValueError(f"tile level {level} is outside 0..{MAX_LEVEL}")
    if index < 0:
        raise ValueError(f"tile index {index} is negative")
    if not 1 <= width <= TILE_WIDTH:
        raise ValueError(f"tile width {width} is outside 1..{TILE_WIDTH}")


def _index_path(index: int, width: int) -> str:
    """``<N>[.p/<W>]``: N in 3-digit groups, all but the last prefixed with ``x``."""
    groups = [f"{index % 1000:03d}"]
    while index >= 1000:
        index //= 1000
        groups.append(f"x{index % 1000:03d}")
    suffix = "" if width == TILE_WIDTH else f".p/{width}"
    return "/".join(reversed(groups)) + suffix


def tile_path(level: int, index: int, width: int = TILE_WIDTH) -> str:
    """The path of tile ``index`` at ``level`` holding ``width`` hashes: ``tile/0/x001/234``."""
    _check_tile(level, index, width)
    return f"tile/{level}/{_index_path(index, width)}"


def entries_path(index: int, width: int = TILE_WIDTH) -> str:
    """The path of the entry bundle behind level-0 tile ``index``: ``tile/entries/005.p/12``."""
    _check_tile(0, index, width)
    return f"tile/entries/{_index_path(index, width)}"


def parse_tile_path(path: str) -> tuple[int, int, int, bool]:
    """``(level, index, width, is_entries)`` of a tile or bundle path; ValueError if malformed.

    Only the one spelling ``tile_path``/``entries_path`` writes is accepted: no leading
    zero groups (``x000/123``), no ``.p/256``, no level above 63. A bundle has level 0.
    """
    match = _PATH.fullmatch(path)
    if match is None:
        raise ValueError(f"malformed tile path {path!r}")
    is_entries = match["level"] == "entries"
    level = 0 if is_entries else int(match["level"])
    index = int(match["index"].replace("x", "").replace("/", ""))
    width = int(match["width"]) if match["width"] else TILE_WIDTH
    if level > MAX_LEVEL or (match["width"] and width >= TILE_WIDTH):
        raise ValueError(f"malformed tile path {path!r}")
    canonical = entries_path(index, width) if is_entries else tile_path(level, index, width)
    if canonical != path:
        raise ValueError(f"malformed tile path {path!r}: the index is written {canonical!r}")
    return level, index, width, is_entries


def tiles_for_size(tree_size: int) -> list[tuple[int, int, int]]:
    """``(level, index, width)`` of every tile of a tree of ``tree_size`` leaves.

    Level ``L`` has ``tree_size >> 8L`` hashes: that many // 256 full tiles, then one
    partial tile of the remainder when it is not zero; lowest level first.
    """
    if tree_size < 0:
        raise ValueError(f"tree size {tree_size} is negative")
    tiles: list[tuple[int, int, int]] = []
    level = 0
    while hashes := tree_size >> (TILE_HEIGHT * level):
        full, partial = divmod(hashes, TILE_WIDTH)
        tiles.extend((level, index, TILE_WIDTH) for index in range(full))
        if partial:
            tiles.append((level, full, partial))
        level += 1
    return tiles


def tile_hash_range(level: int, index: int, width: int) -> tuple[int, int, int]:
    """``(start_leaf, end_leaf, node_level)``: the tile holds the height-``node_level``
    nodes covering leaves ``[start_leaf, end_leaf)``, one per ``2^node_level`` leaves."""
    _check_tile(level, index, width)
    node_level = TILE_HEIGHT * level
    start = (index * TILE_WIDTH) << node_level
    return start, start + (width << node_level), node_level


def tile_node_coords(level: int, index: int, width: int) -> list[tuple[int, int]]:
    """``(node_level, node_index)`` of each hash in the tile, in order."""
    _check_tile(level, index, width)
    first = index * TILE_WIDTH
    return [(TILE_HEIGHT * level, first + i) for i in range(width)]


def encode_entry_bundle(entries: Sequence[bytes]) -> bytes:
    """1 to 256 entries, each as a big-endian uint16 length and its bytes."""
    if not 1 <= len(entries) <= TILE_WIDTH:
        raise ValueError(f"a bundle holds 1 to {TILE_WIDTH} entries, not {len(entries)}")
    parts = []
    for position, entry in enumerate(entries):
        if len(entry) > MAX_BUNDLE_ENTRY_BYTES:
            raise ValueError(
                f"entry #{position} is {len(entry)} bytes; a bundle entry holds at most "
                f"{MAX_BUNDLE_ENTRY_BYTES}"
            )
        parts += [len(entry).to_bytes(2, "big"), bytes(entry)]
    return b"".join(parts)


def decode_entry_bundle(data: bytes, *, width: int | None = None) -> list[bytes]:
    """The entries of a bundle; ValueError on a truncated, empty or overlong bundle, or
    when ``width`` is given and the bundle holds a different number of entries."""
    entries: list[bytes] = []
    offset = 0
    while offset < len(data):
        if offset + 2 > len(data):
            raise ValueError(f"the bundle ends inside the length of entry #{len(entries)}")
        end = offset + 2 + int.from_bytes(data[offset : offset + 2], "big")
        if end > len(data):
            raise ValueError(f"entry #{len(entries)} runs {end - len(data)} bytes past the end")
        entries.append(bytes(data[offset + 2 : end]))
        offset = end
    if not 1 <= len(entries) <= TILE_WIDTH:
        raise ValueError(f"a bundle holds 1 to {TILE_WIDTH} entries, not {len(entries)}")
    if width is not None and len(entries) != width:
        raise ValueError(f"the bundle holds {len(entries)} entries, not {width}")
    return entries
