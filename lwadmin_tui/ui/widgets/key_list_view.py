"""The confirmation dialog's list of keys: one widget, drawing only the lines on screen.

One `Static` per key made the dialog's cost grow with the batch (benchmarks/RESULTS.md): with
10,000 marked keys it took 10 s to appear, and with 100,000 (`a` on a large organization) 84 s
and 2.3 GB, the event loop blocked for over a minute at a stretch, so even escape and `q`
waited. This widget keeps the keys as they are and builds a line's text only when that line is
drawn: the dialog opens in about 0.1 s and 2 MiB whatever the number of keys.

Each line is the text a `Static` showed (name padded to the longest, the id dim, then
"(hidden by filter)" or why it deserves a second look, as "(this session's key)"), rendered
through the same Textual pipeline, so the pictures stay the same. It scrolls like the
`VerticalScroll` it replaces: it can take the focus (the arrows, page keys, home and end scroll
it) and follows the mouse wheel; and text can still be selected with the mouse, to copy a key's
id. A line too long for the dialog ends in "…" (a `Static` wrapped it, and its one line showed no
sign of the rest).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from operator import attrgetter

from rich.text import Text
from textual.geometry import Offset, Size
from textual.scroll_view import ScrollView
from textual.selection import Selection
from textual.strip import Strip
from textual.visual import Visual, visualize

from lwadmin_tui.api.models import ApiKeyInfo
from lwadmin_tui.keys.attention import Reason
from lwadmin_tui.keys.display import key_name
from lwadmin_tui.text import safe_text
from lwadmin_tui.ui.widgets.literal import literal

NAME_WIDTH = 40
CACHED_LINES = 256


def name_column_width(keys: Sequence[ApiKeyInfo], cap: int = NAME_WIDTH) -> int:
    """The longest shown name, at most `cap`, from the lengths alone (100,000 keys: about 10 ms).

    `key_name` keeps a name's length up to the cap (each unsafe character becomes one symbol)
    and shows an empty one as "(unnamed)", so no name needs to be cleaned for this.
    """
    if not keys:
        return 0
    names = list(map(attrgetter("name"), keys))
    widest = min(max(map(len, names)), cap)
    if all(names):
        return widest
    unnamed = keys[names.index("")]
    return max(widest, len(key_name(unnamed, cap)))


def key_line(
    key: ApiKeyInfo, name_width: int, *, hidden: bool = False, reasons: Sequence[Reason] = ()
) -> Text:
    """One key as the dialog lists it: literal text, never markup."""
    line = literal(key_name(key, NAME_WIDTH).ljust(name_width))
    line.append(f"  {safe_text(key.id, 40)}", style="dim")
    if hidden:
        line.append("  (hidden by filter)", style="italic")
    if reasons:
        style = "bold" if Reason.OWN in reasons else "italic"
        line.append(f"  ({', '.join(reasons)})", style=style)
    return line


class KeyListView(ScrollView, can_focus=True):
    """The keys of a batch, one line each; only the visible lines are ever built."""

    DEFAULT_CSS = """
    KeyListView {
        height: auto;
        overflow-x: hidden;
        overflow-y: auto;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(
        self,
        keys: Sequence[ApiKeyInfo],
        hidden_ids: AbstractSet[str] = frozenset(),
        reasons: Mapping[str, Sequence[Reason]] | None = None,
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.keys = keys
        self.hidden_ids = hidden_ids
        self.reasons = reasons or {}
        """Why a key deserves a second look (attention.py), shown at its end."""
        self.name_width = name_column_width(keys)
        self._strips: dict[int, Strip] = {}
        self._token: tuple[object, ...] = ()
        # Before the first layout: `height: auto` reads the line count from the virtual size.
        self.set_reactive(ScrollView.virtual_size, Size(0, len(keys)))

    @property
    def line_count(self) -> int:
        return len(self.keys)

    def line_text(self, index: int) -> Text:
        """The text of line `index`, as it is drawn (before it is cut to the width)."""
        key = self.keys[index]
        return key_line(
            key,
            self.name_width,
            hidden=key.id in self.hidden_ids,
            reasons=self.reasons.get(key.id, ()),
        )

    # --- selecting text (a key id to copy) ------------------------------------------------------

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        """The selected text, built from the selected lines only (not all 100,000)."""
        first = selection.start.y if selection.start is not None else 0
        last = selection.end.y if selection.end is not None else len(self.keys) - 1
        last = min(last, len(self.keys) - 1)
        if first > last:
            return None
        text = "\n".join(self.line_text(i).plain for i in range(first, last + 1))
        start = None if selection.start is None else Offset(selection.start.x, 0)
        end = None if selection.end is None else Offset(selection.end.x, selection.end.y - first)
        return Selection(start, end).extract(text), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self._strips.clear()
        self.refresh()

    # --- drawing --------------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width  # without the scrollbar, as a child had
        token = (width, self.app.theme, self.visual_style)
        if token != self._token:
            self._token = token
            self._strips.clear()
        index = int(self.scroll_offset.y) + y
        if not 0 <= index < len(self.keys):
            return Strip.blank(width, self.visual_style.rich_style)
        strip = self._strips.get(index)
        if strip is None:
            if len(self._strips) >= CACHED_LINES:
                self._strips.clear()
            strip = self._strips[index] = self._render_key_line(index, width)
        return strip

    def _render_key_line(self, index: int, width: int) -> Strip:
        """The line as a `Static` of it rendered: the same visual, width and style.

        Selection offsets carry the line's index in the whole list, so a mouse selection
        maps back to keys whatever the scroll position (as Textual's `Log` does).
        """
        text = self.line_text(index)
        selection = self.text_selection
        span = selection.get_span(index) if selection is not None else None
        if span is not None:
            start, end = span
            style = self.screen.get_component_rich_style("screen--selection")
            text.stylize(style, start, len(text) if end == -1 else end)
        visual = visualize(self, text, markup=False)
        strips = Visual.to_strips(self, visual, width, 1, self.visual_style, apply_selection=False)
        strip = strips[0] if strips else Strip.blank(width, self.visual_style.rich_style)
        return strip.apply_offsets(0, index)
