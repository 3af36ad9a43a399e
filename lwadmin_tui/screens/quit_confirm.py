"""Asked before quitting while a revocation batch is running."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class QuitWhileRunningScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("y", "answer(True)", "Quit", show=False, id="quit_confirm.yes"),
        Binding("n,escape", "answer(False)", "Stay", show=False, id="quit_confirm.no"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(
                "A revocation batch is still running. Quit now? Requests already sent may "
                "still be applied by the server. Each one is in the audit log: the next start "
                "reports those without an answer and verifies them in one step. (x cancels "
                "the batch instead: nothing new is sent.)",
                markup=False,
            )
            with Horizontal(id="buttons"):
                yield Button("Stay", id="stay", variant="primary")
                yield Button("Quit", id="quit", variant="error")
            yield Static("y: quit · n / escape: stay", id="keys-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#stay", Button).focus()

    def action_answer(self, quit_now: bool) -> None:
        self.dismiss(quit_now)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "quit")
