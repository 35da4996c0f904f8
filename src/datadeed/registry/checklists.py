"""What reviewers check and what applicants must file: pure data, no I/O.

- the documents each data-source category requires (DOMAIN.md §1.5);
- the formal-review checklist (completeness and consistency of materials);
- the substantive-review checklist, one item per refusal ground (DOMAIN.md §1.3: core
  data; unlawful source or missing authorisation; unresolved dispute; false or incomplete
  materials; harm to national security or others' rights; and for data IP, Shandong's
  rule that raw, unprocessed data is not registrable).
"""

from __future__ import annotations

from datadeed.registry.models import SourceCategory, Track
from datadeed.registry.terms import N_

# document kind -> what it is; each source category names the kinds it requires
SOURCE_DOCUMENTS: dict[SourceCategory, tuple[str, ...]] = {
    SourceCategory.SELF_PRODUCED: ("production_explanation",),
    SourceCategory.PUBLIC_COLLECTION: ("collection_method",),
    SourceCategory.PUBLIC_AUTHORISATION: ("authorisation",),
    SourceCategory.CO_PRODUCTION: ("co_production_agreement",),
    SourceCategory.PURCHASE: ("purchase_contract",),
    SourceCategory.OTHER: ("source_statement",),
}

DOCUMENT_LABELS: dict[str, str] = {
    "production_explanation": N_("Explanation of the equipment or system investment"),
    "collection_method": N_("Collection method and source"),
    "authorisation": N_("Public-data authorisation"),
    "co_production_agreement": N_("Co-production agreement"),
    "purchase_contract": N_("Purchase or licence contract"),
    "source_statement": N_("Statement of the data source"),
}

FORMAL_CHECKLIST: dict[str, str] = {
    "applicant_identity": N_("Applicant identity and credit code verified"),
    "materials_complete": N_("Materials complete and consistent with each other"),
    "evidence_per_right": N_("Each right claimed has its own evidence"),
    "source_documents": N_("Source documents match the data-source category"),
    "commitment_signed": N_("Commitment statement accepted"),
}

SUBSTANTIVE_CHECKLIST: dict[str, str] = {
    "not_core_data": N_("Not national core data"),
    "lawful_source": N_("Acquired lawfully, with the source's authorisation"),
    "no_dispute": N_("No unresolved ownership dispute"),
    "materials_true": N_("Materials true and complete"),
    "no_harm": N_("No harm to national security or to others' rights"),
}
# data IP only (Shandong rules): single records or raw, unprocessed data are not registrable
DATA_IP_CHECKLIST: dict[str, str] = {
    "processed_collection": N_("A rule-processed data collection, not raw single records"),
}

REFUSAL_GROUNDS: dict[str, str] = {
    "core_data": N_("National core data"),
    "unlawful_source": N_("Unlawful acquisition or missing authorisation of the source"),
    "ownership_dispute": N_("Unresolved ownership dispute"),
    "false_or_incomplete": N_("False or incomplete materials not corrected in time"),
    "harm": N_("Harm to national security or to others' rights"),
    "raw_data": N_("Raw or single-record data (data IP)"),
    "objection_upheld": N_("An objection was upheld"),
    "other_statutory": N_("Other statutory grounds"),
}

# substantive item -> the refusal ground that applies when it fails
GROUND_OF_ITEM: dict[str, str] = {
    "not_core_data": "core_data",
    "lawful_source": "unlawful_source",
    "no_dispute": "ownership_dispute",
    "materials_true": "false_or_incomplete",
    "no_harm": "harm",
    "processed_collection": "raw_data",
}

STAGES = ("formal", "substantive")


def checklist_for(stage: str, tracks: list[str]) -> dict[str, str]:
    """The items a reviewer must tick at ``stage`` for an application on ``tracks``."""
    if stage == "formal":
        return dict(FORMAL_CHECKLIST)
    items = dict(SUBSTANTIVE_CHECKLIST)
    if Track.DATA_IP.value in tracks:
        items.update(DATA_IP_CHECKLIST)
    return items


def unticked(stage: str, tracks: list[str], ticks: dict[str, bool]) -> list[str]:
    """Items of the stage's checklist not ticked as passed."""
    return [item for item in checklist_for(stage, tracks) if not ticks.get(item)]
