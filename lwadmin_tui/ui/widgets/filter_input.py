"""The `/` filter box: enter applies and returns to the table, escape clears and returns.

ctrl+g also clears and returns: escape alone is slow or swallowed over some SSH links.
"""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input


class FilterInput(Input):
    BINDINGS = [
        Binding("escape,ctrl+g", "clear_and_leave", "Clear filter", show=False, id="filter.clear")
    ]

    class Left(Message):
        """The admin is done with the filter (enter or escape): focus goes back to the table."""

    def action_clear_and_leave(self) -> None:
        self.value = ""
        self.post_message(self.Left())

    async def _on_key(self, event: events.Key) -> None:
        # Textual inserts a printable key here at once, but runs an editing key's binding only
        # when the key has bubbled up to the app: in a burst, the keys typed after a backspace
        # were inserted before it ran, and it deleted them instead. Run it here, in order.
        if not event.is_printable:
            for binding in self._bindings.key_to_bindings.get(event.key, ()):
                if await self.app.run_action(binding.action, self):
                    event.stop()
                    return

    async def action_submit(self) -> None:
        await super().action_submit()
        self.post_message(self.Left())

    def take_typed_ahead(self, event: events.Key) -> None:
        """A key typed right after `/` that Textual had already queued for the table: text
        is inserted, and an editing key (backspace, arrows, enter, escape) runs its binding
        here, each in the order typed (both are queued behind what came before)."""
        if event.is_printable and event.character:
            self.call_later(self.insert_text_at_cursor, event.character)
            return
        for binding in self._bindings.key_to_bindings.get(event.key, ()):
            self.call_later(self.run_action, binding.action)
            return
