"""Attacks on rolling in the TUI (Pilot, against the fake over real HTTP)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from lwadmin_tui.fake import admin_scenario
from lwadmin_tui.fake.server import FakeServer
from lwadmin_tui.ui.screens.cutover import CutoverScreen
from lwadmin_tui.ui.screens.quit_confirm import QuitWhileRunningScreen
from lwadmin_tui.ui.screens.roll_dialog import RollDialog
from lwadmin_tui.ui.screens.token_screen import TokenScreen
from lwadmin_tui.ui.widgets.filter_input import FilterInput
from tests.app_driver import cell, keys_screen, make_app, mark, message_line, row_ids, settle
from tests.conftest import FIXED_NOW, World
from tests.hostile.odd_create import OddCreateLangWatch
from tests.test_app_roll import ordinary, roll_marked, wait_roll


async def wait_for(pilot: Pilot[Any], ready: Any, polls: int = 200) -> None:
    for _ in range(polls):
        if ready():
            return
        await pilot.pause(0.02)
    raise AssertionError("never ready")


async def test_quit_mid_roll_asks_first_or_leaves_nothing_unsaid(isolated_state: Path) -> None:
    scenario = admin_scenario(FIXED_NOW)
    hold = threading.Event()
    wrapper = OddCreateLangWatch(scenario.app, hold=hold)
    server = FakeServer(wrapper).start()  # type: ignore[arg-type]
    world = World(scenario, server)
    asked = None
    try:
        app = make_app(world)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            (key_id,) = ordinary(world, row_ids(pilot), 1)
            await mark(pilot, [key_id])
            await pilot.press("R")
            await pilot.pause()
            await pilot.press("y")
            await wait_for(pilot, lambda: wrapper.made)
            await pilot.press("q")
            await pilot.pause()
            asked = app.is_running and isinstance(app.screen, QuitWhileRunningScreen)
            if asked:
                return
    finally:
        hold.set()
        time.sleep(0.2)
        server.stop()
    (new_id,) = wrapper.made
    server = FakeServer(scenario.app).start()
    world = World(scenario, server)
    try:
        app = make_app(world)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await settle(pilot)
            said = message_line(pilot) + cell(pilot, key_id, "result")
    finally:
        server.stop()
    assert scenario.app.key(new_id).revoked_at is not None or new_id in said


async def test_the_token_screen_ignores_type_ahead(admin_world: World) -> None:
    app = make_app(admin_world, confirm_guard_seconds=0.3)
    now = [0.0]
    app.monotonic = lambda: now[0]  # the guards' clock: the test moves it, not the machine
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        (key_id,) = ordinary(admin_world, row_ids(pilot), 1)
        await mark(pilot, [key_id])
        await pilot.press("R")
        await pilot.pause()
        now[0] += 1
        await pilot.press("s", "o", "y")
        await wait_for(pilot, lambda: isinstance(app.screen, TokenScreen))
        await pilot.press("enter")  # type-ahead, within the guard
        assert isinstance(app.screen, TokenScreen)
        assert admin_world.fake.key(key_id).revoked_at is None  # the secret was not seen yet
        now[0] += 1
        await pilot.press("enter")  # seen: now it closes, and the old key goes
        await wait_roll(pilot)
        assert not isinstance(app.screen, TokenScreen)
        assert admin_world.fake.key(key_id).revoked_at is not None


async def test_the_token_does_not_stay_in_the_apps_clipboard(admin_world: World) -> None:
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        (key_id,) = ordinary(admin_world, row_ids(pilot), 1)
        await mark(pilot, [key_id])
        await pilot.press("R")
        await settle(pilot)
        await pilot.press("s", "y")
        await wait_for(pilot, lambda: isinstance(app.screen, TokenScreen))
        token = app.screen.delivery.token.reveal()
        await pilot.press("c", "enter")
        await wait_roll(pilot)
        await pilot.press("slash", "ctrl+v")
        await pilot.pause()
        shown = keys_screen(pilot).query_one(FilterInput).value
        assert token not in shown
        assert app.clipboard != token


async def test_the_cutover_never_offers_an_old_key_whose_new_key_is_gone(
    admin_world: World,
) -> None:
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        (key_id,) = ordinary(admin_world, row_ids(pilot), 1)
        await roll_marked(pilot, [key_id])
        (pair,) = keys_screen(pilot).rolls.pairs
        admin_world.fake.revoke_out_of_band(pair.new_id)
        await pilot.press("r")
        await wait_roll(pilot)
        await pilot.press("C")
        await settle(pilot)
        assert isinstance(app.screen, CutoverScreen)
        table = app.screen.query_one("#pairs")
        assert "gone" in str(table.get_row_at(0)[-1])  # type: ignore[attr-defined]
        assert key_id not in app.screen.active_old


async def test_a_failed_roll_worker_does_not_block_every_later_roll(
    admin_world: World, isolated_state: Path
) -> None:
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        (key_id,) = ordinary(admin_world, row_ids(pilot), 1)
        await mark(pilot, [key_id])
        lock = isolated_state / "lwadmin-tui" / "batch.lock"
        lock.parent.mkdir(parents=True, exist_ok=True)
        if lock.exists():
            lock.unlink()
        lock.mkdir()
        await pilot.press("R")
        await settle(pilot)
        await pilot.press("y")
        await wait_roll(pilot)
        lock.rmdir()
        await pilot.press("R")
        await settle(pilot)
        assert isinstance(app.screen, RollDialog)


async def test_a_reload_under_the_cutover_does_not_crash_d(isolated_state: Path) -> None:
    scenario = admin_scenario(FIXED_NOW)
    hold = threading.Event()
    hold.set()
    wrapper = OddCreateLangWatch(scenario.app, hold=hold)
    server = FakeServer(wrapper).start()  # type: ignore[arg-type]
    world = World(scenario, server)
    try:
        app = make_app(world)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            first, second = ordinary(world, row_ids(pilot), 2)
            await roll_marked(pilot, [first])
            assert keys_screen(pilot).rolls.pairs
            await pilot.press("u")
            await mark(pilot, [second])
            hold.clear()
            await pilot.press("R")
            await pilot.pause(0.1)
            await pilot.press("y")
            await wait_for(pilot, lambda: len(wrapper.made) == 2)
            await pilot.press("C")
            await pilot.pause()
            assert isinstance(app.screen, CutoverScreen)
            scenario.app.revoke_out_of_band(first)  # another admin revokes the old key
            hold.set()
            await wait_for(pilot, lambda: first not in keys_screen(pilot).state.keys)
            await pilot.press("d")
            await pilot.pause()
            await settle(pilot)
    finally:
        hold.set()
        server.stop()


async def test_an_unsplittable_secret_command_is_a_sentence_not_a_crash(
    admin_world: World,
) -> None:
    app = make_app(admin_world, secret_command='vault kv put "secret/unclosed')
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        (key_id,) = ordinary(admin_world, row_ids(pilot), 1)
        await mark(pilot, [key_id])
        await pilot.press("R")
        await settle(pilot)
        assert app.is_running


async def test_q_on_the_token_screen(admin_world: World, isolated_state: Path) -> None:
    app = make_app(admin_world)
    before = set(admin_world.fake.org.keys)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        (key_id,) = ordinary(admin_world, row_ids(pilot), 1)
        await mark(pilot, [key_id])
        await pilot.press("R")
        await settle(pilot)
        await pilot.press("s", "o", "y")
        await wait_for(pilot, lambda: isinstance(app.screen, TokenScreen))
        await pilot.press("q")
        await pilot.pause()
        running = app.is_running
    assert running  # q asked first: a roll is waiting for this screen
    assert admin_world.fake.key(key_id).revoked_at is None
    assert set(admin_world.fake.org.keys) - before  # made, and named at the next start


async def test_enter_in_the_date_box_does_not_roll(admin_world: World) -> None:
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        (key_id,) = ordinary(admin_world, row_ids(pilot), 1)
        await mark(pilot, [key_id])
        before = set(admin_world.fake.org.keys)
        await pilot.press("R")
        await settle(pilot)
        await pilot.press("e", "e", *"2030-01-01", "enter")
        await wait_roll(pilot)
        made = set(admin_world.fake.org.keys) - before
        assert not made


async def test_rolling_the_own_key(admin_world: World) -> None:
    """Known as this session's own key, it is rolled but never revoked by its roll."""
    app = make_app(admin_world, own_key_id=admin_world.scenario.credential_key_id)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        own = admin_world.scenario.credential_key_id
        await mark(pilot, [own])
        await pilot.press("R")
        await settle(pilot)
        dialog_text = " ".join(
            str(w.render())
            for w in app.screen.query("Static, Label")  # type: ignore[union-attr]
        )
        await pilot.press("o", "y")
        await wait_roll(pilot)
        await settle(pilot)
        assert dialog_text
        assert admin_world.fake.key(own).revoked_at is None  # this session still uses it
        assert "this session's own key: kept" in message_line(pilot)


