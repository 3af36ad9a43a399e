"""Batches a stop left open: which are offered, which are only said, and what is recorded.

A batch is settled only with the credential that made it (another one may not read its keys,
and would record them as gone), every open batch is offered (not only the newest), hosts match
in any case, a batch another process is still running is never offered, and confirmed keys that
were never sent are reported and recorded as such.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lwadmin_tui.api.auth import ApiKey
from lwadmin_tui.audit.log import AuditLog
from lwadmin_tui.ui.screens.interrupted import InterruptedBatchScreen
from tests.app_driver import keys_screen, make_app, message_line, row_ids, settle
from tests.bulk_checks import plant_batch
from tests.conftest import World

pytestmark = pytest.mark.pilot

OTHER_KEY = ApiKey("sk-lw-OtherLookup000001_" + "s" * 48)


def ordinary_ids(world: World) -> list[str]:
    skip = world.scenario.doomed_ids | {world.scenario.credential_key_id}
    keys = world.fake.org.keys.values()
    live = [k.id for k in keys if k.revoked_at is None and not k.is_langy_session]
    return sorted(k for k in live if k not in skip)[:6]


def records_of(batch_id: str) -> list[dict[str, Any]]:
    return [r for r in AuditLog().records() if r.get("batch") == batch_id]


def reads(world: World) -> list[str]:
    """Reads of single keys (the verifying kind), not of lists."""
    return [r.path for r in world.server.wire_requests if r.path.startswith("/api/api-keys/")]


async def test_a_batch_of_another_credential_is_said_and_never_read(admin_world: World) -> None:
    ids = ordinary_ids(admin_world)
    batch_id = plant_batch(admin_world, ids[:2], ids[:2], key=OTHER_KEY)
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert not isinstance(app.screen, InterruptedBatchScreen)
        said = message_line(pilot)
        assert "1 interrupted batch of another credential (key …wxyz)" in said
        assert "start with that key to verify" in said
    assert reads(admin_world) == []  # not one GET by id, not one DELETE
    assert [r["event"] for r in records_of(batch_id)] == ["batch", "intent", "intent"]


async def test_keys_confirmed_but_never_sent_are_reported_and_recorded(admin_world: World) -> None:
    ids = ordinary_ids(admin_world)
    batch_id = plant_batch(admin_world, ids[:5], ids[:1])  # killed after the first intent
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, InterruptedBatchScreen)
        question = str(dialog.query_one("#question").render())
        assert "1 revocation from the interrupted batch" in question
        assert "4 confirmed keys were never sent" in question
        await pilot.press("y")
        await settle(pilot)
    outcomes = {r["key_id"]: r for r in records_of(batch_id) if r["event"] == "outcome"}
    assert outcomes[ids[0]]["outcome"] == "not revoked (verified)"
    for key_id in ids[1:5]:
        assert outcomes[key_id]["outcome"] == "not attempted"
        assert outcomes[key_id]["attempts"] == 0
    assert records_of(batch_id)[-1]["event"] == "batch_end"
    assert not any(r.method == "DELETE" for r in admin_world.server.wire_requests)
    again = make_app(admin_world)
    async with again.run_test() as pilot:
        await settle(pilot)
        assert not isinstance(again.screen, InterruptedBatchScreen)


async def test_every_open_batch_is_offered_and_hosts_match_in_any_case(
    admin_world: World,
) -> None:
    ids = ordinary_ids(admin_world)
    older = plant_batch(admin_world, ids[:2], ids[:2])
    newer = plant_batch(admin_world, ids[2:4], ids[2:4], host=admin_world.url[7:].upper())
    admin_world.fake.revoke_out_of_band(ids[0])
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, InterruptedBatchScreen)
        assert {b.batch_id for b in dialog.found} == {older, newer}
        await pilot.press("y")
        await settle(pilot)
        assert "verified:" in message_line(pilot)
    for batch_id in (older, newer):
        assert records_of(batch_id)[-1]["event"] == "batch_end"
    settled = {
        r["key_id"]: r["outcome"]
        for b in (older, newer)
        for r in records_of(b)
        if r["event"] == "outcome"
    }
    assert settled[ids[0]] == "revoked (verified)"
    assert {settled[k] for k in ids[1:4]} == {"not revoked (verified)"}


@pytest.fixture
def lock_held_elsewhere(isolated_state: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the audit log's batch lock, as a running batch does."""
    code = (
        "import sys; from pathlib import Path; from lwadmin_tui.audit.lock import acquire; "
        "lock = acquire(Path(sys.argv[1]), sys.argv[2], '2026-08-22T11:59:00.000Z'); "
        "print('locked', flush=True); sys.stdin.read()"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(isolated_state / "lwadmin-tui"), "running-batch"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    try:
        yield holder
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.e2e
async def test_a_second_instance_sends_nothing_while_another_runs_a_batch(
    admin_world: World, lock_held_elsewhere: subprocess.Popen[str]
) -> None:
    ids = ordinary_ids(admin_world)
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        keys_screen(pilot).state.mark(ids[:2])
        await pilot.press("d", "y")
        await settle(pilot)
        said = message_line(pilot)
        assert said.startswith("Nothing was sent: another lwadmin-tui (process ")
        assert "is running a batch" in said
        assert row_ids(pilot)
    assert not any(r.method == "DELETE" for r in admin_world.server.wire_requests)
    assert not any(r.get("event") == "batch" for r in AuditLog().records())


@pytest.mark.e2e
async def test_a_batch_still_running_elsewhere_is_not_offered(
    admin_world: World, lock_held_elsewhere: subprocess.Popen[str]
) -> None:
    ids = ordinary_ids(admin_world)
    plant_batch(admin_world, ids[:2], ids[:2])
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert not isinstance(app.screen, InterruptedBatchScreen)
        assert "is running a batch" in message_line(pilot)
    assert reads(admin_world) == []
    lock_held_elsewhere.kill()
    lock_held_elsewhere.wait()
    app = make_app(admin_world)  # the process is gone: its batch is interrupted now
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, InterruptedBatchScreen)


