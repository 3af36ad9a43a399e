"""`x` during a roll that revokes the old keys: nothing more is sent after it, neither a create
nor an old key's DELETE (over real HTTP; the fake holds the DELETEs, so no timing is involved)."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from lwadmin_tui.audit.log import AuditLog, BatchAudit
from lwadmin_tui.roll.engine import Roller
from lwadmin_tui.roll.outcomes import RollKind
from lwadmin_tui.roll.records import RollAudit
from lwadmin_tui.roll.secrets import SecretFile
from tests.conftest import FIXED_NOW, World
from tests.test_roll import some_keys


def _roller(world: World, client: object, log: AuditLog) -> Roller:
    return Roller(
        client,  # type: ignore[arg-type]
        RollAudit(log, world.url, "default"),
        SecretFile(),
        revoke_old=True,
        concurrency=2,
        revoke_audit=lambda: BatchAudit(log, world.url, reason="rolled"),
        clock=lambda: FIXED_NOW,
    )


async def test_x_while_the_old_keys_are_revoked_sends_no_further_delete(
    admin_world: World, isolated_state: Path
) -> None:
    targets = some_keys(admin_world, 10)
    assert len(targets) == 10
    gate = admin_world.server.faults.delete_gate = threading.Event()
    log = AuditLog()
    async with admin_world.client() as client:
        roller = _roller(admin_world, client, log)
        task = asyncio.create_task(roller.run(targets))
        for _ in range(2000):
            if any(r["event"] == "intent" for r in log.records()):
                break
            await asyncio.sleep(0.01)
        roller.cancel()
        gate.set()
        outcomes = await task
    revoked = admin_world.fake.revoked_ids() & {t.key_id for t in targets}
    assert len(revoked) <= 2  # at most the DELETEs already in flight, and no other
    assert [o.kind for o in outcomes].count(RollKind.ROLLED_REVOKED) == len(revoked)
    kept = [o for o in outcomes if o.kind is RollKind.ROLLED]
    assert len(kept) == 10 - len(revoked)
    assert all("not revoked" in o.message for o in kept)


async def test_x_before_the_old_keys_are_revoked_revokes_none(
    admin_world: World, isolated_state: Path
) -> None:
    targets = some_keys(admin_world, 3)
    log = AuditLog()
    async with admin_world.client() as client:
        roller = _roller(admin_world, client, log)
        real_create = client.create_key

        async def create_then_cancel(new: object) -> object:
            made = await real_create(new)  # type: ignore[arg-type]
            roller.cancel()  # x while the first key is being rolled
            return made

        client.create_key = create_then_cancel  # type: ignore[method-assign,assignment]
        outcomes = await roller.run(targets)
    assert [o.kind for o in outcomes] == [RollKind.ROLLED, RollKind.NOT_ROLLED, RollKind.NOT_ROLLED]
    assert not admin_world.fake.revoked_ids() & {t.key_id for t in targets}
    assert "cancelled" in outcomes[0].message
