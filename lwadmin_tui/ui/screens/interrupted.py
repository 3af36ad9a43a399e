"""Shown at start when the audit log holds batches a stop left open, made with this credential."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Static

from lwadmin_tui.audit.history import BatchHistory, interrupted_sentence
from lwadmin_tui.text import plural, safe_text
from lwadmin_tui.ui.screens.modal import Modal
from lwadmin_tui.ui.widgets.literal import literal

LISTED = 200  # lines in the list; the counts above it cover every key


class InterruptedBatchScreen(Modal[bool]):
    """Settle now (one read per unknown key, nothing is revoked) or later."""

    BINDINGS = [
        Binding("y,v", "answer(True)", "Verify now", show=False),
        Binding("n,escape", "answer(False)", "Later", show=False),
    ]

    def __init__(self, found: list[BatchHistory], other_credential: int = 0) -> None:
        super().__init__()
        self.found = found
        """Every open batch of this credential, newest first."""
        self.other_credential = other_credential

    def compose(self) -> ComposeResult:
        unknown = sum(len(b.unresolved) for b in self.found)
        never = sum(len(b.never_sent) for b in self.found)
        with Vertical(id="dialog"):
            yield Static(" ".join(map(interrupted_sentence, self.found)), id="question")
            words = (
                f"The app stopped during {plural(len(self.found), 'batch')}. Verifying reads "
                f"each key with an unknown outcome once ({plural(unknown)}); nothing is revoked."
            )
            if never:
                words += (
                    f" {plural(never)} confirmed but never sent (no request left for them) "
                    "are recorded as not attempted."
                )
            if self.other_credential:
                others = plural(self.other_credential, "batch")
                words += f" {others} of another credential are left alone."
            yield Static(words, markup=False)
            with VerticalScroll(id="key-list"):
                for batch in self.found:
                    for key in (batch.unresolved + batch.never_sent)[:LISTED]:
                        line = literal(key.key_name or "(unnamed)", 40)
                        line.append(f"  {safe_text(key.key_id, 40)}", style="dim")
                        if key.intents == 0:
                            line.append("  (never sent)", style="italic")
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
