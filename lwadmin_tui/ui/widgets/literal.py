"""Cells and labels built from server strings: always `rich.text.Text`, never markup."""

from __future__ import annotations

from rich.text import Text

from lwadmin_tui.text import DEFAULT_MAX_LENGTH, safe_text


def literal(value: object, max_length: int = DEFAULT_MAX_LENGTH, style: str = "") -> Text:
    """Inert display text: brackets stay brackets, escapes become visible symbols."""
    return Text(safe_text(value, max_length), style=style, no_wrap=True, overflow="ellipsis")
