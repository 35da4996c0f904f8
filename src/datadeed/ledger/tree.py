"""Merkle tree math of RFC 6962 / RFC 9162: hashes, roots, proofs and verifiers. No I/O.

This module imports nothing from ``datadeed`` so an offline verifier can copy or vendor it.

Terms, for a log of ``size`` leaves ``D[0:size]``:

* ``MTH(D[start:end])`` is the RFC 6962 §2.1 Merkle Tree Hash of a run of leaves; it is
  what ``NodeSource.subtree_hash(start, end)`` returns.
* A *perfect subtree* is ``[k·2^h, (k+1)·2^h)``: an aligned block of ``2^h`` leaves. Its
  hash never changes once the log has grown past it. Tile stores (C2SP tlog-tiles,
  Tessera) keep exactly these, addressed as (level ``h``, index ``k``).
* A *node range* of a tree of ``size`` leaves is ``[k·2^h, min((k+1)·2^h, size))`` with
  ``k·2^h < size``: a perfect subtree inside the tree, or, at each level, the one partial
  subtree that ends at the right edge (``end == size``, start aligned to ``2^h`` with
  ``size - start < 2^h``). These are the nodes of the RFC 6962 tree (a node with only a
  left child has the same range as that child).

Which ranges a store must answer: RFC 6962 proofs and roots only ever ask for
``MTH`` of node ranges of the tree they are about (``size`` for inclusion, ``new_size`` for
consistency), see ``inclusion_proof_ranges`` and ``consistency_proof_ranges``. Every such
range has ``start`` a multiple of the smallest power of two ``>= end - start``; so
``perfect_subtrees(start, end)`` splits it into perfect subtrees of strictly decreasing
size (the binary digits of ``end - start``), and ``combine_subtree_hashes`` folds their
hashes right to left into ``MTH(D[start:end])``. A store keeping only perfect-subtree
hashes inside ``[0, size)`` therefore serves any proof; ``PerfectSubtreeSource`` adapts
one. A proof needs at most one partial range, so O(log size) perfect hashes in all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

__all__ = [
    "CompactRange",
    "HashFn",
    "ListNodeSource",
    "NodeSource",
    "PerfectHashFn",
    "PerfectSubtreeSource",
    "ProofError",
    "check_consistency",
    "combine_subtree_hashes",
    "consistency_proof",
    "consistency_proof_from",
    "consistency_proof_ranges",
    "empty_root",
    "inclusion_proof",
    "inclusion_proof_from",
    "inclusion_proof_ranges",
    "is_node_range",
    "leaf_hash",
    "node_hash",
    "perfect_subtrees",
    "root_from",
    "root_from_inclusion_proof",
    "root_from_leaf_hashes",
    "sha256",
    "sm3",
    "verify_consistency",
    "verify_inclusion",
]

HashFn = Callable[[bytes], bytes]
"""A hash function from bytes to a fixed-length digest."""

PerfectHashFn = Callable[[int, int], bytes]
"""``(level h, index k) -> MTH`` of the perfect subtree ``[k·2^h, (k+1)·2^h)``."""

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


class ProofError(ValueError):
    """A proof does not prove what it claims; the message says why."""


def sha256(data: bytes) -> bytes:
    """SHA-256, the RFC 6962 hash."""
    return hashlib.sha256(data).digest()


def sm3(data: bytes) -> bytes:
    """SM3 (GB/T 32905) through OpenSSL; raises ValueError where OpenSSL lacks it."""
    return hashlib.new("sm3", data).digest()


def leaf_hash(data: bytes, *, hash_fn: HashFn = sha256) -> bytes:
    """``H(0x00 || data)``: the hash of one log entry."""
    return hash_fn(_LEAF_PREFIX + data)


def node_hash(left: bytes, right: bytes, *, hash_fn: HashFn = sha256) -> bytes:
    """``H(0x01 || left || right)``: the hash of an interior node."""
    return hash_fn(_NODE_PREFIX + left + right)


def empty_root(*, hash_fn: HashFn = sha256) -> bytes:
    """``H("")``: the root of the empty tree."""
    return hash_fn(b"")


def _split(width: int) -> int:
    """The largest power of two strictly below ``width`` (``width >= 2``)."""
    return 1 << ((width - 1).bit_length() - 1)


def _check_range(start: int, end: int, size: int) -> None:
    if not 0 <= start < end <= size:
        raise ValueError(f"range [{start}, {end}) is not a non-empty range of [0, {size})")


# --- Decomposition into perfect subtrees -------------------------------------------------


def perfect_subtrees(start: int, end: int) -> list[tuple[int, int]]:
    """Split ``[start, end)`` into maximal aligned power-of-two blocks, left to right.

    Each block ``(s, e)`` is a perfect subtree: ``e - s == 2^h`` and ``s % 2^h == 0``.
    Store lookups use level ``h = (e - s).bit_length() - 1`` and index ``s >> h``.
    """
    if not 0 <= start <= end:
        raise ValueError(f"[{start}, {end}) is not a range")
    blocks = []
    while start < end:
        width = 1 << ((end - start).bit_length() - 1)
        if start:
            width = min(width, start & -start)
        blocks.append((start, start + width))
        start += width
    return blocks


def _level_and_index(start: int, end: int) -> tuple[int, int]:
    """Tile-style address of the perfect subtree ``[start, end)``."""
    level = (end - start).bit_length() - 1
    return level, start >> level


def is_node_range(start: int, end: int) -> bool:
    """Whether ``MTH(D[start:end])`` can be built from ``perfect_subtrees(start, end)``.

    True when ``start`` is a multiple of the smallest power of two ``>= end - start``,
    which holds for every node range of every tree, hence for every range a proof asks.
    """
    if not 0 <= start < end:
        return False
    alignment = 1 << (end - start - 1).bit_length()
    return start % alignment == 0


def combine_subtree_hashes(hashes: Sequence[bytes], *, hash_fn: HashFn = sha256) -> bytes:
    """Fold the hashes of ``perfect_subtrees(start, end)`` into ``MTH(D[start:end])``.

    Valid when ``is_node_range(start, end)``: the blocks then shrink left to right and
    RFC 6962 splits off the largest first, so the root is ``h0 ⊕ (h1 ⊕ (… ⊕ hn))``.
    """
    if not hashes:
        raise ValueError("no subtree hashes to combine")
    root = hashes[-1]
    for left in reversed(hashes[:-1]):
        root = hash_fn(_NODE_PREFIX + left + root)
    return root


# --- Sources of subtree hashes ----------------------------------------------------------


class NodeSource(Protocol):
    """Anything that can hash a run of leaves, such as a database of tiles."""

    def subtree_hash(self, start: int, end: int) -> bytes:
        """``MTH(D[start:end])``; proofs only ask for node ranges (see module docstring)."""
        ...


class ListNodeSource:
    """In-memory ``NodeSource`` over leaf hashes, building perfect-subtree levels lazily."""

    def __init__(self, leaf_hashes: Sequence[bytes], *, hash_fn: HashFn = sha256) -> None:
        self._hash_fn = hash_fn
        self._levels: list[Sequence[bytes]] = [leaf_hashes]

    def __len__(self) -> int:
        return len(self._levels[0])

    def subtree_hash(self, start: int, end: int) -> bytes:
        """``MTH(D[start:end])`` for any non-empty range; O(log n) for node ranges."""
        _check_range(start, end, len(self))
        if not is_node_range(start, end):
            return root_from_leaf_hashes(self._levels[0][start:end], hash_fn=self._hash_fn)
        blocks = perfect_subtrees(start, end)
        hashes = [self.perfect_hash(*_level_and_index(s, e)) for s, e in blocks]
        return combine_subtree_hashes(hashes, hash_fn=self._hash_fn)

    def perfect_hash(self, level: int, index: int) -> bytes:
        """The hash of ``[index·2^level, (index+1)·2^level)``; a ``PerfectHashFn``."""
        while len(self._levels) <= level:
            self._levels.append(self._next_level(self._levels[-1]))
        return self._levels[level][index]

    def _next_level(self, below: Sequence[bytes]) -> list[bytes]:
        hash_fn = self._hash_fn
        pairs = zip(below[0::2], below[1::2], strict=False)
        return [hash_fn(_NODE_PREFIX + left + right) for left, right in pairs]


class PerfectSubtreeSource:
    """``NodeSource`` for a store that keeps only perfect-subtree hashes (tiles).

    ``perfect_hash(level, index)`` returns the hash of ``[index·2^level, (index+1)·2^level)``;
    it is only asked for subtrees inside the ranges requested, so never past ``size``.
    """

    def __init__(self, perfect_hash: PerfectHashFn, *, hash_fn: HashFn = sha256) -> None:
        self._perfect_hash = perfect_hash
        self._hash_fn = hash_fn

    def subtree_hash(self, start: int, end: int) -> bytes:
        """``MTH(D[start:end])`` for a node range; other ranges raise ValueError."""
        if not is_node_range(start, end):
            raise ValueError(f"[{start}, {end}) is not a node range; tiles cannot answer it")
        blocks = perfect_subtrees(start, end)
        hashes = [self._perfect_hash(*_level_and_index(s, e)) for s, e in blocks]
        return combine_subtree_hashes(hashes, hash_fn=self._hash_fn)


# --- Roots ------------------------------------------------------------------------------


def root_from_leaf_hashes(leaf_hashes: Sequence[bytes], *, hash_fn: HashFn = sha256) -> bytes:
    """``MTH`` of all the leaves, in O(n) time and O(log n) memory."""
    return CompactRange(hash_fn=hash_fn).extend(leaf_hashes).root()


def root_from(source: NodeSource, size: int, *, hash_fn: HashFn = sha256) -> bytes:
    """The root of the first ``size`` leaves of ``source``."""
    if size < 0:
        raise ValueError(f"tree size {size} is negative")
    return source.subtree_hash(0, size) if size else empty_root(hash_fn=hash_fn)


class CompactRange:
    """The perfect-subtree hashes covering leaves ``[0, size)``: an appendable tree head.

    ``hashes`` are those of ``perfect_subtrees(0, size)``, one per set bit of ``size``,
    so a log can persist them and resume, and an auditor can stream leaves through.
    """

    def __init__(
        self, *, hash_fn: HashFn = sha256, size: int = 0, hashes: Iterable[bytes] = ()
    ) -> None:
        self._hash_fn = hash_fn
        self._size = size
        self._hashes = list(hashes)
        if size < 0 or len(self._hashes) != size.bit_count():
            raise ValueError(f"a compact range of size {size} needs {size.bit_count()} hashes")

    @classmethod
    def from_source(
        cls, source: NodeSource, size: int, *, hash_fn: HashFn = sha256
    ) -> CompactRange:
        """The compact range of the first ``size`` leaves of ``source``."""
        hashes = [source.subtree_hash(s, e) for s, e in perfect_subtrees(0, size)]
        return cls(hash_fn=hash_fn, size=size, hashes=hashes)

    @property
    def size(self) -> int:
        """How many leaves have been appended."""
        return self._size

    @property
    def hashes(self) -> tuple[bytes, ...]:
        """The hashes of ``perfect_subtrees(0, size)``, largest (leftmost) first."""
        return tuple(self._hashes)

    def append(self, leaf_hash: bytes) -> None:
        """Add the next leaf hash; amortised O(1) hashes."""
        self.extend((leaf_hash,))

    def extend(self, leaf_hashes: Iterable[bytes]) -> CompactRange:
        """Add leaf hashes in order; returns ``self`` for chaining."""
        hash_fn, stack, size = self._hash_fn, self._hashes, self._size
        for node in leaf_hashes:
            # Each trailing one bit of the old size is a perfect subtree that now has a twin.
            carry = size
            while carry & 1:
                node = hash_fn(_NODE_PREFIX + stack.pop() + node)
                carry >>= 1
            stack.append(node)
            size += 1
        self._size = size
        return self

    def root(self) -> bytes:
        """``MTH`` of the leaves so far; ``empty_root()`` when there are none."""
        if not self._hashes:
            return empty_root(hash_fn=self._hash_fn)
        return combine_subtree_hashes(self._hashes, hash_fn=self._hash_fn)


# --- Inclusion proofs -------------------------------------------------------------------


def inclusion_proof_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The node ranges whose hashes form RFC 6962 ``PATH(index, D[0:size])``, leaf first."""
    _check_range(index, index + 1, size)
    lo, hi, ranges = 0, size, []
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
    ranges.reverse()
    return ranges


