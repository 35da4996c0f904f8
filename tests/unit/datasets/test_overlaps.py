"""Overlap flags against other holders' datasets, with exact numbers on small sets
(fewer distinct rows than k, so the sketches hold every row and estimates are exact)."""

from __future__ import annotations

import random

import pytest

from datadeed.accounts.roles import Role
from datadeed.accounts.services import principal_for
from datadeed.datasets import OverlapFlag
from datadeed.datasets.overlaps import find_overlaps
from datadeed.datasets.services import DatasetService
from datadeed.errors import InvalidInput, NotFound
from tests.factories import OrganizationFactory, UserFactory


def _csv(ids: list[int]) -> bytes:
    return ("id,城市\n" + "".join(f"{i},城{i % 7}\n" for i in ids)).encode()


@pytest.fixture
def service(ledger, settings) -> DatasetService:  # type: ignore[no-untyped-def]
    return DatasetService(ledger.session, settings, ledger)


def _holder():  # type: ignore[no-untyped-def]
    org = OrganizationFactory()
    return principal_for(UserFactory(organization=org, roles=[Role.DATA_MANAGER]))


def _upload(service: DatasetService, actor, ids: list[int], name: str, dataset_id=None):  # type: ignore[no-untyped-def]
    return service.upload_version(actor, [_csv(ids)], name=name, dataset_id=dataset_id)


def test_flags_partial_and_exact_overlaps_of_other_holders_only(service) -> None:  # type: ignore[no-untyped-def]
    alice, bob, carol = _holder(), _holder(), _holder()
    original = _upload(service, alice, list(range(100)), "甲的数据")
    mine = _upload(service, bob, list(range(50)) + list(range(1000, 1050)), "乙的数据")
    bobs_copy = _upload(service, bob, list(range(100)), "乙的副本")  # same holder as `mine`
    shuffled = list(range(100))
    random.Random(4).shuffle(shuffled)
    copy = _upload(service, carol, shuffled, "丙的副本")
    _upload(service, carol, list(range(5000, 5100)), "丙的无关数据")

    flags = service.find_overlaps(mine.id)
    assert [f.dataset_id for f in flags] == [original.dataset_id, copy.dataset_id]
    first = flags[0]
    assert isinstance(first, OverlapFlag)
    assert (first.organization_id, first.exact_match) == (original.dataset.organization_id, False)
    assert first.organization_name == original.dataset.organization.name
    assert (first.jaccard, first.containment, first.contained_in_this) == (
        pytest.approx(50 / 150, abs=1e-4),
        0.5,
        0.5,
    )
    assert service.find_overlaps(mine.id, min_containment=0.6) == []

    exact = service.find_overlaps(original.id, min_containment=1.0)
    assert [(f.dataset_id, f.exact_match, f.containment) for f in exact] == [
        (bobs_copy.dataset_id, True, 1.0),
        (copy.dataset_id, True, 1.0),
    ]


def test_only_the_latest_version_of_the_other_dataset_counts(service) -> None:  # type: ignore[no-untyped-def]
    alice, bob = _holder(), _holder()
    theirs = _upload(service, alice, list(range(100)), "甲")
    _upload(service, alice, list(range(7000, 7100)), "甲", dataset_id=theirs.dataset_id)
    mine = _upload(service, bob, list(range(100)), "乙")
    assert service.find_overlaps(mine.id) == []


def test_a_superset_is_flagged_by_what_it_contains(service) -> None:  # type: ignore[no-untyped-def]
    alice, bob = _holder(), _holder()
    small = _upload(service, alice, list(range(40)), "小")
    big = _upload(service, bob, list(range(200)), "大")
    (flag,) = service.find_overlaps(big.id)
    assert flag.dataset_id == small.dataset_id
    assert (flag.containment, flag.contained_in_this) == (pytest.approx(0.2), 1.0)


def test_bad_arguments(service) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFound):
        service.find_overlaps(987654)
    with pytest.raises(InvalidInput):
        service.find_overlaps(1, min_containment=1.5)


def test_sketch_size_follows_the_setting_and_other_sizes_are_not_compared(
    ledger, database_url, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from datadeed.datasets.minhash import MinHashSketch
    from tests.conftest import make_settings

    small = DatasetService(
        ledger.session, make_settings(tmp_path, database_url, overlap_sketch_k=32), ledger
    )
    default = DatasetService(ledger.session, make_settings(tmp_path, database_url), ledger)
    mine = small.upload_version(_holder(), [_csv(list(range(100)))], name="k32")
    theirs = default.upload_version(_holder(), [_csv(list(range(60)))], name="k256")
    assert MinHashSketch.from_bytes(mine.overlap_sketch).k == 32
    assert MinHashSketch.from_bytes(theirs.overlap_sketch).k == 256
    assert small.find_overlaps(mine.id, min_containment=0.0) == []  # k differ: skipped
    copy = default.upload_version(_holder(), [_csv(list(range(100)))], name="same rows")
    (flag,) = small.find_overlaps(mine.id)
    assert (flag.dataset_id, flag.exact_match) == (copy.dataset_id, True)


def test_the_sketch_index_finds_what_comparing_every_sketch_finds(service) -> None:  # type: ignore[no-untyped-def]
    """Sets larger than k (partial sketches): the indexed search flags exactly the datasets
    a comparison with every other holder's sketch flags, with the same estimates."""
    alice, bob, carol = _holder(), _holder(), _holder()
    mine = _upload(service, alice, list(range(1000)), "甲")
    _upload(service, bob, list(range(500, 1500)), "乙：一半重叠")
    _upload(service, bob, list(range(300)), "乙：子集")
    _upload(service, carol, list(range(5000, 6000)), "丙：无关")
    _upload(service, carol, list(range(950, 1950)), "丙：少量重叠")
    session = service.session
    for threshold in (0.0, 0.04, 0.3, 0.5, 1.0):
        every = find_overlaps(session, mine.id, min_containment=threshold, use_index=False)
        assert find_overlaps(session, mine.id, min_containment=threshold) == every
    found = {f.dataset_name for f in service.find_overlaps(mine.id, min_containment=0.0)}
    assert found == {"乙：一半重叠", "乙：子集", "丙：少量重叠"}  # not the unrelated one
