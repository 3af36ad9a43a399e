"""A new key's token, shown once (`c`, or `R` with one key and the screen as its destination).

`c` copies it to the clipboard over OSC 52, which most terminals honour over SSH too; `s` saves
it to a new private file (0600 in 0700, `roll/secrets.py`). Once this screen closes the token is
gone: nothing else holds it (`SecretLine` clears what Textual and Rich cached of its drawing),
and the app draws on the alternate screen, so it is not left in the scrollback either.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from lwadmin_tui.api import gc_tuning
from lwadmin_tui.api.auth import ApiKey
from lwadmin_tui.roll.secrets import Delivery, NotDelivered, SecretFile
from lwadmin_tui.text import safe_text
from lwadmin_tui.ui.messages import TokenSeen
from lwadmin_tui.ui.screens.modal import Modal
from lwadmin_tui.ui.widgets.secret_line import SecretLine


class TokenScreen(Modal[None]):
    BINDINGS = [
        Binding("c", "copy", "Copy", show=False, id="token.copy"),
        Binding("s", "save", "Save", show=False, id="token.save"),
        Binding("enter,escape", "close", "Close", show=False, id="token.close"),
    ]

    def __init__(
        self,
        delivery: Delivery,
        seen: TokenSeen,
        *,
        guard_seconds: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.delivery = delivery
        self.seen = seen
        self.saved_to = ""
        self.guard_seconds = guard_seconds
        """Keys typed ahead (over SSH) must not close the one screen that shows the token."""
        self.clock = clock
        self.opened_at = clock()

    def on_mount(self) -> None:
        self.opened_at = self.clock()

    def on_key(self, event: events.Key) -> None:
        if self.clock() - self.opened_at < self.guard_seconds:
            event.stop()
            event.prevent_default()

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="small-dialog"):
            yield Static(
                f"The new key {safe_text(self.delivery.name, 60)} ({self.delivery.new_id}). "
                "Its secret, shown this once:",
                markup=False,
            )
            # The token itself, verbatim: the one place it is ever drawn.
            yield SecretLine(self.delivery.token, id="token")
            yield Static(
                "c: copy (OSC 52) · s: save to a private file · enter / escape: close, never "
                "shown again",
                id="keys-hint",
                markup=False,
            )

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.delivery.token.reveal())
        # Textual keeps what it copied for its own paste (ctrl+v in any input): not the token.
        self.app._clipboard = ""
        self.notify("Copied to the clipboard (if the terminal allows OSC 52).", timeout=3)

    def action_save(self) -> None:
        sink = SecretFile()
        try:
            sink.deliver(self.delivery)  # one short synced write: on the loop is fine here
        except NotDelivered as why:
            self.notify(
                f"Not saved: {safe_text(why, 300)}", severity="error", timeout=8, markup=False
            )
            return
        self.saved_to = sink.where
        self.notify(f"Saved to {safe_text(sink.where, 120)} (0600).", timeout=8, markup=False)

    def action_close(self) -> None:
        self.seen.by_admin = True
        self.dismiss(None)

    def on_unmount(self) -> None:
        # The token goes now: its line has forgotten it (SecretLine), and what Textual drew of
        # it may be frozen garbage (the list read while it was shown froze it: gc_tuning).
        self.delivery = replace(self.delivery, token=ApiKey(""))
        gc_tuning.collect_now()
        self.seen.set()