def inclusion_proof_from(source: NodeSource, index: int, size: int) -> list[bytes]:
    """The inclusion proof of leaf ``index`` in the tree of ``size`` leaves of ``source``."""
    return [source.subtree_hash(s, e) for s, e in inclusion_proof_ranges(index, size)]


def inclusion_proof(
    index: int, leaf_hashes: Sequence[bytes], *, hash_fn: HashFn = sha256
) -> list[bytes]:
    """RFC 6962 ``PATH(index, D)`` for the tree of all ``leaf_hashes``."""
    source = ListNodeSource(leaf_hashes, hash_fn=hash_fn)
    return inclusion_proof_from(source, index, len(leaf_hashes))


def _inclusion_proof_length(index: int, size: int) -> int:
    # Levels below the point where the paths to ``index`` and to ``size - 1`` part,
    # then one hash per left sibling on the right edge above it.
    inner = (index ^ (size - 1)).bit_length()
    return inner + (index >> inner).bit_count()


def _check_hash_lengths(hashes: Iterable[bytes], hash_fn: HashFn) -> None:
    digest_size = len(hash_fn(b""))
    for position, value in enumerate(hashes):
        if len(value) != digest_size:
            raise ProofError(f"hash #{position} is {len(value)} bytes, not {digest_size}")


