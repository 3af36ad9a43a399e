"""Recent batches from the audit log, each key's result, and export as CSV and JSON."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from lwadmin_tui.audit.history import BatchHistory, export, rows
from lwadmin_tui.audit.lock import LockHolder
from lwadmin_tui.text import safe_text
from lwadmin_tui.ui.widgets.literal import literal

RECENT = 50


class BatchesScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,b", "dismiss", "Close", show=False),
        Binding("e", "export", "Export CSV + JSON", show=False),
    ]

    def __init__(
        self,
        history: list[BatchHistory],
        export_dir: Path,
        *,
        log_path: Path | None = None,
        holder: LockHolder | None = None,
        note: str = "",
    ) -> None:
        super().__init__()
        self.history = history[:RECENT]
        self.export_dir = export_dir
        self.log_path = log_path
        self.holder = holder
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="batches"):
            title = f"Recent batches ({len(self.history)})"
            if self.log_path is not None:
                title += f" · audit log {safe_text(self.log_path, 200)}"
            yield Static(title, id="question", markup=False)
            if self.note:
                yield Static(self.note, markup=False)
            yield DataTable(id="batch-list", cursor_type="row")
            yield DataTable(id="batch-keys", cursor_type="row")
            yield Static("", id="why", markup=False)
            yield Static(
                "up/down: choose a batch · e: export CSV + JSON · escape: close",
                id="keys-hint",
                markup=False,
            )

    def on_mount(self) -> None:
        table = self.query_one("#batch-list", DataTable)
        table.add_columns("Started", "Host", "Profile", "Keys", "Result")
        for batch in self.history:
            state = self.state_of(batch)
            table.add_row(
                Text(batch.started_local("%Y-%m-%d %H:%M:%S")),
                literal(batch.host, 30),
                literal(batch.profile, 16),
                Text(str(len(batch.keys))),
                literal(state, 80),
                key=batch.batch_id,
            )
        keys = self.query_one("#batch-keys", DataTable)
        keys.add_columns("Name", "Key id", "Result", "Attempts")
        if self.history:
            self.show_batch(self.history[0])
        table.focus()

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
        for row in rows(batch):
            keys.add_row(
                literal(row["key_name"], 40),
                literal(row["key_id"], 30),
                literal(row["label"], 60),
                literal(row["attempts"], 6),  # read back from a file: any JSON value
            )

    def action_export(self) -> None:
        batch = self.selected
        if batch is None:
            return
        try:
            csv_path, json_path = export(batch, self.export_dir)
        except OSError as error:
            self._say(f"Could not export: {safe_text(error, 100)}")
            return
        self._say(f"Exported to {safe_text(csv_path, 100)} and {safe_text(json_path.name, 40)}")

    def _say(self, text: str) -> None:
        self.query_one("#why", Static).update(text)
