"""The token screen is closed by the admin only: a batches view closing under it does not
close it, and the old key waits (Pilot, against the fake over real HTTP; a gate stands for a
slow audit log read). And the words that tell the admin which key to press."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from lwadmin_tui.audit.log import AuditLog
from lwadmin_tui.fake import admin_scenario
from lwadmin_tui.fake.server import FakeServer
from tests.app_driver import (
    keys_screen,
    make_app,
    mark,
    message_line,
    row_ids,
    settle,
    wait_until,
)
from tests.conftest import FIXED_NOW, World
from tests.hostile.odd_create import OddCreateLangWatch, holding_creates
from tests.test_app_roll import ordinary, wait_roll


async def test_c_during_a_roll_names_the_key_that_creates(isolated_state: Path) -> None:
    with holding_creates(held=True) as (world, hold, wrapper):
        app = make_app(world)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            (key_id,) = ordinary(world, row_ids(pilot), 1)
            await mark(pilot, [key_id])
            await pilot.press("R")
            await settle(pilot)
            await pilot.press("y")
            await wait_until(pilot, lambda: wrapper.made)
            await pilot.press("c")
            await pilot.pause()
            said = message_line(pilot)
            hold.set()
            await wait_roll(pilot)
    assert "then N" not in said and "then c" in said, said


async def test_the_batches_view_closing_never_closes_the_token_screen_above_it(
    isolated_state: Path, monkeypatch: Any
) -> None:
    """b during a roll to the screen: the view reads the log on a thread; the token screen comes
    on top; the read finds no batch and `_close_batches_view` calls `view.dismiss()`, which
    pops the TOP screen: the token screen. Its unmount sets `seen`: the secret counts as
    delivered, and (o) the old key is revoked, though nobody closed the token screen."""
    gate = threading.Event()
    gate.set()
    real_records = AuditLog.records

    def slow_records(self: AuditLog) -> list[dict[str, Any]]:
        gate.wait(20)
        return real_records(self)

    monkeypatch.setattr(AuditLog, "records", slow_records)
    from lwadmin_tui.ui.screens.batches import BatchesScreen
    from lwadmin_tui.ui.screens.token_screen import TokenScreen

    scenario = admin_scenario(FIXED_NOW)
    hold = threading.Event()
    wrapper = OddCreateLangWatch(scenario.app, hold=hold)
    server = FakeServer(wrapper).start()  # type: ignore[arg-type]
    world = World(scenario, server)
    try:
        app = make_app(world)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            (key_id,) = ordinary(world, row_ids(pilot), 1)
            await mark(pilot, [key_id])
            await pilot.press("R")
            await settle(pilot)
            await pilot.press("s", "o")  # secrets: this screen; old key revoked once seen
            assert app.screen.secrets_to == "screen" and app.screen.revoke_old  # type: ignore[attr-defined]
            await pilot.press("y")
            await wait_until(pilot, lambda: wrapper.made)  # the create is held
            gate.clear()
            await pilot.press("b")
            await wait_until(pilot, lambda: isinstance(app.screen, BatchesScreen))
            hold.set()
            await wait_until(pilot, lambda: isinstance(app.screen, TokenScreen))
            gate.set()  # the view's read lands: no batch recorded yet
            screen = keys_screen(pilot)
            # The view's read has landed and closed "the view" (its handle is dropped first)...
            await wait_until(pilot, lambda: screen.history._batches_view is None)
            await pilot.pause()
            # ...then either the token screen is still up (the roll waits for it) or the roll
            # went on to its end.
            await wait_until(
                pilot,
                lambda: (
                    any(isinstance(s, TokenScreen) for s in app.screen_stack)
                    or not screen.rolls.running
                ),
            )
            if not screen.rolls.running:
                await settle(pilot)
            token_still_shown = any(isinstance(s, TokenScreen) for s in app.screen_stack)
            revoked = scenario.app.key(key_id).revoked_at is not None
            if token_still_shown:
                await pilot.press("escape")  # the admin closes it: the roll goes on
                await wait_roll(pilot)
                view_left = any(isinstance(s, BatchesScreen) for s in app.screen_stack)
                revoked_after = scenario.app.key(key_id).revoked_at is not None
    finally:
        gate.set()
        hold.set()
        server.stop()
    assert token_still_shown and not revoked, (
        f"token screen closed by the batches view: {not token_still_shown}; "
        f"old key revoked: {revoked}"
    )
    assert not view_left  # the view closed as it was asked to, once it was on top again
    assert revoked_after  # the secret seen: now the old key goes, as asked
