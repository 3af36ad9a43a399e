"""The help screen: every binding (generated from the bindings themselves) and what cells mean.

Keys are read from the live bindings after the user's keymap is applied, so a remapped key shows
as remapped; the id column names what a keymap entry rebinds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingsMap
from textual.containers import VerticalScroll
from textual.widgets import Static

from lwadmin_tui.ui.screens.modal import Modal

COLUMN_HELP = (
    ("●", "the key is marked for revocation"),
    ("Name", "the key's name, shown literally (markup and control characters are inert)"),
    ("Status", "active, or expired (its expiry date has passed; expired keys still list)"),
    ("Created", "creation date (UTC); shown from 160 columns (the details always show it)"),
    (
        "Last used",
        "time since the key last authenticated a request, or never (the newest "
        "server writes it at most once a minute)",
    ),
    ("Expires", "expiry date (UTC), or never; shown from 140 columns; at 80 Type and Scope go too"),
    (
        "Scope",
        "role@project or team of the first binding (ADMIN@org, MEMBER@vision-evals), +N for more",
    ),
    (
        "Owner",
        "the person the key belongs to (a name, else a short user id), service for a "
        "service key, ? until o has read the key's details",
    ),
    ("Type", "personal or service, ? until read"),
    ("↑ / ↓ in a header", "the table is sorted by that column, ascending / descending"),
    ("Result", "what the server answered to this key's revocation"),
)
DIALOG_HELP = (
    ("y", "revoke, for fewer than 10 keys"),
    ("type the count, enter", "revoke, for 10 keys or more"),
    ("n / escape", "cancel: nothing is sent (Cancel has the focus at start)"),
    ("(first 0.3 s)", "keys typed before the dialog appeared are ignored"),
)
RESULT_HELP = (
    ("queued / sending…", "confirmed, waiting for a free connection / request in flight"),
    ("retrying 2/3 after 429", "throttled or a 502/503/504: tried again after a pause"),
    ("verifying…", "the answer was unclear: reading the key back before any resend"),
    ("revoked", "the server revoked the key (200)"),
    ("revoked (verified)", "no clear answer came, but reading the key back shows it revoked"),
    ("409 already revoked", "someone revoked it before you: the key is gone either way"),
    ("403 not allowed: …", "this credential may not revoke that key (the server's reason follows)"),
    ("404 not found", "the key no longer exists in this organization"),
    ("401 credential rejected", "your own key stopped working: the batch stops"),
    ("429 rate limited", "still throttled after every attempt: t retries it later"),
    ("5xx server error: …", "the server failed and reading the key back shows it still active"),
    ("not revoked (verified)", "the answer was unclear; reading it back shows it still active"),
    ("timeout / connection lost: unknown", "no answer and the read-back failed: press r to see"),
    ("network error: …", "the request could not be sent; nothing changed"),
    ("unreadable answer: …", "the server's answer was not the JSON the contract describes"),
    ("not attempted", "never sent, because the batch stopped first (401, cancel, error)"),
    ("cancelled", "you cancelled while it was being retried; its state is as last read"),
    ("not sent: invalid id", "the listed id is not one the server issues (e.g. ..): never sent"),
)


FILTER_HELP = (
    (
        "/",
        "text: name, description or id contain it (case-insensitive), and once read "
        "the owner's name, email or user id; !text keeps the keys without it",
    ),
    (
        "o",
        "read every listed key's type, owner and access (asks first: the server records "
        "each read in the organization's audit log); kept for the next start, per host",
    ),
    (
        "O",
        "show one owner's keys (starts on the owner under the cursor), then a marks them "
        "all: offboarding in one pass; the filter line says if some owners are not known",
    ),
    ("p", "key type: personal only, service only, both"),
    ("f", "quick filters form; e and n toggle expired / never used, F clears all"),
    ("expired", "the expiry date has passed (expired keys are still listed)"),
    ("never used", "the key never authenticated a request"),
    ("unused > Nd", "last used (never used: created) more than N days ago"),
    ("created < date", "created before that day (UTC)"),
    ("role / scope", "one binding with that role, scope type and project/team name"),
    (
        "type / owner",
        "personal or service keys / one owner's keys: a key whose details were "
        "not read matches neither (press o)",
    ),
    ("marks", "survive filters and sorting; the dialog lists hidden marked keys too"),
)
DETAILS_HELP = (
    ("enter", "the key in full: description, bindings with project/team names, times"),
    ("g (in details)", "fetch this key's owner, type, access and permissions from the "
     "server; each fetch is recorded in the organization's audit log"),
    ("coverage", "a personal key lists only its owner's keys and the service keys; a "
     "service key with an organization-wide ADMIN binding lists every key"),
    ("ctrl+p", "command palette: every main action by name"),
    ("keymap", "any key can be rebound in the config by the id shown above"),
)  # fmt: skip


def keymapped(bindings: BindingsMap, keymap: Mapping[str, str]) -> BindingsMap:
    """A copy of `bindings` with the user's keymap applied, as the app applies it to keys."""
    copy = bindings.copy()
    if keymap:
        copy.apply_keymap(dict(keymap))
    return copy


