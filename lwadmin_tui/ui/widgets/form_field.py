"""A line of a form that enter answers (`c`'s dialog): the form is read where enter is typed.

Textual inserts a printable key in an Input at once, but runs enter's binding (submit) only once
the key has bubbled up to the app: the keys typed behind enter in one burst were in the field by
then, and in the form that was read ("grafana", enter, q, y made a key named "grafanaqy").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import events
from textual.widgets import Input


class FormField(Input):
    def __init__(self, *, answer: Callable[[], None], **options: Any) -> None:
        """`answer` reads the form (and may freeze it), called when enter reaches this field."""
        super().__init__(**options)
        self.answer = answer
        self.frozen = False
        """The form was answered: the keys typed after enter change nothing and go nowhere."""

    async def _on_key(self, event: events.Key) -> None:
        if not self.frozen and event.key != "enter":
            return  # Input's own handler, next in line, takes it
        event.stop()
        event.prevent_default()
        if not self.frozen:
            self.answer()
