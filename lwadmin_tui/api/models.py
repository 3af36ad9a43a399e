"""Pydantic models of the LangWatch API-key resources, exactly as the server sends them.

Unknown fields are ignored (the server adds keys over time) and every field the contract marks as
nullable is optional, so a newer server never breaks the client.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

T = TypeVar("T")

Role = Literal["ADMIN", "MEMBER", "VIEWER", "CUSTOM"]
ScopeType = Literal["ORGANIZATION", "TEAM", "PROJECT"]


def _assume_utc(moment: datetime) -> datetime:
    """The contract sends `Z`; a server that omits the zone means UTC, never local time."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_assume_utc)]


class _ServerModel(BaseModel):
    # defer_build: each model's validator is built at its first use, not at import (45 ms).
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True, defer_build=True)


class RoleBinding(_ServerModel):
    id: str
    role: Role | str
    """ADMIN, MEMBER, VIEWER or CUSTOM; an unknown future role is kept as its string."""
    scope_type: ScopeType | str = Field(alias="scopeType")
    scope_id: str = Field(alias="scopeId")


class ApiKeyInfo(_ServerModel):
    """One row of `GET /api/api-keys`: no owner, no key type, no token."""

    id: str
    name: str
    description: str | None = None
    created_at: UtcDatetime = Field(alias="createdAt")
    expires_at: UtcDatetime | None = Field(default=None, alias="expiresAt")
    last_used_at: UtcDatetime | None = Field(default=None, alias="lastUsedAt")
    revoked_at: UtcDatetime | None = Field(default=None, alias="revokedAt")
    role_bindings: tuple[RoleBinding, ...] = Field(default=(), alias="roleBindings")


class ApiKeyList(_ServerModel):
    data: tuple[ApiKeyInfo, ...]


class ApiKeyDetail(ApiKeyInfo):
    """`GET /api/api-keys/{id}` (server 3.13+): the list row plus ownership and permissions."""

    key_type: Literal["personal", "service"] | str | None = Field(default=None, alias="keyType")
    assigned_to_user_id: str | None = Field(default=None, alias="assignedToUserId")
    created_by_user_id: str | None = Field(default=None, alias="createdByUserId")
    permission_mode: str | None = Field(default=None, alias="permissionMode")
    permissions: tuple[str, ...] = ()


class RevokeResult(_ServerModel):
    success: bool


class Project(_ServerModel):
    """One row of `GET /api/projects`: only the projects this credential may view."""

    id: str
    name: str
    team_id: str | None = Field(default=None, alias="teamId")


class Team(_ServerModel):
    """One row of `GET /api/teams` (needs `team:view`)."""

    id: str
    name: str


class Pagination(_ServerModel):
    page: int = 1
    limit: int = 50
    total: int = 0


class Page(_ServerModel, Generic[T]):
    """One page of `GET /api/projects` or `GET /api/teams`."""

    data: tuple[T, ...]
    pagination: Pagination = Field(default_factory=Pagination)
