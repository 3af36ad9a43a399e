"""A roll's leftovers and lookalikes: a colleague's key of the same name made mid-roll, a new
key whose cleanup failed, an old key whose access cannot be kept (over real HTTP against the
fake, and the audit records read back)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lwadmin_tui.bulk.control import Target
from lwadmin_tui.fake import admin_scenario
from lwadmin_tui.fake.responses import FakeResponse, json_response
from lwadmin_tui.fake.rules import FakeLangWatch
from lwadmin_tui.fake.server import FakeServer
from lwadmin_tui.roll.outcomes import RollKind
from lwadmin_tui.roll.pairs import roll_history
from lwadmin_tui.roll.secrets import SecretFile
from tests.conftest import FIXED_NOW, World
from tests.test_roll import roll, some_keys


class ColleagueMidRoll:
    """The first create is made and answered; meanwhile a colleague makes a key named as the
    second target. The second create fails with a 503 before anything is made."""

    def __init__(self, fake: FakeLangWatch, colleague_name: str, auth: str) -> None:
        self.fake = fake
        self.colleague_name = colleague_name
        self.auth = auth
        self.posts = 0
        self.colleague_id = ""

    def handle(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes = b""
    ) -> FakeResponse:
        if method != "POST":
            return self.fake.handle(method, path, headers, body)
        self.posts += 1
        if self.posts > 1:
            return json_response(503, {"error": "Service Unavailable", "message": "busy"})
        answer = self.fake.handle(method, path, headers, body)
        theirs = {"name": self.colleague_name, "keyType": "service"}
        made = self.fake.handle(
            "POST", "/api/api-keys", {"Authorization": self.auth}, json.dumps(theirs).encode()
        )
        self.colleague_id = json.loads(made.payload())["apiKey"]["id"]
        return answer

    def __getattr__(self, name: str) -> object:
        return getattr(self.fake, name)


async def test_a_colleagues_key_made_mid_roll_is_not_taken_for_a_lost_one(
    isolated_state: Path,
) -> None:
    scenario = admin_scenario(FIXED_NOW)
    world_probe = World(scenario, None)  # type: ignore[arg-type]
    first, second = some_keys(world_probe, 2)
    auth = f"Bearer {scenario.token}"
    wrapper = ColleagueMidRoll(scenario.app, second.name, auth)
    server = FakeServer(wrapper).start()  # type: ignore[arg-type]
    try:
        world = World(scenario, server)
        outcomes, _ = await roll(world, [first, second], SecretFile())
    finally:
        server.stop()
    assert wrapper.colleague_id
    assert scenario.app.key(wrapper.colleague_id).revoked_at is None
    assert [o.kind for o in outcomes] == [RollKind.ROLLED, RollKind.NOT_ROLLED]


def _records(*events: dict[str, Any]) -> list[dict[str, Any]]:
    common = {"host": "h", "profile": "p", "roll": "r1", "time": "2026-12-01T00:00:00Z"}
    return [{**common, **event} for event in events]


def test_a_new_key_whose_cleanup_failed_is_named_at_the_next_start() -> None:
    old, new = "o" * 21, "n" * 21
    records = _records(
        {"event": "roll_intent", "old_id": old, "new_name": "ci"},
        {"event": "roll_created", "old_id": old, "new_id": new, "new_name": "ci"},
        {"event": "roll_cleanup_intent", "new_id": new},
        {"event": "roll_cleanup", "new_id": new, "revoked": False, "why": "503"},
        {"event": "roll_outcome", "old_id": old, "kind": RollKind.NEW_LEFT.value, "new_id": new},
    )
    (left,) = roll_history(records, "h", "p").unfinished
    assert left.new_id == new


def test_a_lost_create_left_unfound_is_named_at_the_next_start() -> None:
    old = "o" * 21
    records = _records(
        {"event": "roll_intent", "old_id": old, "new_name": "ci"},
        {"event": "roll_outcome", "old_id": old, "kind": RollKind.NEW_LEFT.value},
    )
    (left,) = roll_history(records, "h", "p").unfinished
    assert (left.new_id, left.new_name) == ("", "ci")
    assert old in left.not_ids  # the old key has that name too, and is not the lost one


def test_a_revoked_cleanup_settles_the_new_key() -> None:
    old, new = "o" * 21, "n" * 21
    records = _records(
        {"event": "roll_intent", "old_id": old, "new_name": "ci"},
        {"event": "roll_created", "old_id": old, "new_id": new, "new_name": "ci"},
        {"event": "roll_cleanup", "new_id": new, "revoked": True},
        {"event": "roll_outcome", "old_id": old, "kind": RollKind.NEW_REVOKED.value},
    )
    assert roll_history(records, "h", "p").unfinished == []


async def test_an_unknown_permission_mode_is_not_rolled_to_all(
    admin_world: World, isolated_state: Path
) -> None:
    (target,) = some_keys(admin_world, 1)
    admin_world.fake.key(target.key_id).permission_mode = "READONLY"  # type: ignore[assignment]
    before = set(admin_world.fake.org.keys)
    (outcome,), _ = await roll(admin_world, [Target(target.key_id, target.name)], SecretFile())
    assert outcome.kind is RollKind.NOT_ROLLED
    assert "READONLY" in outcome.message
    assert set(admin_world.fake.org.keys) == before
