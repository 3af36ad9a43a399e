"""A personal key made from N's form with the keyboard alone, at 80x24."""

from __future__ import annotations

from lwadmin_tui.ui.screens.token_screen import TokenScreen
from tests.app_driver import make_app, settle
from tests.conftest import World
from tests.test_app_roll_guards import wait_for


async def test_a_personal_key_by_keyboard_alone_at_80x24(admin_world: World) -> None:
    app = make_app(admin_world)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        before = set(admin_world.fake.org.keys)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press(*"kb", *["tab"] * 6)
        await pilot.press("enter", "down", "down", "enter")
        await settle(pilot)
        await pilot.press("tab", "tab")  # past "+", to the expiry box
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TokenScreen))
    assert len(set(admin_world.fake.org.keys) - before) == 1
