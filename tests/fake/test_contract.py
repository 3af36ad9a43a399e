"""The fake server against reference/langwatch-api.md, rule by rule, over real HTTP.

Uses only the standard library's http.client so it stays independent of the app's client.
"""

from __future__ import annotations

import base64
import http.client
import json
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest

from lwadmin_tui.fake import (
    FakeBinding,
    FakeKey,
    FakeLangWatch,
    FakeOrg,
    FakeProject,
    FakeServer,
    FakeTeam,
    FakeUser,
    project_key_token,
    random_alnum,
)
from lwadmin_tui.fake.org import Role, ScopeType

NOW = datetime(2026, 8, 22, 12, 0, tzinfo=UTC)
ORG, OTHER_ORG = "org_acme", "org_globex"
ISO_MS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
VIEW_MANAGE = frozenset({"organization:view", "organization:manage"})

# key id: (owner or None, bindings "ROLE@scope", age days, extra fields)
KEYS: dict[str, tuple[str | None, str, float, dict[str, Any]]] = {
    "svc_admin": (None, "ADMIN@org", 1, {}),
    "svc_custom-manage": (None, "CUSTOM@org", 2, {}),
    "svc_view": (None, "VIEWER@org", 3, {}),
    "svc_project": (None, "MEMBER@p1", 4, {}),
    "admin_personal": ("u_admin", "ADMIN@org", 5, {}),
    "member_manage": ("u_member", "CUSTOM@org", 6, {"permission_mode": "restricted"}),
    "member_view": ("u_member", "VIEWER@org", 7, {}),
    "other_key": ("u_other", "MEMBER@org", 8, {}),
    "expired_key": ("u_other", "MEMBER@org", 30, {"expires_at": NOW - timedelta(days=1)}),
    "revoked_key": ("u_member", "MEMBER@org", 40, {"revoked_at": NOW - timedelta(days=2)}),
    "other_revoked": ("u_other", "MEMBER@org", 41, {"revoked_at": NOW - timedelta(days=3)}),
    "gone_key": ("u_gone", "MEMBER@org", 9, {}),
    "langy_key": ("u_admin", "CUSTOM@org", 0.5, {"is_langy_session": True}),
    "svc_readonly": (None, "ADMIN@org", 11, {"permission_mode": "readonly"}),
    "foreign_key": (None, "ADMIN@org", 10, {"organization_id": OTHER_ORG}),
}


def build_app() -> FakeLangWatch:
    """A small hand-built org where every rule has exactly one key that exercises it."""
    rng = random.Random(3)
    org = FakeOrg(id=ORG, name="Acme")
    for uid, role, off in [
        ("u_admin", "ADMIN", False),
        ("u_member", "MEMBER", False),
        ("u_other", "MEMBER", False),
        ("u_gone", "MEMBER", True),
    ]:
        org.add_user(FakeUser(uid, uid, role, off))
    org.teams.append(FakeTeam("t1", "Team", "team", ORG, NOW, NOW))
    for i in (1, 2, 3):
        created = NOW - timedelta(days=10 - i)
        org.projects.append(FakeProject(f"p{i}", f"P{i}", f"p{i}", "t1", created, created))
    for key_id, (owner, binding, age, extra) in KEYS.items():
        role, _, scope = binding.partition("@")
        key_org = extra.get("organization_id", ORG)
        scope_type: ScopeType = "ORGANIZATION" if scope == "org" else "PROJECT"
        scope_id = key_org if scope == "org" else scope
        custom = VIEW_MANAGE if role == "CUSTOM" else frozenset()
        bound = FakeBinding(f"b_{key_id}", cast(Role, role), scope_type, scope_id, custom)
        key = FakeKey(
            key_id, f"name of {key_id}", ORG, random_alnum(rng, 16), random_alnum(rng, 48),
            NOW - timedelta(days=age), bindings=[bound], owner_user_id=owner,
        )  # fmt: skip
        for name, value in extra.items():
            setattr(key, name, value)
        org.add_key(key)
    return FakeLangWatch(org, lambda: NOW)


