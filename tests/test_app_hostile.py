"""Hostile key names render literally and do nothing: no markup, no escapes, no actions."""

from __future__ import annotations

import pytest

from lwadmin_tui.text import safe_text
from lwadmin_tui.ui.widgets.key_list_view import KeyListView
from tests.app_driver import cell, make_app, move_to, row_ids, settle
from tests.conftest import World

pytestmark = pytest.mark.pilot

HOSTILE_NAMES = [
    "[/oops]",
    "[@click=app.quit]x[/]",
    "\x1b]0;pwned title\x07 ci key",
    "\x1b[2J\x1b[31mclear screen",
    "invoice\u202egnp.exe",
    "L" * 300,
]


@pytest.fixture
def hostile_world(admin_world: World) -> World:
    keys = [k for k in admin_world.fake.org.keys.values() if k.revoked_at is None]
    for key, name in zip(keys, HOSTILE_NAMES, strict=False):
        key.name = name
        key.description = "[bold]desc[/bold] \x1b[5m"
    return admin_world


async def test_hostile_names_show_as_text(hostile_world: World) -> None:
    app = make_app(hostile_world)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        by_name = {k.name: k.id for k in hostile_world.fake.org.keys.values()}
        for name in HOSTILE_NAMES:
            shown = cell(pilot, by_name[name], "name")
            assert shown == safe_text(name, len(shown)) or shown.endswith("…")
            assert "\x1b" not in shown and "\x07" not in shown and "\u202e" not in shown
        assert cell(pilot, by_name["[/oops]"], "name") == "[/oops]"
        assert cell(pilot, by_name["[@click=app.quit]x[/]"], "name") == "[@click=app.quit]x[/]"
        assert cell(pilot, by_name[HOSTILE_NAMES[2]], "name") == "␛]0;pwned title␇ ci key"
        # Clicking the would-be link and pressing enter on it does nothing.
        await move_to(pilot, by_name["[@click=app.quit]x[/]"])
        await pilot.click("KeysTable", offset=(6, table_row_offset(pilot)))
        await pilot.press("enter")
        assert app.is_running
        screenshot = app.export_screenshot()
        assert "\x1b" not in screenshot and "\x07" not in screenshot


async def test_hostile_names_in_the_dialog_are_literal(hostile_world: World) -> None:
    app = make_app(hostile_world)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"[", "enter", "a", "d")
        view = app.screen.query_one(KeyListView)
        lines = [view.line_text(i).plain for i in range(view.line_count)]
        assert len(lines) >= 2
        assert any(line.startswith("[/oops]") for line in lines)
        assert any(line.startswith("[@click=app.quit]x[/]") for line in lines)
        await pilot.press("escape")
        assert app.is_running
        assert len(row_ids(pilot)) >= 2


def table_row_offset(pilot) -> int:  # type: ignore[no-untyped-def]
    """Screen row of the cursor inside the table (+1 for the header)."""
    table = pilot.app.keys_screen.table
    return table.cursor_row - table.scroll_offset.y + 1
