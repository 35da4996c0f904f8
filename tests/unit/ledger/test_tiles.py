"""C2SP tlog-tiles layout: paths as the spec and Go's sumdb/tlog write them, tiles per size,
which Merkle nodes a tile holds, and entry bundles."""

from __future__ import annotations

import hashlib
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from datadeed.ledger.tiles import (
    MAX_BUNDLE_ENTRY_BYTES,
    TILE_HEIGHT,
    TILE_WIDTH,
    decode_entry_bundle,
    encode_entry_bundle,
    entries_path,
    parse_tile_path,
    tile_hash_range,
    tile_node_coords,
    tile_path,
    tiles_for_size,
)
from datadeed.ledger.tree import ListNodeSource, leaf_hash, node_hash, root_from_leaf_hashes

PROPERTY = settings(deadline=None, max_examples=200, database=None)

levels = st.integers(min_value=0, max_value=63)
indices = st.one_of(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0))
widths = st.integers(min_value=1, max_value=TILE_WIDTH)


# --- Paths -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "index", "width", "path"),
    [
        (0, 0, 256, "tile/0/000"),
        (0, 5, 256, "tile/0/005"),
        (0, 999, 256, "tile/0/999"),
        (0, 1000, 256, "tile/0/x001/000"),
        (0, 1234, 256, "tile/0/x001/234"),
        (0, 1234067, 256, "tile/0/x001/x234/067"),
        (1, 1234067, 256, "tile/1/x001/x234/067"),
        (0, 1234067, 89, "tile/0/x001/x234/067.p/89"),
        (1, 273, 17, "tile/1/273.p/17"),
        (2, 0, 1, "tile/2/000.p/1"),
        (3, 999, 7, "tile/3/999.p/7"),
        (63, 999999999999999999, 255, "tile/63/x999/x999/x999/x999/x999/999.p/255"),
        (0, 1_000_000, 256, "tile/0/x001/x000/000"),
    ],
)
def test_tile_paths_follow_the_spec(level: int, index: int, width: int, path: str) -> None:
    assert tile_path(level, index, width) == path
    assert parse_tile_path(path) == (level, index, width, False)


@pytest.mark.parametrize(
    ("index", "width", "path"),
    [
        (0, 256, "tile/entries/000"),
        (5, 12, "tile/entries/005.p/12"),
        (273, 112, "tile/entries/273.p/112"),
        (1234067, 256, "tile/entries/x001/x234/067"),
        (1_000_000, 256, "tile/entries/x001/x000/000"),
    ],
)
def test_entry_bundle_paths_follow_the_spec(index: int, width: int, path: str) -> None:
    assert entries_path(index, width) == path
    assert parse_tile_path(path) == (0, index, width, True)


def test_width_defaults_to_a_full_tile() -> None:
    assert tile_path(0, 7) == "tile/0/007"
    assert entries_path(7) == "tile/entries/007"


@pytest.mark.parametrize(
    "path",
    [
        "",
        "tile",
        "tile/0",
        "tile/0/",
        "/tile/0/000",
        "tile/0/000/",
        "tile/0/000\n",
        " tile/0/000",
        "tile/0/1",  # index groups are 3 digits
        "tile/0/0001",
        "tile/0/x1/000",
        "tile/0/x001",  # the last group has no x
        "tile/0/001/000",  # every group but the last has an x
        "tile/0/x000/001",  # no leading zero group
        "tile/0/x000/x001/000",
        "tile/00/000",  # levels have no leading zeros
        "tile/01/000",
        "tile/64/000",  # levels stop at 63
        "tile/100/000",
        "tile/-1/000",
        "tile/a/000",
        "tile/0/000.p/0",  # partial widths are 1..255
        "tile/0/000.p/256",
        "tile/0/000.p/300",
        "tile/0/000.p/01",
        "tile/0/000.p/",
        "tile/0/000.p",
        "tile/0/000.p/1/",
        "tile/0/000.P/1",
        "tile/0/００１",  # fullwidth digits are not ASCII digits
        "tile/0/٠٠١",  # nor are Arabic-Indic ones
        "tile/entries/x000/000",
        "tile/entries/000.p/256",
        "tile/entry/000",
        "tile/data/000",  # static-ct-api's name, not tlog-tiles'
        "tiles/0/000",
        "tile/8/0/000",  # sumdb's tile/<H>/<L>/<N> carries a height; tlog-tiles does not
    ],
)
def test_malformed_paths_are_refused(path: str) -> None:
    with pytest.raises(ValueError, match="malformed tile path"):
        parse_tile_path(path)


@pytest.mark.parametrize(
    ("level", "index", "width"),
    [(-1, 0, 256), (64, 0, 256), (0, -1, 256), (0, 0, 0), (0, 0, 257)],
)
def test_impossible_tiles_have_no_path(level: int, index: int, width: int) -> None:
    with pytest.raises(ValueError, match=r"outside|negative"):
        tile_path(level, index, width)


