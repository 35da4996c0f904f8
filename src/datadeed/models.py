"""Every ORM model, imported so that Base.metadata is complete (Alembic, tests)."""

from datadeed.accounts.models import (
    ApiToken,
    AuditEvent,
    LoginAttempt,
    Organization,
    User,
    UserRole,
    WebSession,
)
from datadeed.certificates.models import Certificate, CertificateEvent
from datadeed.datasets.models import (
    Dataset,
    DatasetRuleSet,
    DatasetVersion,
    QualityReportRecord,
    SketchHash,
)
from datadeed.db import Base
from datadeed.evidence.models import EvidenceRecord
from datadeed.jobs.models import Job
from datadeed.ledger.models import LedgerCheckpoint, LedgerEntry, LedgerKey, LedgerNode
from datadeed.registry.models import (
    ApplicationDocument,
    Objection,
    PublicNotice,
    RegistrationApplication,
    RegistrationEvent,
    ReviewAssignment,
)
from datadeed.sensitive.models import (
    GradeReview,
    PiSafeguard,
    RiskAssessment,
    SensitivityScan,
)
from datadeed.valuation.models import ValuationCase

metadata = Base.metadata

__all__ = [
    "ApiToken",
    "ApplicationDocument",
    "AuditEvent",
    "Certificate",
    "CertificateEvent",
    "Dataset",
    "DatasetRuleSet",
    "DatasetVersion",
    "EvidenceRecord",
    "GradeReview",
    "Job",
    "LedgerCheckpoint",
    "LedgerEntry",
    "LedgerKey",
    "LedgerNode",
    "LoginAttempt",
    "Objection",
    "Organization",
    "PiSafeguard",
    "PublicNotice",
    "QualityReportRecord",
    "RegistrationApplication",
    "RegistrationEvent",
    "ReviewAssignment",
    "RiskAssessment",
    "SensitivityScan",
    "SketchHash",
    "User",
    "UserRole",
    "ValuationCase",
    "WebSession",
    "metadata",
]