@dataclass
class World:
    """The app, its server, and a one-call HTTP helper."""

    app: FakeLangWatch
    server: FakeServer

    def headers(self, credential: str) -> dict[str, str]:
        if credential == "none":
            return {}
        if credential in self.app.org.keys:
            return {"Authorization": f"Bearer {self.app.key(credential).token}"}
        admin = self.app.key("svc_admin")
        basic = base64.b64encode(f"x:{admin.token}".encode()).decode()
        special = {
            "x-auth-token": {"X-Auth-Token": admin.token},
            "lowercase-bearer": {"authorization": f"bearer {admin.token}"},
            "basic": {"Authorization": f"Basic {basic}"},
            "project-key": {"Authorization": f"Bearer {project_key_token(random.Random(1))}"},
            "malformed": {"Authorization": "Bearer sk-lw-abc_def"},
            "pat": {"Authorization": "Bearer pat-lw-" + "a" * 40},
            "unknown": {"Authorization": f"Bearer sk-lw-{'A' * 16}_{'b' * 48}"},
            "wrong-secret": {"Authorization": f"Bearer sk-lw-{admin.lookup_id}_{'b' * 48}"},
        }  # fmt: skip
        return special[credential]

    def call(self, credential: str, method: str, path: str) -> tuple[int, Any]:
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=5)
        try:
            conn.request(method, path, headers=self.headers(credential))
            response = conn.getresponse()
            return response.status, json.loads(response.read())
        finally:
            conn.close()


@pytest.fixture
def world() -> Iterator[World]:
    app = build_app()
    with FakeServer(app) as server:
        yield World(app, server)


class Exact(dict[str, Any]):
    """Marks an expected body that must match exactly, not as a subset."""


INVALID = Exact(error="Unauthorized", message="Invalid credentials.")
NO_CREDENTIAL = Exact(
    error="Unauthorized",
    message="Authentication required. Use Authorization: Bearer <api-key>.",
)
PROJECT_KEY = Exact(
    error="Unauthorized",
    message="This endpoint needs an organization API key. The key sent is a project API key.",
)
SUCCESS = Exact(success=True)
LISTING_403 = Exact(
    error="Forbidden",
    message="Listing every API key in the organization requires the organization:manage permission",
)
DOCS = "https://docs.langwatch.ai/api-reference/api-keys"


def required(permission: str) -> Exact:
    return Exact(error="Forbidden", message=f"Insufficient permissions. Required: {permission}")


def not_found(key_id: str) -> Exact:
    return Exact(
        error="api_key_not_found", message=f"API Key not found: {key_id}", id=key_id,
        apiKeyId=key_id, fault="customer", retryable=False, docsUrl=f"{DOCS}/overview",
        tips=["Check the API key id — the key may have been deleted or never created",
              "List the keys on the organization to find the right id"],
    )  # fmt: skip


def not_owned(key_id: str) -> Exact:
    return Exact(
        error="api_key_not_owned", message="Not authorized to modify this API Key",
        apiKeyId=key_id, fault="customer", retryable=False, docsUrl=f"{DOCS}/overview",
        tips=["Ask the key's owner or an organization admin to make this change"],
    )  # fmt: skip


def revoked(key_id: str) -> Exact:
    return Exact(
        error="api_key_already_revoked", message="API Key is already revoked",
        apiKeyId=key_id, fault="customer", retryable=False, docsUrl=f"{DOCS}/create-api-key",
        tips=["Revoked keys cannot be reactivated — create a new API key if you need one"],
    )  # fmt: skip


def rows(n: int) -> Callable[[Any], bool]:
    return lambda body: len(body["data"]) == n


def ids(*expected: str) -> Callable[[Any], bool]:
    return lambda body: [row["id"] for row in body["data"]] == list(expected)


def paged(page: int, limit: int, total: int) -> dict[str, Any]:
    return {"pagination": {"page": page, "limit": limit, "total": total}}


AT_NOW = "2026-08-22T12:00:00.000Z"
TEAM_ROW = {"id": "t1", "name": "Team", "slug": "team", "organizationId": ORG}
TEAM_ROW |= {"createdAt": AT_NOW, "updatedAt": AT_NOW}
REVOKED_DETAIL = {"id": "revoked_key", "revokedAt": "2026-08-20T12:00:00.000Z"}
REVOKED_DETAIL |= {"keyType": "personal", "assignedToUserId": "u_member"}
SERVICE_DETAIL = {"keyType": "service", "assignedToUserId": None, "permissionMode": "all"}
SERVICE_DETAIL |= {"permissions": []}
RESTRICTED_DETAIL: dict[str, Any] = {"permissionMode": "restricted"}
RESTRICTED_DETAIL["permissions"] = ["organization:manage", "organization:view"]
RESTRICTED_DETAIL["bindings"] = [{"role": "CUSTOM", "scopeType": "ORGANIZATION", "scopeId": ORG}]


