"""Attacks on the roll engine, over real HTTP against the fake (some through a hostile wrapper)."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from lwadmin_tui.api.auth import ApiKey
from lwadmin_tui.fake import admin_scenario
from lwadmin_tui.fake.server import FakeServer
from lwadmin_tui.roll.outcomes import RollKind
from lwadmin_tui.roll.records import RollAudit
from lwadmin_tui.roll.secrets import SecretCommand, SecretFile
from tests.conftest import FIXED_NOW, World
from tests.hostile.odd_create import OddCreateLangWatch
from tests.test_roll import roll, some_keys

FAILING = SecretCommand(f"{shlex.quote(sys.executable)} -c 'exit(3)'")


def odd_world(rewrite: Callable[[dict[str, Any]], Any] | None = None, **kw: Any) -> Iterator[World]:
    scenario = admin_scenario(FIXED_NOW)
    wrapper = OddCreateLangWatch(scenario.app, rewrite, **kw)
    server = FakeServer(wrapper).start()  # type: ignore[arg-type]
    try:
        yield World(scenario, server)
    finally:
        server.stop()


def live_new_keys(world: World, before: set[str]) -> list[str]:
    fake = world.fake
    return [k for k in set(fake.org.keys) - before if fake.key(k).revoked_at is None]


async def test_a_create_answer_naming_the_old_key_never_gets_the_old_key_revoked() -> None:
    holder: dict[str, str] = {}

    def rename(created: dict[str, Any]) -> dict[str, Any]:
        return {**created, "apiKey": {**created["apiKey"], "id": holder["old"]}}

    for world in odd_world(rename):
        (target,) = some_keys(world, 1)
        holder["old"] = target.key_id
        before = set(world.fake.org.keys)
        _outcomes, _ = await roll(world, [target], FAILING)
        assert world.fake.key(target.key_id).revoked_at is None  # promise 1
        assert not live_new_keys(world, before)  # promise 2


async def test_a_create_answer_naming_the_credential_never_revokes_it() -> None:
    holder: dict[str, str] = {}

    def rename(created: dict[str, Any]) -> dict[str, Any]:
        return {**created, "apiKey": {**created["apiKey"], "id": holder["own"]}}

    for world in odd_world(rename):
        holder["own"] = world.scenario.credential_key_id
        (target,) = some_keys(world, 1)
        _outcomes, _ = await roll(world, [target], FAILING)
        assert world.fake.key(world.scenario.credential_key_id).revoked_at is None


@pytest.mark.parametrize(
    "odd",
    [
        {"token": 12345},
        {"token": None},
        {"apiKey": None},
    ],
    ids=["token-int", "token-null", "apiKey-null"],
)
async def test_an_unreadable_201_is_not_an_orphan(odd: dict[str, Any]) -> None:
    for world in odd_world(lambda created: {**created, **odd}):
        (target,) = some_keys(world, 1)
        before = set(world.fake.org.keys)
        outcomes, _ = await roll(world, [target], SecretFile())
        left = live_new_keys(world, before)
        (outcome,) = outcomes
        assert not left or (outcome.new_id in left and outcome.kind is RollKind.NEW_LEFT)


async def test_a_truncated_201_is_not_an_orphan() -> None:
    for world in odd_world(raw=b'{"token": "sk-lw-'):
        (target,) = some_keys(world, 1)
        before = set(world.fake.org.keys)
        _outcomes, _ = await roll(world, [target], SecretFile())
        left = live_new_keys(world, before)
        assert not left


@pytest.mark.parametrize("token", ["", "not-a-token", "sk-lw-a\nb"], ids=["empty", "word", "nl"])
async def test_a_token_that_is_not_a_token_is_not_a_delivery(
    token: str, isolated_state: Path
) -> None:
    for world in odd_world(lambda created: {**created, "token": token}):
        (target,) = some_keys(world, 1)
        outcomes, _ = await roll(world, [target], SecretFile(), revoke_old=True)
        assert outcomes[0].kind is not RollKind.ROLLED_REVOKED
        assert world.fake.key(target.key_id).revoked_at is None


async def test_an_odd_new_id_gives_a_sentence_not_an_exception() -> None:
    odd = "abc\x00def"
    for world in odd_world(lambda c: {**c, "apiKey": {**c["apiKey"], "id": odd}}):
        (target,) = some_keys(world, 1)
        before = set(world.fake.org.keys)
        ok = SecretCommand(f"{shlex.quote(sys.executable)} -c 'import sys; sys.stdin.read()'")
        _outcomes, _ = await roll(world, [target], ok)
        assert not live_new_keys(world, before)


async def test_an_audit_failure_after_the_create_names_the_new_key(
    admin_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_save = RollAudit.save

    async def save(self: RollAudit, event: str, **fields: Any) -> None:
        if event == "roll_created":
            raise OSError(28, "No space left on device")
        await real_save(self, event, **fields)

    monkeypatch.setattr(RollAudit, "save", save)
    (target,) = some_keys(admin_world, 1)
    before = set(admin_world.fake.org.keys)
    outcomes, _ = await roll(admin_world, [target], SecretFile())
    (left,) = live_new_keys(admin_world, before)
    (outcome,) = outcomes
    assert outcome.new_id == left or left in outcome.message


async def test_a_bindingless_service_key_is_not_rolled_to_org_admin(admin_world: World) -> None:
    fake = admin_world.fake
    old = next(
        k
        for k in fake.org.keys.values()
        if k.is_service
        and k.revoked_at is None
        and k.id != admin_world.scenario.credential_key_id
        and k.id not in admin_world.scenario.doomed_ids
        and (k.expires_at is None or k.expires_at > fake.now())
    )
    async with admin_world.client() as client:
        await client.update_key(old.id, {"bindings": []})
    from lwadmin_tui.bulk.control import Target

    assert list(fake.key(old.id).bindings) == []
    outcomes, _ = await roll(admin_world, [Target(old.id, old.name)], SecretFile())
    (outcome,) = outcomes
    if outcome.new_id:
        new = fake.key(outcome.new_id)
        assert [(b.role, b.scope_type, b.scope_id) for b in new.bindings] == []


async def test_a_lost_create_the_list_cannot_see_is_not_called_not_made(
    admin_world: World,
) -> None:
    fake = admin_world.fake
    admins = {u.id for u in fake.org.users.values() if getattr(u, "org_role", "") == "ADMIN"}
    mine = next(
        k
        for k in fake.org.keys.values()
        if k.owner_user_id in admins
        and k.revoked_at is None
        and any(b.role == "ADMIN" and b.scope_type == "ORGANIZATION" for b in k.bindings)
        and (k.expires_at is None or k.expires_at > fake.now())
    )
    other = next(
        k
        for k in fake.org.keys.values()
        if not k.is_service
        and k.owner_user_id not in (None, mine.owner_user_id)
        and k.revoked_at is None
        and not k.is_langy_session
        and (k.expires_at is None or k.expires_at > fake.now())
        and fake.org.users[k.owner_user_id].deactivated is False
    )
    from lwadmin_tui.bulk.control import Target

    admin_world.server.faults.create_answer_lost = True
    before = set(fake.org.keys)
    client = admin_world.client(ApiKey(mine.token))
    outcomes, _ = await roll(
        admin_world, [Target(other.id, other.name)], SecretFile(), client=client
    )
    left = live_new_keys(admin_world, before)
    (outcome,) = outcomes
    assert not left or outcome.kind is RollKind.NEW_LEFT, outcome.message
