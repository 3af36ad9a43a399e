"""Pilot tests: quick filters, sorting, range and invert marks, details, keymap, palette.

Expected keys are named from the admin scenario (lwadmin_tui/fake/scenarios.py), not computed
with the rules under test.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.command import CommandList
from textual.pilot import Pilot
from textual.widgets import Input, Select

from lwadmin_tui.ui.commands import Palette
from lwadmin_tui.ui.screens.confirm_revoke import ConfirmRevokeScreen
from lwadmin_tui.ui.screens.help import HelpScreen
from lwadmin_tui.ui.screens.key_details import KeyDetailsScreen
from lwadmin_tui.ui.screens.quick_filters import QuickFiltersScreen
from lwadmin_tui.ui.widgets.keys_table import KeysTable
from tests.app_driver import (
    filter_bar,
    keys_screen,
    make_app,
    message_line,
    move_to,
    row_ids,
    settle,
    status_line,
    table,
)
from tests.conftest import World

EXPIRED = {"nightly-dataset-sync", "old jenkins", "quarterly audit export", "luis temp",
           "priya colab", "tomasz export"}  # fmt: skip
# The app's own credential too: the list is its first request, and shows the value from before.
NEVER_USED = {"staging smoke tests", "maya test key", "luis temp", "priya sandbox",
              "tomasz scripts", "amara onboarding demo", "jonas personal",
              "lwadmin-tui incident response"}  # fmt: skip
STALE_90 = {"copilot load test", "jonas grasp-model evals", "priya colab", "jonas personal",
            "old jenkins"}  # fmt: skip


def shown_names(pilot: Pilot[Any]) -> list[str]:
    keys = keys_screen(pilot).state.keys
    return [keys[key_id].name for key_id in row_ids(pilot)]


def id_of(pilot: Pilot[Any], name: str) -> str:
    return next(k.id for k in keys_screen(pilot).state.keys.values() if k.name == name)


def gets_by_id(world: World) -> int:
    return sum(1 for r in world.fake.requests if r.method == "GET" and "/api-keys/" in r.path)


@pytest.mark.pilot
async def test_e_and_n_toggle_expired_and_never_used(admin_world: World) -> None:
    async with make_app(admin_world).run_test() as pilot:
        await settle(pilot)
        await pilot.press("e")
        assert set(shown_names(pilot)) == EXPIRED
        assert "Showing 6 of 40 · sort: newest first · filter: expired" in filter_bar(pilot)
        await pilot.press("n")  # both: expired and never used
        assert shown_names(pilot) == ["luis temp"]
        await pilot.press("e")
        assert set(shown_names(pilot)) == NEVER_USED
        await pilot.press("F")
        assert len(row_ids(pilot)) == 40
        assert "No filter · showing all 40" in filter_bar(pilot)


@pytest.mark.pilot
async def test_quick_filter_form_unused_for_days(admin_world: World) -> None:
    async with make_app(admin_world).run_test() as pilot:
        await settle(pilot)
        await pilot.press("f")
        assert isinstance(pilot.app.screen, QuickFiltersScreen)
        await pilot.press("9", "0", "enter")
        assert not isinstance(pilot.app.screen, QuickFiltersScreen)
        assert set(shown_names(pilot)) == STALE_90
        assert "Showing 5 of 40 · sort: newest first · filter: unused > 90d" in filter_bar(pilot)


@pytest.mark.pilot
async def test_quick_filter_form_created_before_and_a_bad_date(admin_world: World) -> None:
    async with make_app(admin_world).run_test() as pilot:
        await settle(pilot)
        await pilot.press("f", "tab", *"2026-13-01", "enter")
        form = pilot.app.screen
        assert isinstance(form, QuickFiltersScreen)  # stays open and says why
        assert "YYYY-MM-DD" in str(form.query_one("#qf-error").render())
        await pilot.press(*["backspace"] * 10, *"2025-08-22", "enter")
        # Created more than 365 days before 2026-08-22: old jenkins (700), terraform (400).
        assert set(shown_names(pilot)) == {"old jenkins", "terraform langwatch provider"}


@pytest.mark.pilot
async def test_quick_filter_form_role_scope_type_and_scope_name(admin_world: World) -> None:
    async with make_app(admin_world).run_test() as pilot:
        await settle(pilot)
        await pilot.press("f")
        form = pilot.app.screen
        assert isinstance(form, QuickFiltersScreen)
        form.query_one("#qf-role", Select).value = "ADMIN"
        form.query_one("#qf-scope-type", Select).value = "ORGANIZATION"
        await pilot.press("ctrl+s")
        assert set(shown_names(pilot)) == {"terraform langwatch provider", "maya laptop",
            "maya - cli", "amara admin cli", "lwadmin-tui incident response"}  # fmt: skip
        assert "role ADMIN on organization" in filter_bar(pilot)
        await pilot.press("f")
        form = pilot.app.screen
        assert isinstance(form, QuickFiltersScreen)
        await pilot.press("ctrl+r")  # clear all, then filter by a project's name
        await pilot.press("f", "tab", "tab", "tab", "tab", *"VISION", "enter")
        assert set(shown_names(pilot)) == {"github-actions ci", "maya notebook experiments",
            "label review", "prompt regression suite", "jonas ci fallback"}  # fmt: skip


@pytest.mark.pilot
async def test_escape_and_ctrl_g_cancel_the_form(admin_world: World) -> None:
    async with make_app(admin_world).run_test() as pilot:
        await settle(pilot)
        for cancel in ("escape", "ctrl+g"):
            await pilot.press("f", "9", cancel)
            assert not isinstance(pilot.app.screen, QuickFiltersScreen)
            assert len(row_ids(pilot)) == 40


@pytest.mark.pilot
async def test_sort_cycles_reverses_and_shows_in_the_header(admin_world: World) -> None:
    async with make_app(admin_world).run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        server_order = row_ids(pilot)
        await pilot.press("s")  # name, ascending
        names = shown_names(pilot)
        assert names == sorted(names, key=str.casefold)
        header = "".join(segment.text for segment in table(pilot).render_line(0))
        assert "Name ↑" in header
        await pilot.press("S")
        assert shown_names(pilot) == sorted(names, key=str.casefold, reverse=True)
        assert "sort: name ↓ descending" in filter_bar(pilot)
        await pilot.press(*["s"] * 8)  # past the last column: the server's order again
        assert row_ids(pilot) == server_order


@pytest.mark.pilot
async def test_a_header_click_sorts_and_a_second_click_reverses(admin_world: World) -> None:
    async with make_app(admin_world).run_test() as pilot:
        await settle(pilot)
        state = keys_screen(pilot).state
        await pilot.click(KeysTable, offset=(6, 0))  # the Name header
        assert (state.sort.column, state.sort.descending) == ("name", False)
        await pilot.click(KeysTable, offset=(6, 0))
        assert (state.sort.column, state.sort.descending) == ("name", True)
        names = shown_names(pilot)
        assert names == sorted(names, key=str.casefold, reverse=True)


@pytest.mark.pilot
async def test_sort_by_status_is_stable(admin_world: World) -> None:
    async with make_app(admin_world).run_test() as pilot:
        await settle(pilot)
        server_order = row_ids(pilot)
        state = keys_screen(pilot).state
        expired = {id_of(pilot, name) for name in EXPIRED}
        await pilot.press("s", "s", "s", "s", "s")  # name, created, last used, expires, status
        assert state.sort.column == "status"
        active_first = [k for k in server_order if k not in expired] + [
            k for k in server_order if k in expired
        ]
        assert row_ids(pilot) == active_first
        await pilot.press("S")
        assert row_ids(pilot) == [k for k in server_order if k in expired] + [
            k for k in server_order if k not in expired
        ]


@pytest.mark.pilot
async def test_marks_survive_sort_and_filter_and_hidden_ones_reach_the_dialog(
    admin_world: World,
) -> None:
    async with make_app(admin_world).run_test() as pilot:
        await settle(pilot)
        await pilot.press("e", "a", "F", "n")  # mark the expired keys, then show never used
        state = keys_screen(pilot).state
        marked = {id_of(pilot, name) for name in EXPIRED}
        assert state.marked == marked
        await pilot.press("s", "S")
        assert state.marked == marked
        hidden = marked - set(row_ids(pilot))
        assert hidden and f"{len(marked)} marked · {len(hidden)} hidden by filter" in status_line(
            pilot
        )
        await pilot.press("d")
        dialog = pilot.app.screen
        assert isinstance(dialog, ConfirmRevokeScreen)
        assert {k.id for k in dialog.keys} == marked
        assert dialog.hidden_ids == hidden


@pytest.mark.pilot
async def test_v_marks_a_range_and_v_or_escape_cancel(admin_world: World) -> None:
    async with make_app(admin_world).run_test() as pilot:
        await settle(pilot)
        rows = row_ids(pilot)
        state = keys_screen(pilot).state
        await pilot.press("down", "v")
        assert "range from" in status_line(pilot)
        await pilot.press("down", "down", "down", "space")
        assert state.marked == set(rows[1:5])
        await pilot.press("v", "up", "up", "escape")
        assert state.range_anchor is None and state.marked == set(rows[1:5])
        await pilot.press("v", "v")
        assert state.range_anchor is None
        await move_to(pilot, rows[-1])
        await pilot.press("v", "up", "up", "space")  # upwards works too
        assert state.marked == set(rows[1:5]) | set(rows[-3:])


@pytest.mark.pilot
async def test_shift_arrows_mark_as_they_move(admin_world: World) -> None:
    async with make_app(admin_world).run_test() as pilot:
        await settle(pilot)
        rows = row_ids(pilot)
        await pilot.press("down", "down", "shift+down", "shift+down", "shift+up")
        assert keys_screen(pilot).state.marked == set(rows[2:5])
        assert table(pilot).cursor_row == 3


@pytest.mark.pilot
async def test_invert_flips_only_the_shown_marks(admin_world: World) -> None:
    async with make_app(admin_world).run_test() as pilot:
        await settle(pilot)
        never = id_of(pilot, "maya test key")
        await move_to(pilot, never)
        await pilot.press("space", "e", "i")  # mark a never-used key, show expired, invert
        state = keys_screen(pilot).state
        assert state.marked == {id_of(pilot, n) for n in EXPIRED} | {never}
        await pilot.press("i")
        assert state.marked == {never}


@pytest.mark.pilot
async def test_details_fetch_only_on_request_and_once(admin_world: World) -> None:
    async with make_app(admin_world).run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await move_to(pilot, id_of(pilot, "github-actions ci"))
        await pilot.press("enter")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, KeyDetailsScreen)
        text = "\n".join(str(s.render()) for s in screen.query(".detail-line"))
        assert "Runs the evaluation suites on every pull request" in text
        assert 'MEMBER on project "vision-evals" (team Perception)' in text
        assert "210d ago" in text or "6mo ago" in text
        note = str(screen.query_one("#server-detail").render())
        assert "audit log" in note
        assert gets_by_id(admin_world) == 0
        await pilot.press("g")
        await settle(pilot)
        detail = str(screen.query_one("#server-detail").render())
        assert "service" in detail and "restricted" not in detail
        assert gets_by_id(admin_world) == 1
        await pilot.press("q")
        assert not isinstance(pilot.app.screen, KeyDetailsScreen)
        await pilot.press("enter", "g")
        await settle(pilot)
        assert gets_by_id(admin_world) == 1  # kept for the session
        await pilot.press("escape")
        assert pilot.app.is_running


@pytest.mark.pilot
async def test_details_say_when_the_server_hides_a_key(manager_world: World) -> None:
    async with make_app(manager_world).run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await move_to(pilot, id_of(pilot, "grafana exporter"))
        await pilot.press("enter", "g")
        await settle(pilot)
        detail = str(pilot.app.screen.query_one("#server-detail").render())
        assert "does not show this key's detail" in detail


@pytest.mark.pilot
async def test_a_keymap_rebinds_by_id_and_help_shows_it(admin_world: World) -> None:
    app = make_app(admin_world, keymap={"sort": "o", "filter_expired": "x"})
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        assert keys_screen(pilot).state.sort.column == "name"
        await pilot.press("x")
        assert set(shown_names(pilot)) == EXPIRED
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        rows = dict(app.screen.key_rows)
        assert "o" in rows and "[sort]" in rows["o"]
        assert "s" not in rows


@pytest.mark.pilot
async def test_command_palette_runs_a_main_action(admin_world: World) -> None:
    async with make_app(admin_world).run_test() as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"only expired")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert set(shown_names(pilot)) == EXPIRED
        await pilot.press("ctrl+p", "ctrl+g")  # closes without escape
        await settle(pilot)
        assert pilot.app.screen is keys_screen(pilot)


@pytest.mark.pilot
async def test_page_keys_typed_as_the_palette_opens_do_not_crash(admin_world: World) -> None:
    app = make_app(admin_world)
    async with app.run_test() as pilot:
        await settle(pilot)
        # One burst, as a terminal delivers keys typed fast: Pilot.press would wait for the
        # screen between keys, and the list would be laid out before the page key arrives.
        driver = app._driver
        assert driver is not None
        for key in ("ctrl+p", "down", "pagedown"):
            driver.send_message(events.Key(key, None))
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, Palette)
        highlighted = app.screen.query_one(CommandList).highlighted
        assert highlighted is not None and highlighted > 1  # the page move was not lost
        await pilot.press("pageup", "escape")
        assert app.screen is keys_screen(pilot)


@pytest.mark.pilot
async def test_the_footer_fits_80_columns(admin_world: World) -> None:
    async with make_app(admin_world).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        footer_keys = list(keys_screen(pilot).query("FooterKey"))
        shown = [str(getattr(k, "description", "")) for k in footer_keys]
        for wanted in ("Mark", "Filter", "Filters", "Details", "Revoke", "Help", "Quit"):
            assert wanted in shown
        assert all(0 <= k.region.right <= 80 and k.region.width for k in footer_keys)


def test_every_escape_binding_has_another_key() -> None:
    from lwadmin_tui.ui.app import LwAdminApp
    from lwadmin_tui.ui.commands import Palette
    from lwadmin_tui.ui.screens.keys_screen import KeysScreen
    from lwadmin_tui.ui.screens.quit_confirm import QuitWhileRunningScreen
    from lwadmin_tui.ui.widgets.filter_input import FilterInput

    owners: list[Any] = [
        *(Palette, LwAdminApp, KeysScreen, QuickFiltersScreen, KeyDetailsScreen, HelpScreen),
        *(QuitWhileRunningScreen, ConfirmRevokeScreen, FilterInput),
    ]
    for owner in owners:
        keys_by_action: dict[str, set[str]] = {}
        # Every binding the class has, inherited ones included (the palette's escape is Textual's).
        for key, bindings in owner._merge_bindings().key_to_bindings.items():
            for binding in bindings:
                keys_by_action.setdefault(binding.action, set()).add(key)
        for action, keys in keys_by_action.items():
            if "escape" in keys and action != "cancel_range":
                assert keys - {"escape"}, f"{owner.__name__}.{action} has only escape"
    # The range is also cancelled by v (the same key that starts it).
    assert any(b.key == "v" for b in KeysScreen.BINDINGS)  # type: ignore[union-attr]


@pytest.mark.pilot
async def test_no_color_keeps_meaning_in_words(admin_world: World, monkeypatch: Any) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(admin_world)
    async with app.run_test() as pilot:
        await settle(pilot)
        assert app.no_color
        await pilot.press("e", "space", "s")
        svg = pilot.app.export_screenshot()
        screen = html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")
        for words in (
            "●",
            "expired",
            "filter:",
            "Name ↑",
            "1 marked",
            "Showing 6 of 40",
            "sort: name",
        ):
            assert words in screen


@pytest.mark.pilot
async def test_an_empty_field_of_the_form_does_not_look_set(admin_world: World) -> None:
    """The grey hint in an empty number field was "90": `f` `enter` then gave no filter."""
    async with make_app(admin_world).run_test() as pilot:
        await settle(pilot)
        await pilot.press("f")
        days = pilot.app.screen.query_one("#qf-days", Input)
        assert days.value == ""
        assert not any(ch.isdigit() for ch in str(days.placeholder))
        assert days.placeholder == "any"  # as the role and scope selects say
        await pilot.press("enter")
        assert "No filter" in filter_bar(pilot)


def test_the_palette_has_every_main_action() -> None:
    """Each keys-screen binding has a command, but those that act on the cursor's row alone."""
    from textual.binding import Binding

    from lwadmin_tui.ui.commands import COMMANDS
    from lwadmin_tui.ui.screens.keys_screen import KeysScreen

    actions = {action.removeprefix("app.").split("(")[0] for _, _, action in COMMANDS}
    cursor_only = {"toggle_mark", "mark_extend", "cancel_range", "sort_next", "sort_reverse"}
    bound = {b.action.split("(")[0] for b in KeysScreen.BINDINGS if isinstance(b, Binding)}
    assert bound - cursor_only <= actions, bound - cursor_only - actions
    assert {"quit_app", "help", "sort_by"} <= actions


