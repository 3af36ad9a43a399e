"""The LangWatch API-key resources: pydantic models of exactly what the server sends, and the
light `ApiKeyInfo` / `RoleBinding` the app keeps for every listed key (decoded by msgspec).

Unknown fields are ignored (the server adds keys over time) and every field the contract marks as
nullable is optional, so a newer server never breaks the client.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

import msgspec
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

Role = Literal["ADMIN", "MEMBER", "VIEWER", "CUSTOM"]
ScopeType = Literal["ORGANIZATION", "TEAM", "PROJECT"]


def assume_utc(moment: datetime) -> datetime:
    """The contract sends `Z`; a server that omits the zone means UTC, never local time."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


UtcDatetime = Annotated[datetime, AfterValidator(assume_utc)]


class _ServerModel(BaseModel):
    # defer_build: each model's validator is built at its first use, not at import (45 ms).
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True, defer_build=True)


# Only aware datetimes: a zone-less one sends the row to pydantic, which reads it as UTC.
_AwareDatetime = Annotated[datetime, msgspec.Meta(tz=True)]


class _Row(msgspec.Struct, frozen=True, gc=False, rename="camel"):
    """Immutable, hashable, decoded from the wire's camelCase names; gc=False: these hold only
    strings, datetimes and tuples of rows, never a cycle, so the collector need not track them."""


class RoleBinding(_Row, frozen=True, gc=False):
    """One role binding of a key, as the app keeps it."""

    id: str
    role: Role | str
    """ADMIN, MEMBER, VIEWER or CUSTOM; an unknown future role is kept as its string."""
    scope_type: ScopeType | str
    scope_id: str


class ApiKeyInfo(_Row, frozen=True, gc=False):
    """One row of `GET /api/api-keys` (no owner, no key type, no token), as the app keeps it.

    A msgspec struct, not a pydantic model: a list holds up to 100,000 of them, and msgspec
    decodes the whole answer into them in C (`key_list.py`), 5-8 times faster than `json.loads`
    plus building rows in Python; `ApiKeyInfoModel` validates anything unusual.
    """

    id: str
    name: str
    created_at: _AwareDatetime
    description: str | None = None
    expires_at: _AwareDatetime | None = None
    last_used_at: _AwareDatetime | None = None
    revoked_at: _AwareDatetime | None = None
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
        return ApiKeyInfo(**{name: getattr(self, name) for name in ApiKeyInfo.__struct_fields__})


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


class CreatedKeyRow(_ServerModel):
    id: str
    name: str
    created_at: UtcDatetime = Field(alias="createdAt")


class CreatedKeyModel(_ServerModel):
    """`POST /api/api-keys` 201: the token (this once) and the new key."""

    token: str = Field(repr=False)
    api_key: CreatedKeyRow = Field(alias="apiKey")


# The scope pages are read while the app starts: msgspec decodes them with no warm-up, where
# pydantic's first generic page model took 15-25 ms to build on the event loop.


class Project(_Row, frozen=True, gc=False):
    """One row of `GET /api/projects`: only the projects this credential may view."""

    id: str
    name: str
    team_id: str | None = None


class Team(_Row, frozen=True, gc=False):
    """One row of `GET /api/teams` (needs `team:view`)."""

    id: str
    name: str


class Pagination(_Row, frozen=True, gc=False):
    page: int = 1
    limit: int = 50
    total: int = 0


class ProjectPage(_Row, frozen=True, gc=False):
    """One page of `GET /api/projects`."""

    data: tuple[Project, ...]
    pagination: Pagination = Pagination()


class TeamPage(_Row, frozen=True, gc=False):
    """One page of `GET /api/teams`."""

    data: tuple[Team, ...]
    pagination: Pagination = Pagination()


class Member(_Row, frozen=True, gc=False):
    """A member of the organization or of a team, as the app keeps it (either route's row).

    `name` and `email` are as the server sent them (either may be null): display them only
    through `safe_text`. `disabled` is known from the organization's list only."""

    user_id: str
    name: str | None = None
    email: str | None = None
    role: str | None = None
    disabled: bool = False


class TeamMembers(_Row, frozen=True, gc=False):
    """`GET /api/teams/{id}/members` (needs `team:view`): rows of {userId, name, email, role}."""

    data: tuple[msgspec.Raw, ...]
    """Each row decoded on its own (`client.py`): one malformed person does not hide the rest."""


class MemberUser(_Row, frozen=True, gc=False):
    id: str | None = None
    name: str | None = None
    email: str | None = None


class OrganizationMember(_Row, frozen=True, gc=False):
    """One row of `GET /api/organization/members` (Enterprise plan): the person is nested."""

    user_id: str
    role: str | None = None
    disabled: bool | None = False
    user: MemberUser | None = None

    def to_member(self) -> Member:
        user = self.user or MemberUser()
        return Member(self.user_id, user.name, user.email, self.role, bool(self.disabled))


class OrganizationMemberPage(_Row, frozen=True, gc=False):
    """One page of `GET /api/organization/members` (by offset; `totalCount` over all pages)."""

    members: tuple[msgspec.Raw, ...]
    """Each row decoded on its own, as in `TeamMembers`."""
    total_count: int = 0
