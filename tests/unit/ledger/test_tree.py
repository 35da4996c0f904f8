"""RFC 6962 tree math, checked against published vectors and a reference written from the RFC."""

from __future__ import annotations

import hashlib
import itertools
import random
from collections.abc import Callable, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from datadeed.ledger.tree import (
    CompactRange,
    HashFn,
    ListNodeSource,
    PerfectSubtreeSource,
    ProofError,
    check_consistency,
    combine_subtree_hashes,
    consistency_proof,
    consistency_proof_from,
    consistency_proof_ranges,
    empty_root,
    inclusion_proof,
    inclusion_proof_from,
    inclusion_proof_ranges,
    is_node_range,
    leaf_hash,
    node_hash,
    perfect_subtrees,
    root_from,
    root_from_inclusion_proof,
    root_from_leaf_hashes,
    sha256,
    sm3,
    verify_consistency,
    verify_inclusion,
)

# No example database: tests must not write into the checkout.
PROPERTY = settings(deadline=None, max_examples=40, database=None)


# --- A reference implementation, straight from RFC 6962 §2.1 ---------------------------


def _largest_power_of_two_below(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


class ReferenceTree:
    """MTH, PATH and PROOF/SUBPROOF as the RFC writes them; ``D[lo:hi]`` slices entries.

    Only ``mth`` is memoised, so exhaustive loops over sizes and indices stay fast.
    """

    def __init__(self, entries: Sequence[bytes], hash_fn: HashFn = sha256) -> None:
        self.entries = entries
        self.hash = hash_fn
        self._mth: dict[tuple[int, int], bytes] = {}

    def mth(self, lo: int, hi: int) -> bytes:
        n = hi - lo
        if n == 0:
            return self.hash(b"")
        if n == 1:
            return self.hash(b"\x00" + self.entries[lo])
        if (lo, hi) not in self._mth:
            k = _largest_power_of_two_below(n)
            left, right = self.mth(lo, lo + k), self.mth(lo + k, hi)
            self._mth[lo, hi] = self.hash(b"\x01" + left + right)
        return self._mth[lo, hi]

    def path(self, m: int, lo: int, hi: int) -> list[bytes]:
        n = hi - lo
        if n == 1:
            return []
        k = _largest_power_of_two_below(n)
        if m < k:
            return [*self.path(m, lo, lo + k), self.mth(lo + k, hi)]
        return [*self.path(m - k, lo + k, hi), self.mth(lo, lo + k)]

    def proof(self, m: int, n: int) -> list[bytes]:
        return self.subproof(m, 0, n, True) if 0 < m < n else []

    def subproof(self, m: int, lo: int, hi: int, b: bool) -> list[bytes]:
        n = hi - lo
        if m == n:
            return [] if b else [self.mth(lo, hi)]
        k = _largest_power_of_two_below(n)
        if m <= k:
            return [*self.subproof(m, lo, lo + k, b), self.mth(lo + k, hi)]
        return [*self.subproof(m - k, lo + k, hi, False), self.mth(lo, lo + k)]


def path_sides(m: int, n: int) -> tuple[str, ...]:
    """Which side each PATH sibling sits on, leaf first: all a verifier can see of (m, n)."""
    if n == 1:
        return ()
    k = _largest_power_of_two_below(n)
    if m < k:
        return (*path_sides(m, k), "right")
    return (*path_sides(m - k, n - k), "left")


def proof_shape(m: int, n: int, b: bool = True) -> tuple[str, ...]:
    """The SUBPROOF recursion of (m, n) with hashes left out: all a verifier can see."""
    if m == n:
        return () if b else ("node",)
    k = _largest_power_of_two_below(n)
    if m <= k:
        return (*proof_shape(m, k, b), "right")
    return (*proof_shape(m - k, n - k, False), "left")


ENTRIES = [f"entry {i}".encode() for i in range(20_000)]
LEAF_HASHES = [leaf_hash(entry) for entry in ENTRIES]
REF = ReferenceTree(ENTRIES)


def flip(value: bytes, position: int = 0) -> bytes:
    """``value`` with one bit changed."""
    position %= len(value)
    return value[:position] + bytes([value[position] ^ 0x10]) + value[position + 1 :]


class TileStore:
    """Only perfect-subtree hashes of a tree of ``size`` leaves, like tlog tiles."""

    def __init__(self, reference: ReferenceTree, size: int) -> None:
        self.reference, self.size = reference, size

    def perfect_hash(self, level: int, index: int) -> bytes:
        start, end = index << level, (index + 1) << level
        assert end <= self.size, f"asked for [{start}, {end}) beyond size {self.size}"
        return self.reference.mth(start, end)


# --- Published vectors (certificate-transparency / transparency-dev/merkle) -------------

CT_ENTRIES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
]
CT_LEAF_HASHES = [leaf_hash(entry) for entry in CT_ENTRIES]
CT_ROOTS = [
    bytes.fromhex(h)
    for h in [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]
]
H_01 = "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"
H_23 = "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"
H_4567 = "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"
H_4 = "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"
H_45 = "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"
H_67 = "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"
H_6 = "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"
H_0123 = "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"
H_0 = "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
H_1 = "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"

