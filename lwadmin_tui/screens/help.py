"""The help screen: every binding (generated from the bindings themselves) and what cells mean."""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

COLUMN_HELP = (
    ("●", "the key is marked for revocation"),
    ("Name", "the key's name, shown literally (markup and control characters are inert)"),
    ("Status", "active, or expired (its expiry date has passed; expired keys still list)"),
    ("Created", "creation date (UTC)"),
    ("Last used", "time since the key last authenticated a request, or never"),
    ("Expires", "expiry date (UTC), or never"),
    ("Scope", "role@scope of the first binding (ADMIN@org, MEMBER@project), +N for more"),
    ("Result", "what the server answered to this key's revocation"),
)
DIALOG_HELP = (
    ("y", "revoke, for fewer than 10 keys"),
    ("type the count, enter", "revoke, for 10 keys or more"),
    ("n / escape", "cancel: nothing is sent (Cancel has the focus at start)"),
    ("(first 0.3 s)", "keys typed before the dialog appeared are ignored"),
)
RESULT_HELP = (
    ("revoked", "the server revoked the key (200)"),
    ("409 already revoked", "someone revoked it before you: the key is gone either way"),
    ("403 not allowed: …", "this credential may not revoke that key (the server's reason follows)"),
    ("404 not found", "the key no longer exists in this organization"),
    ("401 credential rejected", "your own key stopped working: the batch stops"),
    ("not attempted", "never sent, because the batch stopped first"),
    ("timeout: unknown", "sent, but no answer came: reload to see whether it was revoked"),
    ("network error: …", "the request could not be sent; nothing changed"),
)


def binding_rows(bindings: Iterable[tuple[str, Binding]]) -> list[tuple[str, str]]:
    """One row per action: every key bound to it, and what it does."""
    keys_by_action: dict[str, list[str]] = {}
    described: dict[str, Binding] = {}
    for key_display, binding in bindings:
        if not binding.description:
            continue
        keys_by_action.setdefault(binding.action, []).append(key_display)
        described.setdefault(binding.action, binding)
    return [
        (" / ".join(keys), described[action].tooltip or described[action].description)
        for action, keys in keys_by_action.items()
    ]


def pairs_table(rows: Iterable[tuple[str, str]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for left, right in rows:
        table.add_row(Text(left), Text(right))
    return table


class HelpScreen(ModalScreen[None]):
    """Lists every active binding of the screen beneath it; any of escape, q, ? closes it."""

    BINDINGS = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close help", show=False),
    ]

    def __init__(self, bindings: list[tuple[str, Binding]]) -> None:
        super().__init__()
        self.key_rows = binding_rows(bindings)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(Text("Keys", style="bold underline"))
            yield Static(pairs_table(self.key_rows))
            yield Static(Text("\nConfirmation dialog", style="bold underline"))
            yield Static(pairs_table(DIALOG_HELP))
            yield Static(Text("\nColumns", style="bold underline"))
            yield Static(pairs_table(COLUMN_HELP))
            yield Static(Text("\nResults", style="bold underline"))
            yield Static(pairs_table(RESULT_HELP))
            yield Static(Text("\nescape, q or ? closes this help.", style="italic"))

    def on_mount(self) -> None:
        self.query_one("#help").focus()
