"""`C`: the rolled pairs, kept across restarts in the audit log: old and new name, each one's
last use, and whether the old key is still active.

The newest server writes `lastUsedAt` at most once a minute per key, so "old key quiet" means
its last use is older than the new key's first use by more than that minute. `d` revokes the old
keys of the pairs shown that are still listed, after the usual question.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from lwadmin_tui.api.models import ApiKeyInfo
from lwadmin_tui.roll.pairs import RolledPair
from lwadmin_tui.text import plural
from lwadmin_tui.ui.screens.modal import Modal
from lwadmin_tui.ui.widgets.literal import literal

LAST_USED_WINDOW = timedelta(minutes=1)


def pair_state(pair: RolledPair, keys: Mapping[str, ApiKeyInfo], now: datetime) -> str:
    """In words: where this pair's cutover stands."""
    old, new = keys.get(pair.old_id), keys.get(pair.new_id)
    if old is None:
        return "old key revoked"
    if new is None:
        return "new key gone: keep the old one"
    if _expired(new, now):
        return "new key expired: keep the old one"
    if new.last_used_at is None:
        return "new key not used yet"
    if old.last_used_at is None or old.last_used_at + LAST_USED_WINDOW < new.last_used_at:
        return "new key in use, old key quiet"
    return "both in use"


def offered(pairs: list[RolledPair], keys: Mapping[str, ApiKeyInfo], now: datetime) -> list[str]:
    """The old keys `d` may revoke: still listed, their new key listed and not expired. With
    the new key gone or lapsed, the old one is all that works, and is never offered. An old
    key rolled twice is named once."""
    found = [
        p.old_id
        for p in pairs
        if p.old_id in keys and p.new_id in keys and not _expired(keys[p.new_id], now)
    ]
    return list(dict.fromkeys(found))


def _expired(key: ApiKeyInfo, now: datetime) -> bool:
    """Expired keys are still listed, and no longer work."""
    return key.expires_at is not None and key.expires_at <= now


def when(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%m-%d %H:%M") if moment else "never"


class CutoverScreen(Modal[list[str] | None]):
    """Dismissed with the old keys to revoke (`d`), or None."""

    BINDINGS = [
        Binding("d", "revoke_old", "Revoke old keys", show=False, id="cutover.revoke"),
        Binding("escape,q,C", "close", "Close", show=False, id="cutover.close"),
    ]

    def __init__(
        self, pairs: list[RolledPair], keys: Mapping[str, ApiKeyInfo], now: datetime
    ) -> None:
        super().__init__()
        self.pairs = pairs
        self.keys = keys
        self.now = now

    @property
    def active_old(self) -> list[str]:
        return offered(self.pairs, self.keys, self.now)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("", id="question", markup=False)
            table: DataTable[object] = DataTable(id="pairs", cursor_type="row", zebra_stripes=True)
            table.add_columns("Old key", "Used", "New key", "Used", "State")
            yield table
            yield Static("", id="keys-hint", markup=False)

    def show(self, pairs: list[RolledPair], keys: Mapping[str, ApiKeyInfo], now: datetime) -> None:
        """The pairs as the list has them now: a list read after a roll (its new keys listed)
        or after a colleague's change lands while this view is open."""
        self.pairs, self.keys, self.now = pairs, keys, now
        if self.is_mounted:
            self._fill()

    def _fill(self) -> None:
        active = len(self.active_old)
        self.query_one("#question", Static).update(
            f"Rolled pairs: {len(self.pairs)}, {plural(active, 'old key')} still active. "
            "Last uses are written at most once a minute per key."
        )
        table: DataTable[object] = self.query_one("#pairs", DataTable)
        row = table.cursor_row
        table.clear()
        for pair in self.pairs:
            old, new = self.keys.get(pair.old_id), self.keys.get(pair.new_id)
            table.add_row(
                literal(pair.old_name or pair.old_id, 18),
                when(old.last_used_at) if old else "revoked",
                literal(pair.new_name or pair.new_id, 18),
                when(new.last_used_at) if new else "gone",
                pair_state(pair, self.keys, self.now),
            )
        table.move_cursor(row=min(row, max(0, len(self.pairs) - 1)))
        hint = "d: revoke the old keys still active" if active else "no old key is active"
        self.query_one("#keys-hint", Static).update(f"{hint} · escape: close")

    def on_mount(self) -> None:
        self._fill()
        self.query_one(DataTable).focus()

    def action_revoke_old(self) -> None:
        if self.active_old:
            self.dismiss(self.active_old)
        else:
            self.notify("No old key of these pairs is still active.", timeout=3)

    def action_close(self) -> None:
        self.dismiss(None)