CT_INCLUSION = [
    (0, 1, []),
    (0, 8, [H_01, H_23, H_4567]),
    (5, 8, [H_4, H_67, H_0123]),
    (2, 3, [H_1]),
    (1, 5, [H_0, H_23, H_4]),
]
CT_CONSISTENCY = [
    (1, 1, []),
    (1, 8, [H_01, H_23, H_4567]),
    (6, 8, [H_45, H_67, H_0123]),
    (2, 5, [H_23, H_4]),
    (6, 7, [H_45, H_6, H_0123]),
]


def test_the_published_roots_for_sizes_0_to_8() -> None:
    assert empty_root() == CT_ROOTS[0] == root_from_leaf_hashes([])
    for size in range(1, 9):
        assert root_from_leaf_hashes(CT_LEAF_HASHES[:size]) == CT_ROOTS[size], size


@pytest.mark.parametrize(("index", "size", "path"), CT_INCLUSION)
def test_the_published_inclusion_proofs(index: int, size: int, path: list[str]) -> None:
    proof = inclusion_proof(index, CT_LEAF_HASHES[:size])
    assert [h.hex() for h in proof] == path
    assert verify_inclusion(index, size, CT_LEAF_HASHES[index], proof, CT_ROOTS[size])


@pytest.mark.parametrize(("old", "new", "path"), CT_CONSISTENCY)
def test_the_published_consistency_proofs(old: int, new: int, path: list[str]) -> None:
    proof = consistency_proof(old, new, CT_LEAF_HASHES)
    assert [h.hex() for h in proof] == path
    assert verify_consistency(old, new, CT_ROOTS[old], CT_ROOTS[new], proof)


def test_leaf_and_node_hashes_carry_the_domain_separation_prefixes() -> None:
    assert leaf_hash(b"") == hashlib.sha256(b"\x00").digest() == CT_ROOTS[1]
    assert node_hash(CT_LEAF_HASHES[0], CT_LEAF_HASHES[1]) == CT_ROOTS[2]


# --- Exhaustive agreement with the reference --------------------------------------------

EXHAUSTIVE = 300


def test_roots_equal_the_reference_for_every_size() -> None:
    for size in range(EXHAUSTIVE + 1):
        assert root_from_leaf_hashes(LEAF_HASHES[:size]) == REF.mth(0, size), size


def test_inclusion_proofs_equal_the_reference_for_every_index_and_size() -> None:
    for size in range(1, EXHAUSTIVE + 1):
        source, root = ListNodeSource(LEAF_HASHES[:size]), REF.mth(0, size)
        assert root_from(source, size) == root
        for index in range(size):
            proof = inclusion_proof_from(source, index, size)
            assert proof == REF.path(index, 0, size), (index, size)
            assert verify_inclusion(index, size, LEAF_HASHES[index], proof, root)


def test_consistency_proofs_equal_the_reference_for_every_pair_of_sizes() -> None:
    for new in range(EXHAUSTIVE + 1):
        source, new_root = ListNodeSource(LEAF_HASHES[:new]), REF.mth(0, new)
        for old in range(new + 1):
            proof = consistency_proof_from(source, old, new)
            assert proof == REF.proof(old, new), (old, new)
            assert verify_consistency(old, new, REF.mth(0, old), new_root, proof)


def test_the_list_functions_agree_with_the_source_functions() -> None:
    for size in range(1, 65):
        leaves = LEAF_HASHES[:size]
        for index in range(size):
            assert inclusion_proof(index, leaves) == REF.path(index, 0, size)
            assert consistency_proof(index, size, leaves) == REF.proof(index, size)


