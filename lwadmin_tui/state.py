"""The keys screen's state in plain Python: the list, the marks, the filter and the results.

Widgets render this; they never hold state of their own. Marks survive filter changes and
reloads (for keys still listed), so an admin can build a selection across several filters.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from lwadmin_tui.api.models import ApiKeyInfo
from lwadmin_tui.outcomes import RevokeOutcome

SENDING = "sending…"


@dataclass
class KeysState:
    keys: dict[str, ApiKeyInfo] = field(default_factory=dict)
    """Every listed key by id, in the server's order (newest first)."""
    marked: set[str] = field(default_factory=set)
    filter_text: str = ""
    results: dict[str, RevokeOutcome | str] = field(default_factory=dict)
    """The last batch's outcome per key id, or `SENDING` while its request is in flight."""

    def load(self, keys: Iterable[ApiKeyInfo]) -> None:
        """Replace the list; marks of keys no longer listed and old results are dropped."""
        self.keys = {key.id: key for key in keys}
        self.marked &= self.keys.keys()
        self.results.clear()

    def matches(self, key: ApiKeyInfo) -> bool:
        needle = self.filter_text.strip().casefold()
        if not needle:
            return True
        haystack = (key.name, key.description or "", key.id)
        return any(needle in text.casefold() for text in haystack)

    def visible(self) -> list[ApiKeyInfo]:
        return [key for key in self.keys.values() if self.matches(key)]

    def toggle(self, key_id: str) -> None:
        if key_id in self.marked:
            self.marked.discard(key_id)
        elif key_id in self.keys:
            self.marked.add(key_id)

    def mark_all_visible(self) -> None:
        self.marked.update(key.id for key in self.visible())

    def clear_marks(self) -> None:
        self.marked.clear()

    def marked_keys(self) -> list[ApiKeyInfo]:
        """Marked keys in list order, including those the filter hides."""
        return [key for key in self.keys.values() if key.id in self.marked]

    def hidden_marked_count(self) -> int:
        return sum(1 for key in self.marked_keys() if not self.matches(key))
