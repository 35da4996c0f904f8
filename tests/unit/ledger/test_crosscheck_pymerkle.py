"""Cross-check ``datadeed.ledger.tree`` against pymerkle, an independent RFC 6962 tree.

pymerkle is RFC 6962 when built with ``algorithm="sha256"`` and ``disable_security=False``
(its default): leaves hash as ``H(0x00 || data)``, nodes as ``H(0x01 || left || right)``,
the empty tree as ``H("")``. With ``disable_security=True`` it drops both prefixes, which
is not RFC 6962; a test below shows the roots then differ.

Its proofs are shaped differently from RFC 6962's, so they are converted here:

* Inclusion: pymerkle's ``path`` is ``[leaf hash, *siblings]`` with the siblings leaf
  first — exactly RFC 6962's audit path after the first element — plus ``rule``, one bit
  per path element saying whether the running hash is a right child (1) or a left one
  (0), the last bit being the root's (always 0). Indices count from one.
* Consistency ``m -> n``: pymerkle proves it with leaf ``m``'s hash and that leaf's
  inclusion path in the new tree. The siblings left of leaf ``m`` (``subset`` marks them)
  are the perfect subtrees of the old tree, which fold into the old root; the whole path
  folds into the new root. RFC 6962 instead lists node hashes of the new tree along the
  path to leaf ``m - 1``. Every RFC node is either one of pymerkle's siblings or contains
  leaf ``m``, and then its hash is the inclusion root of leaf ``m`` inside it; that is how
  ``rfc_consistency_from_pymerkle`` rebuilds the RFC proof. The other way is impossible
  from an RFC proof alone (it never carries leaf ``m``'s hash), so for pymerkle's
  verifier we assemble its format from our tree instead.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from pymerkle import (
    ConsistencyProof,
    InclusionProof,
    InmemoryTree,
    InvalidProof,
    verify_consistency,
    verify_inclusion,
)

from datadeed.ledger import tree

SMALL = 200
EXHAUSTIVE = 128
LARGE = [4096, 4097, 5000, 5119]


def _data(i: int) -> bytes:
    return f"datadeed entry {i}".encode()


@pytest.fixture(scope="module")
def theirs() -> InmemoryTree:
    """One pymerkle tree of max(LARGE) leaves: it proves against any earlier size too."""
    pm = InmemoryTree(algorithm="sha256")  # disable_security=False: RFC 6962 prefixes
    for i in range(max(LARGE)):
        pm.append_entry(_data(i))
    return pm


@pytest.fixture(scope="module")
def leaves() -> list[bytes]:
    return [tree.leaf_hash(_data(i)) for i in range(max(LARGE))]


def _cases() -> Iterator[tuple[int, int]]:
    """Every (index or old size, size) up to EXHAUSTIVE, then samples up to SMALL and of
    the LARGE sizes (edges always included)."""
    rng = random.Random(6962)
    for size in range(1, EXHAUSTIVE + 1):
        for i in range(size):
            yield i, size
    for size in range(EXHAUSTIVE + 1, SMALL + 1):
        for i in sorted({0, 1, size - 2, size - 1, *rng.sample(range(size), 8)}):
            yield i, size
    for size in LARGE:
        for i in sorted({0, 1, size - 2, size - 1, *rng.sample(range(size), 60)}):
            yield i, size


# --- Conversions between the two proof shapes ---------------------------------------------


def _rule(index: int, size: int) -> list[int]:
    """pymerkle's rule for leaf ``index`` (from 0): 1 where the running hash is a right
    child, i.e. where the sibling lies left of the leaf; then 0 for the root."""
    return [int(start < index) for start, _ in tree.inclusion_proof_ranges(index, size)] + [0]


def pymerkle_inclusion(index: int, size: int, leaf: bytes, proof: list[bytes]) -> InclusionProof:
    """Our RFC 6962 audit path in pymerkle's shape."""
    return InclusionProof("sha256", True, size, index + 1, _rule(index, size), [leaf, *proof])


def pymerkle_consistency(source: tree.NodeSource, old: int, new: int) -> ConsistencyProof:
    """pymerkle's consistency proof for ``old -> new`` (``old < new``), built from our tree."""
    ranges = [(old, old + 1), *tree.inclusion_proof_ranges(old, new)]
    path = [source.subtree_hash(s, e) for s, e in ranges]
    subset = [int(end <= old) for _, end in ranges]
    return ConsistencyProof("sha256", True, new, old, _rule(old, new), subset, path)


class _PymerklePathSource:
    """Answers the RFC 6962 nodes of ``old -> new`` from pymerkle's consistency path."""

    def __init__(self, proof: ConsistencyProof, old: int, new: int) -> None:
        self._old, self._new = old, new
        self._siblings = tree.inclusion_proof_ranges(old, new)
        self._known = dict(zip([(old, old + 1), *self._siblings], proof.path, strict=True))

    def subtree_hash(self, start: int, end: int) -> bytes:
        if (start, end) in self._known:
            return self._known[(start, end)]
        assert start <= self._old < end, f"[{start}, {end}) is neither known nor above leaf m"
        # Node [start, end) of the new tree is itself an RFC 6962 tree, in which leaf m's
        # path is the part of its path in the whole tree that lies inside the node.
        inner = [self._known[(s, e)] for s, e in self._siblings if start <= s and e <= end]
        leaf = self._known[(self._old, self._old + 1)]
        return tree.root_from_inclusion_proof(self._old - start, end - start, leaf, inner)


def rfc_consistency_from_pymerkle(proof: ConsistencyProof, old: int, new: int) -> list[bytes]:
    """RFC 6962 ``PROOF(old, D[0:new])`` rebuilt from pymerkle's proof (``old < new``)."""
    return tree.consistency_proof_from(_PymerklePathSource(proof, old, new), old, new)