K, G, D = "/api/api-keys", "GET", "DELETE"
VIEW_403, MANAGE_403 = required("organization:view"), required("organization:manage")
CASES: list[tuple[str, str, str, str, int, Any]] = [
    # authentication: every 401 variant
    ("no credential", "none", G, K, 401, NO_CREDENTIAL),
    ("project key", "project-key", G, K, 401, PROJECT_KEY),
    ("malformed token", "malformed", G, K, 401, INVALID),
    ("personal access token shape", "pat", G, K, 401, INVALID),
    ("unknown lookup id", "unknown", G, K, 401, INVALID),
    ("wrong secret", "wrong-secret", G, K, 401, INVALID),
    ("revoked credential", "revoked_key", G, K, 401, INVALID),
    ("expired credential", "expired_key", G, K, 401, INVALID),
    ("deactivated owner", "gone_key", G, K, 401, INVALID),
    ("401 on projects too", "none", G, "/api/projects", 401, {"error": "Unauthorized"}),
    ("X-Auth-Token accepted", "x-auth-token", G, K, 200, rows(11)),
    ("bearer scheme case-insensitive", "lowercase-bearer", G, K, 200, rows(11)),
    ("basic accepted", "basic", G, K, 200, rows(11)),
    # route permissions, checked before any id lookup
    ("service list without manage", "svc_view", G, K, 403, LISTING_403),
    ("readonly drops manage", "svc_readonly", G, K, 403, LISTING_403),
    ("list needs organization:view", "svc_project", G, K, 403, VIEW_403),
    (
        "delete needs manage",
        "member_view",
        D,
        f"{K}/other_key",
        403,
        MANAGE_403,
    ),
    ("manage checked before 404", "svc_view", D, f"{K}/nope", 403, MANAGE_403),
    (
        "get needs organization:view",
        "svc_project",
        G,
        f"{K}/svc_view",
        403,
        VIEW_403,
    ),
    # revoke rule 1: 404, before the ownership 403
    ("unknown id, non-admin caller", "member_manage", D, f"{K}/nope", 404, not_found("nope")),
    (
        "other org, non-admin caller",
        "member_manage",
        D,
        f"{K}/foreign_key",
        404,
        not_found("foreign_key"),
    ),
    ("other org, admin caller", "svc_admin", D, f"{K}/foreign_key", 404, not_found("foreign_key")),
    ("langy session key", "svc_admin", D, f"{K}/langy_key", 404, not_found("langy_key")),
    # rule 2: not a real admin
    (
        "personal non-admin vs service key",
        "member_manage",
        D,
        f"{K}/svc_view",
        403,
        not_owned("svc_view"),
    ),
    (
        "personal non-admin vs other's key",
        "member_manage",
        D,
        f"{K}/other_key",
        403,
        not_owned("other_key"),
    ),
    (
        "CUSTOM manage is not admin",
        "svc_custom-manage",
        D,
        f"{K}/other_key",
        403,
        not_owned("other_key"),
    ),
    (
        "403 comes before 409",
        "member_manage",
        D,
        f"{K}/other_revoked",
        403,
        not_owned("other_revoked"),
    ),
    # rule 3 and 4
    ("already revoked", "svc_admin", D, f"{K}/revoked_key", 409, revoked("revoked_key")),
    ("own revoked key", "member_manage", D, f"{K}/revoked_key", 409, revoked("revoked_key")),
    ("admin service key revokes", "svc_admin", D, f"{K}/other_key", 200, SUCCESS),
    ("non-admin revokes own", "member_manage", D, f"{K}/member_view", 200, SUCCESS),
    ("personal admin revokes service", "admin_personal", D, f"{K}/svc_view", 200, SUCCESS),
    ("expired key is revocable", "svc_admin", D, f"{K}/expired_key", 200, SUCCESS),
    ("deactivated user's key", "svc_admin", D, f"{K}/gone_key", 200, SUCCESS),
    # GET by id
    ("get returns revoked key", "svc_admin", G, f"{K}/revoked_key", 200, REVOKED_DETAIL),
    ("get service key detail", "svc_admin", G, f"{K}/svc_custom-manage", 200, SERVICE_DETAIL),
    ("get own restricted key", "member_view", G, f"{K}/member_manage", 200, RESTRICTED_DETAIL),
    ("get unknown", "svc_admin", G, f"{K}/nope", 404, not_found("nope")),
    ("get langy", "svc_admin", G, f"{K}/langy_key", 404, not_found("langy_key")),
    ("get other org", "svc_admin", G, f"{K}/foreign_key", 404, not_found("foreign_key")),
    (
        "get another user's key, non-admin",
        "member_view",
        G,
        f"{K}/other_key",
        404,
        not_found("other_key"),
    ),
    # other routes
    ("unknown route", "svc_admin", G, "/api/nothing", 404, {"error": "Not Found"}),
    ("unknown method on key", "svc_admin", "PUT", f"{K}/other_key", 404, {"error": "Not Found"}),
    ("projects page 1", "svc_admin", G, "/api/projects?page=1&limit=2", 200, paged(1, 2, 3)),
    ("projects page 2", "svc_admin", G, "/api/projects?page=2&limit=2", 200, rows(1)),
    ("projects newest first", "svc_admin", G, "/api/projects", 200, ids("p3", "p2", "p1")),
    ("projects default limit", "svc_admin", G, "/api/projects", 200, paged(1, 50, 3)),
    (
        "projects limit too big",
        "svc_admin",
        G,
        "/api/projects?limit=1001",
        422,
        {"error": "validation_error"},
    ),
    ("projects only viewable", "svc_project", G, "/api/projects", 200, ids("p1")),
    ("projects any org key", "svc_view", G, "/api/projects?limit=1", 200, paged(1, 1, 3)),
    ("teams need team:view", "svc_project", G, "/api/teams", 403, required("team:view")),
    ("teams", "svc_admin", G, "/api/teams", 200, {"data": [TEAM_ROW], **paged(1, 50, 1)}),
]


