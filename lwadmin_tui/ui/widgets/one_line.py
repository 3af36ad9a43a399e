"""Texts whose height rarely changes, so updating them rarely needs a layout pass.

Textual's `Static.update` lays the whole screen out again by default. The status line changed
with every batch result, and that was a full layout per result; the message line changing from
"Loading keys…" to "Loaded 10,000 keys." cost a second layout pass before the first usable frame
(benchmarks/RESULTS.md).
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.visual import VisualType
from textual.widgets import Static


class OneLine(Static):
    """Always one line high: an update never needs a layout pass. A longer line is cut with
    "…" at its end (put the most important part first)."""

    DEFAULT_CSS = """
    OneLine { height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def update(self, content: VisualType = "", *, layout: bool = False) -> None:
        super().update(content, layout=layout)


MAX_LINES = 3


class MessageLine(Static):
    """One to three lines of plain text (`max-height: 3`): a layout pass only when that changes."""

    DEFAULT_CSS = """
    MessageLine { height: auto; max-height: 3; }
    """

    def __init__(self, text: str = "", *, id: str | None = None) -> None:
        super().__init__(text, markup=False, id=id)
        self._text = text

    def update(self, content: VisualType = "") -> None:  # type: ignore[override]
        """`content` is a plain string here: its height is known from its width alone, so
        the layout pass is asked for only when the height changes (no `layout` argument).
        A text longer than two lines is cut at the end of the second, with "…"."""
        text = self._fitted(str(content))
        height = self._height_of(text)
        super().update(text, layout=height is None or height != self._height_of(self._text))
        self._text = text

    def _fitted(self, text: str) -> str:
        width = self.content_region.width
        if not width or cell_len(text) <= width:
            return text
        lines = Text(text).wrap(self.app.console, width)
        if len(lines) <= MAX_LINES:
            return text
        kept = " ".join(line.plain.strip() for line in lines[:MAX_LINES])
        cut = Text(kept)
        cut.truncate(MAX_LINES * width - MAX_LINES, overflow="ellipsis")
        return cut.plain if cut.plain.endswith("…") else cut.plain[:-1] + "…"

    def _height_of(self, text: str) -> int | None:
        """Lines the text takes (at most 3), or None when the width is not known yet."""
        width = self.content_region.width
        if not width:
            return None
        if not text:
            return 0
        if cell_len(text) <= width and "\n" not in text:
            return 1
        return min(MAX_LINES, len(Text(text).wrap(self.app.console, width)))