async def test_x_stops_a_roll_between_keys_and_d_waits_for_it(isolated_state: Path) -> None:
    scenario = admin_scenario(FIXED_NOW)
    hold = threading.Event()
    wrapper = OddCreateLangWatch(scenario.app, hold=hold)
    server = FakeServer(wrapper).start()  # type: ignore[arg-type]
    world = World(scenario, server)
    try:
        app = make_app(world)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            chosen = ordinary(world, row_ids(pilot), 3)
            await mark(pilot, chosen)
            await pilot.press("R")
            await pilot.pause()
            await pilot.press("y")
            await wait_for(pilot, lambda: wrapper.made)  # the first create is held
            await pilot.press("d")
            assert "being rolled" in message_line(pilot)  # no batch beside a roll
            await pilot.press("x")
            hold.set()
            await wait_roll(pilot)
            said = message_line(pilot)
    finally:
        hold.set()
        server.stop()
    assert "1 rolled" in said and "2 not rolled" in said
    assert len(wrapper.made) == 1  # nothing started after the cancel
    assert not any(scenario.app.key(k).revoked_at for k in chosen)


async def test_r_y_y_typed_in_one_burst_rolls_nothing(admin_world: World) -> None:
    """Over SSH `R` and an answer can arrive together: the dialog ignores the early keys."""
    from textual import events

    app = make_app(admin_world, confirm_guard_seconds=0.3)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        (key_id,) = ordinary(admin_world, row_ids(pilot), 1)
        await mark(pilot, [key_id])
        before = set(admin_world.fake.org.keys)
        for key in "Ryy":
            app.post_message(events.Key(key, key))
        await settle(pilot)
        assert isinstance(app.screen, RollDialog)
        assert set(admin_world.fake.org.keys) == before
