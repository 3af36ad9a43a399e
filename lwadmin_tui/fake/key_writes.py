"""Creating and updating keys (`POST /api/api-keys`, `PATCH /api/api-keys/{id}`): the rules.

Checked in the real server's order (reference/langwatch-api.md): the body parses (400), fits the
schema (422 `validation_error` naming the fields), the name is not reserved (422), the caller may
mint this kind of key (403 `api_key_admin_required`), and grants nothing above its own (403
`api_key_scope_violation`). The new key's token authenticates at once; it is in the 201 answer
only. A PATCH changes name, description, permission mode, permissions and bindings, never the
expiry; another user's key answers 404 to a non-admin, a revoked one 409. One that names
bindings, permissions or permission mode passes the same scope check as a POST, over the
bindings the key will have.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Protocol

from lwadmin_tui.fake.org import (
    ROLE_PERMISSIONS,
    FakeBinding,
    FakeKey,
    FakeOrg,
    iso,
    key_detail,
    nanoid,
    random_alnum,
)
from lwadmin_tui.fake.responses import (
    FakeResponse,
    already_revoked,
    json_response,
    key_not_found,
)

RESERVED_NAME = "Langy session"
NAME_MAX, DESCRIPTION_MAX, BINDINGS_MAX, PROJECT_IDS_MAX = 100, 500, 20, 50
ROLES = ("ADMIN", "MEMBER", "VIEWER", "CUSTOM")
SCOPE_TYPES = ("ORGANIZATION", "TEAM", "PROJECT")
MODES = ("all", "readonly", "restricted")
# A PATCH naming any of these may widen what the key grants: it passes a POST's scope check.
GRANT_FIELDS = frozenset({"bindings", "permissions", "permissionMode"})
_ADMIN_MESSAGES = {
    "create-service-key": "Only organization admins can create service API keys",
    "assign-to-another-user": "Only organization admins can create API keys for other users",
    "create-unowned-key": "Only organization admins can create API keys without an owner",
}


class KeyRules(Protocol):
    """What these rules need from the fake (`FakeLangWatch`)."""

    org: FakeOrg
    rng: random.Random

    def is_real_admin(self, key: FakeKey) -> bool: ...

    def now_utc(self) -> datetime: ...


@dataclass
class _Checked:
    """A body that fits the schema, or the fields that do not (name → reasons)."""

    values: dict[str, Any] = field(default_factory=dict)
    problems: dict[str, list[str]] = field(default_factory=dict)

    def fail(self, name: str, reason: str) -> None:
        self.problems.setdefault(name, []).append(reason)


def create_key(fake: KeyRules, caller: FakeKey, body: bytes) -> FakeResponse:
    parsed = _json_object(body)
    if isinstance(parsed, FakeResponse):
        return parsed
    checked = _check(parsed, creating=True)
    values = checked.values
    key_type = values.get("keyType", "personal")
    if key_type == "service" and not values.get("bindings") and not values.get("projectIds"):
        values["bindings"] = [("ADMIN", "ORGANIZATION", caller.organization_id)]
    if key_type == "personal" and not values.get("bindings"):
        checked.fail("bindings", "A personal API key needs at least one role binding")
    if key_type == "personal" and values.get("projectIds"):
        checked.fail("projectIds", "projectIds are for service API keys only")
    if checked.problems:
        return validation_error(checked.problems)
    if values["name"] == RESERVED_NAME:
        return _reserved_name()
    owner = values.get("assignedToUserId") if key_type == "personal" else None
    if key_type == "personal" and owner is None:
        owner = caller.owner_user_id
    action = _privileged_action(caller, key_type, owner)
    if action is not None and not fake.is_real_admin(caller):
        return admin_required(action)
    if owner is not None and not _active_member(fake.org, owner):
        return validation_error({"assignedToUserId": ["No active member of the organization"]})
    stated = values.get("bindings") or []
    bindings = stated + [("ADMIN", "PROJECT", p) for p in values.get("projectIds") or []]
    permissions = frozenset(values.get("permissions") or ())
    refused = _scope_problem(fake, caller, bindings, permissions, stated=len(stated))
    if refused is not None:
        return refused
    key = _mint(fake, caller, values, owner, bindings)
    return json_response(
        201,
        {
            "token": key.token,
            "apiKey": {"id": key.id, "name": key.name, "createdAt": iso(key.created_at)},
        },
    )


def update_key(
    fake: KeyRules, caller: FakeKey, key: FakeKey | None, key_id: str, body: bytes
) -> FakeResponse:
    """PATCH: `key` is the caller's organization's key of that id (None: there is none)."""
    others = key is not None and (key.is_service or key.owner_user_id != caller.owner_user_id)
    if key is None or (others and not fake.is_real_admin(caller)):
        return key_not_found(key_id)  # another's key answers as if it did not exist
    parsed = _json_object(body)
    if isinstance(parsed, FakeResponse):
        return parsed
    checked = _check(parsed, creating=False)
    values = checked.values
    if "bindings" in values and not key.is_service and not values["bindings"]:
        checked.fail("bindings", "A personal API key needs at least one role binding")
    if checked.problems:
        return validation_error(checked.problems)
    if values.get("name") == RESERVED_NAME:
        return _reserved_name()
    if key.revoked_at is not None:
        return already_revoked(key_id)
    permissions = (
        frozenset(values["permissions"]) if "permissions" in values else _custom_permissions(key)
    )
    bindings = values["bindings"] if "bindings" in values else _triples(key)
    if GRANT_FIELDS & values.keys():
        refused = _scope_problem(fake, caller, bindings, permissions)
        if refused is not None:
            return refused
    if "bindings" in values:
        key.bindings = [_binding(fake, b, permissions) for b in bindings]
    elif "permissions" in values:
        key.bindings = [
            replace(b, permissions=permissions) if b.role == "CUSTOM" else b for b in key.bindings
        ]
    for name, attribute in (
        ("name", "name"),
        ("description", "description"),
        ("permissionMode", "permission_mode"),
    ):
        if name in values:
            setattr(key, attribute, values[name])
    return json_response(200, key_detail(key))


# --- the answers ---------------------------------------------------------------------------


def validation_error(problems: dict[str, list[str]]) -> FakeResponse:
    reasons = [f"{name}: {reason}" for name, found in problems.items() for reason in found]
    return json_response(
        422,
        {
            "error": "validation_error",
            "message": "The request body is not valid: " + "; ".join(reasons),
            "fields": problems,
            "reasons": reasons,
        },
    )


def admin_required(action: str) -> FakeResponse:
    return json_response(
        403,
        {
            "error": "api_key_admin_required",
            "message": _ADMIN_MESSAGES[action],
            "action": action,
            "tips": ["Ask an organization admin to create this key"],
            "fault": "customer",
        },
    )


def scope_violation(role: str, scope_type: str, scope_id: str) -> FakeResponse:
    return json_response(
        403,
        {
            "error": "api_key_scope_violation",
            "message": (
                f"Cannot grant {role} on {scope_type} {scope_id}: "
                "it is above what this API key itself holds there"
            ),
            "tips": ["Grant a role no higher than your own at that scope"],
            "fault": "customer",
        },
    )


def _reserved_name() -> FakeResponse:
    return json_response(
        422,
        {
            "error": "api_key_reserved_name",
            "message": f'The name "{RESERVED_NAME}" is reserved',
            "fault": "customer",
        },
    )


def _malformed() -> FakeResponse:
    return json_response(
        400, {"error": "malformed_request", "message": "The request body is not valid JSON"}
    )


# --- the checks ----------------------------------------------------------------------------


def _json_object(body: bytes) -> dict[str, Any] | FakeResponse:
    try:
        parsed = json.loads(body or b"{}")
    except (ValueError, RecursionError):
        return _malformed()
    if not isinstance(parsed, dict):
        return validation_error({"": ["Expected an object"]})
    return parsed


def _check(body: dict[str, Any], *, creating: bool) -> _Checked:
    checked = _Checked()
    values = checked.values
    if creating or "name" in body:
        name = body.get("name")
        if not isinstance(name, str) or not 1 <= _js_length(name) <= NAME_MAX:
            checked.fail("name", f"A string of 1 to {NAME_MAX} characters is required")
        else:
            values["name"] = name
    _optional(checked, body, "description", _text(DESCRIPTION_MAX))
    _optional(checked, body, "permissionMode", _one_of(MODES))
    _optional(checked, body, "permissions", _permissions)
    _optional(checked, body, "bindings", _bindings)
    if creating:
        _optional(checked, body, "keyType", _one_of(("personal", "service")))
        _optional(checked, body, "expiresAt", _moment)
        _optional(checked, body, "assignedToUserId", _text(256, empty=False))
        _optional(checked, body, "projectIds", _project_ids)
    elif "expiresAt" in body:
        checked.fail("expiresAt", "An API key's expiry cannot be changed after it was created")
    return checked


_Check = Callable[[Any], tuple[Any, str | None]]


def _js_length(text: str) -> int:
    """A string's length as zod's `.max()` counts it: UTF-16 code units (JavaScript's
    `length`), so an astral-plane emoji counts two; a lone surrogate from the JSON counts one."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _optional(checked: _Checked, body: dict[str, Any], name: str, check: _Check) -> None:
    if name not in body or body[name] is None:
        return
    value, problem = check(body[name])
    if problem is not None:
        checked.fail(name, problem)
    else:
        checked.values[name] = value


