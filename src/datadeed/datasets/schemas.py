"""Data shapes the dataset service hands to other domains and to the API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class OverlapFlag(BaseModel):
    """Another organization's dataset whose latest version overlaps a version's rows.

    ``containment`` is the estimated share of the checked version's distinct rows that
    the other dataset also holds; ``contained_in_this`` the other way round (the other
    dataset's rows found in the checked version). Estimates come from the bottom-k MinHash
    sketches (standard error ≤ 0.5/√k); ``exact_match`` compares content fingerprints."""

    model_config = ConfigDict(frozen=True)

    dataset_id: int
    dataset_name: str
    version_id: int
    version_no: int
    organization_id: int
    organization_name: str
    exact_match: bool
    jaccard: float
    containment: float
    contained_in_this: float
