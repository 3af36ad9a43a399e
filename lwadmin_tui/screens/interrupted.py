"""Shown at start when the audit log holds requests of an earlier run without an outcome."""

from __future__ import annotations

from datetime import datetime

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from lwadmin_tui.audit_history import BatchHistory
from lwadmin_tui.display import plural
from lwadmin_tui.text import safe_text
from lwadmin_tui.widgets.literal import literal


def interrupted_sentence(batch: BatchHistory) -> str:
    """`3 revocations from the interrupted batch at 14:02 have an unknown outcome.`"""
    count = len(batch.unresolved)
    noun = "revocation" if count == 1 else "revocations"
    verb = "has" if count == 1 else "have"
    when = batch.started_local("%H:%M")
    if batch.started_local("%Y-%m-%d") != datetime.now().astimezone().strftime("%Y-%m-%d"):
        when = batch.started_local("%Y-%m-%d %H:%M")
    return f"{count} {noun} from the interrupted batch at {when} {verb} an unknown outcome."


class InterruptedBatchScreen(ModalScreen[bool]):
    """Verify now (one read per key, nothing is revoked) or later."""

    BINDINGS = [
        Binding("y,v", "answer(True)", "Verify now", show=False),
        Binding("n,escape", "answer(False)", "Later", show=False),
    ]

    def __init__(self, batch: BatchHistory) -> None:
        super().__init__()
        self.batch = batch

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(interrupted_sentence(self.batch), id="question", markup=False)
            yield Static(
                "The app stopped after sending these requests and before an answer came. "
                f"Verifying reads each key once ({plural(len(self.batch.unresolved))}); "
                "nothing is revoked.",
                markup=False,
            )
            with VerticalScroll(id="key-list"):
                for key in self.batch.unresolved:
                    line = literal(key.key_name or "(unnamed)", 40)
                    line.append(f"  {safe_text(key.key_id, 40)}", style="dim")
                    yield Static(line, classes="key-line")
            with Horizontal(id="buttons"):
                yield Button("Later", id="later")
                yield Button("Verify now", id="verify", variant="primary")
            yield Static("y / v: verify now · n / escape: later", id="keys-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#verify", Button).focus()

    def action_answer(self, verify: bool) -> None:
        self.dismiss(verify)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "verify")
