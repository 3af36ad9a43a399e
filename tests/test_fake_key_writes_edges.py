"""The fake's POST rules against reference/langwatch-api.md."""

from __future__ import annotations

import json

from lwadmin_tui.fake.scenarios import admin_scenario
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
