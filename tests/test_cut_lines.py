"""Headers are whole at 80 and 120 columns; a line that must be cut keeps its most important part
and shows "…"."""

from __future__ import annotations

from datetime import date

import pytest
from textual.geometry import Region
from textual.widget import Widget

from lwadmin_tui.keys.filters import QuickFilters
from lwadmin_tui.keys.sorting import SortSpec
from lwadmin_tui.ui.screens.batches import BatchesScreen
from lwadmin_tui.ui.widgets.key_cells import column_layout, header_label
from tests.app_driver import keys_screen, make_app, revoke, row_ids, settle
from tests.bulk_checks import ordinary_ids
from tests.conftest import World


@pytest.mark.parametrize("width", [80, 100, 120])
@pytest.mark.parametrize("descending", [False, True])
def test_every_header_is_whole_with_its_sort_arrow(width: int, descending: bool) -> None:
    for column, label, cells in column_layout(width):
        if column == "mark":
            continue
        shown = header_label(column, label, cells, SortSpec(column, descending)).plain
        assert shown == f"{label} {'↓' if descending else '↑'}", (width, column, cells)


def drawn(widget: Widget) -> str:
    """The line as the terminal gets it, cut to the widget's width."""
    return widget.render_lines(Region(0, 0, widget.outer_size.width, 1))[0].text


@pytest.mark.pilot
async def test_a_long_filter_line_keeps_the_count_and_the_sort_and_shows_the_cut(
    admin_world: World,
) -> None:
    async with make_app(admin_world).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = keys_screen(pilot)
        quick = QuickFilters(
            expired=True,
            unused_days=90,
            created_before=date(2026, 11, 1),
            role="ADMIN",
            scope_type="PROJECT",
            scope="vision-evals",
        )
        screen.finding.set_quick(quick)
        await settle(pilot)
        line = drawn(screen.query_one("#filter-bar")).rstrip()
        assert line.startswith(" Showing 0 of 40 · sort: newest first · filter: expired"), line
        assert line.endswith("…"), line


@pytest.mark.pilot
@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_batches_view_shows_every_column_and_the_summary(
    admin_world: World, size: tuple[int, int]
) -> None:
    app = make_app(admin_world, profile="incident-response-eu-west")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        doomed = sorted(admin_world.scenario.doomed_ids)[:1]
        await revoke(pilot, [*ordinary_ids(admin_world, row_ids(pilot))[:3], *doomed])
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, BatchesScreen)
        listed = drawn_lines(app.screen.query_one("#batch-list"))
        keys = drawn_lines(app.screen.query_one("#batch-keys"))
        assert "Result" in listed[0] and "Attempts" in keys[0]
        summary = "4 keys: 3 revoked, 1 already revoked"
        if size[0] >= 120:
            assert summary in listed[1]
        else:  # the summary starts there, and its cut is shown
            assert "4 keys: 3 revoked" in listed[1] and "…" in listed[1]


def drawn_lines(widget: Widget) -> list[str]:
    region = Region(0, 0, widget.outer_size.width, widget.outer_size.height)
    return [strip.text for strip in widget.render_lines(region)]