async def test_a_crash_mid_batch_leaves_every_confirmed_key_on_record(admin_world: World) -> None:
    """A widget crash takes the app down mid-batch: every confirmed key is in the log, and the
    next start settles them all (those sent are read back, those never sent are said so)."""
    import threading

    ids = ordinary_ids(admin_world)
    gate = admin_world.server.faults.delete_gate = threading.Event()  # holds the DELETEs
    app = make_app(admin_world, concurrency=2)
    with pytest.raises(RuntimeError, match="planted widget crash"):
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            keys_screen(pilot).state.mark(ids)
            await pilot.press("d", "y")
            for _ in range(500):
                if sum(r.get("event") == "intent" for r in AuditLog().records()) == 2:
                    break
                await pilot.pause(0.01)

            def crash() -> None:
                raise RuntimeError("planted widget crash")

            app.call_later(crash)
            await pilot.pause()
    gate.set()
    [batch] = [r for r in AuditLog().records() if r.get("event") == "batch"]
    assert sorted(key_id for key_id, _ in batch["confirmed"]) == sorted(ids)
    again = make_app(admin_world)
    async with again.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        dialog = again.screen
        assert isinstance(dialog, InterruptedBatchScreen)
        assert "4 confirmed keys were never sent" in str(dialog.query_one("#question").render())
        await pilot.press("y")
        await settle(pilot)
    outcomes = {r["key_id"]: r["outcome"] for r in AuditLog().records() if "outcome" in r}
    assert sorted(outcomes) == sorted(ids)


async def test_the_interrupted_dialog_can_be_composed_again(admin_world: World) -> None:
    """Its batches were once kept as `self.batch`, which hid Textual's `Widget.batch()`: a
    recompose then failed with "'BatchHistory' object is not callable"."""
    ids = ordinary_ids(admin_world)
    plant_batch(admin_world, ids[:2], ids[:1])
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, InterruptedBatchScreen)
        await dialog.recompose()
        await pilot.pause()
        assert "never sent" in str(dialog.query_one("#question").render())
