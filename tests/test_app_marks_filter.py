"""Pilot tests: marking, the filter, and what the status line says."""

from __future__ import annotations

import pytest

from lwadmin_tui.ui.widgets.filter_input import FilterInput
from tests.app_driver import (
    cell,
    filter_bar,
    keys_screen,
    make_app,
    message_line,
    row_ids,
    settle,
    status_line,
    table,
    top_bar,
)
from tests.conftest import World

pytestmark = pytest.mark.pilot


async def test_the_list_loads_with_counts(admin_world: World) -> None:
    app = make_app(admin_world)
    async with app.run_test() as pilot:
        await settle(pilot)
        assert len(row_ids(pilot)) == admin_world.scenario.expected_list_count
        count = admin_world.scenario.expected_list_count
        assert f"{count} keys visible to this credential" in top_bar(pilot)
        assert "127.0.0.1" in top_bar(pilot)
        assert "0 marked" in status_line(pilot)


async def test_space_marks_moves_down_and_unmarks(admin_world: World) -> None:
    app = make_app(admin_world)
    async with app.run_test() as pilot:
        await settle(pilot)
        first, second = row_ids(pilot)[:2]
        await pilot.press("space")
        assert keys_screen(pilot).state.marked == {first}
        assert table(pilot).cursor_row == 1
        await pilot.press("space")
        assert keys_screen(pilot).state.marked == {first, second}
        await pilot.press("up", "space")
        assert keys_screen(pilot).state.marked == {first}
        assert "1 marked" in status_line(pilot)
        assert cell(pilot, first, "mark") == "●"


async def test_mark_all_shown_and_clear(admin_world: World) -> None:
    app = make_app(admin_world)
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("a")
        assert keys_screen(pilot).state.marked == set(row_ids(pilot))
        await pilot.press("u")
        assert keys_screen(pilot).state.marked == set()
        assert "0 marked" in status_line(pilot)


async def test_filter_focuses_at_once_applies_on_enter_and_marks_survive(
    admin_world: World,
) -> None:
    app = make_app(admin_world)
    async with app.run_test() as pilot:
        await settle(pilot)
        total = len(row_ids(pilot))
        await pilot.press("slash")
        assert isinstance(app.focused, FilterInput)
        await pilot.press(*"MAYA", "enter")
        assert app.focused is table(pilot)
        shown = row_ids(pilot)
        state = keys_screen(pilot).state
        assert shown and len(shown) < total
        assert all(
            "maya" in (k.name + (k.description or "") + k.id).lower()
            for k in map(state.keys.__getitem__, shown)
        )
        assert f"Showing {len(shown)} of {total}" in filter_bar(pilot)  # the filter's own line
        await pilot.press("a")  # mark every shown key, then widen the filter
        marked = set(shown)
        assert state.marked == marked
        await pilot.press("slash", "escape")
        assert app.focused is table(pilot)
        assert len(row_ids(pilot)) == total
        assert state.marked == marked
        await pilot.press("slash", *"ci", "enter")
        hidden = len([k for k in marked if k not in row_ids(pilot)])
        assert hidden > 0
        assert f"{len(marked)} marked · {hidden} hidden by filter" in status_line(pilot)


async def test_filter_matches_ids_and_descriptions(admin_world: World) -> None:
    app = make_app(admin_world)
    async with app.run_test() as pilot:
        await settle(pilot)
        target = row_ids(pilot)[5]
        await pilot.press("slash", *target, "enter")
        assert row_ids(pilot) == [target]


async def test_typing_in_the_filter_does_not_trigger_bindings(admin_world: World) -> None:
    app = make_app(admin_world)
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("slash", "a", "space", "d", "u", "space", "q", "space")
        assert app.is_running
        assert keys_screen(pilot).state.marked == set()
        assert keys_screen(pilot).query_one(FilterInput).value == "a du q "
        assert "Cancelled" not in message_line(pilot)