def root_from_inclusion_proof(
    index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes], *, hash_fn: HashFn = sha256
) -> bytes:
    """The root that ``proof`` leads to from ``leaf_hash`` (RFC 9162 §2.1.3.2 steps 1-4).

    Raises ProofError when the index is outside the tree or a length is wrong.
    """
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    expected = _inclusion_proof_length(index, size)
    if len(proof) != expected:
        raise ProofError(
            f"the proof has {len(proof)} hashes; leaf {index} of {size} needs {expected}"
        )
    _check_hash_lengths([leaf_hash, *proof], hash_fn)
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            raise ProofError("the proof is longer than the path to the root")
        if fn & 1 or fn == sn:
            r = hash_fn(_NODE_PREFIX + p + r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = hash_fn(_NODE_PREFIX + r + p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("the proof stops short of the root")
    return r


def verify_inclusion(
    index: int,
    size: int,
    leaf_hash: bytes,
    proof: Sequence[bytes],
    root: bytes,
    *,
    hash_fn: HashFn = sha256,
) -> bool:
    """Whether ``proof`` shows ``leaf_hash`` at ``index`` in the tree ``(size, root)``."""
    try:
        computed = root_from_inclusion_proof(index, size, leaf_hash, proof, hash_fn=hash_fn)
    except ProofError:
        return False
    return computed == root


# --- Consistency proofs -----------------------------------------------------------------


def consistency_proof_ranges(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """The node ranges whose hashes form RFC 6962 ``PROOF(old_size, D[0:new_size])``."""
    if not 0 <= old_size <= new_size:
        raise ValueError(f"sizes {old_size} -> {new_size} do not describe a growing log")
    if old_size in (0, new_size):
        return []
    lo, hi, m, complete, ranges = 0, new_size, old_size, True, []
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo, m, complete = lo + k, m - k, False
    if not complete:
        ranges.append((lo, hi))
    ranges.reverse()
    return ranges


def consistency_proof_from(source: NodeSource, old_size: int, new_size: int) -> list[bytes]:
    """The proof that the first ``old_size`` leaves of ``source`` prefix ``new_size``."""
    return [source.subtree_hash(s, e) for s, e in consistency_proof_ranges(old_size, new_size)]


def consistency_proof(
    old_size: int, new_size: int, leaf_hashes: Sequence[bytes], *, hash_fn: HashFn = sha256
) -> list[bytes]:
    """RFC 6962 ``PROOF(old_size, D[0:new_size])``; ``leaf_hashes`` may run past ``new_size``."""
    if new_size > len(leaf_hashes):
        raise ValueError(f"new size {new_size} exceeds the {len(leaf_hashes)} leaves given")
    source = ListNodeSource(leaf_hashes[:new_size], hash_fn=hash_fn)
    return consistency_proof_from(source, old_size, new_size)


def _consistency_roots(
    old_size: int, new_size: int, old_root: bytes, proof: Sequence[bytes], hash_fn: HashFn
) -> tuple[bytes, bytes]:
    """RFC 9162 §2.1.4.2 steps 1-6 for ``0 < old_size < new_size``: the (fr, sr) reached."""
    path = [old_root, *proof] if old_size & (old_size - 1) == 0 else list(proof)
    if not path:
        raise ProofError("the consistency proof is empty")
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("the proof is longer than the path to the new root")
        if fn & 1 or fn == sn:
            fr = hash_fn(_NODE_PREFIX + c + fr)
            sr = hash_fn(_NODE_PREFIX + c + sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = hash_fn(_NODE_PREFIX + sr + c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("the proof stops short of the new root")
    return fr, sr


def _check_trivial_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Sizes RFC 9162 leaves to the caller: equal sizes, and growth from empty."""
    if proof:
        raise ProofError(f"sizes {old_size} -> {new_size} need an empty proof")
    if old_size == new_size and old_root != new_root:
        raise ProofError(f"two different roots for the same size {old_size}")


def check_consistency(
    old_size: int,
    new_size: int,
    old_root: bytes,
    new_root: bytes,
    proof: Sequence[bytes],
    *,
    hash_fn: HashFn = sha256,
) -> None:
    """Raise ProofError unless ``proof`` shows tree ``(old_size, old_root)`` is a prefix
    of ``(new_size, new_root)``. An empty old tree must have root ``empty_root()``."""
    if not 0 <= old_size <= new_size:
        raise ProofError(f"sizes {old_size} -> {new_size} do not describe a growing log")
    _check_hash_lengths([old_root, new_root, *proof], hash_fn)
    if old_size == 0 and old_root != empty_root(hash_fn=hash_fn):
        raise ProofError("the old root of an empty tree is not the empty root")
    if old_size in (0, new_size):
        _check_trivial_consistency(old_size, new_size, old_root, new_root, proof)
        return
    expected = len(consistency_proof_ranges(old_size, new_size))
    if len(proof) != expected:
        raise ProofError(
            f"the proof has {len(proof)} hashes; {old_size} -> {new_size} needs {expected}"
        )
    fr, sr = _consistency_roots(old_size, new_size, old_root, proof, hash_fn)
    if fr != old_root:
        raise ProofError("the proof does not lead to the old root")
    if sr != new_root:
        raise ProofError("the proof does not lead to the new root")


def verify_consistency(
    old_size: int,
    new_size: int,
    old_root: bytes,
    new_root: bytes,
    proof: Sequence[bytes],
    *,
    hash_fn: HashFn = sha256,
) -> bool:
    """Whether ``proof`` shows ``(old_size, old_root)`` is a prefix of ``(new_size, new_root)``."""
    try:
        check_consistency(old_size, new_size, old_root, new_root, proof, hash_fn=hash_fn)
    except ProofError:
        return False
    return True
