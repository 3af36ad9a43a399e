"""The keys table: one row per key, row key = key id, cells rendered from `KeysState`.

The table is rebuilt only when the list, the filters or the sort change; marks and results are
updated in place, cell by cell, by row key. The sorted column's header carries ↑ or ↓.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable
from textual.widgets.data_table import RowDoesNotExist

from lwadmin_tui.api.models import ApiKeyInfo
from lwadmin_tui.display import (
    is_expired,
    key_name,
    relative,
    scope_summary,
    short_date,
    status_word,
)
from lwadmin_tui.outcomes import RevokeOutcome
from lwadmin_tui.sorting import DOWN, UP, SortSpec
from lwadmin_tui.state import KeysState
from lwadmin_tui.widgets.literal import literal

MARK = "●"
# (key, label, width); name and result share what is left, the name never less than the result.
# Optional columns are dropped, in this order, when the terminal is too narrow: at 80 columns the
# table keeps mark, name, status, last used and result.
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("mark", " ", 1),
    ("name", "Name", 0),
    ("status", "Status", 7),
    ("created", "Created", 10),
    ("last_used", "Last used", 9),
    ("expires", "Expires", 10),
    ("scope", "Scope", 16),
    ("result", "Result", 0),
)
DROP_ORDER = ("created", "expires", "scope", "status")
NAME_MIN, NAME_MAX, RESULT_MIN = 16, 40, 22
CELL_PADDING = 1


def column_layout(width: int) -> list[tuple[str, str, int]]:
    """Columns and widths that fit `width` cells without a horizontal scrollbar."""
    columns = list(COLUMNS)

    def spare(cols: list[tuple[str, str, int]]) -> int:
        return width - 2 - sum(w + 2 * CELL_PADDING for _, _, w in cols)  # 2: scrollbar

    for optional in DROP_ORDER:
        if spare(columns) >= NAME_MIN + RESULT_MIN:
            break
        columns = [c for c in columns if c[0] != optional]
    room = max(spare(columns), NAME_MIN + RESULT_MIN)
    name = min(NAME_MAX, max(NAME_MIN, (room + 1) // 2))
    widths = {"name": name, "result": room - name}
    return [(key, label, widths.get(key, w)) for key, label, w in columns]


def header_label(column: str, label: str, width: int, sort: SortSpec) -> Text:
    """The column's label, with ↑/↓ when the table is sorted by it (cut to fit the width)."""
    if sort.column != column:
        return Text(label)
    arrow = DOWN if sort.descending else UP
    return Text(f"{label[: max(0, width - 2)]} {arrow}".strip() if width > 1 else arrow, "bold")


def result_cell(result: RevokeOutcome | str | None) -> Text:
    if result is None:
        return Text("")
    if isinstance(result, str):
        return literal(result, style="italic")
    style = "bold" if result.done else "bold reverse" if result.status else "italic"
    return literal(result.label, style=style)


class KeysTable(DataTable[Text], inherit_bindings=False):
    """A row cursor over the visible keys; knows how to draw a key, not what to do with it."""

    DEFAULT_CSS = """
    KeysTable { height: 1fr; }
    """
    # Enter opens the key's details (a screen binding, so it can be remapped by id): the
    # table's own enter ("select the row") is left out; its other keys are kept.
    BINDINGS = [b for b in DataTable.BINDINGS if isinstance(b, Binding) and b.key != "enter"]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True, cell_padding=CELL_PADDING)
        self.layout_columns: list[tuple[str, str, int]] = []
        self._shown: tuple[list[ApiKeyInfo], KeysState, datetime] | None = None

    def on_resize(self) -> None:
        layout = column_layout(self.size.width)
        if layout != self.layout_columns:
            self.layout_columns = layout
            if self._shown is not None:
                self.show(*self._shown)

    def show(self, keys: Iterable[ApiKeyInfo], state: KeysState, now: datetime) -> None:
        """Rebuild every row, keeping the cursor on the same key when it is still shown."""
        keys = list(keys)
        self._shown = (keys, state, now)
        current = self.cursor_key()
        self.clear(columns=True)
        if not self.layout_columns:
            self.layout_columns = column_layout(self.size.width or 80)
        for column, label, width in self.layout_columns:
            self.add_column(header_label(column, label, width, state.sort), key=column, width=width)
        shown = [column for column, _, _ in self.layout_columns]
        for key in keys:
            cells = self._cells(key, state, now)
            self.add_row(*(cells[column] for column in shown), key=key.id)
        if current is not None:
            try:
                self.move_cursor(row=self.get_row_index(current), animate=False)
            except RowDoesNotExist:
                self.move_cursor(row=0, animate=False)

    def update_key(self, key_id: str, state: KeysState) -> None:
        """Redraw the mark and the result of one key, if it is shown."""
        if key_id not in self.rows:
            return
        self.update_cell(key_id, "mark", self._mark(key_id, state))
        self.update_cell(key_id, "result", result_cell(state.results.get(key_id)))

    def update_marks(self, state: KeysState) -> None:
        for row_key in self.rows:
            if row_key.value is not None:
                self.update_cell(row_key, "mark", self._mark(row_key.value, state))

    def cursor_key(self) -> str | None:
        if not self.row_count:
            return None
        try:
            row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        except Exception:  # the cursor can point past a just-cleared table
            return None
        return row_key.value

    @staticmethod
    def _mark(key_id: str, state: KeysState) -> Text:
        return Text(MARK if key_id in state.marked else " ", style="bold")

    def _cells(self, key: ApiKeyInfo, state: KeysState, now: datetime) -> dict[str, Text]:
        expired = is_expired(key, now)
        return {
            "mark": self._mark(key.id, state),
            "name": literal(key_name(key)),
            "status": Text(status_word(key, now), style="italic" if expired else ""),
            "created": Text(short_date(key.created_at)),
            "last_used": Text(relative(key.last_used_at, now)),
            "expires": Text(short_date(key.expires_at)),
            "scope": literal(scope_summary(key.role_bindings)),
            "result": result_cell(state.results.get(key.id)),
        }
