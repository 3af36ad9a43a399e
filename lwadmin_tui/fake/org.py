"""In-memory data of the fake LangWatch server, and its JSON wire shapes.

The records mirror what the real server stores (see reference/langwatch-api.md), including the
parts the API never returns (lookup id, secret, owner), because the rules need them.
"""

from __future__ import annotations

import random
import string
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

Role = Literal["ADMIN", "MEMBER", "VIEWER", "CUSTOM"]
ScopeType = Literal["ORGANIZATION", "TEAM", "PROJECT"]
PermissionMode = Literal["all", "readonly", "restricted"]

ALNUM = string.digits + string.ascii_letters
NANOID_ALPHABET = ALNUM + "_-"

# What a built-in role grants at the scope it is bound to. ADMIN grants everything the fake knows.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "ADMIN": frozenset(
        {
            "organization:view",
            "organization:manage",
            "team:view",
            "team:manage",
            "project:view",
            "project:manage",
        }
    ),
    "MEMBER": frozenset({"organization:view", "team:view", "project:view", "project:update"}),
    "VIEWER": frozenset({"organization:view", "team:view", "project:view"}),
}


@dataclass
class FakeUser:
    """A member of the organization; `org_role` (ADMIN, MEMBER or EXTERNAL) ADMIN means a
    direct org-scope ADMIN binding.

    `joined_at` and `deactivated_at` are the membership's dates in the organization's member
    list (None: the fake's current time when listed)."""

    id: str
    name: str | None
    org_role: str = "MEMBER"
    deactivated: bool = False
    email: str | None = None
    joined_at: datetime | None = None
    deactivated_at: datetime | None = None


@dataclass(frozen=True)
class FakeBinding:
    """One role binding of a key; `permissions` is fake-internal and only used for CUSTOM.

    Frozen: a key changes its bindings by replacing them, which `listed_rows` relies on."""

    id: str
    role: Role
    scope_type: ScopeType
    scope_id: str
    permissions: frozenset[str] = frozenset()

    def grants(self) -> frozenset[str]:
        """The permissions this binding grants at its own scope."""
        if self.role == "CUSTOM":
            return self.permissions
        return ROLE_PERMISSIONS.get(self.role, frozenset())


class Edits:
    """Counts every change to any `FakeKey`, so the list can reuse its last answer (listed_rows).

    `count` rises with each field set; `reordered` is the count at the last change of a field
    that decides whether or where a key is listed. One lock for every fake in the process: two
    servers editing keys at once must not lose a count.
    """

    count = 0
    reordered = 0
    lock = threading.Lock()

    @classmethod
    def stamp(cls, reorders: bool) -> int:
        with cls.lock:
            cls.count += 1
            if reorders:
                cls.reordered = cls.count
            return cls.count


ORDER_FIELDS = frozenset(
    {"id", "organization_id", "created_at", "revoked_at", "owner_user_id", "is_langy_session"}
)


@dataclass
class FakeKey:
    """An organization API key as the server stores it (owner None means a service key).

    Every field set is counted (`Edits`) and stamped on the key (`edit`); bindings are stored as
    a tuple of frozen bindings, so they change only by being replaced, which is counted too.
    """

    id: str
    name: str
    organization_id: str
    lookup_id: str
    secret: str
    created_at: datetime
    description: str | None = None
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None
    bindings: Sequence[FakeBinding] = ()
    owner_user_id: str | None = None
    created_by_user_id: str | None = None
    permission_mode: PermissionMode = "all"
    is_langy_session: bool = False

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "bindings":
            value = tuple(value)
        object.__setattr__(self, name, value)
        object.__setattr__(self, "edit", Edits.stamp(name in ORDER_FIELDS))

    @property
    def is_service(self) -> bool:
        """A key with no owner belongs to the organization, not to a person."""
        return self.owner_user_id is None

    @property
    def token(self) -> str:
        """The credential a client sends for this key."""
        return token_for(self)


@dataclass
class FakeTeam:
    """A team, listed by `GET /api/teams`."""

    id: str
    name: str
    slug: str
    organization_id: str
    created_at: datetime
    updated_at: datetime


@dataclass
class FakeProject:
    """A project, listed by `GET /api/projects`."""

    id: str
    name: str
    slug: str
    team_id: str
    created_at: datetime
    updated_at: datetime
    language: str = "python"
    framework: str = "other"


ENTERPRISE = "enterprise"


