"""The fake's list reuses each row's JSON only while nothing it shows has changed."""

from __future__ import annotations

import json
from datetime import timedelta

from lwadmin_tui.fake.large import large_scenario
from lwadmin_tui.fake.org import FakeBinding, key_info
from lwadmin_tui.fake.scenarios import Scenario
from tests.conftest import FIXED_NOW


def listed(world: Scenario) -> dict[str, dict[str, object]]:
    answer = world.app.handle("GET", "/api/api-keys", {"Authorization": f"Bearer {world.token}"})
    return {row["id"]: row for row in json.loads(answer.payload())["data"]}


def test_a_changed_key_is_listed_as_it_is_now() -> None:
    world = large_scenario(40, FIXED_NOW)
    keys = [k for k in world.app.org.keys.values() if k.id != world.credential_key_id]
    before = listed(world)
    renamed, used, rebound, gone = keys[:4]
    renamed.name = "renamed"
    used.last_used_at = FIXED_NOW - timedelta(minutes=1)
    rebound.bindings[0] = FakeBinding("binding_new", "VIEWER", "ORGANIZATION", world.app.org.id)
    gone.revoked_at = FIXED_NOW
    after = listed(world)
    assert after[renamed.id]["name"] == "renamed"
    assert after[used.id]["lastUsedAt"] == "2026-08-22T11:59:00.000Z"
    assert after[rebound.id]["roleBindings"][0]["id"] == "binding_new"  # type: ignore[index]
    assert gone.id in before and gone.id not in after
    for key in keys[4:]:
        assert after[key.id] == before[key.id] == json.loads(json.dumps(key_info(key)))
