"""The keys table: one line per key, drawn on demand from our own row model (Line API).

Why not Textual's DataTable (benchmarks/RESULTS.md, this 2-core machine, 10,000 keys): it
parses and measures every cell once after loading, in one block on the event loop, and every
`update_cell` drops the render cache of the whole visible table. Stock, that was 2.6 s from
spawn to an interactive table (0.9 s adding rows, 1.4 s more to the first settled frame), a
2.4 s event-loop stall, a 2.3 s filter keystroke, 114 MiB, and 30 to 45 ms per result during
a batch (370 ms at 100,000 rows); 100,000 keys took 29 s. textual-fastdatatable skips the
measuring pass but rebuilds a whole column per `update_cell`, has no `clear()` and brings
pyarrow (118 MiB at 10,000 keys).

This widget keeps the list of visible key ids and renders only the lines on screen: `show()`
is O(N) over ids and formats no cell (5 ms at 10,000 keys, 0.1 s at 100,000), a result
repaints one line, and Textual coalesces those repaints into one frame per refresh interval.
Each line is cached as a `Strip` until its key, the cursor, the width, the theme or the focus
changes. Measured with the rest of the app (benchmarks/RESULTS.md): 0.51 s spawn to interactive,
35 ms longest stall, about 50 ms a filter keystroke, 66 MiB, 33 ms longest stall during a
1,000-key batch.

The public surface is the one the screens and tests used on the DataTable version: `show`,
`update_key`, `update_marks`, `cursor_key`, `cursor_row`, `move_cursor`, `row_count`, `rows`
(objects with `.value` = key id), `get_row_index`, `get_cell(key_id, column)`, the arrow on
the sorted column's header, and `HeaderSelected` on a header click. It reuses the DataTable's
component classes and cell meta, so the theme and `app.tcss` style it the same way and the
SVG snapshots are byte-identical.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from lwadmin_tui.api.models import ApiKeyInfo
from lwadmin_tui.keys.state import KeysState
from lwadmin_tui.ui.widgets.key_cells import (
    CELL_PADDING,
    LIVE_COLUMNS,
    column_layout,
    header_label,
    key_cells,
    live_cell,
    result_cell,
)

__all__ = ["KeysTable", "column_layout", "result_cell"]

HEADER = -1  # the line index of the header row in the strip cache


class KeysTable(ScrollView, can_focus=True, inherit_bindings=False):
    """A row cursor over the visible keys; knows how to draw a key, not what to do with it."""

    DEFAULT_CSS = """
    KeysTable {
        background: $surface;
        color: $foreground;
        height: 1fr;
        &:focus {
            background-tint: $foreground 5%;
            & > .datatable--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .datatable--header {
                background-tint: $foreground 5%;
            }
        }
        &:dark > .datatable--even-row {
            background: $surface-darken-1 40%;
        }
        & > .datatable--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .datatable--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .datatable--even-row {
            background: $surface-lighten-1 50%;
        }
        & > .datatable--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """
    COMPONENT_CLASSES = {
        "datatable--header",
        "datatable--cursor",
        "datatable--even-row",
        "datatable--odd-row",
    }
    # Enter opens the key's details (a screen binding, so it can be remapped by id).
    BINDINGS = [
        Binding("up", "cursor_up", "Cursor up", show=False),
        Binding("down", "cursor_down", "Cursor down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("ctrl+home,home", "scroll_top", "Top", show=False),
        Binding("ctrl+end,end", "scroll_bottom", "Bottom", show=False),
    ]

    @dataclass
    class HeaderSelected(Message):
        """A click on a column's header; `column` is its key (e.g. "name")."""

        table: KeysTable
        column: str

        @property
        def control(self) -> KeysTable:
            return self.table

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.layout_columns: list[tuple[str, str, int]] = []
        self._shown: list[ApiKeyInfo] = []
        self._ids: list[str] = []
        self._index_by_id: dict[str, int] | None = {}
        self._state = KeysState()
        self._now: datetime | None = None
        self._cells: dict[str, dict[str, Text]] = {}
        self._cursor = 0
        self._strips: dict[tuple[int, bool], Strip] = {}
        self._token: tuple[Any, ...] = ()
        self._styles: tuple[Style, Style, Style, Style] | None = None

    # --- the row model -------------------------------------------------------------------------

    def show(self, keys: Iterable[ApiKeyInfo], state: KeysState, now: datetime) -> None:
        """Show these keys in this order, keeping the cursor on the same key when still shown."""
        current = self.cursor_key()
        self._shown = list(keys)
        self._ids = [key.id for key in self._shown]
        self._index_by_id = None  # built when first asked for: 100,000 rows take 30 ms
        self._state = state
        if now != self._now:
            self._cells.clear()
        self._now = now
        if not self.layout_columns:
            self.layout_columns = column_layout(self.size.width or 80)
        self._strips.clear()
        self._update_virtual_size()
        self._cursor = self._position(current)
        self._scroll_cursor_into_view()
        self.refresh()

    @property
    def _index(self) -> dict[str, int]:
        if self._index_by_id is None:
            self._index_by_id = {key_id: i for i, key_id in enumerate(self._ids)}
        return self._index_by_id

    def _position(self, key_id: str | None) -> int:
        """Where `key_id` is shown (0 if it is not): one scan, no index built."""
        if self._index_by_id is not None:
            return self._index_by_id.get(key_id or "", 0)
        try:
            return self._ids.index(key_id) if key_id is not None else 0
        except ValueError:
            return 0

    def update_key(self, key_id: str, state: KeysState) -> None:
        """Redraw the mark and the result of one key, if it is shown (one line repaints)."""
        self.update_keys((key_id,), state)

    def update_keys(self, key_ids: Iterable[str], state: KeysState) -> None:
        """Redraw the marks and results of these keys; only their lines repaint."""
        self._state = state
        index_of, strips = self._index, self._strips
        # The offset and size once, not per key: Textual computes both on each read (10 µs),
        # which made 10,000 owners arriving at once a 100 ms stall (benchmarks/OWNERS.md).
        top, width, height = int(self.scroll_offset.y), self.size.width, self.size.height
        for key_id in key_ids:
            index = index_of.get(key_id)
            if index is None:
                continue
            strips.pop((index, False), None)
            strips.pop((index, True), None)
            y = index - top + 1
            if 1 <= y < height:
                self.refresh(Region(0, y, width, 1))

    def update_marks(self, state: KeysState) -> None:
        self._state = state
        self._strips.clear()
        self.refresh()

    @property
    def row_count(self) -> int:
        return len(self._ids)

    @property
    def row_ids(self) -> list[str]:
        return list(self._ids)

    def _cell(self, key: ApiKeyInfo, column: str) -> Text:
        if column in LIVE_COLUMNS and (live := live_cell(key.id, column, self._state)) is not None:
            return live
        cells = self._cells.get(key.id)
        if cells is None:
            assert self._now is not None
            cells = self._cells[key.id] = key_cells(key, self._now, self._state.scope_names)
        return cells[column]

    def names_changed(self) -> None:
        """Scope names arrived: every cached cell that may name a scope is drawn again."""
        self._cells.clear()
        self._strips.clear()
        self.refresh()

    # --- the cursor ----------------------------------------------------------------------------

    @property
    def cursor_row(self) -> int:
        return self._cursor

    def cursor_key(self) -> str | None:
        return self._ids[self._cursor] if self._ids else None

    def move_cursor(
        self, *, row: int | None = None, column: int | None = None, animate: bool = False
    ) -> None:
        """Put the cursor on `row` (clamped) and scroll it into view; `column` is ignored."""
        if row is None or not self._ids:
            return
        old, self._cursor = self._cursor, max(0, min(row, len(self._ids) - 1))
        if old != self._cursor:
            self._refresh_row(old)
            self._refresh_row(self._cursor)
        self._scroll_cursor_into_view()

    def action_cursor_up(self) -> None:
        self.move_cursor(row=self._cursor - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(row=self._cursor + 1)

    def action_page_up(self) -> None:
        self.move_cursor(row=self._cursor - self._page())

    def action_page_down(self) -> None:
        self.move_cursor(row=self._cursor + self._page())

    def action_scroll_top(self) -> None:
        self.move_cursor(row=0)

    def action_scroll_bottom(self) -> None:
        self.move_cursor(row=len(self._ids) - 1)

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _scroll_cursor_into_view(self) -> None:
        top, rows = int(self.scroll_offset.y), self._page()
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False, force=True, immediate=True)
        elif self._cursor >= top + rows:
            self.scroll_to(y=self._cursor - rows + 1, animate=False, force=True, immediate=True)

    # --- pastes --------------------------------------------------------------------------------

    def on_paste(self, event: events.Paste) -> None:
        """A paste never runs table commands; `/text` pasted fills the filter box."""
        event.stop()
        if event.text.startswith("/"):
            self.post_message(self.FilterPasted(event.text[1:]))

    @dataclass
    class FilterPasted(Message):
        text: str

    # --- mouse ---------------------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        x, y = event.x + int(self.scroll_offset.x), event.y
        if y == 0:
            column = self._column_at(x)
            if column is not None:
                self.post_message(self.HeaderSelected(self, column))
            return
        row = int(self.scroll_offset.y) + y - 1
        if 0 <= row < len(self._ids):
            self.move_cursor(row=row)

    def _column_at(self, x: int) -> str | None:
        left = 0
        for column, _, width in self.layout_columns:
            left += width + 2 * CELL_PADDING
            if x < left:
                return column
        return None

    # --- drawing -------------------------------------------------------------------------------

    def on_resize(self) -> None:
        layout = column_layout(self.size.width)
        if layout != self.layout_columns:
            self.layout_columns = layout
        # Like DataTable, a resize does not scroll the cursor back into view: the snapshots
        # hold that behaviour (the batch panel appearing can hide the cursor's row).
        self._strips.clear()
        self._update_virtual_size()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None
        self._strips.clear()

    def _update_virtual_size(self) -> None:
        width = sum(w + 2 * CELL_PADDING for _, _, w in self.layout_columns)
        size = Size(width, len(self._ids) + 1)  # +1: the header line
        if not self.container_size or width != self.virtual_size.width:
            self.virtual_size = size  # a layout pass: the columns changed
            return
        # Only the row count changed: the scrollbar is updated without laying the screen out
        # again, as Textual's own `_size_updated` does; it still asks for a layout pass itself
        # if it has to appear or vanish. That pass delayed the first usable frame by 20-30 ms.
        self.set_reactive(KeysTable.virtual_size, size)
        self._scroll_update(size)
        self.refresh()

    def _refresh_row(self, index: int) -> None:
        y = index - int(self.scroll_offset.y) + 1
        if 1 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def render_lines(self, crop: Region) -> list[Strip]:
        self._check_cache()
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        self._check_cache()
        scroll_x, scroll_y = (int(v) for v in self.scroll_offset)
        index = HEADER if y == 0 else scroll_y + y - 1
        width = self.size.width
        if index >= len(self._ids):
            return Strip.blank(width, self.rich_style)
        cursor = index == self._cursor and index != HEADER
        strip = self._strips.get((index, cursor))
        if strip is None:
            strip = self._strips[(index, cursor)] = self._render_row(index, cursor)
        return strip.crop(scroll_x, scroll_x + width) if scroll_x else strip

    def _check_cache(self) -> None:
        """Cached lines hold styles: drop them when the width, theme or focus changes."""
        token = (self.size.width, self.app.theme, self.get_pseudo_class_state())
        if token != self._token:
            self._token = token
            self._styles = None
            self._strips.clear()

    def _row_styles(self) -> tuple[Style, Style, Style, Style]:
        if self._styles is None:
            self._styles = (
                self.get_component_styles("datatable--header").rich_style,
                self.get_component_styles("datatable--even-row").rich_style,
                self.get_component_styles("datatable--odd-row").rich_style,
                self.get_component_rich_style("datatable--cursor") + self._without_colour(),
            )
        return self._styles

    def _without_colour(self) -> Style:
        """NO_COLOR greys the header and the cursor row alike (both bold, white on grey): the
        cursor row is underlined then, so it stays findable."""
        return Style(underline=True) if self.app.no_color else Style()

    def _row_cells(self, index: int) -> Iterator[tuple[Text, int]]:
        if index == HEADER:
            for column, label, width in self.layout_columns:
                yield header_label(column, label, width, self._state.sort), width
            return
        key = self._shown[index]
        for column, _, width in self.layout_columns:
            yield self._cell(key, column), width

    def _render_row(self, index: int, cursor: bool) -> Strip:
        """One line, styled as DataTable styles it: row style, then cursor, cell text between.

        Each cell carries DataTable's `row`/`column` meta, so screenshots split cells the same.
        """
        header, even, odd, cursor_style = self._row_styles()
        row_style = header if index == HEADER else odd if index % 2 else even
        component = cursor_style if cursor else Style()
        post = Style.from_color(component.color, component.bgcolor) if cursor else Style()
        console = self.app.console
        segments: list[Segment] = []
        for column, (cell, width) in enumerate(self._row_cells(index)):
            pre = row_style + Style.from_meta({"row": index, "column": column}) + component
            text = cell.copy()
            text.end = ""
            text.truncate(width, overflow="ellipsis")
            base = console.get_style(text.style) if text.style else Style()
            segments.append(Segment(" " * CELL_PADDING, pre + post))
            for seg in text.render(console):
                style = seg.style if text.spans and seg.style else base
                segments.append(Segment(seg.text, pre + style + post))
            room = width - text.cell_len  # the filler is not bold or italic, as in DataTable
            segments.append(Segment(" " * (room + CELL_PADDING), pre + post))
        table_width = self.virtual_size.width
        width = max(self.size.width, table_width)
        out_of_bounds = Style.from_meta({"row": index, "column": 0, "out_of_bounds": True})
        extend = Segment(" " * max(0, width - table_width), row_style + component + out_of_bounds)
        segments.append(extend)
        return Strip(segments).adjust_cell_length(width, self.rich_style).simplify()
