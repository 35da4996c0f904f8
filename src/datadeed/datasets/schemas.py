"""Data shapes the dataset service hands to other domains and to the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


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


class VersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    version_no: int
    filename: str | None
    format: str
    encoding: str | None
    size_bytes: int
    sha256: str
    sm3: str
    content_fingerprint: str
    row_count: int
    column_count: int
    score: float | None = None
    grade: str | None = None
    report_digest: str | None = None


class RuleSetIn(BaseModel):
    yaml_text: str = Field(max_length=256 * 1024)


class RuleSetOut(BaseModel):
    """The dataset's current rule set; ``version_no`` 0 and empty text when none."""

    dataset_id: int
    version_no: int
    label: str | None
    yaml_text: str
    rules: dict[str, Any] | None
    created_at: dt.datetime | None
