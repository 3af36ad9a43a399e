"""The demo scenarios: they build, list what they promise, and are byte-for-byte deterministic."""

from __future__ import annotations

import http.client
import json
import re
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from lwadmin_tui.fake import SCENARIOS, FakeServer, Scenario, admin_scenario, manager_scenario
from lwadmin_tui.fake.__main__ import write_token

NOW = datetime(2026, 8, 22, 12, 0, tzinfo=UTC)
NANOID = re.compile(r"[0-9A-Za-z_-]{21}")
TOKEN = re.compile(r"sk-lw-[0-9A-Za-z]{16}_[0-9A-Za-z]{48}")


def call(scenario: Scenario, method: str, path: str) -> tuple[int, Any]:
    """One request through the in-process handler (HTTP is covered by test_contract)."""
    response = scenario.app.handle(method, path, {"Authorization": f"Bearer {scenario.token}"})
    return response.status, response.json()


def listed(scenario: Scenario) -> list[dict[str, Any]]:
    status, body = call(scenario, "GET", "/api/api-keys")
    assert status == 200
    return list(body["data"])


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario_is_deterministic(name: str) -> None:
    first, second = SCENARIOS[name](NOW), SCENARIOS[name](NOW)
    assert first.token == second.token and TOKEN.fullmatch(first.token)
    assert json.dumps(listed(first)) == json.dumps(listed(second))
    assert SCENARIOS[name](NOW, seed=8).token != first.token


@pytest.mark.parametrize(("name", "count"), [("admin", 40), ("manager", 13)])
def test_scenario_lists_expected_count_over_http(name: str, count: int) -> None:
    scenario = SCENARIOS[name](NOW)
    assert scenario.expected_list_count == count
    with FakeServer(scenario.app) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        conn.request("GET", "/api/api-keys", headers={"Authorization": f"Bearer {scenario.token}"})
        response = conn.getresponse()
        raw = response.read()
        conn.close()
    assert response.status == 200
    rows = json.loads(raw)["data"]
    assert len(rows) == count
    assert scenario.credential_key_id in {r["id"] for r in rows}
    assert scenario.token.split("_")[-1].encode() not in raw  # no secret in the list


def test_admin_scenario_variety() -> None:
    scenario = admin_scenario(NOW)
    rows = listed(scenario)
    assert all(NANOID.fullmatch(r["id"]) for r in rows)
    assert sum(1 for r in rows if "_" in r["id"] or "-" in r["id"]) >= 10
    assert "[bold]release[/bold] bot" in {r["name"] for r in rows}
    # The credential is not the newest key: the cursor does not start on it.
    assert rows[0]["name"] != "lwadmin-tui incident response"
    assert sum(1 for r in rows if r["expiresAt"] and r["expiresAt"] < "2026-08-22") >= 4
    assert sum(1 for r in rows if r["lastUsedAt"] is None) >= 5
    assert sum(1 for r in rows if r["description"] is None) >= 5
    assert sum(1 for r in rows if len(r["roleBindings"]) > 1) >= 3
    roles = {(b["role"], b["scopeType"]) for r in rows for b in r["roleBindings"]}
    assert {("ADMIN", "ORGANIZATION"), ("CUSTOM", "ORGANIZATION"), ("MEMBER", "PROJECT")} <= roles
    assert {("VIEWER", "TEAM")} <= roles
    org = scenario.app.org
    assert sum(1 for r in rows if org.keys[r["id"]].is_service) == 9  # 8 + the credential
    gone = next(u for u in org.users.values() if u.deactivated)
    assert sum(1 for r in rows if org.keys[r["id"]].owner_user_id == gone.id) == 4
    hidden = set(org.keys) - {r["id"] for r in rows}
    assert len(hidden) == 3  # two revoked before start, one Langy session
    langy = next(k for k in org.keys.values() if k.is_langy_session)
    assert call(scenario, "DELETE", f"/api/api-keys/{langy.id}")[0] == 404


def test_admin_scenario_doomed_keys_answer_409_after_first_list() -> None:
    scenario = admin_scenario(NOW)
    assert len(scenario.doomed_ids) == 3
    assert scenario.doomed_ids == scenario.app.revoke_after_first_list
    assert scenario.doomed_ids <= {r["id"] for r in listed(scenario)}
    for key_id in sorted(scenario.doomed_ids):
        status, body = call(scenario, "DELETE", f"/api/api-keys/{key_id}")
        assert (status, body["error"]) == (409, "api_key_already_revoked")
    status, body = call(scenario, "DELETE", "/api/api-keys/" + _other_id(scenario))
    assert (status, body) == (200, {"success": True})
    assert len(listed(scenario)) == 40 - 3 - 1


def _other_id(scenario: Scenario) -> str:
    keys = scenario.app.org.keys.values()
    return next(
        k.id
        for k in keys
        if k.id not in scenario.doomed_ids
        and k.id != scenario.credential_key_id
        and k.revoked_at is None
        and not k.is_langy_session
    )


def test_manager_scenario_rules() -> None:
    scenario = manager_scenario(NOW)
    rows = listed(scenario)
    org = scenario.app.org
    owners = {org.keys[r["id"]].owner_user_id for r in rows}
    credential = org.keys[scenario.credential_key_id]
    assert owners == {None, credential.owner_user_id}
    assert org.users[credential.owner_user_id or ""].org_role != "ADMIN"
    service = next(r["id"] for r in rows if org.keys[r["id"]].is_service)
    mine = [r["id"] for r in rows if not org.keys[r["id"]].is_service]
    own = next(key_id for key_id in mine if key_id != scenario.credential_key_id)
    status, body = call(scenario, "DELETE", f"/api/api-keys/{service}")
    assert (status, body["error"]) == (403, "api_key_not_owned")
    assert call(scenario, "GET", f"/api/api-keys/{own}")[0] == 200
    assert call(scenario, "DELETE", f"/api/api-keys/{own}") == (200, {"success": True})
    assert scenario.app.revoked_ids() >= {own}
    assert scenario.doomed_ids == frozenset()


def test_write_token_is_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.write_text("old")
    path.chmod(0o644)
    write_token(path, "sk-lw-x")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == "sk-lw-x\n"
