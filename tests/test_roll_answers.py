"""Create answers that must not count as a delivered replacement: the admin's own credential as
the token, a token already handed out, a key of another name. In each, the old key stays and the
key really made (whose secret nobody has) is revoked (over real HTTP, through a hostile wrapper)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lwadmin_tui.api.new_key import NewKey
from lwadmin_tui.audit.log import AuditLog
from lwadmin_tui.roll.create import create_one
from lwadmin_tui.roll.outcomes import RollKind
from lwadmin_tui.roll.records import RollAudit
from lwadmin_tui.roll.secrets import SecretFile
from tests.test_roll import roll, some_keys
from tests.test_roll_hostile import live_new_keys, odd_world


async def test_a_token_that_is_the_admins_credential_is_not_a_new_secret(
    isolated_state: Path,
) -> None:
    holder: dict[str, str] = {}
    for world in odd_world(lambda created: {**created, "token": holder["credential"]}):
        holder["credential"] = world.api_key.reveal()
        (target,) = some_keys(world, 1)
        before = set(world.fake.org.keys)
        sink = SecretFile()
        (outcome,), _ = await roll(world, [target], sink, revoke_old=True)
        assert outcome.kind is RollKind.NEW_REVOKED, outcome
        assert world.fake.key(target.key_id).revoked_at is None
        assert not live_new_keys(world, before)
        assert not sink.path.exists() or holder["credential"] not in sink.path.read_text()


async def test_the_create_dialogs_call_never_hands_back_the_credential(
    isolated_state: Path,
) -> None:
    holder: dict[str, str] = {}
    for world in odd_world(lambda created: {**created, "token": holder["credential"]}):
        holder["credential"] = world.api_key.reveal()
        before = set(world.fake.org.keys)
        async with world.client() as client:
            audit = RollAudit(AuditLog(), client.host, "default")
            result = await create_one(client, audit, NewKey("echo", key_type="service"))
        assert result.created is None
        assert holder["credential"] not in result.message
        assert not live_new_keys(world, before)


async def test_a_token_handed_out_twice_is_one_delivery(isolated_state: Path) -> None:
    first: list[str] = []

    def repeat(created: dict[str, Any]) -> dict[str, Any]:
        first.append(first[0] if first else created["token"])
        return {**created, "token": first[-1]}

    for world in odd_world(repeat):
        targets = some_keys(world, 2)
        sink = SecretFile()
        outcomes, _ = await roll(world, targets, sink, revoke_old=True)
        assert [o.kind for o in outcomes] == [RollKind.ROLLED_REVOKED, RollKind.NEW_REVOKED]
        assert world.fake.key(targets[1].key_id).revoked_at is None
        assert world.fake.key(str(outcomes[1].new_id)).revoked_at is not None
        assert len(sink.path.read_text().splitlines()) == 1


async def test_an_answer_naming_another_key_is_not_the_replacement(isolated_state: Path) -> None:
    def rename(created: dict[str, Any]) -> dict[str, Any]:
        return {**created, "apiKey": {**created["apiKey"], "name": "someone else's key"}}

    for world in odd_world(rename):
        (target,) = some_keys(world, 1)
        before = set(world.fake.org.keys)
        (outcome,), _ = await roll(world, [target], SecretFile(), revoke_old=True)
        assert outcome.kind is RollKind.NEW_REVOKED, outcome
        assert world.fake.key(target.key_id).revoked_at is None
        assert not live_new_keys(world, before)
