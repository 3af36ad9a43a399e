"""The fake's POST and PATCH of keys, against reference/langwatch-api.md: every rule, and a new
token that authenticates at once. Over the pure handler, and over real HTTP with http.client."""

from __future__ import annotations

import http.client
import json
from typing import Any

import pytest

from lwadmin_tui.fake import FakeServer, Scenario
from lwadmin_tui.fake.scenarios import admin_scenario, manager_scenario
from tests.conftest import FIXED_NOW

KEYS = "/api/api-keys"


@pytest.fixture
def admin() -> Scenario:
    return admin_scenario(FIXED_NOW)


@pytest.fixture
def manager() -> Scenario:
    return manager_scenario(FIXED_NOW)


def send(
    scenario: Scenario, method: str, path: str, body: Any = None, token: str | None = None
) -> tuple[int, Any]:
    raw = (
        body if isinstance(body, bytes) else json.dumps(body).encode() if body is not None else b""
    )
    headers = {"Authorization": f"Bearer {token or scenario.token}"}
    response = scenario.app.handle(method, path, headers, raw)
    return response.status, response.json()


def user_id(scenario: Scenario, name: str) -> str:
    return next(u.id for u in scenario.app.org.users.values() if u.name == name)


def project_id(scenario: Scenario, slug: str) -> str:
    return next(p.id for p in scenario.app.org.projects if p.slug == slug)


def test_a_service_key_without_bindings_gets_org_wide_admin_and_its_token_works(
    admin: Scenario,
) -> None:
    status, created = send(admin, "POST", KEYS, {"name": "ci runner", "keyType": "service"})
    assert status == 201
    assert set(created) == {"token", "apiKey"}
    assert set(created["apiKey"]) == {"id", "name", "createdAt"}
    new_id, token = created["apiKey"]["id"], created["token"]
    assert token.startswith("sk-lw-")
    status, listed = send(admin, "GET", KEYS, token=token)  # authenticates at once
    assert status == 200 and new_id in {row["id"] for row in listed["data"]}
    _, detail = send(admin, "GET", f"{KEYS}/{new_id}")
    assert detail["keyType"] == "service" and detail["assignedToUserId"] is None
    assert detail["bindings"] == [
        {"role": "ADMIN", "scopeType": "ORGANIZATION", "scopeId": admin.app.org.id}
    ]
    assert token not in json.dumps(detail)  # never again after the 201


def test_a_personal_key_for_another_user_keeps_what_was_asked(admin: Scenario) -> None:
    maya = user_id(admin, "Maya Chen")
    fleet = project_id(admin, "fleet-telemetry")
    body = {
        "name": "maya laptop (rolled)",
        "description": "Local development",
        "keyType": "personal",
        "assignedToUserId": maya,
        "permissionMode": "readonly",
        "expiresAt": "2027-03-01T00:00:00.000Z",
        "bindings": [{"role": "MEMBER", "scopeType": "PROJECT", "scopeId": fleet}],
    }
    status, created = send(admin, "POST", KEYS, body)
    assert status == 201
    _, detail = send(admin, "GET", f"{KEYS}/{created['apiKey']['id']}")
    assert detail["keyType"] == "personal" and detail["assignedToUserId"] == maya
    assert detail["createdByUserId"] is None  # made by a service key
    assert detail["permissionMode"] == "readonly"
    assert detail["expiresAt"] == "2027-03-01T00:00:00.000Z"
    assert detail["description"] == "Local development"
    assert detail["bindings"] == [{"role": "MEMBER", "scopeType": "PROJECT", "scopeId": fleet}]


def test_project_ids_become_admin_project_bindings_of_a_service_key(admin: Scenario) -> None:
    fleet = project_id(admin, "fleet-telemetry")
    body = {"name": "exporter", "keyType": "service", "projectIds": [fleet]}
    status, created = send(admin, "POST", KEYS, body)
    assert status == 201
    _, detail = send(admin, "GET", f"{KEYS}/{created['apiKey']['id']}")
    assert detail["bindings"] == [{"role": "ADMIN", "scopeType": "PROJECT", "scopeId": fleet}]


BINDING = {"role": "VIEWER", "scopeType": "ORGANIZATION", "scopeId": "?"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "n" * 101}, "name"),
        ({}, "name"),
        ({"name": "x", "description": "d" * 501, "keyType": "service"}, "description"),
        ({"name": "x", "keyType": "service", "bindings": [BINDING] * 21}, "bindings"),
        ({"name": "x", "keyType": "service", "projectIds": ["p"] * 51}, "projectIds"),
        ({"name": "x", "keyType": "personal"}, "bindings"),
        ({"name": "x", "keyType": "robot"}, "keyType"),
        ({"name": "x", "keyType": "service", "permissionMode": "some"}, "permissionMode"),
        ({"name": "x", "keyType": "service", "expiresAt": "soon"}, "expiresAt"),
        ({"name": "x", "projectIds": ["p"], "bindings": [BINDING]}, "projectIds"),
    ],
    ids=[
        "empty-name",
        "long-name",
        "no-name",
        "long-description",
        "21-bindings",
        "51-projects",
        "personal-unbound",
        "type",
        "mode",
        "expiry",
        "projects-personal",
    ],
)
def test_a_body_outside_the_schema_is_422_naming_the_field(
    admin: Scenario, body: dict[str, Any], field: str
) -> None:
    before = len(admin.app.org.keys)
    status, answer = send(admin, "POST", KEYS, body)
    assert status == 422
    assert answer["error"] == "validation_error" and field in answer["fields"]
    assert answer["reasons"] and field in answer["message"]
    assert len(admin.app.org.keys) == before  # nothing was made


