"""What the dataset page's sensitivity panel (``sensitive/_dataset_panel.html``) shows."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from datadeed.sensitive.gates import evaluate_gate, latest_scan

__all__ = ["panel_context"]


def panel_context(session: Session, version_id: int) -> dict[str, Any]:
    """What ``sensitive/_dataset_panel.html`` needs for a version: ``sensitivity`` (the
    latest scan's result, grade and status, or None) and ``sensitivity_gate``.

    The caller has already checked that the viewer may see the version."""
    scan = latest_scan(session, version_id)
    if scan is None:
        return {"sensitivity": None, "sensitivity_gate": None}
    return {
        "sensitivity": {
            "scan_id": scan.id,
            "grade": scan.grade,
            "proposed_grade": scan.proposed_grade,
            "grade_status": scan.grade_status,
            "has_pi": scan.has_pi,
            "has_sensitive_pi": scan.has_sensitive_pi,
            "row_count": scan.row_count,
            "columns": [c for c in scan.result["columns"] if c["pi_types"]],
            "created_at": scan.created_at,
        },
        "sensitivity_gate": evaluate_gate(session, version_id, "register"),
    }
