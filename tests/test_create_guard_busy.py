"""`c` waits while a revocation batch or the owner reads (`o`) run, as `R` does, and says so."""

from __future__ import annotations

import threading

from lwadmin_tui.ui.screens.create_key_dialog import CreateKeyDialog
from tests.app_driver import keys_screen, make_app, mark, message_line, settle, wait_until
from tests.bulk_checks import ordinary_ids
from tests.conftest import World

REFUSED = "Wait for the running batch or reads to end, then create a key."


async def test_c_waits_while_a_batch_runs(admin_world: World) -> None:
    fake = admin_world.fake
    app = make_app(admin_world, concurrency=1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = set(fake.org.keys)
        await mark(pilot, ordinary_ids(admin_world, keys_screen(pilot).table.row_ids)[:2])
        gate = admin_world.server.faults.delete_gate = threading.Event()  # holds the DELETEs
        try:
            await pilot.press("d", "y")
            await wait_until(pilot, lambda: keys_screen(pilot).batch_running)
            await pilot.press("c")
            assert not isinstance(app.screen, CreateKeyDialog)
            assert message_line(pilot) == REFUSED
        finally:
            gate.set()
        await settle(pilot)
    assert set(fake.org.keys) == before


async def test_c_waits_while_the_owner_reads_run(admin_world: World) -> None:
    gate = admin_world.server.faults.hold_reads_after(1)  # the second read waits at the fake
    app = make_app(admin_world, concurrency=1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        try:
            await pilot.press("o", "y")
            flow = keys_screen(pilot).owners
            await wait_until(pilot, lambda: flow.reads is not None and flow.reads.counts.done)
            await pilot.press("c")
            assert not isinstance(app.screen, CreateKeyDialog)
            assert message_line(pilot) == REFUSED
            await pilot.press("x")
        finally:
            gate.set()
        await settle(pilot)