@PROPERTY
@given(st.integers(1, 3000).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n - 1))))
def test_inclusion_in_trees_of_up_to_3000_leaves(case: tuple[int, int]) -> None:
    size, index = case
    proof = inclusion_proof(index, LEAF_HASHES[:size])
    assert proof == REF.path(index, 0, size)
    assert_inclusion_verifies_and_resists_tampering(index, size, proof)


@PROPERTY
@given(st.integers(1, 3000).flatmap(lambda n: st.tuples(st.integers(1, n), st.just(n))))
def test_consistency_in_trees_of_up_to_3000_leaves(case: tuple[int, int]) -> None:
    old, new = case
    proof = consistency_proof(old, new, LEAF_HASHES)
    assert proof == REF.proof(old, new)
    assert_consistency_verifies_and_resists_tampering(old, new, proof)


def test_a_few_trees_of_up_to_20000_leaves() -> None:
    rng = random.Random(6962)
    for _ in range(3):
        size = rng.randrange(10_000, len(LEAF_HASHES) + 1)
        index, old = rng.randrange(size), rng.randrange(1, size)
        source = ListNodeSource(LEAF_HASHES[:size])
        assert root_from_leaf_hashes(LEAF_HASHES[:size]) == REF.mth(0, size)
        assert inclusion_proof_from(source, index, size) == REF.path(index, 0, size)
        assert consistency_proof_from(source, old, size) == REF.proof(old, size)


# --- Verifiers reject what they should ---------------------------------------------------


