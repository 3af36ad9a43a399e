"""The confirmation dialog: nothing is sent before the admin says yes to this exact list.

Cancel is focused at start. `y` confirms fewer than `TYPED_COUNT_THRESHOLD` keys; for more, the
admin types the number of keys and presses enter. Input arriving within `guard_seconds` of the
dialog opening is ignored: over SSH, keys typed ahead must not answer a question not yet seen.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import cached_property

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from lwadmin_tui.api.models import ApiKeyInfo
from lwadmin_tui.audit.log import REASON_MAX_LENGTH
from lwadmin_tui.clock import utc_now
from lwadmin_tui.keys.attention import Reason, review
from lwadmin_tui.keys.ownership import Ownership
from lwadmin_tui.text import plural, safe_text
from lwadmin_tui.ui.screens.modal import Modal
from lwadmin_tui.ui.screens.typed_count import route_dialog_key
from lwadmin_tui.ui.widgets.key_list_view import KeyListView

TYPED_COUNT_THRESHOLD = 10
DIALOG_HEIGHT = 0.9  # the dialog's max-height in app.tcss


class ConfirmRevokeScreen(Modal[bool]):
    """Asks to revoke `keys` on `host`; dismisses with True only on an explicit confirmation."""

    BINDINGS = [
        Binding("y", "confirm", "Yes, revoke", show=False),
        Binding("n", "cancel", "No", show=False),
        Binding("escape", "cancel", "Cancel", show=False),
    ]

    def __init__(
        self,
        keys: Sequence[ApiKeyInfo],
        hidden_ids: set[str],
        host: str,
        *,
        guard_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        own_key_id: str | None = None,
        own_key_guessed: bool = False,
        retrying: bool = False,
        now: datetime | None = None,
        owners: Mapping[str, Ownership] | None = None,
        owners_note: str = "",
    ) -> None:
        super().__init__()
        self.own_key_id = own_key_id
        self.own_key_guessed = own_key_guessed
        self.retrying = retrying
        self.keys = list(keys)
        self.hidden_ids = hidden_ids
        self.host = host
        self.guard_seconds = guard_seconds
        self.clock = clock
        self.opened_at = clock()
        self.needs_typed_count = len(self.keys) >= TYPED_COUNT_THRESHOLD
        self.owners_note = owners_note
        """Said when an owner-dependent filter chose these keys and some owners are not known."""
        self.review = review(self.keys, own_key_id, now or utc_now(), owners or {})
        """The keys as listed: those that deserve a second look first."""

    def compose(self) -> ComposeResult:
        count = len(self.keys)
        with Vertical(id="dialog"):
            yield Label(
                Text.assemble(
                    "Revoke ",
                    (str(count), "bold"),
                    " API ",
                    "key" if count == 1 else "keys",
                    " on ",
                    (safe_text(self.host, 60), "bold"),
                    "?",
                ),
                id="question",
            )
            hidden = sum(1 for key in self.keys if key.id in self.hidden_ids)
            note = "Revoked keys stop working at once. This cannot be undone."
            if hidden:
                verb = "is" if hidden == 1 else "are"
                note += f" {plural(hidden)} of these {verb} hidden by the filter."
            if self.retrying:
                note += " These keys failed, stayed unknown or were not attempted last time."
            if self.own_key_id is None:
                note += " This session's own key is not known (w guesses it)."
            if self.owners_note:
                note += f" {self.owners_note}"
            yield Static(note, id="note", markup=False)
            if self.includes_own_key:
                yield Static(self.own_key_warning(), id="own-key-warning", markup=False)
            listed = KeyListView(
                self.review.keys, self.hidden_ids, self.review.reasons, id="key-list"
            )
            # On the list's edge: a line of its own did not fit 80x24 beside the rest.
            listed.border_title = self.attention_line()
            yield listed
            if self.needs_typed_count:
                yield Label(f"Type {count} and press enter to revoke them.", id="count-prompt")
                yield Input(placeholder=str(count), restrict=r"[0-9]*", max_length=7, id="count")
            yield Static("", id="why", markup=False)
            with Horizontal(id="buttons"):
                yield Input(
                    placeholder="reason (optional): ticket, offboarding…",
                    id="reason",
                    compact=True,
                )
                yield Button("Cancel", id="cancel", variant="primary")
                yield Button(f"Revoke {plural(count)}", id="revoke", variant="error")
            hint = "enter: confirm typed count" if self.needs_typed_count else "y: revoke"
            hint += " · n / escape: cancel · tab / shift+tab: reason"
            yield Static(hint, id="keys-hint", markup=False)

    @cached_property
    def includes_own_key(self) -> bool:
        """Once per dialog: it scans every key, and the layout asks again at each resize."""
        return self.own_key_id is not None and any(k.id == self.own_key_id for k in self.keys)

    @cached_property
    def attention(self) -> list[tuple[Reason, int]]:
        """The reasons to look twice, but the own key: its warning says it already."""
        return [(reason, n) for reason, n in self.review.counts() if reason is not Reason.OWN]

    def attention_line(self) -> str:
        if not self.attention:
            return ""
        counts = ", ".join(f"{count} {reason}" for reason, count in self.attention)
        return f"first: {counts}"

    def own_key_warning(self) -> str:
        """Said in words, not only in colour: the admin is about to lock this session out."""
        how = (
            " (This is a guess: that key's last use moved while this app listed the keys.)"
            if self.own_key_guessed
            else ""
        )
        return (
            "Warning: this includes this session's own key: revoked last, then "
            f"this session loses access (401) until restarted with another key.{how}"
        )

    def on_mount(self) -> None:
        self.opened_at = self.clock()
        self.query_one("#cancel", Button).focus()
        self.fit_key_list()

    def on_resize(self) -> None:
        self.fit_key_list()

    def fit_key_list(self) -> None:
        """Shrink the scrollable list so the buttons and key hints stay on a 24-line screen:
        first from an estimate, then, once laid out, from what the other lines really take
        (the sentences wrap differently at each width)."""
        reserved = 14 + (4 if self.needs_typed_count else 0) + (3 if self.includes_own_key else 0)
        self._fit_list(self.app.size.height - reserved)
        self.call_after_refresh(self._fit_to_layout)

    def _fit_list(self, lines: int) -> None:
        self.query_one("#key-list").styles.max_height = max(3, min(12, lines))

    def _fit_to_layout(self) -> None:
        dialog = self.query_one("#dialog")
        listed = self.query_one("#key-list")
        others = sum(child.outer_size.height for child in dialog.children if child is not listed)
        room = int(self.app.size.height * DIALOG_HEIGHT) - dialog.styles.gutter.height
        self._fit_list(room - others - (listed.outer_size.height - listed.size.height))

    def _too_early(self) -> bool:
        return self.clock() - self.opened_at < self.guard_seconds

    def _say(self, why: str) -> None:
        self.query_one("#why", Static).update(why)

    def _try_confirm(self) -> None:
        if not self.needs_typed_count:
            self.dismiss(True)
            return
        typed = self.query_one("#count", Input).value.strip()
        if typed == str(len(self.keys)):
            self.dismiss(True)
        elif not typed:
            self._say(f"Type the number of keys ({len(self.keys)}) and press enter.")
        else:
            self._say(f"{typed} is not {len(self.keys)}: type the number of keys to revoke.")

    def action_confirm(self) -> None:
        if self._too_early():
            return
        if self.needs_typed_count:
            self.query_one("#count", Input).focus()
            self._say(f"{len(self.keys)} keys: type {len(self.keys)} and press enter to confirm.")
            return
        self.dismiss(True)

    def action_cancel(self) -> None:
        if not self._too_early():
            self.dismiss(False)

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Button.Pressed, "#revoke")
    def _revoke_pressed(self) -> None:
        if not self._too_early():
            self._try_confirm()

    @on(Input.Submitted, "#count")
    def _count_submitted(self) -> None:
        if not self._too_early():
            self._try_confirm()

    @on(Input.Submitted, "#reason")
    def _reason_submitted(self) -> None:
        """Enter in the reason box answers as `y` would (the count, if asked, comes first)."""
        if not self._too_early():
            self.action_confirm()

    @property
    def reason(self) -> str:
        """The reason typed, written into every audit record of the batch."""
        # Cut here, not by the box's `max_length`: that refused a longer paste whole.
        return self.query_one("#reason", Input).value.strip()[:REASON_MAX_LENGTH]

    def on_key(self, event: events.Key) -> None:
        """Early type-ahead is dropped; digits typed anywhere but the reason go to the count."""
        route_dialog_key(
            self,
            event,
            too_early=self._too_early(),
            needs_count=self.needs_typed_count,
            typing_elsewhere=self.query_one("#reason", Input).has_focus,  # "INC-1234" is no count
        )