@pytest.mark.pilot
@pytest.mark.parametrize("words", ["batch", "export", "audit", "retry", "cancel", "own key"])
async def test_the_palette_finds_the_batch_actions_by_name(admin_world: World, words: str) -> None:
    async with make_app(admin_world).run_test() as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *words)
        await settle(pilot)
        hits = pilot.app.screen.query_one(CommandList)
        assert hits.option_count > 0, words


def test_the_readme_and_the_help_name_the_keymap_ids_the_code_has() -> None:
    import re
    from pathlib import Path

    from textual.binding import Binding

    from lwadmin_tui.ui.app import LwAdminApp
    from lwadmin_tui.ui.screens.help import binding_rows
    from lwadmin_tui.ui.screens.keys_screen import KeysScreen

    bindings = [b for b in (*KeysScreen.BINDINGS, *LwAdminApp.BINDINGS) if isinstance(b, Binding)]
    ids = {b.id for b in bindings}
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    keys_table = readme[readme.index("| key | action | keymap id |") :].split("\n\n")[0]
    named = set()
    for row in keys_table.splitlines()[2:]:
        named |= set(re.findall(r"`([a-z_]+)`", row.rsplit("|", 2)[1]))
    assert named <= ids, named - ids
    rows = dict(binding_rows([(b.key, b) for b in bindings]))
    assert rows["q / ctrl+c / ctrl+q"].endswith("[quit_app, quit_ctrl_c, quit_ctrl_q]")