@PROPERTY
@given(levels, indices, widths)
def test_tile_paths_round_trip(level: int, index: int, width: int) -> None:
    path = tile_path(level, index, width)
    assert parse_tile_path(path) == (level, index, width, False)
    assert path.endswith(f".p/{width}") == (width < TILE_WIDTH)


@PROPERTY
@given(indices, widths)
def test_entry_paths_round_trip(index: int, width: int) -> None:
    assert parse_tile_path(entries_path(index, width)) == (0, index, width, True)


@PROPERTY
@given(indices)
def test_index_groups_spell_the_decimal_index(index: int) -> None:
    groups = tile_path(0, index).removeprefix("tile/0/").split("/")
    assert all(g.startswith("x") and len(g) == 4 for g in groups[:-1])
    assert len(groups[-1]) == 3
    assert int("".join(g.removeprefix("x") for g in groups)) == index
    assert len(groups) == 1 or groups[0] != "x000"


# --- Which tiles a tree has --------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "tiles"),
    [
        (0, []),
        (1, [(0, 0, 1)]),
        (255, [(0, 0, 255)]),
        # "a tree of size 256 will be represented by a full level 0 tile and a partial
        # level 1 tile of width 1"
        (256, [(0, 0, 256), (1, 0, 1)]),
        (257, [(0, 0, 256), (0, 1, 1), (1, 0, 1)]),
        (511, [(0, 0, 256), (0, 1, 255), (1, 0, 1)]),
        (512, [(0, 0, 256), (0, 1, 256), (1, 0, 2)]),
        (
            65536,
            [*((0, n, 256) for n in range(256)), (1, 0, 256), (2, 0, 1)],
        ),
        (
            65537,
            [*((0, n, 256) for n in range(256)), (0, 256, 1), (1, 0, 256), (2, 0, 1)],
        ),
        (
            65536 + 256,
            [*((0, n, 256) for n in range(257)), (1, 0, 256), (1, 1, 1), (2, 0, 1)],
        ),
    ],
)
def test_tiles_for_size(size: int, tiles: list[tuple[int, int, int]]) -> None:
    assert tiles_for_size(size) == tiles


def test_tiles_for_the_spec_example_of_70000() -> None:
    # "273 full level 0 tiles, one partial level 0 tile of width 112, one full level 1
    # tile, one partial level 1 tile of width 17, and one partial level 2 tile of width 1"
    tiles = tiles_for_size(70_000)
    assert tiles[:273] == [(0, n, 256) for n in range(273)]
    assert tiles[273:] == [(0, 273, 112), (1, 0, 256), (1, 1, 17), (2, 0, 1)]


def test_tiles_for_a_level_three_tree() -> None:
    size = 256**3 + 5
    top = [t for t in tiles_for_size(size) if t[0] >= 2]
    assert top == [(2, 0, 256), (3, 0, 1)]
    assert (0, 65536, 5) in tiles_for_size(size)


def test_negative_size_has_no_tiles() -> None:
    with pytest.raises(ValueError, match="negative"):
        tiles_for_size(-1)


@PROPERTY
@given(st.integers(min_value=0, max_value=300_000))
def test_tiles_cover_exactly_the_hashes_of_each_level(size: int) -> None:
    tiles = tiles_for_size(size)
    for level in range(8):
        mine = [t for t in tiles if t[0] == level]
        assert sum(width for _, _, width in mine) == size >> (TILE_HEIGHT * level)
        assert [index for _, index, _ in mine] == list(range(len(mine)))
        assert all(width == TILE_WIDTH for _, _, width in mine[:-1])
    for level, index, width in tiles:
        start, end, _ = tile_hash_range(level, index, width)
        assert 0 <= start < end <= size


# --- Which Merkle nodes a tile holds -----------------------------------------------------


def test_tile_hash_range_examples() -> None:
    assert tile_hash_range(0, 0, 256) == (0, 256, 0)
    assert tile_hash_range(0, 3, 10) == (768, 778, 0)
    assert tile_hash_range(1, 0, 256) == (0, 65536, 8)
    assert tile_hash_range(1, 1, 17) == (65536, 65536 + 17 * 256, 8)
    assert tile_hash_range(2, 0, 1) == (0, 65536, 16)


def test_tile_node_coords_examples() -> None:
    assert tile_node_coords(0, 0, 3) == [(0, 0), (0, 1), (0, 2)]
    assert tile_node_coords(1, 2, 2) == [(8, 512), (8, 513)]
    assert tile_node_coords(2, 0, 1) == [(16, 0)]


@PROPERTY
@given(st.integers(min_value=0, max_value=5), st.integers(min_value=0, max_value=10**4), widths)
def test_node_coords_tile_the_hash_range(level: int, index: int, width: int) -> None:
    start, end, node_level = tile_hash_range(level, index, width)
    coords = tile_node_coords(level, index, width)
    assert len(coords) == width
    assert all(h == node_level for h, _ in coords)
    spans = [(k << h, (k + 1) << h) for h, k in coords]
    assert spans[0][0] == start
    assert spans[-1][1] == end
    assert all(a[1] == b[0] for a, b in itertools.pairwise(spans))


