"""Recent batches from the audit log, each key's result, and export as CSV and JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from lwadmin_tui.audit.history import BatchHistory, export, rows
from lwadmin_tui.audit.lock import LockHolder
from lwadmin_tui.outcomes import FULL_MESSAGE_LENGTH
from lwadmin_tui.settings.files import os_reason
from lwadmin_tui.text import plural, safe_text
from lwadmin_tui.ui.screens.modal import Modal
from lwadmin_tui.ui.widgets.literal import literal

RECENT = 50
# (label, width, narrowest): the width 0 column takes what is left. When the dialog is narrow,
# the columns that matter least (host, profile; key id, name) shrink first, in this order.
BATCH_COLUMNS = (
    ("Started", 16, 16),
    ("Host", 20, 6),
    ("Profile", 10, 6),
    ("Keys", 5, 5),
    ("Result", 0, 0),
)
BATCH_SHRINK = ("Host", "Profile")
KEY_COLUMNS = (("Name", 24, 12), ("Key id", 21, 8), ("Result", 0, 0), ("Attempts", 8, 8))
KEY_SHRINK = ("Key id", "Name")
CELL_PADDING = 1  # DataTable's, each side of a cell
RESULT_WANTED = 36


def column_widths(
    room: int, columns: tuple[tuple[str, int, int], ...], shrink: tuple[str, ...]
) -> list[int]:
    """Widths that fit `room` cells, the result column as wide as it can usefully be."""
    widths = {label: width for label, width, _ in columns}
    narrowest = {label: least for label, _, least in columns}
    spare = room - 2 * CELL_PADDING * len(columns)
    for label in shrink:
        over = RESULT_WANTED - (spare - sum(widths.values()))
        if over > 0:
            widths[label] = max(narrowest[label], widths[label] - over)
    result = max(12, spare - sum(widths.values()))
    return [widths[label] or result for label, _, _ in columns]


def add_columns(
    table: DataTable[Text],
    room: int,
    columns: tuple[tuple[str, int, int], ...],
    shrink: tuple[str, ...],
) -> None:
    for (label, _, _), width in zip(columns, column_widths(room, columns, shrink), strict=True):
        table.add_column(label, width=width)


def result_text(row: dict[str, Any]) -> Text:
    """`name (id): 403 not allowed: <the whole message> · code … · 1 attempt · time`, then tips;
    every value was read back from a file, so each is made literal and safe."""
    text = Text()
    text.append(safe_text(row["key_name"], 120) or "(unnamed)", style="bold")
    text.append(f" ({safe_text(row['key_id'], 40)}): ")
    text.append(safe_text(row["label"], FULL_MESSAGE_LENGTH))
    details = []
    if row.get("code"):
        details.append(f"code {safe_text(row['code'], 80)}")
    if type(row.get("attempts")) is int:  # not a bool, not a string from an edited file
        details.append(plural(row["attempts"], "attempt"))
    if row.get("time"):
        details.append(safe_text(row["time"], 40))
    if details:
        text.append(" · " + " · ".join(details))
    tips = row.get("tips")
    for tip in tips[:5] if isinstance(tips, list) else []:
        text.append(f"\nTip: {safe_text(tip, FULL_MESSAGE_LENGTH)}")
    return text


class BatchesScreen(Modal[None]):
    BINDINGS = [
        Binding("escape,q,b", "dismiss", "Close", show=False),
        Binding("e", "export", "Export CSV + JSON", show=False),
    ]

    def __init__(
        self, export_dir: Path, *, log_path: Path | None = None, temporary: bool = False
    ) -> None:
        """Opened at once, then filled by `show_history` once the log has been read on a
        thread: keys typed right after `b` land here, never on the table beneath."""
        super().__init__()
        self.history: list[BatchHistory] = []
        self.export_dir = export_dir
        self.log_path = log_path
        self.holder: LockHolder | None = None
        self.temporary = temporary
        """The demo's files: deleted when the app quits."""

    def compose(self) -> ComposeResult:
        with Vertical(id="batches"):
            yield Static("Reading the audit log…", id="question", markup=False)
            note = Static("", id="note", markup=False)
            note.display = False
            yield note
            yield DataTable(id="batch-list", cursor_type="row")
            yield DataTable(id="batch-keys", cursor_type="row")
            yield Static("", id="key-result", markup=False)
            yield Static("", id="why", markup=False)
            yield Static(
                "up/down: choose a batch · tab: its keys, each result in full below · "
                "e: export CSV + JSON · escape: close",
                id="keys-hint",
                markup=False,
            )

    def on_mount(self) -> None:
        # Fixed widths that fit the dialog: no column hides beyond a horizontal scroll, and a
        # cell too long for its column ends in "…" (the whole result is shown below the keys).
        room = self.dialog_width()
        add_columns(self.query_one("#batch-list", DataTable), room, BATCH_COLUMNS, BATCH_SHRINK)
        add_columns(self.query_one("#batch-keys", DataTable), room, KEY_COLUMNS, KEY_SHRINK)
        self._ready = True
        if self._waiting is not None:
            self.show_history(*self._waiting)

    def dialog_width(self) -> int:
        """The tables' width: 95% of the screen, less the border, padding and scrollbar."""
        return int(self.app.size.width * 0.95) - 2 - 2 - 2

    _ready = False
    _waiting: tuple[list[BatchHistory], LockHolder | None, str] | None = None

    def show_history(
        self, history: list[BatchHistory], holder: LockHolder | None, note: str
    ) -> None:
        if not self._ready:  # read before the screen was mounted: shown from on_mount
            self._waiting = (history, holder, note)
            return
        self.history, self.holder = history[:RECENT], holder
        for batch in self.history:
            batch.running = holder is not None and holder.batch_id == batch.batch_id
        title = f"Recent batches ({len(self.history)})"
        if self.log_path is not None:
            title += f" · audit log {safe_text(self.log_path, 200)}"
        self.query_one("#question", Static).update(title)
        note_line = self.query_one("#note", Static)
        note_line.update(note)
        note_line.display = bool(note)
        table = self.query_one("#batch-list", DataTable)
        for batch in self.history:
            state = self.state_of(batch)
            table.add_row(
                Text(batch.started_local("%Y-%m-%d %H:%M")),
                literal(batch.host, 30),
                literal(batch.profile, 16),
                Text(str(len(batch.keys))),
                literal(state, 80),
                key=batch.batch_id,
            )
        if self.history:
            self.show_batch(self.history[0])
        self.set_focus(table)

    def state_of(self, batch: BatchHistory) -> str:
        holder = self.holder
        if holder is not None and holder.batch_id == batch.batch_id:
            return "running now" if holder.ours else f"running (process {holder.pid})"
        if batch.summary:
            return batch.summary
        parts = []
        if batch.unresolved:
            parts.append(f"{len(batch.unresolved)} unknown")
        if batch.never_sent:
            parts.append(f"{len(batch.never_sent)} never sent")
        return f"interrupted: {', '.join(parts)}" if parts else "-"

    @property
    def selected(self) -> BatchHistory | None:
        table = self.query_one("#batch-list", DataTable)
        if not self.history or table.cursor_row >= len(self.history):
            return None
        return self.history[table.cursor_row]

    @on(DataTable.RowHighlighted, "#batch-list")
    def _highlighted(self) -> None:
        if self.selected is not None:
            self.show_batch(self.selected)

    def show_batch(self, batch: BatchHistory) -> None:
        keys = self.query_one("#batch-keys", DataTable)
        keys.clear()
        self.key_rows = rows(batch)
        for row in self.key_rows:
            keys.add_row(
                literal(row["key_name"], 40),
                literal(row["key_id"], 30),
                literal(row["label"], 40),
                literal(row["attempts"], 6),  # read back from a file: any JSON value
            )
        self.show_key_result(0)

    key_rows: list[dict[str, Any]] = []

    @on(DataTable.RowHighlighted, "#batch-keys")
    def _key_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_key_result(event.cursor_row)

    def show_key_result(self, index: int) -> None:
        """The highlighted key's result in full, wrapped: the table cuts it to its column."""
        shown = self.query_one("#key-result", Static)
        if not 0 <= index < len(self.key_rows):
            shown.update("")
            return
        text = result_text(self.key_rows[index])
        if reason := self.key_rows[index].get("reason"):
            text = Text.assemble(("Reason: ", "bold"), literal(reason, 200), "\n", text)
        shown.update(text)

    def action_export(self) -> None:
        batch = self.selected
        if batch is None:
            return
        try:
            csv_path, json_path = export(batch, self.export_dir)
        except OSError as error:
            problem = safe_text(os_reason(error), 300).rstrip(".")
            self._say(f"Could not export: {problem}. Nothing was written.")
            return
        gone = (
            " (the demo's temporary folder: deleted when the app quits)" if self.temporary else ""
        )
        self._say(
            f"Exported to {safe_text(csv_path, 100)} and {safe_text(json_path.name, 40)}{gone}"
        )

    def _say(self, text: str) -> None:
        self.query_one("#why", Static).update(text)
