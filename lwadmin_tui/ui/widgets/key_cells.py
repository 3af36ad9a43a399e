"""What a key's row says: the columns, their widths at a terminal width, and each cell's Text.

Kept apart from the table widget so drawing (keys_table.py) and wording (here) change apart.
Every server string goes through `literal` (safe text, never markup).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text

from lwadmin_tui.api.models import ApiKeyInfo
from lwadmin_tui.keys.display import (
    is_expired,
    key_name,
    relative,
    scope_summary,
    short_date,
    status_word,
)
from lwadmin_tui.keys.owners import owner_cell, type_cell
from lwadmin_tui.keys.sorting import DOWN, UP, SortSpec
from lwadmin_tui.outcomes import Pending, Result, RevokeOutcome
from lwadmin_tui.ui.widgets.literal import literal

if TYPE_CHECKING:
    from lwadmin_tui.keys.state import KeysState

MARK = "●"
# (key, label, width); name and result share what is left, the name never less than the result.
# A fixed width holds its label and the sort arrow (`Last used ↑`): a header is never cut.
# Optional columns are dropped, in this order, when the terminal is too narrow: at 120 columns
# Created and Expires go; at 80 the table keeps mark, name, status, last used, owner and result.
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("mark", " ", 1),
    ("name", "Name", 0),
    ("status", "Status", 8),
    ("created", "Created", 10),
    ("last_used", "Last used", 11),
    ("expires", "Expires", 10),
    ("scope", "Scope", 16),
    ("owner", "Owner", 12),
    ("type", "Type", 8),
    ("result", "Result", 0),
)
DROP_ORDER = ("created", "expires", "type", "scope", "status")
NAME_MIN, NAME_MAX, RESULT_MIN = 18, 40, 16
DATES = frozenset({"created", "expires"})
COMFORT = 46
"""Room for name and result that the date columns give way to (the details show both dates)."""
CELL_PADDING = 1


def column_layout(width: int) -> list[tuple[str, str, int]]:
    """Columns and widths that fit `width` cells without a horizontal scrollbar."""
    columns = list(COLUMNS)

    def spare(cols: list[tuple[str, str, int]]) -> int:
        return width - 2 - sum(w + 2 * CELL_PADDING for _, _, w in cols)  # 2: scrollbar

    for optional in DROP_ORDER:
        if spare(columns) >= (COMFORT if optional in DATES else NAME_MIN + RESULT_MIN):
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


def result_cell(result: Result | None) -> Text:
    if result is None:
        return Text("")
    if isinstance(result, Pending):
        return literal(result.label, style="italic")
    style = "bold" if result.done else "bold reverse" if result.status else "italic"
    return literal(result.label, style=style)


def mark_cell(marked: bool) -> Text:
    return Text(MARK if marked else " ", style="bold")


LIVE_COLUMNS = frozenset({"mark", "result", "status", "owner", "type"})
"""The columns that change while a key is shown: the admin marks it, a batch revokes it, its
details are read."""


def live_cell(key_id: str, column: str, state: KeysState) -> Text | None:
    """A cell of `LIVE_COLUMNS`, drawn from the state at each redraw; None: the key's own
    cell stands (the status of a key no batch has revoked)."""
    if column == "mark":
        return mark_cell(key_id in state.marked)
    if column == "owner":
        ownership = state.owners.get(key_id)
        return literal(owner_cell(ownership, state.people), style="" if ownership else "dim")
    if column == "type":
        ownership = state.owners.get(key_id)
        return Text(type_cell(ownership), style="" if ownership else "dim")
    result = state.results.get(key_id)
    if column == "result":
        if result is None and key_id in state.flags:
            return literal(state.flags[key_id], style="italic")
        return result_cell(result)
    if isinstance(result, RevokeOutcome) and result.done:
        return Text("revoked", style="italic")  # the list said active; this session revoked it
    if key_id in state.gone:
        return Text("gone", style="italic")  # a detail read answered 404 and the list agreed
    return None


def key_cells(
    key: ApiKeyInfo, now: datetime, scope_names: Mapping[str, str] | None = None
) -> dict[str, Text]:
    """The cells that depend on the key alone (not on marks, results or owners)."""
    expired = is_expired(key, now)
    return {
        "name": literal(key_name(key)),
        "status": Text(status_word(key, now), style="italic" if expired else ""),
        "created": Text(short_date(key.created_at)),
        "last_used": Text(relative(key.last_used_at, now)),
        "expires": Text(short_date(key.expires_at)),
        "scope": literal(scope_summary(key.role_bindings, scope_names)),
    }
