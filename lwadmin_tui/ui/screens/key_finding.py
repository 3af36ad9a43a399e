"""Finding the keys to revoke: filters, sort, range and invert marks, details.

A plain object the keys screen owns (its actions are one-line calls here). Every action changes
`KeysState` and then asks the table to redraw: a rebuild when the filters or the sort change, a
mark-cell update in place otherwise.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

from textual.binding import Binding

from lwadmin_tui.api.scopes import ScopeDirectory
from lwadmin_tui.keys.display import key_name
from lwadmin_tui.keys.export import export_keys
from lwadmin_tui.keys.sorting import SORT_COLUMNS, SortSpec
from lwadmin_tui.settings.files import os_reason
from lwadmin_tui.settings.paths import exports_dir
from lwadmin_tui.text import plural, safe_text
from lwadmin_tui.ui.messages import KeysExported, ScopeNamesLoaded
from lwadmin_tui.ui.widgets.filter_bar import filter_summary
from lwadmin_tui.ui.widgets.filter_input import FilterInput

if TYPE_CHECKING:
    from lwadmin_tui.keys.filters import QuickFilters
    from lwadmin_tui.keys.state import KeysState
    from lwadmin_tui.ui.screens.keys_screen import KeysScreen
    from lwadmin_tui.ui.widgets.keys_table import KeysTable

# The footer shows the `show=True` ones (with the batch keys they fit 80 columns); help shows
# every one. Ids are the names a keymap uses to rebind them.
KEY_BINDINGS = [
    Binding(
        "space",
        "toggle_mark",
        "Mark",
        id="mark",
        tooltip="Mark / unmark the key, move down; with a range open, mark the range",
    ),
    Binding(
        "a", "mark_all", "All", id="mark_all", show=False, tooltip="Mark every key the filters show"
    ),
    Binding(
        "u",
        "clear_marks",
        "Unmark",
        id="clear_marks",
        show=False,
        tooltip="Clear all marks (hidden ones too)",
    ),
    Binding(
        "i",
        "invert_marks",
        "Invert",
        id="invert_marks",
        show=False,
        tooltip="Invert the marks of the shown keys (hidden marks stay)",
    ),
    Binding(
        "v",
        "range",
        "Range",
        id="range",
        show=False,
        tooltip="Start a range at the cursor: move, then space marks it; v again cancels",
    ),
    Binding(
        "shift+down",
        "mark_extend(1)",
        "Mark down",
        id="mark_down",
        show=False,
        tooltip="Mark this key and the one below, move down",
    ),
    Binding(
        "shift+up",
        "mark_extend(-1)",
        "Mark up",
        id="mark_up",
        show=False,
        tooltip="Mark this key and the one above, move up",
    ),
    Binding(
        "escape",
        "cancel_range",
        "Cancel range",
        id="cancel_range",
        show=False,
        tooltip="Cancel an open range (v does too)",
    ),
    Binding(
        "slash", "focus_filter", "Filter", id="filter", tooltip="Filter by name, description or id"
    ),
    Binding(
        "f",
        "quick_filters",
        "Filters",
        id="quick_filters",
        tooltip="Quick filters: expired, never used, unused N days, created before, role, scope",
    ),
    Binding(
        "e",
        "toggle_expired",
        "Expired",
        id="filter_expired",
        show=False,
        tooltip="Show only expired keys (again: off)",
    ),
    Binding(
        "n",
        "toggle_never_used",
        "Never used",
        id="filter_never_used",
        show=False,
        tooltip="Show only never-used keys (again: off)",
    ),
    Binding(
        "F",
        "clear_filters",
        "Clear filters",
        id="clear_filters",
        show=False,
        tooltip="Clear the text filter and every quick filter",
    ),
    Binding(
        "s",
        "sort_next",
        "Sort",
        id="sort",
        show=False,
        tooltip="Sort by the next column: name, created, last used, expires, ...",
    ),
    Binding(
        "S",
        "sort_reverse",
        "Reverse",
        id="sort_reverse",
        show=False,
        tooltip="Reverse the sort direction",
    ),
    Binding(
        "enter", "details", "Details", id="details", tooltip="Details of the key under the cursor"
    ),
    Binding(
        "E",
        "export_shown",
        "Export shown",
        id="export_shown",
        show=False,
        tooltip="Export the keys the filters show as CSV + JSON (for a ticket, before revoking)",
    ),
]


class KeyFinding:
    """Owned by `KeysScreen`; the screen's finding actions call these methods."""

    def __init__(self, screen: KeysScreen) -> None:
        self.screen = screen

    @property
    def state(self) -> KeysState:
        return self.screen.state

    @property
    def table(self) -> KeysTable:
        return self.screen.table

    # --- scope names ----------------------------------------------------------------------

    def load_scope_names(self) -> None:
        self.screen.run_worker(  # the method, not a coroutine: see OwnerFlow.load_people
            self._read_scope_names,  # type: ignore[arg-type]  # a coroutine function runs too
            group="scopes",
            exclusive=True,
            exit_on_error=False,
        )

    async def _read_scope_names(self) -> None:
        """Two list calls name every project and team once; ids stay where they cannot."""
        directory = await ScopeDirectory().load(self.screen.lw_app.client)
        self.screen.post_message(ScopeNamesLoaded(directory))

    def scope_names_loaded(self, message: ScopeNamesLoaded) -> None:
        self.state.scopes = message.directory
        self.table.names_changed()  # the Scope column names projects and teams
        if self.state.quick.scope:
            self.screen.rebuild_table()
        self.screen.owners.load_people(message.directory.team_ids)

    # --- marks ----------------------------------------------------------------------------

    def toggle_mark(self) -> None:
        key_id = self.table.cursor_key()
        if key_id is None:
            return
        if self.state.range_anchor is not None:
            self.mark_range_to(key_id)
            return
        self.state.toggle(key_id)
        self.table.update_key(key_id, self.state)
        self.table.action_cursor_down()
        self.screen.refresh_status()

    def mark_all(self) -> None:
        self.state.mark_all_visible()
        self._marks_changed()

    def clear_marks(self) -> None:
        self.state.clear_marks()
        self._marks_changed()

    def invert_marks(self) -> None:
        self.state.invert_shown(self.table.row_ids)
        self._marks_changed()

    def _marks_changed(self) -> None:
        self.table.update_marks(self.state)
        self.screen.refresh_status()

    def start_or_cancel_range(self) -> None:
        if self.state.range_anchor is not None:
            self.cancel_range()
            return
        self.state.range_anchor = self.table.cursor_key()
        self.screen.refresh_status()

    def cancel_range(self) -> None:
        if self.state.range_anchor is not None:
            self.state.range_anchor = None
            self.screen.say("Range cancelled: no mark changed.", passing=True)
            self.screen.refresh_status()

    def mark_range_to(self, cursor: str) -> None:
        chosen = self.state.mark_range(self.table.row_ids, cursor)
        self.table.update_marks(self.state)
        self.screen.say(f"Marked {plural(len(chosen))} in the range.")
        self.screen.refresh_status()

    def range_hint(self) -> str:
        anchor = self.state.keys.get(self.state.range_anchor or "")
        name = key_name(anchor, 20) if anchor else "?"
        return f"range from {name}: space marks, v cancels"

    def mark_extend(self, step: int) -> None:
        """Shift+arrow: mark the cursor's key and its neighbour, and move onto it."""
        first = self.table.cursor_key()
        if first is None:
            return
        row = self.table.cursor_row + step
        self.table.move_cursor(row=max(0, min(row, self.table.row_count - 1)), animate=False)
        self.state.mark([first, self.table.cursor_key() or first])
        self._marks_changed()

    # --- filters --------------------------------------------------------------------------

    def set_quick(self, quick: QuickFilters) -> None:
        self.state.quick = quick
        self.screen.rebuild_table()

    def open_quick_filters(self) -> None:
        # Imported when first opened: its widgets (Select, Checkbox) cost start-up time.
        from lwadmin_tui.ui.screens.quick_filters import QuickFiltersScreen

        def chosen(quick: QuickFilters | None) -> None:
            if quick is not None:
                self.set_quick(quick)

        self.screen.app.push_screen(QuickFiltersScreen(self.state.quick), chosen)

    def toggle_expired(self) -> None:
        self.set_quick(replace(self.state.quick, expired=not self.state.quick.expired))

    def toggle_never_used(self) -> None:
        self.set_quick(replace(self.state.quick, never_used=not self.state.quick.never_used))

    def clear_filters(self) -> None:
        self.state.clear_filters()
        self.screen.query_one(FilterInput).value = ""  # Input.Changed rebuilds as well; harmless
        self.screen.rebuild_table()

    # --- sort -----------------------------------------------------------------------------

    def sort_by(self, spec: SortSpec) -> None:
        self.state.sort = spec
        self.screen.rebuild_table()

    def sort_by_name(self, column: str, descending: bool) -> None:
        """For the command palette: sort by `column` in the given direction."""
        if column in SORT_COLUMNS:
            self.sort_by(replace(self.state.sort, column=column, descending=descending))

    # --- details --------------------------------------------------------------------------

    def open_details(self) -> None:
        key_id = self.table.cursor_key()
        if key_id is None or key_id not in self.state.keys:
            return
        from lwadmin_tui.ui.screens.key_details import KeyDetailsScreen  # imported when first used

        screen = KeyDetailsScreen(
            self.state.keys[key_id],
            self.state,
            self.screen.lw_app.client,
            self.state.scopes,
            self.screen.owners.people.notes,
        )
        self.screen.app.push_screen(screen)

    # --- export -----------------------------------------------------------------------------

    def export_shown(self) -> None:
        """The shown keys, in the table's order, written on a thread (there may be 100,000)."""
        keys = [self.state.keys[key_id] for key_id in self.table.row_ids]  # filtered, sorted
        if not keys:
            self.screen.say("Nothing to export: no key is shown.", passing=True)
            return
        app = self.screen.lw_app
        shown = filter_summary(self.state, len(keys)).plain
        work = partial(
            export_keys,
            keys,
            exports_dir(),
            now=app.clock(),
            scope_names=dict(self.state.scope_names),
            host=app.host,
            shown=shown,
            listed=len(self.state.keys),
        )

        def written() -> None:
            try:
                paths = work()
            except OSError as error:
                self.screen.post_message(KeysExported((), safe_text(os_reason(error), 300)))
            else:
                self.screen.post_message(KeysExported(paths, "", len(keys)))

        self.screen.run_worker(written, thread=True, group="export", exit_on_error=False)

    def keys_exported(self, message: KeysExported) -> None:
        if message.problem:
            problem = message.problem.rstrip(".")
            self.screen.say(f"Could not export the shown keys: {problem}. Nothing was written.")
            return
        csv_path, json_path = message.paths
        gone = ""
        if self.screen.lw_app.session.temporary_files:
            gone = " (the demo's temporary folder: deleted when the app quits)"
        self.screen.say(
            f"Exported {plural(message.count, 'shown key')} to {safe_text(csv_path, 120)} and "
            f"{safe_text(json_path.name, 40)}{gone}."
        )
