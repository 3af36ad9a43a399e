"""The fake's POST and PATCH rules against reference/langwatch-api.md."""

from __future__ import annotations

import json

from lwadmin_tui.fake.scenarios import admin_scenario, manager_scenario
from tests.conftest import FIXED_NOW

KEYS = "/api/api-keys"


def send(scenario, method, path, body=None):  # type: ignore[no-untyped-def]
    raw = json.dumps(body).encode() if body is not None else b""
    headers = {"Authorization": f"Bearer {scenario.token}"}
    answer = scenario.app.handle(method, path, headers, raw)
    return answer.status, answer.json()


def test_a_service_key_with_an_empty_bindings_list_gets_org_wide_admin() -> None:
    admin = admin_scenario(FIXED_NOW)
    status, created = send(
        admin, "POST", KEYS, {"name": "svc", "keyType": "service", "bindings": []}
    )
    assert status == 201
    key = admin.app.key(created["apiKey"]["id"])
    assert [(b.role, b.scope_type) for b in key.bindings] == [("ADMIN", "ORGANIZATION")]


def test_a_pre_3_13_server_still_creates_keys() -> None:
    admin = admin_scenario(FIXED_NOW)
    admin.app.legacy = True
    status, _answer = send(admin, "POST", KEYS, {"name": "svc", "keyType": "service"})
    assert status == 201


def test_a_patch_of_permissions_or_mode_alone_grants_nothing_above_the_callers_own() -> None:
    """Dana's credential holds organization:view and :manage at org scope, nothing more."""
    manager = manager_scenario(FIXED_NOW)
    custom = [{"role": "CUSTOM", "scopeType": "ORGANIZATION", "scopeId": manager.app.org.id}]
    body = {"name": "mine", "bindings": custom, "permissions": ["organization:view"]}
    _, created = send(manager, "POST", KEYS, {**body, "permissionMode": "restricted"})
    path = f"{KEYS}/{created['apiKey']['id']}"
    wider = {"permissions": ["organization:view", "project:manage"]}
    status, answer = send(manager, "PATCH", path, wider)
    assert (status, answer["error"]) == (403, "api_key_scope_violation")
    assert send(manager, "GET", path)[1]["permissions"] == ["organization:view"]
    status, _ = send(manager, "PATCH", path, {"permissions": ["organization:manage"]})
    assert status == 200  # within her own
    laptop = next(k for k in manager.app.org.keys.values() if k.name == "dana laptop")
    laptop.permission_mode = "readonly"  # MEMBER on a project: above what her credential holds
    status, answer = send(manager, "PATCH", f"{KEYS}/{laptop.id}", {"permissionMode": "all"})
    assert (status, answer["error"]) == (403, "api_key_scope_violation")
    assert manager.app.key(laptop.id).permission_mode == "readonly"


def test_an_unknown_project_id_is_named_as_that_project_ids_entry() -> None:
    admin = admin_scenario(FIXED_NOW)
    fleet = next(p.id for p in admin.app.org.projects if p.slug == "fleet-telemetry")
    body = {"name": "exporter", "keyType": "service", "projectIds": [fleet, "project_nowhere"]}
    status, answer = send(admin, "POST", KEYS, body)
    assert status == 422 and list(answer["fields"]) == ["projectIds.1"]
    viewer = {"role": "VIEWER", "scopeType": "PROJECT", "scopeId": fleet}
    body = {**body, "bindings": [viewer], "projectIds": ["project_nowhere"]}
    status, answer = send(admin, "POST", KEYS, body)
    assert status == 422 and list(answer["fields"]) == ["projectIds.0"]


def test_name_and_description_lengths_count_utf16_code_units_as_zod_does() -> None:
    """An astral-plane emoji is one code point and two UTF-16 units (JavaScript's length)."""
    admin = admin_scenario(FIXED_NOW)
    rocket = "\N{ROCKET}"
    for body, field in [
        ({"name": rocket * 100}, "name"),
        ({"name": "x", "description": rocket * 251}, "description"),
    ]:
        status, answer = send(admin, "POST", KEYS, {**body, "keyType": "service"})
        assert status == 422 and list(answer["fields"]) == [field]
    body = {"name": rocket * 50, "description": rocket * 250, "keyType": "service"}
    status, created = send(admin, "POST", KEYS, body)
    assert status == 201
    path = f"{KEYS}/{created['apiKey']['id']}"
    status, answer = send(admin, "PATCH", path, {"name": rocket * 51})
    assert status == 422 and list(answer["fields"]) == ["name"]
    assert send(admin, "PATCH", path, {"name": "é" * 100})[0] == 200  # one unit each
