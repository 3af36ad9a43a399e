"""The confirmation dialog for a batch the size of a large organization: built at once.

One widget per key made 100,000 marked keys take 84 s and 2.3 GB, with escape and `q` waiting
behind it (benchmarks/RESULTS.md). These tests count widgets and lines, never time.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual import events
from textual.app import App
from textual.geometry import Offset
from textual.selection import Selection
from textual.widgets import Button

from lwadmin_tui.api.models import ApiKeyInfo
from lwadmin_tui.keys.display import key_name
from lwadmin_tui.keys.filters import QuickFilters
from lwadmin_tui.keys.state import KeysState
from lwadmin_tui.ui.app import LwAdminApp
from lwadmin_tui.ui.screens.confirm_revoke import ConfirmRevokeScreen
from lwadmin_tui.ui.widgets.key_list_view import KeyListView, name_column_width
from tests.app_driver import keys_screen, make_app, message_line, settle, wait_until
from tests.conftest import FIXED_NOW, World

MANY = 100_000
MOST_WIDGETS = 50


def many_keys(count: int = MANY) -> list[ApiKeyInfo]:
    return [
        ApiKeyInfo(
            id=f"k{i:020d}",
            name=f"ci runner {i}",
            created_at=FIXED_NOW - timedelta(days=1 + i % 900),
        )
        for i in range(count)
    ]


class Host(App[None]):
    """Nothing but the dialog (styled as in the app), and a key to quit."""

    CSS_PATH = LwAdminApp.CSS_PATH
    BINDINGS = [("q", "quit", "Quit")]


def fitted_height(dialog: ConfirmRevokeScreen) -> int:
    max_height = dialog.query_one(KeyListView).styles.max_height
    assert max_height is not None
    return int(max_height.value)


def drawn(view: KeyListView) -> list[str]:
    """The lines as the widget draws them now (its scroll position included)."""
    return [view.render_line(y).text for y in range(view.scrollable_content_region.height)]


@pytest.mark.pilot
async def test_a_hundred_thousand_keys_make_a_bounded_dialog() -> None:
    keys = many_keys()
    hidden, own = {keys[1].id}, keys[-1].id
    answers: list[bool | None] = []
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = ConfirmRevokeScreen(
            keys, hidden, "langwatch.example", guard_seconds=0.0, own_key_id=own
        )
        app.push_screen(dialog, answers.append)
        await pilot.pause()
        assert app.screen is dialog
        assert len(list(dialog.query("*"))) < MOST_WIDGETS
        view = dialog.query_one(KeyListView)
        assert view.line_count == MANY and view.virtual_size.height == MANY
        assert app.focused is not None and app.focused.id == "cancel"
        # The list keeps to the height the dialog gives it, so the buttons stay on 80x24.
        box = dialog.query_one("#dialog").content_region
        assert view.outer_size.height == fitted_height(dialog) == 3
        for widget in (view, dialog.query_one("#cancel", Button)):
            assert widget.region.height and box.contains_region(widget.region)
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        lines = drawn(view)
        assert len(lines) == 10
        assert lines[0].startswith(f"ci runner {MANY - 1} ") and "(this session's key)" in lines[0]
        assert lines[1].startswith("ci runner 0 ") and keys[0].id in lines[1]
        assert "(hidden by filter)" in lines[2]
        # The keyboard reaches the last key, the wheel moves the list.
        view.focus()
        await pilot.press("end")
        await wait_until(pilot, lambda: view.scroll_offset.y == view.max_scroll_y)  # animated
        assert keys[-2].id in drawn(view)[-1]  # the own key is listed first, not last
        await pilot.press("home")
        await wait_until(pilot, lambda: view.scroll_offset.y == 0)
        view.post_message(events.MouseScrollDown(view, 1, 1, 0, 1, 0, False, False, False))
        await pilot.pause()
        assert view.scroll_offset.y > 0 and own not in drawn(view)[0]
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not dialog and answers == [False]
        await pilot.press("q")
    assert app.return_code == 0


@pytest.mark.pilot
async def test_the_app_quits_after_the_dialog_for_a_hundred_thousand_keys(
    admin_world: World,
) -> None:
    app = make_app(admin_world)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = keys_screen(pilot)
        screen.show_keys(tuple(many_keys()))
        await pilot.press("a", "slash", *"runner", "space", "9", "enter", "d")
        dialog = app.screen
        assert isinstance(dialog, ConfirmRevokeScreen) and len(dialog.keys) == MANY
        assert len(dialog.hidden_ids) == MANY - 11_111  # every key whose number starts with 9
        assert len(list(dialog.query("*"))) < MOST_WIDGETS
        assert dialog.query_one(KeyListView).line_count == MANY
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmRevokeScreen)
        assert "nothing was sent" in message_line(pilot)
        await pilot.press("q")
    assert app.return_code == 0
    assert not any(r.method == "DELETE" for r in admin_world.fake.requests)


def test_the_name_column_is_as_wide_as_the_longest_shown_name() -> None:
    names = ["", "a", "[/oops]", "\x1b]0;title\x07", "L" * 300, "invoice\u202egnp.exe"]
    keys = [
        ApiKeyInfo(id=f"id{i}", name=name, created_at=FIXED_NOW) for i, name in enumerate(names)
    ]
    view = KeyListView(keys)
    for count in range(1, len(keys) + 1):
        expected = max(len(key_name(key, 40)) for key in keys[:count])
        assert name_column_width(keys[:count]) == expected
    assert name_column_width([]) == 0
    assert view.line_text(0).plain.startswith("(unnamed)")
    assert view.line_text(2).plain.startswith("[/oops] ")
    assert "\x1b" not in view.line_text(3).plain and "\u202e" not in view.line_text(5).plain


@pytest.mark.pilot
async def test_selected_lines_copy_as_they_read_wherever_the_list_is_scrolled() -> None:
    keys = many_keys(1_000)
    app = Host()
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = ConfirmRevokeScreen(keys, set(), "langwatch.example", guard_seconds=0.0)
        app.push_screen(dialog)
        await pilot.pause()
        view = dialog.query_one(KeyListView)
        view.scroll_to(y=500, animate=False, immediate=True)
        await pilot.pause()
        # What the mouse lands on maps to the key's line in the whole list, not the screen row.
        left, top = view.content_region.offset
        widget, offset = dialog.get_widget_and_offset_at(left + 3, top + 1)
        assert widget is view and offset == Offset(3, 501)
        dialog.selections = {view: Selection(Offset(0, 501), Offset(11, 502))}
        await pilot.pause()
        assert dialog.get_selected_text() == f"{view.line_text(501).plain}\nci runner 5"


def test_hidden_ids_are_the_keys_the_filters_do_not_match() -> None:
    keys = many_keys(2_000)
    state = KeysState(clock=lambda: FIXED_NOW)
    state.load(keys)
    assert state.hidden_ids(keys) == set()
    for text in ("runner 1", "k0000", "nothing like it"):
        state.filter_text = text
        assert state.hidden_ids(keys) == {k.id for k in keys if not state.matches(k)}
    state.filter_text = ""
    state.quick = QuickFilters(unused_days=300)
    assert state.hidden_ids(keys) == {k.id for k in keys if not state.matches(k)} != set()
