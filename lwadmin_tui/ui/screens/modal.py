"""The app's dialogs: a `ModalScreen` whose answer is given only while it is on top.

Textual's `dismiss` pops the top screen, whichever it is, and hands it this screen's answer. A
click or a key handled just as another screen opened above (the palette, a token screen) would
then close that one and leave this dialog behind, answered and dead. Here the answer waits, and
the dialog closes with it as soon as it is on top again. An answer after it closed is dropped.
"""

from __future__ import annotations

from typing import Any, TypeVar

from textual.screen import ModalScreen

ResultT = TypeVar("ResultT")


class Modal(ModalScreen[ResultT]):
    _answer_waiting: tuple[Any] | None = None

    def dismiss(self, result: ResultT | None = None) -> Any:
        if not self.is_attached:  # closed already: a late answer must not pop what is on top
            return None
        if self.app.screen is not self:
            self._answer_waiting = (result,)
            return None
        self._answer_waiting = None
        return super().dismiss(result)

    def on_screen_resume(self) -> None:
        if self._answer_waiting is not None:
            (result,) = self._answer_waiting
            self.dismiss(result)
