"""The fake's list reuses each row's JSON only while nothing it shows has changed."""

from __future__ import annotations

import json
from dataclasses import replace
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
    rebound.bindings = [FakeBinding("binding_new", "VIEWER", "ORGANIZATION", world.app.org.id)]
    edited = listed(world)  # the order stands: only the edited rows are encoded again
    assert edited[renamed.id]["name"] == "renamed"
    assert edited[used.id]["lastUsedAt"] == "2026-08-22T11:59:00.000Z"
    assert edited[rebound.id]["roleBindings"][0]["id"] == "binding_new"  # type: ignore[index]
    gone.revoked_at = FIXED_NOW  # decides whether a key is listed: the answer is rebuilt
    after = listed(world)
    assert gone.id in edited and gone.id not in after
    for key in keys[:3] + keys[4:]:
        assert after[key.id] == edited[key.id] == json.loads(json.dumps(key_info(key)))
    assert [k for k in after if k in before] == [k for k in before if k in after]  # same order


def test_a_key_added_after_a_list_is_listed() -> None:
    world = large_scenario(10, FIXED_NOW)
    listed(world)
    newest = replace(world.app.org.keys[world.credential_key_id], id="key_new", name="new")
    newest.created_at = FIXED_NOW
    world.app.org.add_key(newest)
    assert next(iter(listed(world))) == "key_new"
