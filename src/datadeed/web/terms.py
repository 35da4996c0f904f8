"""Message ids that templates translate from data (enum values), declared here so that
message extraction finds them."""

from __future__ import annotations


def N_(message: str) -> str:
    return message


ENUM_TERMS = (
    N_("enterprise"),
    N_("registrar"),
    N_("appraiser"),
    N_("bank"),
    N_("regulator"),
    N_("platform_operator"),
    N_("org_admin"),
    N_("data_manager"),
    N_("reviewer"),
    N_("registration_officer"),
    N_("bank_officer"),
    N_("platform_admin"),
    N_("organization.create"),
    N_("user.create"),
    N_("user.login"),
    N_("user.logout"),
    N_("user.roles"),
    N_("user.password"),
    N_("token.create"),
    N_("token.revoke"),
    N_("evidence.lodge"),
    N_("evidence/v1"),
    N_("registration-event/v1"),
    N_("certificate/v1"),
    N_("report-digest/v1"),
    N_("key-rotation/v1"),
    N_("dataset.version"),
    N_("normativity"),
    N_("completeness"),
    N_("accuracy"),
    N_("consistency"),
    N_("timeliness"),
    N_("accessibility"),
    N_("cornerstone"),
    N_("spark"),
    N_("star_sea"),
)
