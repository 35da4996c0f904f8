"""Errors of the job runner (under DatadeedError).

ConfigurationError
└── UnknownJobKind   500 unknown_job_kind   no handler registered for a job's kind
"""

from __future__ import annotations

from datadeed.errors import ConfigurationError


class UnknownJobKind(ConfigurationError):
    code = "unknown_job_kind"
    title = "No handler for this kind of job"
