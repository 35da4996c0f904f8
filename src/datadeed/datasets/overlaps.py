"""Overlap flags: which other holders' datasets share many rows with a version.

Compares the version's stored MinHash sketch with the sketch of the latest version of
every dataset held by another organization. Sketches of a different ``k`` (written under
another ``overlap_sketch_k``) cannot be compared and are skipped."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from datadeed.accounts.models import Organization
from datadeed.datasets.minhash import MinHashSketch, estimate_overlap
from datadeed.datasets.models import Dataset, DatasetVersion
from datadeed.datasets.schemas import OverlapFlag
from datadeed.errors import InvalidInput, NotFound


def find_overlaps(
    session: Session, version_id: int, *, min_containment: float = 0.5
) -> list[OverlapFlag]:
    """Flags for the latest versions of other organizations' datasets that match the
    version exactly or contain (either way) at least ``min_containment`` of its rows;
    most contained first."""
    if not 0.0 <= min_containment <= 1.0:
        raise InvalidInput("min_containment must be between 0 and 1")
    version = session.get(DatasetVersion, version_id)
    if version is None:
        raise NotFound("dataset version not found")
    own = MinHashSketch.from_bytes(version.overlap_sketch)
    flags = []
    for other, dataset, org_name in _latest_of_other_holders(session, version):
        flag = _flag(version, own, other, dataset, org_name)
        if flag is not None and (
            flag.exact_match or max(flag.containment, flag.contained_in_this) >= min_containment
        ):
            flags.append(flag)
    return sorted(flags, key=lambda f: (-f.containment, -f.jaccard, f.dataset_id))


def _latest_of_other_holders(
    session: Session, version: DatasetVersion
) -> list[tuple[DatasetVersion, Dataset, str]]:
    latest = (
        select(DatasetVersion.dataset_id, func.max(DatasetVersion.version_no).label("no"))
        .group_by(DatasetVersion.dataset_id)
        .subquery()
    )
    query = (
        select(DatasetVersion, Dataset, Organization.name)
        .join(
            latest,
            (latest.c.dataset_id == DatasetVersion.dataset_id)
            & (latest.c.no == DatasetVersion.version_no),
        )
        .join(Dataset, Dataset.id == DatasetVersion.dataset_id)
        .join(Organization, Organization.id == Dataset.organization_id)
        .where(Dataset.organization_id != version.dataset.organization_id)
        .order_by(DatasetVersion.id)
    )
    return [(v, d, name) for v, d, name in session.execute(query).all()]


def _flag(
    version: DatasetVersion,
    own: MinHashSketch,
    other: DatasetVersion,
    dataset: Dataset,
    org_name: str,
) -> OverlapFlag | None:
    theirs = MinHashSketch.from_bytes(other.overlap_sketch)
    exact = other.content_fingerprint == version.content_fingerprint
    if exact:
        jaccard = in_other = in_this = 1.0
    elif theirs.k != own.k:
        return None
    else:
        jaccard, in_other, in_this = estimate_overlap(own, theirs)
    return OverlapFlag(
        dataset_id=dataset.id,
        dataset_name=dataset.name,
        version_id=other.id,
        version_no=other.version_no,
        organization_id=dataset.organization_id,
        organization_name=org_name,
        exact_match=exact,
        jaccard=round(jaccard, 4),
        containment=round(in_other, 4),
        contained_in_this=round(in_this, 4),
    )