# --- Roots --------------------------------------------------------------------------------


def test_roots_agree(theirs: InmemoryTree, leaves: list[bytes]) -> None:
    assert theirs.get_root(0) == tree.empty_root()
    compact = tree.CompactRange()
    for size in range(1, max(LARGE) + 1):
        compact.append(leaves[size - 1])
        if size <= SMALL or size in LARGE:
            assert theirs.get_root(size) == compact.root(), size
    assert [theirs.get_leaf(i + 1) for i in range(SMALL)] == leaves[:SMALL]


def test_without_its_security_prefixes_pymerkle_is_not_rfc_6962(leaves: list[bytes]) -> None:
    plain = InmemoryTree(algorithm="sha256", disable_security=True)
    plain.append_entries([_data(i) for i in range(5)])
    assert plain.get_leaf(1) != leaves[0]
    assert plain.get_root() != tree.root_from_leaf_hashes(leaves[:5])


# --- Inclusion ------------------------------------------------------------------------------


def test_inclusion_proofs_agree_both_ways(theirs: InmemoryTree, leaves: list[bytes]) -> None:
    checked = 0
    sources = {size: tree.ListNodeSource(leaves[:size]) for size in [*range(1, SMALL + 1), *LARGE]}
    for index, size in _cases():
        root = theirs.get_root(size)
        leaf = leaves[index]
        proof = theirs.prove_inclusion(index + 1, size)
        # pymerkle -> ours: drop the leaf hash at the head of its path.
        assert proof.path[0] == leaf
        assert tree.verify_inclusion(index, size, leaf, proof.path[1:], root)
        ours = tree.inclusion_proof_from(sources[size], index, size)
        assert proof.path[1:] == ours
        assert proof.rule == _rule(index, size)
        # ours -> pymerkle's verifier.
        verify_inclusion(leaf, root, pymerkle_inclusion(index, size, leaf, ours))
        checked += 1
    assert checked > EXHAUSTIVE * (EXHAUSTIVE + 1) // 2


def test_tampered_inclusion_proofs_fail_both_verifiers(
    theirs: InmemoryTree, leaves: list[bytes]
) -> None:
    index, size = 37, 101
    root = theirs.get_root(size)
    proof = theirs.prove_inclusion(index + 1, size)
    siblings = list(proof.path[1:])
    siblings[2] = bytes(32)
    assert not tree.verify_inclusion(index, size, leaves[index], siblings, root)
    tampered = pymerkle_inclusion(index, size, leaves[index], siblings)
    with pytest.raises(InvalidProof):
        verify_inclusion(leaves[index], root, tampered)
    wrong_leaf = leaves[index + 1]
    ours = tree.inclusion_proof(index, leaves[:size])
    assert not tree.verify_inclusion(index, size, wrong_leaf, ours, root)
    wrong = pymerkle_inclusion(index, size, wrong_leaf, ours)
    with pytest.raises(InvalidProof):
        verify_inclusion(wrong_leaf, root, wrong)


# --- Consistency ----------------------------------------------------------------------------


def test_consistency_proofs_agree_both_ways(theirs: InmemoryTree, leaves: list[bytes]) -> None:
    sources = {size: tree.ListNodeSource(leaves[:size]) for size in [*range(1, SMALL + 1), *LARGE]}
    roots = {size: theirs.get_root(size) for size in sources}
    for old, new in _cases():
        if old == 0:
            continue  # pymerkle proves only from a non-empty tree
        old_root, new_root = theirs.get_root(old), roots[new]
        proof = theirs.prove_consistency(old, new)
        # pymerkle -> ours: rebuild the RFC 6962 proof and verify it.
        rfc = rfc_consistency_from_pymerkle(proof, old, new)
        assert rfc == tree.consistency_proof_from(sources[new], old, new)
        tree.check_consistency(old, new, old_root, new_root, rfc)
        # ours -> pymerkle: our tree's hashes in pymerkle's shape pass its verifier.
        ours = pymerkle_consistency(sources[new], old, new)
        assert (ours.rule, ours.subset, ours.path) == (proof.rule, proof.subset, proof.path)
        verify_consistency(old_root, new_root, ours)


def test_equal_sizes_are_consistent_in_both(theirs: InmemoryTree) -> None:
    for size in (1, 2, 7, 200):
        root = theirs.get_root(size)
        proof = theirs.prove_consistency(size, size)
        assert proof.path == [root]  # pymerkle's shape; RFC 6962's proof is empty
        verify_consistency(root, root, proof)
        tree.check_consistency(size, size, root, root, [])


def test_tampered_consistency_proofs_fail_both_verifiers(
    theirs: InmemoryTree, leaves: list[bytes]
) -> None:
    old, new = 6, 13
    old_root, new_root = theirs.get_root(old), theirs.get_root(new)
    rfc = rfc_consistency_from_pymerkle(theirs.prove_consistency(old, new), old, new)
    assert tree.verify_consistency(old, new, old_root, new_root, rfc)
    assert not tree.verify_consistency(old, new, old_root, new_root, [*rfc[:-1], bytes(32)])
    assert not tree.verify_consistency(old, new, theirs.get_root(5), new_root, rfc)
    ours = pymerkle_consistency(tree.ListNodeSource(leaves[:new]), old, new)
    with pytest.raises(InvalidProof):
        verify_consistency(theirs.get_root(7), new_root, ours)
    ours.path[-1] = bytes(32)
    with pytest.raises(InvalidProof):
        verify_consistency(old_root, new_root, ours)
