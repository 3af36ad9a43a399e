"""Asked before `R` rolls keys: which keys, what each new key keeps, and three choices.

`e` cycles the new keys' expiry (the old date while it is ahead / none / a date typed in),
`s` where the secrets go (a new private file / the configured secret command / this screen, for
one key), `o` what happens to the old keys (kept until the admin says / revoked once every key is
rolled, each only if its replacement's secret was delivered). Cancel is focused; `y` rolls fewer
than 10 keys, the number of keys is typed from 10; keys typed in the first moments are ignored,
as in the revocation dialog.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from lwadmin_tui.api.models import ApiKeyInfo
from lwadmin_tui.keys.display import key_name
from lwadmin_tui.roll.replacement import Expiry
from lwadmin_tui.text import plural, safe_text
from lwadmin_tui.ui.screens.confirm_revoke import TYPED_COUNT_THRESHOLD
from lwadmin_tui.ui.screens.modal import Modal
from lwadmin_tui.ui.screens.typed_count import route_dialog_key
from lwadmin_tui.ui.widgets.key_list_view import NAME_WIDTH, KeyListView
from lwadmin_tui.ui.widgets.literal import literal

FILE, COMMAND, SCREEN = "file", "command", "screen"
KEPT_WORDS = (
    "Each new key keeps the old one's name, description, bindings, permission mode and "
    "permissions, type and owner (read from the old key first). Its secret is delivered "
    "once and never shown again."
)


class KeptListView(KeyListView):
    """The keys to roll, each with what its new key keeps (its id is in the details)."""

    def __init__(self, keys: Sequence[ApiKeyInfo], kept: Mapping[str, str], id: str) -> None:
        super().__init__(keys, id=id)
        self.kept = kept

    def line_text(self, index: int) -> Text:
        key = self.keys[index]
        line = literal(key_name(key, NAME_WIDTH).ljust(self.name_width))
        line.append(f"  keeps {self.kept.get(key.id, '')}", style="dim")
        return line


@dataclass(frozen=True)
class RollChoice:
    expiry: Expiry
    expiry_date: datetime | None
    secrets_to: str
    """FILE, COMMAND or SCREEN."""
    revoke_old: bool


class RollDialog(Modal[RollChoice | None]):
    BINDINGS = [
        Binding("y", "confirm", "Roll", show=False, id="roll.yes"),
        Binding("n,escape", "cancel", "Cancel", show=False, id="roll.no"),
        Binding("e", "cycle('expiry')", "Expiry", show=False, id="roll.expiry"),
        Binding("s", "cycle('secrets')", "Secrets", show=False, id="roll.secrets"),
        Binding("o", "cycle('old')", "Old keys", show=False, id="roll.old"),
    ]

    def __init__(
        self,
        keys: Sequence[ApiKeyInfo],
        host: str,
        *,
        command_name: str | None,
        secrets_folder: str,
        kept: Mapping[str, str] | None = None,
        guard_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__()
        self.keys = list(keys)
        self.kept = dict(kept or {})
        """Per key: what its new key keeps, in words (`roll_flow.kept_words`)."""
        self.host = host
        self.command_name = command_name
        self.secrets_folder = secrets_folder
        self.guard_seconds = guard_seconds
        self.clock = clock
        self.now = now
        """The app's wall clock: a typed expiry must be ahead of it."""
        self.opened_at = clock()
        self.needs_typed_count = len(self.keys) >= TYPED_COUNT_THRESHOLD
        self.expiry = Expiry.KEEP
        self.destinations = [FILE] + ([COMMAND] if command_name else [])
        if len(self.keys) == 1:
            self.destinations.append(SCREEN)
        self.secrets_to = self.destinations[0]
        self.revoke_old = False

    def compose(self) -> ComposeResult:
        count = len(self.keys)
        with Vertical(id="dialog"):
            noun = "key" if count == 1 else "keys"
            host = (safe_text(self.host, 60), "bold")
            question = Text.assemble("Roll ", (str(count), "bold"), f" API {noun} on ", host, "?")
            yield Label(question, id="question")
            yield Static(KEPT_WORDS, id="note", markup=False)
            yield KeptListView(self.keys, self.kept, id="key-list")
            yield Static(self.choices_text(), id="choices", markup=False)
            yield Input(placeholder="YYYY-MM-DD", id="expiry-date", max_length=10)
            if self.needs_typed_count:
                yield Label(f"Type {count} and press enter to roll them.", id="count-prompt")
                yield Input(placeholder=str(count), restrict=r"[0-9]*", max_length=7, id="count")
            yield Static("", id="why", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Cancel", id="cancel", variant="primary")
                yield Button(f"Roll {plural(count)}", id="roll", variant="warning")
            hint = "enter: confirm typed count" if self.needs_typed_count else "y: roll"
            yield Static(
                f"{hint} · e expiry · s secrets · o old keys · n / escape: cancel",
                id="keys-hint",
                markup=False,
            )

    def choices_text(self) -> str:
        expiry = {
            Expiry.KEEP: "the old key's date while it is ahead, else none",
            Expiry.NONE: "none",
            Expiry.DATE: "the date typed below",
        }[self.expiry]
        secrets = {
            FILE: f"a new private file in {self.secrets_folder}",
            COMMAND: f"the secret command {self.command_name} (each token on its stdin)",
            SCREEN: "this screen, once, with a copy to the clipboard",
        }[self.secrets_to]
        old = (
            "revoked once all are rolled, each only if its new secret was delivered"
            if self.revoke_old
            else "kept until you say (cutover view: C)"
        )
        return f"e  Expiry: {expiry}\ns  Secrets: {secrets}\no  Old keys: {old}"

    def on_mount(self) -> None:
        self.opened_at = self.clock()
        self.query_one("#expiry-date", Input).display = False
        self.query_one("#key-list").styles.max_height = max(3, min(8, self.app.size.height - 19))
        self.query_one("#cancel", Button).focus()

    def action_cycle(self, what: str) -> None:
        if self._too_early():
            return
        if what == "expiry":
            order = [Expiry.KEEP, Expiry.NONE, Expiry.DATE]
            self.expiry = order[(order.index(self.expiry) + 1) % len(order)]
            box = self.query_one("#expiry-date", Input)
            box.display = self.expiry is Expiry.DATE
            if box.display:
                box.focus()
        elif what == "secrets":
            index = self.destinations.index(self.secrets_to)
            self.secrets_to = self.destinations[(index + 1) % len(self.destinations)]
        else:
            self.revoke_old = not self.revoke_old
        self.query_one("#choices", Static).update(self.choices_text())

    def _too_early(self) -> bool:
        return self.clock() - self.opened_at < self.guard_seconds

    def _say(self, why: str) -> None:
        self.query_one("#why", Static).update(why)

    def _date(self) -> datetime | None:
        typed = self.query_one("#expiry-date", Input).value.strip()
        try:
            moment = datetime.strptime(typed, "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            return None
        return moment if moment > self.now() else None

    def _answer(self) -> RollChoice | None:
        date = None
        if self.expiry is Expiry.DATE:
            date = self._date()
            if date is None:
                self._say(
                    "Type the new keys' expiry as a future date, YYYY-MM-DD (e: other choices)."
                )
                return None
        return RollChoice(self.expiry, date, self.secrets_to, self.revoke_old)

    def _try_confirm(self) -> None:
        choice = self._answer()
        if choice is None:
            return
        if self.needs_typed_count:
            typed = self.query_one("#count", Input).value.strip()
            if typed != str(len(self.keys)):
                self._say(f"Type the number of keys ({len(self.keys)}) and press enter.")
                self.query_one("#count", Input).focus()
                return
        self.dismiss(choice)

    def action_confirm(self) -> None:
        if self._too_early():
            return
        if self.needs_typed_count:
            self.query_one("#count", Input).focus()
            self._say(f"{len(self.keys)} keys: type {len(self.keys)} and press enter to roll them.")
            return
        self._try_confirm()

    def action_cancel(self) -> None:
        if not self._too_early():
            self.dismiss(None)

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Button.Pressed, "#roll")
    def _roll_pressed(self) -> None:
        if not self._too_early():
            self._try_confirm()

    @on(Input.Submitted, "#count")
    def _count_submitted(self) -> None:
        if not self._too_early():
            self._try_confirm()

    @on(Input.Submitted, "#expiry-date")
    def _date_submitted(self) -> None:
        """Enter takes the date, never the roll: that is `y` (or the typed count)."""
        if self._date() is None:
            self._say("Type the new keys' expiry as a future date, YYYY-MM-DD (e: other choices).")
            return
        self._say("Expiry date taken: y rolls (n / escape cancels).")
        self.query_one("#cancel", Button).focus()

    def on_key(self, event: events.Key) -> None:
        """Early type-ahead is dropped; digits typed anywhere but the date go to the count."""
        route_dialog_key(
            self,
            event,
            too_early=self._too_early(),
            needs_count=self.needs_typed_count,
            typing_elsewhere=self.query_one("#expiry-date", Input).has_focus,
        )
