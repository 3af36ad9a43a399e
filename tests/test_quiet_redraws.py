"""Widgets that skip Textual's extra rebuilds and layout passes still show every change."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from lwadmin_tui.bulk.batch_run import BatchRun
from lwadmin_tui.ui.widgets.keys_footer import KeysFooter
from tests.app_driver import keys_screen, make_app, message_line, settle, table
from tests.conftest import World

pytestmark = pytest.mark.pilot


def footer_keys(pilot: Pilot[Any]) -> list[Any]:
    return list(keys_screen(pilot).query_one(KeysFooter).query("FooterKey"))


def descriptions(pilot: Pilot[Any]) -> list[str]:
    return [str(key.description) for key in footer_keys(pilot)]


async def test_the_footer_is_rebuilt_only_when_what_it_shows_changes(admin_world: World) -> None:
    async with make_app(admin_world).run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        screen, before = keys_screen(pilot), footer_keys(pilot)
        assert "Revoke" in descriptions(pilot) and "Cancel" not in descriptions(pilot)
        screen.refresh_bindings()
        screen.refresh_bindings()
        await settle(pilot)
        assert footer_keys(pilot) == before  # the same widgets: nothing was rebuilt

        screen.batches.run = BatchRun({}, [])  # the cancel key shows only while a batch runs
        screen.refresh_bindings()
        await settle(pilot)
        assert "Cancel" in descriptions(pilot)

        screen.batches.run.end()
        screen.refresh_bindings()
        await settle(pilot)
        assert "Cancel" not in descriptions(pilot)


async def test_the_message_line_grows_to_two_lines_and_back(admin_world: World) -> None:
    async with make_app(admin_world).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = keys_screen(pilot)
        message = screen.query_one("#message")
        assert message.region.height == 1
        rows_shown = table(pilot).region.height
        screen.say("A long sentence " * 8)
        await settle(pilot)
        assert message.region.height == 2
        assert table(pilot).region.height == rows_shown - 1
        screen.say("Short.")
        await settle(pilot)
        assert message.region.height == 1 and message_line(pilot) == "Short."
        assert table(pilot).region.height == rows_shown


async def test_the_scrollbar_follows_the_row_count(admin_world: World) -> None:
    async with make_app(admin_world).run_test(size=(120, 12)) as pilot:
        await settle(pilot)
        shown = table(pilot)
        assert shown.row_count > shown.size.height
        assert shown.show_vertical_scrollbar
        await pilot.press("slash")
        await settle(pilot)
        await pilot.press(*"no such key")  # the list narrows as the filter is typed
        await settle(pilot)
        assert shown.row_count == 0 and not shown.show_vertical_scrollbar
        await pilot.press(*["backspace"] * 11)
        await settle(pilot)
        assert shown.show_vertical_scrollbar
        await pilot.press("enter", "end")
        await settle(pilot)
        assert shown.cursor_row == shown.row_count - 1
        assert shown.scroll_offset.y == shown.max_scroll_y > 0


async def test_a_message_longer_than_three_lines_is_cut_with_a_sign(admin_world: World) -> None:
    async with make_app(admin_world).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = keys_screen(pilot)
        screen.say("Done. 40 keys: 21 revoked, 18 not attempted. " + "Another sentence. " * 16)
        await settle(pilot)
        message = screen.query_one("#message")
        assert message.region.height == 3
        shown = message_line(pilot)
        assert shown.startswith("Done. 40 keys: 21 revoked") and shown.endswith("…")
