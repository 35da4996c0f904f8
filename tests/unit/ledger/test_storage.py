"""SQL storage of the tree agrees with the pure tree math for every size and proof."""

from __future__ import annotations

import random

import pytest

from datadeed.ledger import tree
from datadeed.ledger.storage import SqlLedgerStore


def _leaves(n: int, start: int = 0) -> list[tuple[str, bytes]]:
    return [("test", f"entry {i}".encode()) for i in range(start, start + n)]


def _append_in_batches(store: SqlLedgerStore, sizes: list[int]) -> list[bytes]:
    datas: list[bytes] = []
    for n in sizes:
        batch = _leaves(n, len(datas))
        stored, root = store.append(batch)
        datas += [d for _, d in batch]
        assert [s.index for s in stored] == list(range(len(datas) - n, len(datas)))
        assert root == tree.root_from_leaf_hashes([tree.leaf_hash(d) for d in datas])
    return datas


def test_roots_match_for_every_size_up_to_70(db):
    with db.session() as session:
        store = SqlLedgerStore(session)
        _append_in_batches(store, [1] * 70)
        assert store.size() == 70


@pytest.mark.parametrize("batches", [[1, 2, 3, 5, 8, 13, 21], [64, 1, 63], [100, 27], [129]])
def test_batched_appends_build_the_same_tree(db, batches):
    with db.session() as session:
        store = SqlLedgerStore(session)
        datas = _append_in_batches(store, batches)
        hashes = [tree.leaf_hash(d) for d in datas]
        size = len(datas)
        for index in range(size):
            assert store.inclusion_proof(index, size) == tree.inclusion_proof(index, hashes[:size])
        for old in range(1, size + 1):
            assert store.consistency_proof(old, size) == tree.consistency_proof(old, size, hashes)
        for n in range(size + 1):
            assert store.root(n) == tree.root_from_leaf_hashes(hashes[:n])


def test_proofs_for_earlier_sizes_from_a_larger_store(db):
    with db.session() as session:
        store = SqlLedgerStore(session)
        datas = _append_in_batches(store, [300])
        hashes = [tree.leaf_hash(d) for d in datas]
        rng = random.Random(7)
        for _ in range(200):
            size = rng.randint(1, 300)
            index = rng.randrange(size)
            proof = store.inclusion_proof(index, size)
            assert tree.verify_inclusion(index, size, hashes[index], proof, store.root(size))


def test_sm3_tree(db):
    with db.session() as session:
        store = SqlLedgerStore(session, tree.sm3)
        stored, root = store.append(_leaves(5))
        hashes = [tree.leaf_hash(d, hash_fn=tree.sm3) for _, d in _leaves(5)]
        assert root == tree.root_from_leaf_hashes(hashes, hash_fn=tree.sm3)
        assert stored[0].leaf_hash == hashes[0]
