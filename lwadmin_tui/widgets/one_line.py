"""A `Static` that is always one line high, so updating it never needs a layout pass.

Textual's `Static.update` lays the whole screen out again by default. The status line changed
with every batch result, and that was a full layout per result (benchmarks/RESULTS.md).
"""

from __future__ import annotations

from textual.visual import VisualType
from textual.widgets import Static


class OneLine(Static):
    DEFAULT_CSS = """
    OneLine { height: 1; }
    """

    def update(self, content: VisualType = "", *, layout: bool = False) -> None:
        super().update(content, layout=layout)
