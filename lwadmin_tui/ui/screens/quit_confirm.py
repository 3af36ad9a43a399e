"""Asked before quitting while a revocation batch is running, and kept true while it is open.

The question follows the batch: `x` cancels it from here, as the question says, and when the
batch ends the question says so in words and `q` or `y` quits. Before, it kept saying a batch
was running after "Done", and an admin who took the app for closed typed into it.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from lwadmin_tui.ui.screens.modal import Modal

RUNNING = (
    "A revocation batch is still running. Quit now? Requests already sent may still be applied "
    "by the server. Each one is in the audit log: the next start reports those without an "
    "answer and verifies them in one step. (x cancels the batch instead: nothing new is sent.)"
)
CANCELLING = (
    "Cancelling the batch: nothing new is sent; the requests in flight finish or are verified. "
    "Quit now, or wait here: this says when the batch has ended."
)
RUNNING_HINT = "y: quit · x: cancel the batch · n / escape: stay"
SETTLING = (
    "The interrupted batches are being verified (reads only: nothing is revoked). Quit now? "
    "What is not verified yet is offered again at the next start."
)
SETTLING_HINT = "y: quit · n / escape: stay"
ROLLING = (
    "Keys are being rolled or created. Quit now? A new key made at this moment may be left "
    "without its secret delivered: the next start names it, to be revoked."
)


class QuitWhileRunningScreen(Modal[bool]):
    BINDINGS = [
        Binding("y", "answer(True)", "Quit", show=False, id="quit_confirm.yes"),
        Binding("q", "quit_if_ended", "Quit", show=False, id="quit_confirm.quit"),
        Binding("n,escape", "answer(False)", "Stay", show=False, id="quit_confirm.no"),
        Binding("x", "cancel_batch", "Cancel batch", show=False, id="quit_confirm.cancel"),
    ]

    def __init__(
        self, cancel_batch: Callable[[], bool], *, settling: bool = False, rolling: bool = False
    ) -> None:
        super().__init__()
        self._cancel_batch = cancel_batch
        """Asks the running batch to stop; False when none runs any more."""
        self.settling = settling
        """Verifying interrupted batches, not revoking: nothing to cancel."""
        self.rolling = rolling
        """Rolling or creating keys, not revoking: nothing to cancel."""
        self.ended = False

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            question = ROLLING if self.rolling else SETTLING if self.settling else RUNNING
            yield Static(question, id="quit-question", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Stay", id="stay", variant="primary")
                yield Button("Quit", id="quit", variant="error")
            hint = SETTLING_HINT if self.settling or self.rolling else RUNNING_HINT
            yield Static(hint, id="keys-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#stay", Button).focus()

    def _show(self, question: str, hint: str) -> None:
        self.query_one("#quit-question", Static).update(question)
        self.query_one("#keys-hint", Static).update(hint)

    def batch_ended(self, summary: str) -> None:
        """The batch has finished while the question was open: say so; q or y quits."""
        self.ended = True
        self._show(
            f"The batch has ended. {summary} Quit now?",
            "q / y: quit · n / escape: back to the table",
        )

    def action_cancel_batch(self) -> None:
        if self.ended or self.settling or self.rolling:
            return
        if self._cancel_batch():
            self._show(CANCELLING, "y: quit now · n / escape: stay")

    def action_quit_if_ended(self) -> None:
        if self.ended:
            self.dismiss(True)

    def action_answer(self, quit_now: bool) -> None:
        self.dismiss(quit_now)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "quit")