def _tile_root(hashes: list[bytes]) -> bytes:
    """Hash a full tile's 256 hashes up its 8 levels (Go's tlog.tileHash)."""
    while len(hashes) > 1:
        hashes = [node_hash(hashes[i], hashes[i + 1]) for i in range(0, len(hashes), 2)]
    return hashes[0]


@pytest.fixture(scope="module")
def leaves() -> list[bytes]:
    """Leaf hashes of a tree with three full level-0 tiles and a partial fourth."""
    return [leaf_hash(i.to_bytes(4, "big")) for i in range(3 * 256 + 41)]


def test_level_zero_tiles_hold_leaf_hashes(leaves: list[bytes]) -> None:
    source = ListNodeSource(leaves)
    for level, index, width in tiles_for_size(len(leaves)):
        if level == 0:
            hashes = [source.perfect_hash(h, k) for h, k in tile_node_coords(0, index, width)]
            start, end, _ = tile_hash_range(0, index, width)
            assert hashes == leaves[start:end]


def test_level_one_hashes_are_the_roots_of_full_level_zero_tiles(leaves: list[bytes]) -> None:
    source = ListNodeSource(leaves)
    tiles = tiles_for_size(len(leaves))
    assert (1, 0, 3) in tiles  # three full level-0 tiles, so three level-1 hashes
    level_one = [source.perfect_hash(h, k) for h, k in tile_node_coords(1, 0, 3)]
    for index in range(3):
        tile = [source.perfect_hash(h, k) for h, k in tile_node_coords(0, index, 256)]
        assert _tile_root(tile) == level_one[index]
        start, end, _ = tile_hash_range(0, index, 256)
        assert root_from_leaf_hashes(leaves[start:end]) == level_one[index]


def test_a_full_level_one_tile_roots_a_65536_leaf_subtree() -> None:
    leaves = [hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(65536)]
    source = ListNodeSource(leaves)
    level_one = [source.perfect_hash(h, k) for h, k in tile_node_coords(1, 0, 256)]
    assert _tile_root(level_one) == root_from_leaf_hashes(leaves)
    assert tiles_for_size(len(leaves))[-1] == (2, 0, 1)
    assert [source.perfect_hash(*c) for c in tile_node_coords(2, 0, 1)] == [
        root_from_leaf_hashes(leaves)
    ]


# --- Entry bundles -----------------------------------------------------------------------


def test_entry_bundle_bytes() -> None:
    assert encode_entry_bundle([b"ab", b"", b"\xff"]) == b"\x00\x02ab\x00\x00\x00\x01\xff"
    big = b"x" * 0x1234
    assert encode_entry_bundle([big])[:2] == b"\x12\x34"


def test_entry_bundle_limits() -> None:
    assert decode_entry_bundle(encode_entry_bundle([b"e"] * 256)) == [b"e"] * 256
    largest = b"y" * MAX_BUNDLE_ENTRY_BYTES
    assert decode_entry_bundle(encode_entry_bundle([largest])) == [largest]
    with pytest.raises(ValueError, match="at most 65535"):
        encode_entry_bundle([largest + b"y"])
    with pytest.raises(ValueError, match="1 to 256 entries, not 0"):
        encode_entry_bundle([])
    with pytest.raises(ValueError, match="1 to 256 entries, not 257"):
        encode_entry_bundle([b""] * 257)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "1 to 256 entries, not 0"),
        (b"\x00", "ends inside the length of entry #0"),
        (b"\x00\x01a\x00", "ends inside the length of entry #1"),
        (b"\x00\x02a", "entry #0 runs 1 bytes past the end"),
        (b"\x00\x01a\x00\x05abc", "entry #1 runs 2 bytes past the end"),
        (b"\x00\x00" * 257, "1 to 256 entries, not 257"),
    ],
)
def test_malformed_bundles_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        decode_entry_bundle(data)


def test_bundle_width_is_checked_when_given() -> None:
    data = encode_entry_bundle([b"a", b"b"])
    assert decode_entry_bundle(data, width=2) == [b"a", b"b"]
    with pytest.raises(ValueError, match="holds 2 entries, not 3"):
        decode_entry_bundle(data, width=3)


@PROPERTY
@given(st.lists(st.binary(max_size=300), min_size=1, max_size=TILE_WIDTH))
def test_entry_bundles_round_trip(entries: list[bytes]) -> None:
    data = encode_entry_bundle(entries)
    assert len(data) == sum(2 + len(e) for e in entries)
    assert decode_entry_bundle(data, width=len(entries)) == entries


@PROPERTY
@given(st.lists(st.binary(max_size=40), min_size=1, max_size=20), st.data())
def test_truncated_bundles_are_refused(entries: list[bytes], data: st.DataObject) -> None:
    encoded = encode_entry_bundle(entries)
    cut = data.draw(st.integers(min_value=1, max_value=len(encoded)))
    truncated = encoded[: len(encoded) - cut]
    try:
        decoded = decode_entry_bundle(truncated)
    except ValueError:
        return
    # Cutting exactly at an entry boundary leaves a shorter, well-formed bundle.
    assert decoded == entries[: len(decoded)]
    assert len(decoded) < len(entries)