def _text(limit: int, *, empty: bool = True) -> _Check:
    def check(value: Any) -> tuple[Any, str | None]:
        if not isinstance(value, str) or _js_length(value) > limit or (not empty and not value):
            return None, f"A string of at most {limit} characters is required"
        return value, None

    return check


def _one_of(choices: tuple[str, ...]) -> _Check:
    def check(value: Any) -> tuple[Any, str | None]:
        if value not in choices:
            return None, "One of " + ", ".join(choices) + " is required"
        return value, None

    return check


def _moment(value: Any) -> tuple[Any, str | None]:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None, "An ISO-8601 date is required"
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)), None


def _permissions(value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, list) or not all(
        isinstance(p, str) and p.count(":") == 1 for p in value
    ):
        return None, "A list of resource:action permissions is required"
    return value, None


def _bindings(value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, list) or len(value) > BINDINGS_MAX:
        return None, f"A list of at most {BINDINGS_MAX} role bindings is required"
    found = []
    for item in value:
        if (
            not isinstance(item, dict)
            or item.get("role") not in ROLES
            or item.get("scopeType") not in SCOPE_TYPES
            or not isinstance(item.get("scopeId"), str)
            or not item["scopeId"]
        ):
            return None, "Each role binding needs a role, a scopeType and a scopeId"
        found.append((item["role"], item["scopeType"], item["scopeId"]))
    return found, None


