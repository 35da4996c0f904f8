"""Organization kinds, roles, and which roles each kind of organization may hold."""

from __future__ import annotations

from enum import StrEnum


class OrgKind(StrEnum):
    ENTERPRISE = "enterprise"  # 数商 / data merchant
    REGISTRAR = "registrar"  # 登记机构
    APPRAISER = "appraiser"  # 评估机构
    BANK = "bank"  # 质权人
    REGULATOR = "regulator"  # 发改 / 数据局 / 市场监管
    PLATFORM_OPERATOR = "platform_operator"  # runs this platform


class Role(StrEnum):
    ORG_ADMIN = "org_admin"  # manages its own organization's users
    DATA_MANAGER = "data_manager"  # enterprise: datasets, applications, listings
    REVIEWER = "reviewer"  # registrar: reviews cases
    REGISTRATION_OFFICER = "registration_officer"  # registrar: accepts, decides, issues
    APPRAISER = "appraiser"  # appraiser: runs and signs valuations
    BANK_OFFICER = "bank_officer"  # bank: encumbrances, pledges
    REGULATOR = "regulator"  # regulator: programmes, budgets, dashboards
    PLATFORM_ADMIN = "platform_admin"  # platform operator: organizations, audit log


class MerchantTier(StrEnum):
    """Binjiang data-merchant tiers (DOMAIN.md §0)."""

    CORNERSTONE = "cornerstone"  # 基石数商
    SPARK = "spark"  # 星火数商
    STAR_SEA = "star_sea"  # 星海数商


ROLES_BY_KIND: dict[OrgKind, frozenset[Role]] = {
    OrgKind.ENTERPRISE: frozenset({Role.ORG_ADMIN, Role.DATA_MANAGER}),
    OrgKind.REGISTRAR: frozenset({Role.ORG_ADMIN, Role.REVIEWER, Role.REGISTRATION_OFFICER}),
    OrgKind.APPRAISER: frozenset({Role.ORG_ADMIN, Role.APPRAISER}),
    OrgKind.BANK: frozenset({Role.ORG_ADMIN, Role.BANK_OFFICER}),
    OrgKind.REGULATOR: frozenset({Role.ORG_ADMIN, Role.REGULATOR}),
    OrgKind.PLATFORM_OPERATOR: frozenset({Role.ORG_ADMIN, Role.PLATFORM_ADMIN}),
}

# Organizations whose staff see every tenant's objects in their line of work.
OVERSIGHT_KINDS = frozenset({OrgKind.PLATFORM_OPERATOR})
