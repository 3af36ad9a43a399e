"""Three changes to the app, applied in the measuring process only (`--patch` of owners.py).

`python -m benchmarks.owners --patch benchmarks/owners_what_if.py` measures the app as if
these were made in `lwadmin_tui/`; nothing there is changed. Each replaces one method:

1. `KeysTable.update_keys` reads the scroll offset and the size once, not once per key
   (`_refresh_row` asks Textual for both for every key id, about 10 µs each). Before
   `OwnerFlow.owners_changed` repainted more than `MANY_ROWS` keys at once, this was 100 ms
   for 10,000 cached owners; now it only trims the flushes of the reads.
2. `KeysState.hidden_marked_count` returns 0 when no key is marked, before it builds the
   filter context: with a text filter on, that context rebuilt every key's search text.
3. `KeysState.add_owners` updates the search texts of the keys whose owners arrived, instead of
   dropping all of them: while the reads run under a text filter, each 50 ms flush no longer
   costs one `search_text` per listed key on the next filter pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from textual.geometry import Region

from lwadmin_tui.keys.filters import search_text
from lwadmin_tui.keys.owners import owner_search_parts
from lwadmin_tui.keys.state import KeysState
from lwadmin_tui.ui.widgets.keys_table import KeysTable


def update_keys(self: KeysTable, key_ids: Iterable[str], state: KeysState) -> None:
    """Redraw the marks and results of these keys; only their lines repaint."""
    self._state = state
    index_of, strips = self._index, self._strips
    top, size = int(self.scroll_offset.y), self.size
    for key_id in key_ids:
        index = index_of.get(key_id)
        if index is None:
            continue
        strips.pop((index, False), None)
        strips.pop((index, True), None)
        y = index - top + 1
        if 1 <= y < size.height:
            self.refresh(Region(0, y, size.width, 1))


def hidden_marked_count(self: KeysState) -> int:
    if not self.filtered or not self.marked:
        return 0
    ctx = self.context()
    marked = (self.keys[key_id] for key_id in self.marked if key_id in self.keys)
    return sum(1 for key in marked if not self.matches(key, ctx))


_add_owners = KeysState.add_owners


def add_owners(self: KeysState, owners: Mapping[str, Any]) -> None:
    texts = self._search_texts
    _add_owners(self, owners)
    if texts is None or not owners:
        return
    for key_id, ownership in owners.items():
        key = self.keys.get(key_id)
        if key is not None:
            texts[key_id] = search_text(key, owner_search_parts(ownership, self.people))
    self._search_texts = texts


KeysTable.update_keys = update_keys  # type: ignore[method-assign]
KeysState.hidden_marked_count = hidden_marked_count  # type: ignore[method-assign]
KeysState.add_owners = add_owners  # type: ignore[method-assign]
