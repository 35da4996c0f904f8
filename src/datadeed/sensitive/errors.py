"""Errors of the sensitive-data domain (subclasses of the DatadeedError tree)."""

from __future__ import annotations

from datadeed.errors import Conflict, InvalidInput


class UnknownColumn(InvalidInput):
    """A quasi-identifier or sensitive attribute that the dataset does not have."""

    code = "unknown_column"
    status = 422


class InvalidGrade(InvalidInput):
    code = "invalid_grade"
    status = 422


class GradeAlreadyReviewed(Conflict):
    """The scan's grade was confirmed or changed in the meantime."""

    code = "grade_already_reviewed"


class ScanMissing(Conflict):
    """An action needs a scan of the version first."""

    code = "scan_missing"
