"""Overlap flags: which other holders' datasets share many rows with a version.

Compares the version's stored MinHash sketch with the sketch of the latest version of
every dataset held by another organization that could overlap it: one with the same
content fingerprint, or one whose sketch shares a hash with it (``dataset_sketch_hashes``
indexes every hash). Two sketches that share no hash estimate a Jaccard similarity, and
so a containment, of zero, so reading only those candidates changes no flag; it keeps the
search to a few rows however many datasets are registered. Sketches of a different ``k``
(written under another ``overlap_sketch_k``) cannot be compared and are skipped."""

from __future__ import annotations

from sqlalchemy import Select, func, select, union
from sqlalchemy.orm import Session

from datadeed.accounts.models import Organization
from datadeed.datasets.minhash import MinHashSketch, estimate_overlap, signed64
from datadeed.datasets.models import Dataset, DatasetVersion, SketchHash
from datadeed.datasets.schemas import OverlapFlag
from datadeed.errors import InvalidInput, NotFound


def find_overlaps(
    session: Session, version_id: int, *, min_containment: float = 0.5, use_index: bool = True
) -> list[OverlapFlag]:
    """Flags for the latest versions of other organizations' datasets that match the
    version exactly or share rows with it, at least ``min_containment`` of one side's
    (either way); most contained first. ``use_index=False`` compares every other holder's
    latest sketch instead of the candidates the index finds (the same flags; for checks
    and the benchmark)."""
    if not 0.0 <= min_containment <= 1.0:
        raise InvalidInput("min_containment must be between 0 and 1")
    version = session.get(DatasetVersion, version_id)
    if version is None:
        raise NotFound("dataset version not found")
    own = MinHashSketch.from_bytes(version.overlap_sketch)
    flags = []
    candidates = _candidates(version, own) if use_index else None
    for other, dataset, org_name in _latest_of_other_holders(session, version, candidates):
        flag = _flag(version, own, other, dataset, org_name)
        if flag is not None and (flag.exact_match or _shares(flag, min_containment)):
            flags.append(flag)
    return sorted(flags, key=lambda f: (-f.containment, -f.jaccard, f.dataset_id))


def _shares(flag: OverlapFlag, min_containment: float) -> bool:
    """Some rows in common, and at least ``min_containment`` of one side's."""
    most = max(flag.containment, flag.contained_in_this)
    return most > 0 and most >= min_containment


def index_sketch(session: Session, version_id: int, sketch: MinHashSketch) -> None:
    """Add the hashes of a new version's sketch to the index."""
    session.add_all(
        SketchHash(dataset_version_id=version_id, hash=signed64(h)) for h in sketch.hashes
    )
    session.flush()


def _candidates(version: DatasetVersion, own: MinHashSketch) -> Select[tuple[int]]:
    sharing = select(SketchHash.dataset_version_id).where(
        SketchHash.hash.in_([signed64(h) for h in own.hashes])
    )
    same = select(DatasetVersion.id).where(
        DatasetVersion.content_fingerprint == version.content_fingerprint
    )
    return union(sharing, same)  # type: ignore[return-value]


def _latest_of_other_holders(
    session: Session, version: DatasetVersion, candidates: Select[tuple[int]] | None
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
    if candidates is not None:
        query = query.where(DatasetVersion.id.in_(candidates))
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
