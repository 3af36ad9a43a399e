"""A create beside a running roll: `N` waits for the roll (and `R` for a create), so a token
still on screen is never reported as unfinished when the other ends."""

from __future__ import annotations

import threading
from pathlib import Path

from lwadmin_tui.fake import admin_scenario
from lwadmin_tui.fake.server import FakeServer
from lwadmin_tui.ui.screens.create_key_dialog import CreateKeyDialog
from tests.app_driver import make_app, mark, message_line, row_ids, settle
from tests.conftest import FIXED_NOW, World
from tests.hostile.odd_create import OddCreateLangWatch
from tests.test_app_roll import ordinary
from tests.test_app_roll_guards import wait_for


async def test_n_waits_while_a_roll_runs(isolated_state: Path) -> None:
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
            await pilot.pause()
            await pilot.press("y")
            await wait_for(pilot, lambda: len(wrapper.made) == 1)  # the roll's create, held
            await pilot.press("c")
            await pilot.pause()
            assert not isinstance(app.screen, CreateKeyDialog)
            assert "Wait for the key being created or rolled" in message_line(pilot)
            hold.set()
            await settle(pilot)
    finally:
        hold.set()
        server.stop()
    assert len(wrapper.made) == 1