def test_the_reserved_name_and_a_body_that_is_not_json(admin: Scenario) -> None:
    status, answer = send(admin, "POST", KEYS, {"name": "Langy session", "keyType": "service"})
    assert (status, answer["error"]) == (422, "api_key_reserved_name")
    status, answer = send(admin, "POST", KEYS, b"{not json")
    assert (status, answer["error"]) == (400, "malformed_request")


def test_a_non_admin_may_not_mint_service_keys_or_keys_for_others(manager: Scenario) -> None:
    maya = user_id(manager, "Maya Chen")
    org = manager.app.org.id
    binding = [{"role": "VIEWER", "scopeType": "ORGANIZATION", "scopeId": org}]
    for body, action in [
        ({"name": "svc", "keyType": "service"}, "create-service-key"),
        (
            {"name": "for maya", "assignedToUserId": maya, "bindings": binding},
            "assign-to-another-user",
        ),
    ]:
        status, answer = send(manager, "POST", KEYS, body)
        assert status == 403
        assert answer["error"] == "api_key_admin_required" and answer["action"] == action
        assert answer["message"]


def test_no_binding_above_the_callers_own(manager: Scenario) -> None:
    """Dana's credential grants organization:view and :manage (CUSTOM) and nothing more."""
    org = manager.app.org.id
    admin_binding = [{"role": "ADMIN", "scopeType": "ORGANIZATION", "scopeId": org}]
    status, answer = send(manager, "POST", KEYS, {"name": "mine", "bindings": admin_binding})
    assert (status, answer["error"]) == (403, "api_key_scope_violation")
    custom = [{"role": "CUSTOM", "scopeType": "ORGANIZATION", "scopeId": org}]
    body = {"name": "mine", "bindings": custom, "permissions": ["organization:view"]}
    status, created = send(manager, "POST", KEYS, body)
    assert status == 201  # a subset of her own grants
    _, detail = send(manager, "GET", f"{KEYS}/{created['apiKey']['id']}")
    assert detail["assignedToUserId"] == user_id(manager, "Dana Whitfield")
    assert detail["createdByUserId"] == user_id(manager, "Dana Whitfield")


def test_an_unknown_scope_is_422(admin: Scenario) -> None:
    unknown = [{"role": "VIEWER", "scopeType": "PROJECT", "scopeId": "project_nowhere"}]
    body = {"name": "x", "keyType": "service", "bindings": unknown}
    status, answer = send(admin, "POST", KEYS, body)
    assert status == 422 and "bindings.0.scopeId" in answer["fields"]


def test_patch_changes_what_it_may_and_never_the_expiry(admin: Scenario) -> None:
    _, created = send(admin, "POST", KEYS, {"name": "old name", "keyType": "service"})
    path = f"{KEYS}/{created['apiKey']['id']}"
    status, detail = send(admin, "PATCH", path, {"name": "new name", "permissionMode": "readonly"})
    assert status == 200
    assert (detail["name"], detail["permissionMode"]) == ("new name", "readonly")
    status, answer = send(admin, "PATCH", path, {"expiresAt": "2027-01-01T00:00:00Z"})
    assert status == 422 and "expiresAt" in answer["fields"]
    admin.app.revoke_out_of_band(created["apiKey"]["id"])
    status, answer = send(admin, "PATCH", path, {"name": "again"})
    assert (status, answer["error"]) == (409, "api_key_already_revoked")


def test_patch_of_another_users_key_by_a_non_admin_is_404(manager: Scenario) -> None:
    maya_key = next(
        k for k in manager.app.org.keys.values() if k.owner_user_id == user_id(manager, "Maya Chen")
    )
    status, answer = send(manager, "PATCH", f"{KEYS}/{maya_key.id}", {"name": "mine now"})
    assert (status, answer["error"]) == (404, "api_key_not_found")
    assert manager.app.key(maya_key.id).name != "mine now"


def test_create_over_real_http_and_the_new_token_lists(admin: Scenario) -> None:
    server = FakeServer(admin.app).start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        body = json.dumps({"name": "over http", "keyType": "service"})
        headers = {"Authorization": f"Bearer {admin.token}", "Content-Type": "application/json"}
        conn.request("POST", KEYS, body=body, headers=headers)
        response = conn.getresponse()
        created = json.loads(response.read())
        assert response.status == 201
        conn.request("GET", KEYS, headers={"Authorization": f"Bearer {created['token']}"})
        listed = conn.getresponse()
        assert listed.status == 200
        assert created["apiKey"]["id"] in {row["id"] for row in json.loads(listed.read())["data"]}
        conn.close()
    finally:
        server.stop()


@pytest.mark.parametrize("fault", ["lost", "5xx"])
def test_the_create_faults_make_the_key_and_lose_its_token(admin: Scenario, fault: str) -> None:
    server = FakeServer(admin.app).start()
    if fault == "lost":
        server.faults.create_answer_lost = True
    else:
        server.faults.create_fail_status = 503
    before = set(admin.app.org.keys)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        body = json.dumps({"name": "made, answer lost", "keyType": "service"})
        conn.request("POST", KEYS, body=body, headers={"Authorization": f"Bearer {admin.token}"})
        if fault == "lost":
            with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
                conn.getresponse()
        else:
            response = conn.getresponse()
            assert response.status == 503 and b"sk-lw-" not in response.read()
        conn.close()
    finally:
        server.stop()
    made = set(admin.app.org.keys) - before
    assert [admin.app.key(k).name for k in made] == ["made, answer lost"]