def assert_inclusion_verifies_and_resists_tampering(
    index: int, size: int, proof: list[bytes]
) -> None:
    leaf, root = LEAF_HASHES[index], REF.mth(0, size)

    def accepts(
        i: int = index, n: int = size, h: bytes = leaf, p: Sequence[bytes] = proof, r: bytes = root
    ) -> bool:
        return verify_inclusion(i, n, h, p, r)

    assert accepts()
    for position in range(len(proof)):
        tampered = [*proof]
        tampered[position] = flip(proof[position], position)
        assert not accepts(p=tampered), f"flipped proof[{position}]"
    for changed in [proof[:-1], proof[1:], [*proof, root], [root, *proof], [*proof, b""]]:
        if changed != proof:
            assert not accepts(p=changed), f"proof of length {len(changed)}"
    assert not accepts(r=flip(root))
    assert not accepts(r=REF.mth(0, size + 1))
    assert not accepts(h=flip(leaf))
    assert not accepts(h=LEAF_HASHES[index + 1])
    for other in {index - 1, index + 1, index ^ 1, index ^ 2} - {index}:
        assert not accepts(i=other), f"index {other} instead of {index}"
    for other in {size - 1, size + 1, size * 2, size // 2} - {size}:
        # A verifier sees only the left/right pattern; equal patterns are indistinguishable.
        expected = 0 <= index < other and path_sides(index, other) == path_sides(index, size)
        assert accepts(n=other) == expected, f"size {other} instead of {size}"


def assert_consistency_verifies_and_resists_tampering(
    old: int, new: int, proof: list[bytes]
) -> None:
    old_root, new_root = REF.mth(0, old), REF.mth(0, new)

    def accepts(
        m: int = old,
        n: int = new,
        a: bytes = old_root,
        b: bytes = new_root,
        p: Sequence[bytes] = proof,
    ) -> bool:
        return verify_consistency(m, n, a, b, p)

    assert accepts()
    if old == new:
        assert not accepts(p=[old_root])
        assert not accepts(b=flip(new_root))
        return
    for position in range(len(proof)):
        tampered = [*proof]
        tampered[position] = flip(proof[position], position)
        assert not accepts(p=tampered), f"flipped proof[{position}]"
    extra = [[*proof, old_root], [new_root, *proof], [proof[0], *proof], [*proof, b""]]
    for changed in [[], proof[:-1], proof[1:], *extra]:
        assert not accepts(p=changed), f"proof of length {len(changed)}"
    assert not accepts(a=flip(old_root))
    assert not accepts(b=flip(new_root))
    assert not accepts(a=new_root, b=old_root)
    wrong_old = {(m, new) for m in (old - 1, old + 1, old ^ 2)}
    wrong_new = {(old, n) for n in (new - 1, new + 1, new * 2, new // 2)}
    for m, n in (wrong_old | wrong_new) - {(old, new)}:
        # A verifier sees only the recursion's pattern; equal patterns are indistinguishable.
        expected = 0 < m < n and proof_shape(m, n) == proof_shape(old, new)
        assert accepts(m=m, n=n) == expected, f"sizes {m} -> {n} instead of {old} -> {new}"


def test_every_small_inclusion_proof_resists_tampering() -> None:
    for size in range(1, 48):
        for index in range(size):
            proof = REF.path(index, 0, size)
            assert_inclusion_verifies_and_resists_tampering(index, size, proof)
            wrong = [i for i in range(size) if i != index]
            leaf, root = LEAF_HASHES[index], REF.mth(0, size)
            assert not any(verify_inclusion(i, size, leaf, proof, root) for i in wrong)


def test_every_small_consistency_proof_resists_tampering() -> None:
    for new in range(1, 48):
        for old in range(1, new + 1):
            assert_consistency_verifies_and_resists_tampering(old, new, REF.proof(old, new))


def test_the_single_leaf_tree_needs_an_empty_proof() -> None:
    assert verify_inclusion(0, 1, LEAF_HASHES[0], [], LEAF_HASHES[0])
    assert not verify_inclusion(0, 1, LEAF_HASHES[0], [], LEAF_HASHES[1])
    assert not verify_inclusion(0, 1, b"", [], b"")


@pytest.mark.parametrize(
    ("index", "size", "proof", "reason"),
    [
        (5, 5, [], "outside a tree of size 5"),
        (-1, 5, [], "outside"),
        (0, 0, [], "outside"),
        (0, 5, [LEAF_HASHES[1]], "has 1 hashes; leaf 0 of 5 needs 3"),
        (0, 2, [LEAF_HASHES[1][:31]], "is 31 bytes, not 32"),
    ],
)
def test_root_from_inclusion_proof_says_why_it_refuses(
    index: int, size: int, proof: list[bytes], reason: str
) -> None:
    with pytest.raises(ProofError, match=reason):
        root_from_inclusion_proof(index, size, LEAF_HASHES[0], proof)


def test_root_from_inclusion_proof_returns_the_root() -> None:
    proof = REF.path(3, 0, 7)
    assert root_from_inclusion_proof(3, 7, LEAF_HASHES[3], proof) == REF.mth(0, 7)


EMPTY = empty_root()
R1, R2, R5 = REF.mth(0, 1), REF.mth(0, 2), REF.mth(0, 5)


@pytest.mark.parametrize(
    ("old", "new", "old_root", "new_root", "proof", "reason"),
    [
        (3, 2, R2, R2, [], "do not describe a growing log"),
        (-1, 2, R2, R2, [], "growing"),
        (0, 0, R1, R1, [], "not the empty root"),
        (0, 5, R1, R5, [], "not the empty root"),
        (0, 5, EMPTY, R5, [R1], "need an empty proof"),
        (2, 2, R2, R2, [R1], "need an empty proof"),
        (1, 1, R1, R2, [], "two different roots for the same size 1"),
        (1, 2, R1, R2, [], "has 0 hashes; 1 -> 2 needs 1"),
        (2, 5, R2, R5, REF.proof(2, 5)[:1], "needs 2"),
        # An old size that is a power of two seeds the check with old_root itself.
        (3, 5, R2, R5, REF.proof(3, 5), "does not lead to the old root"),
        (2, 5, R1, R5, REF.proof(2, 5), "does not lead to the new root"),
        (3, 5, REF.mth(0, 3), R2, REF.proof(3, 5), "new root"),
        (2, 5, R2, R5, [R2, b"x"], "is 1 bytes"),
    ],
)
def test_check_consistency_says_why_it_refuses(
    old: int, new: int, old_root: bytes, new_root: bytes, proof: list[bytes], reason: str
) -> None:
    with pytest.raises(ProofError, match=reason):
        check_consistency(old, new, old_root, new_root, proof)
    assert not verify_consistency(old, new, old_root, new_root, proof)


def test_the_empty_tree_is_a_prefix_of_every_tree() -> None:
    assert verify_consistency(0, 0, EMPTY, EMPTY, [])
    assert verify_consistency(0, 5, EMPTY, R5, [])
    assert issubclass(ProofError, ValueError)


@pytest.mark.parametrize(("index", "size"), [(-1, 5), (5, 5), (0, 0)])
def test_inclusion_proofs_refuse_indices_outside_the_tree(index: int, size: int) -> None:
    with pytest.raises(ValueError, match="not a non-empty range"):
        inclusion_proof_ranges(index, size)


@pytest.mark.parametrize(("old", "new"), [(5, 4), (-1, 3)])
def test_consistency_proofs_refuse_shrinking_logs(old: int, new: int) -> None:
    with pytest.raises(ValueError, match="growing log"):
        consistency_proof_ranges(old, new)
    with pytest.raises(ValueError, match="exceeds the 3 leaves"):
        consistency_proof(1, 4, LEAF_HASHES[:3])


# --- What a store must answer -----------------------------------------------------------


def assert_node_range(start: int, end: int, size: int) -> None:
    """``[k·2^h, min((k+1)·2^h, size))``: the documented promise to storage layers."""
    block = 1 << (end - start - 1).bit_length()
    assert start % block == 0, (start, end, size)
    assert end == min(start + block, size), (start, end, size)
    assert is_node_range(start, end)


def test_proofs_only_ask_for_node_ranges_with_at_most_one_partial() -> None:
    for size in range(1, 130):
        for other in range(size):
            for ranges in (
                inclusion_proof_ranges(other, size),
                consistency_proof_ranges(other, size),
            ):
                for start, end in ranges:
                    assert_node_range(start, end, size)
                partial = [r for r in ranges if (r[1] - r[0]) & (r[1] - r[0] - 1)]
                assert len(partial) <= 1


def test_a_store_of_perfect_subtrees_serves_the_same_proofs() -> None:
    for size in range(1, 130):
        tiles = PerfectSubtreeSource(TileStore(REF, size).perfect_hash)
        listed = ListNodeSource(LEAF_HASHES[:size])
        assert root_from(tiles, size) == root_from(listed, size) == REF.mth(0, size)
        for other in range(size):
            assert inclusion_proof_from(tiles, other, size) == inclusion_proof_from(
                listed, other, size
            )
            assert consistency_proof_from(tiles, other, size) == REF.proof(other, size)


@PROPERTY
@given(st.integers(1, 3000).flatmap(lambda n: st.tuples(st.integers(0, n - 1), st.just(n))))
def test_a_store_of_perfect_subtrees_serves_large_trees(case: tuple[int, int]) -> None:
    index, size = case
    tiles = PerfectSubtreeSource(TileStore(REF, size).perfect_hash)
    assert inclusion_proof_from(tiles, index, size) == inclusion_proof(index, LEAF_HASHES[:size])
    assert consistency_proof_from(tiles, index, size) == REF.proof(index, size)


def test_an_in_memory_tree_can_back_a_store_of_perfect_subtrees() -> None:
    tiles = PerfectSubtreeSource(ListNodeSource(LEAF_HASHES[:77]).perfect_hash)
    assert inclusion_proof_from(tiles, 70, 77) == REF.path(70, 0, 77)


def test_a_store_of_perfect_subtrees_refuses_other_ranges() -> None:
    tiles = PerfectSubtreeSource(TileStore(REF, 8).perfect_hash)
    with pytest.raises(ValueError, match="not a node range"):
        tiles.subtree_hash(1, 3)


@PROPERTY
@given(st.integers(0, 2**40), st.integers(0, 2**40))
def test_perfect_subtrees_are_the_fewest_aligned_blocks(a: int, b: int) -> None:
    start, end = min(a, b), max(a, b)
    blocks = perfect_subtrees(start, end)
    edges = [start, *(e for _, e in blocks)]
    assert [s for s, _ in blocks] == edges[:-1]
    assert edges[-1] == end
    widths = [e - s for s, e in blocks]
    assert all(w & (w - 1) == 0 and s % w == 0 for (s, _), w in zip(blocks, widths, strict=True))
    # Two equal neighbours on an aligned boundary would merge into one block.
    for (s, e), (s2, e2) in itertools.pairwise(blocks):
        assert not (e - s == e2 - s2 and s % (2 * (e - s)) == 0)
    if is_node_range(start, end):
        assert widths == sorted(set(widths), reverse=True)
        assert sum(widths) == end - start


@PROPERTY
@given(st.integers(0, 2999).flatmap(lambda s: st.tuples(st.just(s), st.integers(s + 1, 3000))))
def test_subtree_hashes_of_any_range(case: tuple[int, int]) -> None:
    start, end = case
    source = ListNodeSource(LEAF_HASHES[:3000])
    assert source.subtree_hash(start, end) == REF.mth(start, end)
    if is_node_range(start, end):
        hashes = [REF.mth(s, e) for s, e in perfect_subtrees(start, end)]
        assert combine_subtree_hashes(hashes) == REF.mth(start, end)


def test_combining_nothing_is_an_error() -> None:
    with pytest.raises(ValueError, match="no subtree hashes"):
        combine_subtree_hashes([])
    with pytest.raises(ValueError, match="not a non-empty range"):
        ListNodeSource(LEAF_HASHES[:4]).subtree_hash(2, 5)


# --- CompactRange -------------------------------------------------------------------------


def test_compact_range_root_equals_the_tree_root_for_every_prefix() -> None:
    compact = CompactRange()
    for size in range(1100):
        assert compact.size == size
        assert compact.root() == REF.mth(0, size)
        if size <= EXHAUSTIVE:
            assert compact.root() == root_from_leaf_hashes(LEAF_HASHES[:size])
        assert list(compact.hashes) == [REF.mth(s, e) for s, e in perfect_subtrees(0, size)]
        compact.append(LEAF_HASHES[size])


@PROPERTY
@given(st.integers(0, 3000), st.integers(0, 3000))
def test_compact_range_resumes_from_its_stored_hashes(first: int, second: int) -> None:
    cut, size = min(first, second), max(first, second)
    saved = CompactRange().extend(LEAF_HASHES[:cut])
    resumed = CompactRange(size=saved.size, hashes=saved.hashes)
    assert resumed.extend(LEAF_HASHES[cut:size]).root() == REF.mth(0, size)
    from_tiles = CompactRange.from_source(
        PerfectSubtreeSource(TileStore(REF, cut).perfect_hash), cut
    )
    assert from_tiles.hashes == saved.hashes


def test_compact_range_refuses_a_wrong_number_of_hashes() -> None:
    with pytest.raises(ValueError, match="size 3 needs 2 hashes"):
        CompactRange(size=3, hashes=[LEAF_HASHES[0]])


# --- SM3 ------------------------------------------------------------------------------------


def _has_sm3() -> bool:
    try:
        sm3(b"")
    except ValueError:
        return False
    return True


needs_sm3 = pytest.mark.skipif(not _has_sm3(), reason="this OpenSSL build has no SM3")


@needs_sm3
def test_sm3_is_the_standard_sm3() -> None:
    # GB/T 32905-2016, appendix A.1.
    expected = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert sm3(b"abc").hex() == expected


@needs_sm3
def test_trees_hashed_with_sm3_match_the_reference() -> None:
    reference = ReferenceTree(ENTRIES, sm3)
    leaves = [leaf_hash(entry, hash_fn=sm3) for entry in ENTRIES[:70]]
    assert empty_root(hash_fn=sm3) == reference.mth(0, 0)
    for size in range(1, 70):
        root = reference.mth(0, size)
        assert root_from_leaf_hashes(leaves[:size], hash_fn=sm3) == root != REF.mth(0, size)
        for other in range(size):
            proof = inclusion_proof(other, leaves[:size], hash_fn=sm3)
            assert proof == reference.path(other, 0, size)
            assert verify_inclusion(other, size, leaves[other], proof, root, hash_fn=sm3)
            # A one-leaf tree's root is its leaf hash under any hash function.
            assert verify_inclusion(other, size, leaves[other], proof, root) == (size == 1)
            proof = consistency_proof(other, size, leaves, hash_fn=sm3)
            assert proof == reference.proof(other, size)
            old_root = reference.mth(0, other)
            assert verify_consistency(other, size, old_root, root, proof, hash_fn=sm3)


def test_hash_functions_are_pluggable() -> None:
    blake: Callable[[bytes], bytes] = lambda data: hashlib.blake2b(data, digest_size=32).digest()  # noqa: E731
    leaves = [leaf_hash(entry, hash_fn=blake) for entry in ENTRIES[:11]]
    reference = ReferenceTree(ENTRIES, blake)
    source = ListNodeSource(leaves, hash_fn=blake)
    assert root_from(source, 11, hash_fn=blake) == reference.mth(0, 11)
    assert CompactRange(hash_fn=blake).extend(leaves).root() == reference.mth(0, 11)
    assert inclusion_proof_from(source, 7, 11) == reference.path(7, 0, 11)
