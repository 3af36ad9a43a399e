"""Asked before `o` reads the details of many keys: how many reads, and that the server records
each one in the organization's audit log. `y` reads; `n`, `escape` or Cancel do not.

Keys typed in the first moments are ignored, as in the revocation dialog: type-ahead over a slow
link must not answer a question the admin has not seen.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from lwadmin_tui.text import plural
from lwadmin_tui.ui.screens.modal import Modal


def question_text(count: int, refresh: bool, unreadable: int) -> str:
    what = "again, to refresh their access" if refresh else "not yet known"
    text = (
        f"Read the details (type, owner, access) of {plural(count)} {what}? That is "
        f"{plural(count, 'request')} GET /api/api-keys/{{id}}, and the server records each one "
        "in the organization's audit log. Nothing is changed."
    )
    if unreadable:
        text += f" {plural(unreadable)} this credential may not read (404) are left out."
    return text


class ReadDetailsQuestion(Modal[bool]):
    BINDINGS = [
        Binding("y", "answer(True)", "Read", show=False, id="read_details.yes"),
        Binding("n,escape", "answer(False)", "Cancel", show=False, id="read_details.no"),
    ]

    def __init__(
        self,
        count: int,
        *,
        refresh: bool = False,
        unreadable: int = 0,
        guard_seconds: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.count = count
        self.refresh_all = refresh
        self.unreadable = unreadable
        self.guard_seconds = guard_seconds
        self.clock = clock
        self.opened_at = clock()

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="small-dialog"):
            text = question_text(self.count, self.refresh_all, self.unreadable)
            yield Static(text, id="read-question", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Cancel", id="cancel", variant="primary")
                yield Button("Read", id="read", variant="warning")
            yield Static("y: read · n / escape: cancel", id="keys-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    def action_answer(self, read: bool) -> None:
        if read and self.clock() - self.opened_at < self.guard_seconds:
            return
        self.dismiss(read)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "read":
            self.action_answer(True)
        else:
            self.dismiss(False)
