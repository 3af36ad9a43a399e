"""The running batch's progress: a bar and the counts by outcome, drawn from its `BatchRun`.

Hidden until a batch starts; it stays after the batch with the final counts. It holds no state
of its own: `show` redraws it from the run that the batch flow (batch_flow.py) updates.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import ProgressBar

from lwadmin_tui.bulk.batch_run import BatchRun
from lwadmin_tui.ui.widgets.one_line import OneLine


class BatchPanel(Horizontal):
    DEFAULT_CSS = """
    BatchPanel { height: 1; display: none; padding: 0 1; }
    BatchPanel.shown { display: block; }
    BatchPanel ProgressBar { width: 26; }
    BatchPanel #batch-counts { width: 1fr; padding-left: 1; }
    """

    def compose(self) -> ComposeResult:
        yield ProgressBar(total=1, show_eta=False, show_percentage=False, id="batch-progress")
        yield OneLine("", id="batch-counts", markup=False)

    def hide(self) -> None:
        self.remove_class("shown")

    def show(self, run: BatchRun) -> None:
        self.add_class("shown")
        self.query_one(ProgressBar).update(total=max(1, run.total), progress=run.done)
        parts = [f"{run.done}/{run.total}"]
        parts += [f"{count} {kind.value}" for kind, count in run.ordered_counts()]
        if run.running:
            parts.append(f"{len(run.in_flight)} in flight")
            parts.append("stopping: nothing new is sent" if run.stopping else "x: cancel")
        self.query_one("#batch-counts", OneLine).update(Text(" · ".join(parts)))