def _project_ids(value: Any) -> tuple[Any, str | None]:
    if (
        not isinstance(value, list)
        or len(value) > PROJECT_IDS_MAX
        or not all(isinstance(p, str) and p for p in value)
    ):
        return None, f"A list of at most {PROJECT_IDS_MAX} project ids is required"
    return value, None


def _triples(key: FakeKey) -> list[tuple[str, str, str]]:
    """The key's bindings as a body states them, for the scope check of a PATCH that keeps them."""
    return [(b.role, b.scope_type, b.scope_id) for b in key.bindings]


def _custom_permissions(key: FakeKey) -> frozenset[str]:
    return frozenset(p for b in key.bindings if b.role == "CUSTOM" for p in b.permissions)


def _active_member(org: FakeOrg, user_id: str) -> bool:
    user = org.users.get(user_id)
    return user is not None and not user.deactivated


def _privileged_action(caller: FakeKey, key_type: str, owner: str | None) -> str | None:
    if key_type == "service":
        return "create-service-key"
    if owner is None:
        return "create-unowned-key"
    if owner != caller.owner_user_id:
        return "assign-to-another-user"
    return None


def _scope_problem(
    fake: KeyRules,
    caller: FakeKey,
    bindings: list[tuple[str, str, str]],
    custom: frozenset[str] = frozenset(),
    *,
    stated: int | None = None,
) -> FakeResponse | None:
    """The first binding that names no scope of the organization (422), or grants anything the
    caller's own bindings do not grant at that scope or one enclosing it (403); a CUSTOM one
    grants `custom`. The first `stated` came as `bindings` (all, if None), the rest as
    `projectIds`: a 422 names the entry the client sent."""
    stated = len(bindings) if stated is None else stated
    org = fake.org
    teams = {t.id for t in org.teams if t.organization_id == caller.organization_id}
    team_of = {p.id: p.team_id for p in org.projects if p.team_id in teams}
    for index, (role, scope_type, scope_id) in enumerate(bindings):
        known = (
            scope_id == caller.organization_id
            if scope_type == "ORGANIZATION"
            else scope_id in teams
            if scope_type == "TEAM"
            else scope_id in team_of
        )
        if not known:
            where = (
                f"bindings.{index}.scopeId" if index < stated else f"projectIds.{index - stated}"
            )
            return validation_error({where: [f"No {scope_type.lower()} {scope_id} here"]})
        enclosing = {("ORGANIZATION", caller.organization_id), (scope_type, scope_id)}
        if scope_type == "PROJECT":
            enclosing.add(("TEAM", team_of[scope_id]))
        above = [b for b in caller.bindings if (b.scope_type, b.scope_id) in enclosing]
        if any(b.role == "ADMIN" for b in above):
            continue  # an admin there may grant anything there
        held = frozenset().union(*(b.grants() for b in above))
        wanted = custom if role == "CUSTOM" else ROLE_PERMISSIONS[role]
        if not wanted <= held:
            return scope_violation(role, scope_type, scope_id)
    return None


def _binding(
    fake: KeyRules, binding: tuple[str, str, str], permissions: frozenset[str] = frozenset()
) -> FakeBinding:
    """A new binding; a CUSTOM one grants the key's `permissions` (the fake keeps them there)."""
    role, scope_type, scope_id = binding
    granted = permissions if role == "CUSTOM" else frozenset()
    return FakeBinding(nanoid(fake.rng), role, scope_type, scope_id, granted)  # type: ignore[arg-type]


def _mint(
    fake: KeyRules,
    caller: FakeKey,
    values: dict[str, Any],
    owner: str | None,
    bindings: list[tuple[str, str, str]],
) -> FakeKey:
    rng = fake.rng
    permissions = frozenset(values.get("permissions") or ())
    key = FakeKey(
        id=nanoid(rng),
        name=values["name"],
        organization_id=caller.organization_id,
        lookup_id=random_alnum(rng, 16),
        secret=random_alnum(rng, 48),
        created_at=fake.now_utc(),
        description=values.get("description"),
        expires_at=values.get("expiresAt"),
        bindings=[_binding(fake, binding, permissions) for binding in bindings],
        owner_user_id=owner,
        created_by_user_id=caller.owner_user_id,
        permission_mode=values.get("permissionMode", "all"),
    )
    return fake.org.add_key(key)