@dataclass
class FakeOrg:
    """The whole server-side world; keys of other organizations may live here too.

    `plan` decides whether `GET /api/organization/members` answers (Enterprise only);
    `team_members` maps a team id to its members' user ids and their roles in that team.
    """

    id: str
    name: str
    users: dict[str, FakeUser] = field(default_factory=dict)
    keys: dict[str, FakeKey] = field(default_factory=dict)
    teams: list[FakeTeam] = field(default_factory=list)
    projects: list[FakeProject] = field(default_factory=list)
    plan: str = ENTERPRISE
    team_members: dict[str, dict[str, Role]] = field(default_factory=dict)

    def add_user(self, user: FakeUser) -> FakeUser:
        """Register a user and return it (for chaining in builders)."""
        self.users[user.id] = user
        return user

    def add_member(self, team_id: str, user_id: str, role: Role = "MEMBER") -> None:
        """Put a user in a team with this team role (ADMIN, MEMBER or VIEWER)."""
        self.team_members.setdefault(team_id, {})[user_id] = role

    def add_key(self, key: FakeKey) -> FakeKey:
        """Register a key and return it (for chaining in builders)."""
        self.keys[key.id] = key
        return key


def token_for(key: FakeKey) -> str:
    """Build the `sk-lw-{lookupId}_{secret}` token that authenticates as `key`."""
    return f"sk-lw-{key.lookup_id}_{key.secret}"


def random_alnum(rng: random.Random, length: int) -> str:
    """Alphanumerics, as in lookup ids, secrets and legacy project keys."""
    return "".join(rng.choice(ALNUM) for _ in range(length))


def nanoid(rng: random.Random, length: int = 21) -> str:
    """A nanoid-style id: may contain `_` and `-`, which clients must keep intact in URLs."""
    return "".join(rng.choice(NANOID_ALPHABET) for _ in range(length))


def project_key_token(rng: random.Random) -> str:
    """A legacy project key (`sk-lw-` + 48 alphanumerics, no `_`), rejected on admin routes."""
    return "sk-lw-" + random_alnum(rng, 48)


def iso(moment: datetime | None) -> str | None:
    """ISO-8601 UTC with milliseconds and `Z`, as the server (JavaScript Date) writes dates."""
    if moment is None:
        return None
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def key_info(key: FakeKey) -> dict[str, Any]:
    """ApiKeyInfo: one row of `GET /api/api-keys` (no owner, no type, no token)."""
    return {
        "id": key.id,
        "name": key.name,
        "description": key.description,
        "createdAt": iso(key.created_at),
        "expiresAt": iso(key.expires_at),
        "lastUsedAt": iso(key.last_used_at),
        "revokedAt": iso(key.revoked_at),
        "roleBindings": [
            {"id": b.id, "role": b.role, "scopeType": b.scope_type, "scopeId": b.scope_id}
            for b in key.bindings
        ],
    }


def key_detail(key: FakeKey) -> dict[str, Any]:
    """ApiKeyDetail: `GET /api/api-keys/{id}`, the list row plus owner, type and permissions."""
    custom = sorted({p for b in key.bindings if b.role == "CUSTOM" for p in b.permissions})
    return {
        **key_info(key),
        "keyType": "service" if key.is_service else "personal",
        "assignedToUserId": key.owner_user_id,
        "createdByUserId": key.created_by_user_id,
        "permissionMode": key.permission_mode,
        "permissions": custom if key.permission_mode == "restricted" else [],
        "bindings": [
            {"role": b.role, "scopeType": b.scope_type, "scopeId": b.scope_id} for b in key.bindings
        ],
    }


def team_json(team: FakeTeam) -> dict[str, Any]:
    """One row of `GET /api/teams`."""
    return {
        "id": team.id,
        "name": team.name,
        "slug": team.slug,
        "organizationId": team.organization_id,
        "createdAt": iso(team.created_at),
        "updatedAt": iso(team.updated_at),
    }


def team_member_json(user: FakeUser, role: str) -> dict[str, Any]:
    """One row of `GET /api/teams/{id}/members`: the user and their role in that team."""
    return {"userId": user.id, "name": user.name, "email": user.email, "role": role}


def organization_member_json(user: FakeUser, now: Callable[[], datetime]) -> dict[str, Any]:
    """One row of `GET /api/organization/members`; a missing date reads as `now()`."""
    joined = user.joined_at or now()
    disabled_at = (user.deactivated_at or now()) if user.deactivated else None
    return {
        "userId": user.id,
        "role": user.org_role,
        "disabled": user.deactivated,
        "disabledAt": iso(disabled_at),
        "createdAt": iso(joined),
        "updatedAt": iso(disabled_at or joined),
        "user": {"id": user.id, "name": user.name, "email": user.email},
    }


def project_json(project: FakeProject) -> dict[str, Any]:
    """One row of `GET /api/projects`."""
    return {
        "id": project.id,
        "name": project.name,
        "slug": project.slug,
        "language": project.language,
        "framework": project.framework,
        "teamId": project.team_id,
        "createdAt": iso(project.created_at),
        "updatedAt": iso(project.updated_at),
    }