def matches(expected: Any, actual: Any) -> bool:
    """Exact for `Exact`, predicate for callables, recursive subset for dicts, else equality."""
    if isinstance(expected, Exact):
        return dict(expected) == actual
    if callable(expected):
        return bool(expected(actual))
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            k in actual and matches(v, actual[k]) for k, v in expected.items()
        )
    return bool(expected == actual)


@pytest.mark.parametrize(
    ("credential", "method", "path", "status", "expected"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_contract_table(
    world: World, credential: str, method: str, path: str, status: int, expected: Any
) -> None:
    got_status, body = world.call(credential, method, path)
    assert (got_status, matches(expected, body)) == (status, True), body


# ---- rules that need more than one request -------------------------------------------------


def listed(world: World, credential: str) -> list[dict[str, Any]]:
    status, body = world.call(credential, G, K)
    assert status == 200, body
    return list(body["data"])


def test_list_scope_personal_vs_service(world: World) -> None:
    personal = {row["id"] for row in listed(world, "member_manage")}
    service = {row["id"] for row in listed(world, "svc_admin")}
    services = {"svc_admin", "svc_custom-manage", "svc_view", "svc_project", "svc_readonly"}
    assert personal == services | {"member_manage", "member_view"}
    assert service == services | {
        "admin_personal", "member_manage", "member_view", "other_key", "expired_key", "gone_key"
    }  # fmt: skip
    admin_personal = {row["id"] for row in listed(world, "admin_personal")}
    assert admin_personal == services | {"admin_personal"}  # even an org admin sees only own


def test_list_rows_shape_order_and_dates(world: World) -> None:
    data = listed(world, "svc_admin")
    assert [r["createdAt"] for r in data] == sorted((r["createdAt"] for r in data), reverse=True)
    assert data[0]["id"] == "svc_admin"
    keys = {"id", "name", "description", "createdAt", "expiresAt", "lastUsedAt", "revokedAt"}
    for row in data:
        assert set(row) == keys | {"roleBindings"}
        assert ISO_MS.fullmatch(row["createdAt"])
        assert row["revokedAt"] is None
        assert set(row["roleBindings"][0]) == {"id", "role", "scopeType", "scopeId"}
    expired = next(r for r in data if r["id"] == "expired_key")
    assert expired["expiresAt"] == "2026-08-21T12:00:00.000Z"


def test_self_revocation_then_401(world: World) -> None:
    assert world.call("svc_admin", D, f"{K}/svc_admin") == (200, {"success": True})
    assert world.call("svc_admin", G, K) == (401, dict(INVALID))
    assert world.app.revoked_ids() >= {"svc_admin"}


def test_revoke_sets_revoked_at_and_hides_from_list(world: World) -> None:
    assert world.call("svc_admin", D, f"{K}/other_key")[0] == 200
    assert world.app.key("other_key").revoked_at == NOW
    assert "other_key" not in {r["id"] for r in listed(world, "svc_admin")}
    status, detail = world.call("svc_admin", G, f"{K}/other_key")
    assert (status, detail["revokedAt"]) == (200, "2026-08-22T12:00:00.000Z")
    assert world.call("svc_admin", D, f"{K}/other_key")[0] == 409
    assert world.app.delete_count("other_key") == 2


def test_last_used_at_only_after_2xx(world: World) -> None:
    assert world.app.key("svc_admin").last_used_at is None
    assert world.call("svc_view", G, K)[0] == 403
    assert world.app.key("svc_view").last_used_at is None
    assert world.call("svc_admin", D, f"{K}/nope")[0] == 404
    assert world.app.key("svc_admin").last_used_at is None
    listed(world, "svc_admin")  # computed before the update, like the real server
    assert world.app.key("svc_admin").last_used_at == NOW
    row = next(r for r in listed(world, "svc_admin") if r["id"] == "svc_admin")
    assert row["lastUsedAt"] == "2026-08-22T12:00:00.000Z"


def test_revoked_between_list_and_revoke_answers_409(world: World) -> None:
    world.app.revoke_after_first_list = {"other_key", "member_view"}
    first = {r["id"] for r in listed(world, "svc_admin")}
    assert {"other_key", "member_view"} <= first
    assert world.call("svc_admin", D, f"{K}/other_key") == (409, dict(revoked("other_key")))
    assert world.call("svc_admin", D, f"{K}/admin_personal")[0] == 200
    assert not {"other_key", "member_view"} & {r["id"] for r in listed(world, "svc_admin")}


def test_out_of_band_revoke(world: World) -> None:
    world.app.revoke_out_of_band("member_view")
    assert world.call("member_view", G, K) == (401, dict(INVALID))


def test_legacy_server(world: World) -> None:
    world.app.legacy = True
    status, body = world.call("svc_admin", G, f"{K}/other_key")
    assert (status, body["error"]) == (404, "Not Found")
    assert "apiKeyId" not in body
    nope = world.call("svc_admin", D, f"{K}/nope")
    assert nope == (404, {"error": "Not Found", "message": "API key not found"})
    gone = world.call("svc_admin", D, f"{K}/revoked_key")
    assert gone == (409, {"error": "Conflict", "message": "API Key is already revoked"})
    # no ownership rule: any organization:manage holder revokes any key
    assert world.call("member_manage", D, f"{K}/svc_view") == (200, {"success": True})
    assert world.call("member_view", D, f"{K}/other_key")[0] == 403


def test_request_log_and_keep_alive(world: World) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", world.server.port, timeout=5)
    headers = world.headers("svc_admin")
    for _ in range(3):  # one connection, three requests: HTTP/1.1 keep-alive works
        conn.request("GET", "/api/teams?limit=1", headers=headers)
        response = conn.getresponse()
        body = response.read()
        assert response.status == 200
        assert int(response.headers["Content-Length"]) == len(body)
        assert response.headers["Content-Type"] == "application/json"
    conn.close()
    assert world.app.requests[-1] == ("GET", "/api/teams", 200)
    assert world.server.url == f"http://127.0.0.1:{world.server.port}"
    world.server.latency_ms = 1
    assert world.server.faults.latency_ms == 1


def test_handle_without_sockets() -> None:
    app = build_app()
    token = app.key("svc_admin").token
    response = app.handle("delete", f"{K}/other%5Fkey", {"AUTHORIZATION": f"Bearer {token}"})
    assert (response.status, response.json()) == (200, {"success": True})
    assert app.revoked_ids() == {"revoked_key", "other_revoked", "other_key"}
