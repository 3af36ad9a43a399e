"""A secret drawn verbatim (a new key's token), and forgotten when it leaves the screen.

What Textual drew outlives the widget: its styles cache keeps the rendered lines and is itself
kept by a class-wide `lru_cache` (`StylesCache.get_inner_outer`, whose keys hold the cache),
and Rich keeps the last 4,096 strings it measured (`rich.cells.cached_cell_len`). Both are
cleared when the line is unmounted, so the token goes with the screen that showed it.
"""

from __future__ import annotations

from rich.cells import cached_cell_len
from textual.content import Content
from textual.widgets import Static

from lwadmin_tui.api.auth import ApiKey


class SecretLine(Static):
    def __init__(self, secret: ApiKey, *, id: str | None = None) -> None:
        super().__init__(markup=False, id=id)
        self._secret: ApiKey | None = secret

    def render(self) -> Content:
        # Built at each render, never kept: Static would hold the text as its content.
        return Content(self._secret.reveal() if self._secret is not None else "")

    def on_unmount(self) -> None:
        self._secret = None
        self._styles_cache.clear()
        cached_cell_len.cache_clear()  # only a cache: the lengths are measured again
