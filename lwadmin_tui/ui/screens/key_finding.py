"""Finding the keys to revoke: filters, sort, range and invert marks, details.

A mixin of the keys screen, so `keys_screen.py` keeps loading and the batch flow only. Every
action changes `KeysState` and then asks the table to redraw: a rebuild when the filters or the
sort change, a mark-cell update in place otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from textual import work
from textual.binding import Binding
from textual.message import Message

from lwadmin_tui.api.scopes import ScopeDirectory
from lwadmin_tui.keys.display import key_name
from lwadmin_tui.keys.sorting import SORT_COLUMNS
from lwadmin_tui.ui.widgets.filter_input import FilterInput

if TYPE_CHECKING:
    from lwadmin_tui.keys.filters import QuickFilters
    from lwadmin_tui.keys.state import KeysState
    from lwadmin_tui.ui.app import LwAdminApp
    from lwadmin_tui.ui.widgets.keys_table import KeysTable

COVERAGE = "a personal key lists only its own and service keys (see ?)"

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
        "c",
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
]


class KeyFinding:
    """Actions and handlers for finding keys; mixed into `KeysScreen` (a Textual Screen)."""

    if TYPE_CHECKING:
        state: KeysState
        app: Any

        @property
        def table(self) -> KeysTable: ...
        @property
        def lw_app(self) -> LwAdminApp: ...
        def rebuild_table(self) -> None: ...
        def refresh_status(self) -> None: ...
        def say(self, message: str) -> None: ...
        def query_one(self, selector: Any, expect_type: Any = None) -> Any: ...
        def post_message(self, message: Message) -> bool: ...

    scope_directory: ScopeDirectory | None = None

    @dataclass
    class ScopeNamesLoaded(Message):
        directory: ScopeDirectory

    # --- scope names ----------------------------------------------------------------------

    @work(exclusive=True, group="scopes", exit_on_error=False)
    async def load_scope_names(self) -> None:
        """Two list calls name every project and team once; ids stay where they cannot."""
        directory = await ScopeDirectory().load(self.lw_app.client)
        self.post_message(self.ScopeNamesLoaded(directory))

    def on_key_finding_scope_names_loaded(self, message: ScopeNamesLoaded) -> None:
        self.scope_directory = message.directory
        self.state.scope_names = dict(message.directory.names)
        if self.state.quick.scope:
            self.rebuild_table()

    # --- marks ----------------------------------------------------------------------------

    def shown_ids(self) -> list[str]:
        return self.table.row_ids

    def action_invert_marks(self) -> None:
        self.state.invert_shown(self.shown_ids())
        self.table.update_marks(self.state)
        self.refresh_status()

    def action_range(self) -> None:
        if self.state.range_anchor is not None:
            self.action_cancel_range()
            return
        self.state.range_anchor = self.table.cursor_key()
        self.refresh_status()

    def action_cancel_range(self) -> None:
        if self.state.range_anchor is not None:
            self.state.range_anchor = None
            self.say("Range cancelled: no mark changed.")
            self.refresh_status()

    def mark_range_to(self, cursor: str) -> None:
        chosen = self.state.mark_range(self.shown_ids(), cursor)
        self.table.update_marks(self.state)
        self.say(f"Marked {len(chosen)} key{'s' if len(chosen) != 1 else ''} in the range.")
        self.refresh_status()

    def range_hint(self) -> str:
        anchor = self.state.keys.get(self.state.range_anchor or "")
        name = key_name(anchor, 20) if anchor else "?"
        return f"range from {name}: space marks, v cancels"

    def action_mark_extend(self, step: int) -> None:
        """Shift+arrow: mark the cursor's key and its neighbour, and move onto it."""
        first = self.table.cursor_key()
        if first is None:
            return
        row = self.table.cursor_row + step
        self.table.move_cursor(row=max(0, min(row, self.table.row_count - 1)), animate=False)
        self.state.mark([first, self.table.cursor_key() or first])
        self.table.update_marks(self.state)
        self.refresh_status()

    # --- filters --------------------------------------------------------------------------

    def set_quick(self, quick: QuickFilters) -> None:
        self.state.quick = quick
        self.rebuild_table()

    def action_quick_filters(self) -> None:
        # Imported when first opened: its widgets (Select, Checkbox) cost start-up time.
        from lwadmin_tui.ui.screens.quick_filters import QuickFiltersScreen

        def chosen(quick: QuickFilters | None) -> None:
            if quick is not None:
                self.set_quick(quick)

        self.app.push_screen(QuickFiltersScreen(self.state.quick), chosen)

    def action_toggle_expired(self) -> None:
        self.set_quick(replace(self.state.quick, expired=not self.state.quick.expired))

    def action_toggle_never_used(self) -> None:
        self.set_quick(replace(self.state.quick, never_used=not self.state.quick.never_used))

    def action_clear_filters(self) -> None:
        self.state.clear_filters()
        self.query_one(FilterInput).value = ""  # Input.Changed rebuilds as well; harmless
        self.rebuild_table()

    # --- sort -----------------------------------------------------------------------------

    def sorted_by(self, spec: Any) -> None:
        self.state.sort = spec
        self.rebuild_table()

    def action_sort_next(self) -> None:
        self.sorted_by(self.state.sort.next_column())

    def action_sort_reverse(self) -> None:
        self.sorted_by(self.state.sort.reversed())

    def action_sort_by(self, column: str, descending: bool = False) -> None:
        """For the command palette: sort by `column` in the given direction."""
        if column in SORT_COLUMNS:
            self.sorted_by(replace(self.state.sort, column=column, descending=descending))

    def on_keys_table_header_selected(self, event: KeysTable.HeaderSelected) -> None:
        """A header click (a plain mixin cannot use `@on`: Textual collects those per class)."""
        self.sorted_by(self.state.sort.on_column(event.column))

    # --- details --------------------------------------------------------------------------

    def action_details(self) -> None:
        key_id = self.table.cursor_key()
        if key_id is None or key_id not in self.state.keys:
            return
        from lwadmin_tui.ui.screens.key_details import KeyDetailsScreen  # imported when first used

        screen = KeyDetailsScreen(
            self.state.keys[key_id], self.state, self.lw_app.client, self.scope_directory
        )
        self.app.push_screen(screen)