def binding_rows(bindings: Iterable[tuple[str, Binding]]) -> list[tuple[str, str]]:
    """One row per action: every key bound to it, and what it does, with the keymap id of each
    key in the keys' order (`q / ctrl+c` → `[quit_app, quit_ctrl_c]`)."""
    keys_by_action: dict[str, list[str]] = {}
    ids_by_action: dict[str, list[str]] = {}
    described: dict[str, Binding] = {}
    for key_display, binding in bindings:
        if not binding.description:
            continue
        keys_by_action.setdefault(binding.action, []).append(key_display)
        ids = ids_by_action.setdefault(binding.action, [])
        if binding.id and binding.id not in ids:
            ids.append(binding.id)
        described.setdefault(binding.action, binding)
    return [
        (" / ".join(keys), _what(described[action], ids_by_action[action]))
        for action, keys in keys_by_action.items()
    ]


def _what(binding: Binding, ids: list[str]) -> str:
    text = binding.tooltip or binding.description
    return f"{text}  [{', '.join(ids)}]" if ids else text


def pairs_table(rows: Iterable[tuple[str, str]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for left, right in rows:
        table.add_row(Text(left), Text(right))
    return table


class HelpScreen(Modal[None]):
    """Lists every active binding of the screen beneath it; any of escape, q, ? closes it."""

    BINDINGS = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close help", show=False, id="help.close"),
    ]

    def __init__(
        self,
        bindings: list[tuple[str, Binding]],
        files: tuple[tuple[str, str], ...] = (),
        owner_notes: Iterable[str] = (),
    ) -> None:
        super().__init__()
        self.key_rows = binding_rows(bindings)
        self.files = files
        self.owner_notes = [("owner names", note) for note in owner_notes]
        """Why some owners show as ids (the member lists this credential could not read)."""
        """Where the audit trail is kept: (what, path) pairs."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(Text("Keys", style="bold underline"))
            yield Static(pairs_table(self.key_rows))
            yield Static(Text("\nFinding keys", style="bold underline"))
            yield Static(pairs_table(FILTER_HELP))
            yield Static(pairs_table((*DETAILS_HELP, *self.owner_notes)))
            yield Static(Text("\nConfirmation dialog", style="bold underline"))
            yield Static(pairs_table(DIALOG_HELP))
            yield Static(Text("\nColumns", style="bold underline"))
            yield Static(pairs_table(COLUMN_HELP))
            yield Static(Text("\nResults", style="bold underline"))
            yield Static(pairs_table(RESULT_HELP))
            if self.files:
                yield Static(Text("\nAudit trail", style="bold underline"))
                yield Static(pairs_table(self.files))
            yield Static(Text("\nescape, q or ? closes this help.", style="italic"))

    def on_mount(self) -> None:
        self.query_one("#help").focus()
