"""Textual's footer, rebuilt only when what it shows has changed.

Textual's `Footer` removes and mounts every key it shows again on each focus or screen-stack
change, and queues one rebuild per change: four while the app starts, each 15-20 ms with the
layout pass it causes, and the last ones landed after the key list had arrived, delaying the
first usable frame (benchmarks/RESULTS.md). Here the pending rebuilds collapse into one, and it
is skipped when the keys, labels and their enabled state are the same as shown.
Relies on `Footer.bindings_changed` and `_bindings_ready` of the pinned Textual version.
"""

from __future__ import annotations

from collections.abc import Hashable

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer


class KeysFooter(Footer):
    def __init__(self, *, compact: bool = False, show_command_palette: bool = True) -> None:
        super().__init__(compact=compact, show_command_palette=show_command_palette)
        # Textual's footer shows nothing until the first bindings change; this one is built
        # with the screen, and later changes only rebuild it when they change what it shows.
        self.set_reactive(Footer._bindings_ready, True)
        self._shown: Hashable = None
        self._rebuild_pending = False

    def bindings_changed(self, screen: Screen[object]) -> None:
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        if not self._rebuild_pending:
            self._rebuild_pending = True
            # After the handler that changed the bindings, without waiting for a repaint: the
            # wait cost a frame of its own when nothing had changed.
            self.call_next(self._rebuild)

    async def _rebuild(self) -> None:
        self._rebuild_pending = False
        if self.is_attached and self._what_to_show() != self._shown:
            await self.recompose()

    def compose(self) -> ComposeResult:
        self._shown = self._what_to_show()
        yield from super().compose()

    def _what_to_show(self) -> Hashable:
        return tuple(
            (binding.key, binding.action, binding.description, enabled, tooltip)
            for _, binding, enabled, tooltip in self.screen.active_bindings.values()
            if binding.show
        )
