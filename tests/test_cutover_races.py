"""Races around the cutover and the roll flow: keys that change under an open cutover, an
expired new key, the row words after a roll, a second roll before the pairs are read back, a
dialog answered while something else started (Pilot, against the fake over real HTTP)."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

from textual.command import CommandList

from lwadmin_tui.audit.log import AuditLog
from lwadmin_tui.ui.screens.confirm_revoke import ConfirmRevokeScreen
from lwadmin_tui.ui.screens.cutover import CutoverScreen
from lwadmin_tui.ui.screens.roll_dialog import RollDialog
from tests.app_driver import (
    cell,
    keys_screen,
    make_app,
    mark,
    message_line,
    row_ids,
    settle,
    wait_until,
)
from tests.conftest import FIXED_NOW, World
from tests.hostile.odd_create import holding_creates
from tests.test_app_roll import ordinary, roll_marked, wait_roll


async def test_cutover_d_never_revokes_an_old_key_whose_new_key_was_revoked_under_it(
    isolated_state: Path,
) -> None:
    """The cutover never offers an old key whose new key is gone; but it offers what it saw
    when it opened. A reload under it (a second roll ending) that no longer lists the new
    key must not let `d` revoke the old one: it is all that is left."""
    with holding_creates(held=False) as (world, hold, wrapper):
        scenario = world.scenario
        app = make_app(world)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            first, second = ordinary(world, row_ids(pilot), 2)
            await roll_marked(pilot, [first])
            (pair,) = keys_screen(pilot).rolls.pairs
            await pilot.press("u")
            await mark(pilot, [second])
            hold.clear()
            await pilot.press("R")
            await wait_until(pilot, lambda: isinstance(app.screen, RollDialog))
            await pilot.press("y")
            await wait_until(pilot, lambda: len(wrapper.made) == 2)
            await pilot.press("C")
            await pilot.pause()
            assert isinstance(app.screen, CutoverScreen)
            assert first in app.screen.active_old
            scenario.app.revoke_out_of_band(pair.new_id)  # a colleague revokes the NEW key
            hold.set()
            await wait_until(pilot, lambda: pair.new_id not in keys_screen(pilot).state.keys)
            await pilot.press("d")
            await pilot.pause()
            if isinstance(app.screen, ConfirmRevokeScreen):
                await pilot.press("y")
            await settle(pilot)
    assert scenario.app.key(first).revoked_at is None, (
        "the old key was revoked although its replacement had been revoked"
    )


async def test_cutover_does_not_offer_an_old_key_whose_new_key_has_expired(
    admin_world: World,
) -> None:
    """Expired keys are listed. A new key rolled with an expiry date that has passed does not
    work: its pair must not say "new key in use, old key quiet", and `d` must not revoke the
    old key, which is then the only working one."""
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        (key_id,) = ordinary(admin_world, row_ids(pilot), 1)
        await roll_marked(pilot, [key_id])
        (pair,) = keys_screen(pilot).rolls.pairs
        fake = admin_world.fake
        new = fake.key(pair.new_id)
        new.last_used_at = FIXED_NOW - timedelta(days=3)  # used while it lasted
        new.expires_at = FIXED_NOW - timedelta(days=1)  # the date chosen at the roll has passed
        fake.key(key_id).last_used_at = FIXED_NOW - timedelta(days=5)
        await pilot.press("r")
        await wait_roll(pilot)
        await pilot.press("C")
        await settle(pilot)
        assert isinstance(app.screen, CutoverScreen)
        state_word = str(app.screen.query_one("#pairs").get_row_at(0)[-1])  # type: ignore[attr-defined]
        offered = key_id in app.screen.active_old
    assert not offered, f"the old key is offered for revocation; pair state: {state_word!r}"


async def test_a_failed_old_key_revocation_stays_in_its_row(admin_world: World) -> None:
    admin_world.server.faults.rate_limit_times = 1000  # every DELETE answers 429
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        (key_id,) = ordinary(admin_world, row_ids(pilot), 1)
        await mark(pilot, [key_id])
        await pilot.press("R")
        await settle(pilot)
        await pilot.press("o", "y")  # o: the old keys revoked once their secret is written
        await wait_roll(pilot)
        word = cell(pilot, key_id, "result")
        said = message_line(pilot)
    assert admin_world.fake.key(key_id).revoked_at is None
    assert "not revoked" in word, f"row says {word!r} (message line: {said!r})"


async def test_r_right_after_a_roll_does_not_roll_the_same_key_again(
    admin_world: World, monkeypatch: Any
) -> None:
    """The pairs come from re-reading the audit log on a thread (a large log takes a while).
    Until that read lands, `R` on the key just rolled (still marked) is not refused: a second
    replacement is made beside the first. The gate stands for the slow read."""
    gate = threading.Event()
    gate.set()
    real_records = AuditLog.records

    def slow_records(self: AuditLog) -> list[dict[str, Any]]:
        gate.wait(20)
        return real_records(self)

    monkeypatch.setattr(AuditLog, "records", slow_records)
    app = make_app(admin_world)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            (key_id,) = ordinary(admin_world, row_ids(pilot), 1)
            await mark(pilot, [key_id])
            before = set(admin_world.fake.org.keys)
            await pilot.press("R")
            await settle(pilot)
            gate.clear()  # from now on the log reads are slow
            await pilot.press("y")
            screen = keys_screen(pilot)
            await wait_until(pilot, lambda: not screen.rolls.running)
            made = set(admin_world.fake.org.keys) - before
            await wait_until(pilot, lambda: made <= set(screen.state.keys))  # the list is back
            await pilot.press("R")  # the same key, still marked
            await pilot.pause()
            dialog = isinstance(app.screen, RollDialog)
            if dialog:
                await pilot.press("y")
                await wait_until(pilot, lambda: not screen.rolls.running)
            gate.set()
            await settle(pilot)
    finally:
        gate.set()
    made = set(admin_world.fake.org.keys) - before
    assert not dialog and len(made) == 1, f"{len(made)} replacements made for one key"


async def test_a_revocation_confirmed_under_a_roll_started_from_the_palette_waits(
    isolated_state: Path,
) -> None:
    """The revocation dialog is open; ctrl+p's "Roll the marked keys" opens the roll dialog on
    top of it (nothing runs yet, so R's guard lets it); the roll starts. Back in the revocation
    dialog, y starts a batch beside the roll: `confirm_and_start` checked before the dialog,
    `start_batch` does not check again. (The same holds for the roll dialog's answer under a
    batch or a create: `RollFlow.start` does not check either.)"""
    with holding_creates(held=True) as (world, hold, wrapper):
        app = make_app(world)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            (rolled,) = ordinary(world, row_ids(pilot), 1)
            await mark(pilot, [rolled])
            await pilot.press("d")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmRevokeScreen)
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press(*"Roll the marked")
            await wait_until(pilot, lambda: app.screen.query_one(CommandList).option_count > 0)
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, RollDialog))
            await pilot.pause()
            await pilot.press("y")
            await wait_until(pilot, lambda: wrapper.made)  # the roll's create is held
            screen = keys_screen(pilot)
            assert screen.rolls.running
            assert isinstance(app.screen, ConfirmRevokeScreen)
            await pilot.press("y")
            await pilot.pause()
            started = screen.batches.run is not None  # start_batch ran
            said = message_line(pilot)
            hold.set()
            await wait_roll(pilot)
    # The audit lock stops it from sending, but the batch started, and its end says that
    # "another lwadmin-tui (process N)" is running a batch: it is this process's own roll.
    assert not started and "being rolled" in said, f"a batch started beside the roll: {said!r}"
