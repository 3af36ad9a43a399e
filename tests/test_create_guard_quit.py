"""Quitting while a create is in flight: the next start names the key it may have made."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from textual.widgets import Input, Select

from lwadmin_tui.fake import admin_scenario
from lwadmin_tui.fake.server import FakeServer
from lwadmin_tui.ui.screens.quit_confirm import QuitWhileRunningScreen
from tests.app_driver import make_app, message_line, settle
from tests.conftest import FIXED_NOW, World
from tests.hostile.odd_create import OddCreateLangWatch
from tests.test_app_roll_guards import wait_for


async def test_quit_confirmed_while_a_create_is_in_flight_is_named_at_the_next_start(
    isolated_state: Path,
) -> None:
    scenario = admin_scenario(FIXED_NOW)
    hold = threading.Event()
    wrapper = OddCreateLangWatch(scenario.app, hold=hold)
    server = FakeServer(wrapper).start()  # type: ignore[arg-type]
    port = server.port
    world = World(scenario, server)
    try:
        app = make_app(world)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("c")
            await settle(pilot)
            app.screen.query_one("#name", Input).value = "quit mid create"
            app.screen.query_one("#type", Select).value = "service"
            app.screen.query_one("#scope", Select).value = org_scope(app)
            await pilot.pause()
            await pilot.press("enter")
            await wait_for(pilot, lambda: wrapper.made)  # made; its answer is held
            await pilot.press("q")
            await pilot.pause()
            assert isinstance(app.screen, QuitWhileRunningScreen)
            await pilot.press("y")  # "the next start names it, to be revoked"
            await pilot.pause()
    finally:
        hold.set()
        time.sleep(0.2)
        server.stop()
    (new_id,) = wrapper.made
    server = FakeServer(scenario.app, port=port).start()  # the same host: the log is per host
    world = World(scenario, server)
    try:
        app = make_app(world)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await settle(pilot)
            said = message_line(pilot)
    finally:
        server.stop()
    assert scenario.app.key(new_id).revoked_at is None  # valid, its token seen by nobody
    assert new_id in said or "quit mid create" in said, said


def org_scope(app: object) -> str:
    """The dialog's "the whole organization" choice."""
    dialog = app.screen  # type: ignore[attr-defined]
    return f"ORGANIZATION:{dialog.organization_id}"
