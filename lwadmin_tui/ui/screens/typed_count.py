"""Keys in a dialog that asks for a typed count: early type-ahead is dropped, and a digit typed
anywhere but another text box goes to the count box (the revocation and the roll dialogs)."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.screen import Screen
from textual.widgets import Input


def route_dialog_key(
    screen: Screen[Any],
    event: events.Key,
    *,
    too_early: bool,
    needs_count: bool,
    typing_elsewhere: bool,
) -> None:
    if too_early:  # over SSH, keys typed ahead must not answer a question not yet seen
        event.stop()
        event.prevent_default()
        return
    if needs_count and not typing_elsewhere and event.character and event.character.isdigit():
        count_box = screen.query_one("#count", Input)
        if not count_box.has_focus:
            count_box.focus()
            count_box.insert_text_at_cursor(event.character)
            event.stop()
            event.prevent_default()
