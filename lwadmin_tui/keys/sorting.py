"""How the table is ordered: a column and a direction, applied with a stable sort.

The server's order (newest first) is the base; a stable sort keeps it among equal values, in
both directions, so the same keys never swap places between two rebuilds.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lwadmin_tui.api.models import ApiKeyInfo
from lwadmin_tui.keys.display import key_name, scope_summary, status_word
from lwadmin_tui.outcomes import Result

# Column key -> label, in the order `s` cycles through them (None = the server's order).
SORT_COLUMNS: dict[str, str] = {
    "name": "name",
    "created": "created",
    "last_used": "last used",
    "expires": "expires",
    "status": "status",
    "scope": "scope",
    "mark": "marked",
    "result": "result",
}
UP, DOWN = "↑", "↓"


@dataclass(frozen=True)
class SortSpec:
    """`column` None keeps the server's order (newest created first)."""

    column: str | None = None
    descending: bool = False

    def describe(self) -> str:
        if self.column is None:
            return "newest first"
        words = "descending" if self.descending else "ascending"
        return f"{SORT_COLUMNS[self.column]} {DOWN if self.descending else UP} {words}"

    def next_column(self) -> SortSpec:
        """The next column in `SORT_COLUMNS`, ascending; after the last, the server's order."""
        order: list[str | None] = [None, *SORT_COLUMNS]
        return SortSpec(order[(order.index(self.column) + 1) % len(order)])

    def reversed(self) -> SortSpec:
        return SortSpec(self.column or "created", not self.descending)

    def on_column(self, column: str) -> SortSpec:
        """A header click: a new column sorts ascending, the same column flips."""
        if column == self.column:
            return self.reversed()
        return SortSpec(column) if column in SORT_COLUMNS else self


def _moment(moment: datetime | None, missing_first: bool) -> tuple[int, float]:
    if moment is None:
        return (0 if missing_first else 2, 0.0)
    return (1, moment.timestamp())


def sort_keys(
    keys: Iterable[ApiKeyInfo],
    spec: SortSpec,
    *,
    now: datetime,
    marked: Collection[str] = (),
    results: Mapping[str, Result] | None = None,
) -> list[ApiKeyInfo]:
    """`keys` ordered by `spec`; never used sorts as the oldest, never expires as the latest."""
    keys = list(keys)
    if spec.column is None:
        return keys
    results = results or {}

    def result_label(key: ApiKeyInfo) -> str:
        result = results.get(key.id)
        return "" if result is None else result.label

    by: dict[str, Callable[[ApiKeyInfo], Any]] = {
        "name": lambda k: key_name(k).casefold(),
        "created": lambda k: k.created_at,
        "last_used": lambda k: _moment(k.last_used_at, missing_first=True),
        "expires": lambda k: _moment(k.expires_at, missing_first=False),
        "status": lambda k: status_word(k, now),
        "scope": lambda k: scope_summary(k.role_bindings).casefold(),
        "mark": lambda k: k.id in marked,
        "result": result_label,
    }
    return sorted(keys, key=by[spec.column], reverse=spec.descending)
