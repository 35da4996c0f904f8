"""Input and output shapes of the accounts API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from datadeed.accounts.roles import MerchantTier, OrgKind, Role
from datadeed.identifiers import normalize_uscc


class OrganizationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uscc: str = Field(description="Unified social credit code (GB 32100), 18 characters.")
    name: str = Field(min_length=2, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    kind: OrgKind
    legal_representative: str | None = Field(default=None, max_length=100)
    merchant_tier: MerchantTier | None = None

    @field_validator("uscc")
    @classmethod
    def _normalize(cls, value: str) -> str:
        return normalize_uscc(value)


class OrganizationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    uscc: str
    name: str
    name_en: str | None
    kind: OrgKind
    region_code: str
    merchant_tier: MerchantTier | None
    is_active: bool
    created_at: dt.datetime


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=3, max_length=64, pattern=r"^[a-z0-9][a-z0-9._-]*$")
    display_name: str = Field(min_length=1, max_length=100)
    email: EmailStr | None = None
    password: str = Field(min_length=1, max_length=256)
    roles: list[Role] = Field(min_length=1)


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    organization_id: int
    username: str
    display_name: str
    email: str | None
    is_active: bool
    roles: list[Role]
    created_at: dt.datetime
    last_login_at: dt.datetime | None


class RolesUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    roles: list[Role] = Field(min_length=1)


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    ttl_days: int | None = Field(default=None, ge=1, le=3650)


class TokenLogin(TokenCreate):
    """Exchange a username and password for an API token (for scripts)."""

    username: str
    password: str


class TokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="The secret. Shown once; only its hash is stored.")


class MeOut(BaseModel):
    user_id: int | None
    username: str
    display_name: str
    organization_id: int | None
    organization_name: str
    org_kind: OrgKind
    roles: list[Role]


class AuditEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    occurred_at: dt.datetime
    actor_label: str
    organization_id: int | None
    action: str
    object_type: str
    object_id: str
    detail: dict[str, Any]
    request_id: str | None
    hash: str