@pytest.mark.pilot
async def test_the_shown_keys_export_as_csv_and_json_before_any_revocation(
    admin_world: World, isolated_state: Path
) -> None:
    async with make_app(admin_world).run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("e", "E")  # expired only, then export what is shown
        await settle(pilot)
        assert "Exported 6 shown keys to" in message_line(pilot)
        shown = set(row_ids(pilot))
    exports = sorted((isolated_state / "lwadmin-tui" / "exports").glob("keys-*"))
    assert [p.suffix for p in exports] == [".csv", ".json"]
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in exports)
    document = json.loads(exports[1].read_text())
    assert {k["id"] for k in document["keys"]} == shown
    assert {k["status"] for k in document["keys"]} == {"expired"}
    assert "filter: expired" in document["shown"] and document["listed"] == 40
    table = list(csv.DictReader(io.StringIO(exports[0].read_text())))
    assert {row["id"] for row in table} == shown
    assert admin_world.server.wire_requests and not any(
        r.method == "DELETE" for r in admin_world.server.wire_requests
    )


@pytest.mark.pilot
async def test_two_exports_in_one_second_keep_both(
    admin_world: World, isolated_state: Path
) -> None:
    async with make_app(admin_world).run_test(size=(120, 40)) as pilot:  # a frozen clock
        await settle(pilot)
        await pilot.press("E")
        await settle(pilot)
        await pilot.press("e", "E")
        await settle(pilot)
    exports = sorted(p.name for p in (isolated_state / "lwadmin-tui" / "exports").iterdir())
    assert len(exports) == 4, exports


@pytest.mark.pilot
async def test_an_odd_exports_folder_is_said_whole(
    admin_world: World, isolated_state: Path
) -> None:
    (isolated_state / "lwadmin-tui").mkdir(parents=True)
    (isolated_state / "lwadmin-tui" / "exports").write_text("not a folder")
    async with make_app(admin_world).run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press("E")
        await settle(pilot)
        said = message_line(pilot).replace("\n", " ")
    assert "is not a directory" in said and said.endswith("Nothing was written.")
    assert ".." not in said and "Errno" not in said
