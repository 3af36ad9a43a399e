"""The LangWatch API-key resources: pydantic models of exactly what the server sends, and the
light `ApiKeyInfo` / `RoleBinding` the app keeps for every listed key.

Unknown fields are ignored (the server adds keys over time) and every field the contract marks as
nullable is optional, so a newer server never breaks the client.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Generic, Literal, NamedTuple, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

T = TypeVar("T")

Role = Literal["ADMIN", "MEMBER", "VIEWER", "CUSTOM"]
ScopeType = Literal["ORGANIZATION", "TEAM", "PROJECT"]


def assume_utc(moment: datetime) -> datetime:
    """The contract sends `Z`; a server that omits the zone means UTC, never local time."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


UtcDatetime = Annotated[datetime, AfterValidator(assume_utc)]


class _ServerModel(BaseModel):
    # defer_build: each model's validator is built at its first use, not at import (45 ms).
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True, defer_build=True)


class RoleBinding(NamedTuple):
    """One role binding of a key, as the app keeps it."""

    id: str
    role: Role | str
    """ADMIN, MEMBER, VIEWER or CUSTOM; an unknown future role is kept as its string."""
    scope_type: ScopeType | str
    scope_id: str


class ApiKeyInfo(NamedTuple):
    """One row of `GET /api/api-keys` (no owner, no key type, no token), as the app keeps it.

    An immutable named tuple, not a pydantic model: a list holds up to 100,000 of them, and
    this shape takes half the time to build and about half the memory (`key_list.py` builds them
    from the JSON; `ApiKeyInfoModel` validates anything unusual, benchmarks/RESULTS.md).
    """

    id: str
    name: str
    created_at: datetime
    description: str | None = None
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None
    role_bindings: tuple[RoleBinding, ...] = ()


def _as_bindings(models: tuple[RoleBindingModel, ...]) -> tuple[RoleBinding, ...]:
    return tuple(RoleBinding(b.id, b.role, b.scope_type, b.scope_id) for b in models)


class RoleBindingModel(_ServerModel):
    id: str
    role: Role | str
    scope_type: ScopeType | str = Field(alias="scopeType")
    scope_id: str = Field(alias="scopeId")


Bindings = Annotated[tuple[RoleBindingModel, ...], AfterValidator(_as_bindings)]


class ApiKeyInfoModel(_ServerModel):
    """The validating model of a list row: every field, type and alias the contract gives."""

    id: str
    name: str
    description: str | None = None
    created_at: UtcDatetime = Field(alias="createdAt")
    expires_at: UtcDatetime | None = Field(default=None, alias="expiresAt")
    last_used_at: UtcDatetime | None = Field(default=None, alias="lastUsedAt")
    revoked_at: UtcDatetime | None = Field(default=None, alias="revokedAt")
    role_bindings: Bindings = Field(default=(), alias="roleBindings")

    def to_info(self) -> ApiKeyInfo:
        """The same fields as the light row (bindings are converted on validation)."""
        return ApiKeyInfo._make(getattr(self, name) for name in ApiKeyInfo._fields)


class ApiKeyList(_ServerModel):
    data: tuple[ApiKeyInfoModel, ...]


class ApiKeyDetail(ApiKeyInfoModel):
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
