"""The owner picker (`O`): every owner of the listed keys with their key count, sorted by name,
then "unknown owner". It opens on the owner of the key under the cursor, so `O` `enter` shows
that person's keys; the table then marks them with `a` (offboarding in one pass).

It returns the chosen `OwnerChoice`, or None when cancelled.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from lwadmin_tui.keys.owners import OwnerChoice
from lwadmin_tui.text import plural, safe_text
from lwadmin_tui.ui.screens.modal import Modal


class OwnerPickerScreen(Modal[OwnerChoice | None]):
    BINDINGS = [
        Binding("escape,q,ctrl+g", "cancel", "Cancel", id="owner_picker.cancel"),
    ]

    def __init__(self, choices: list[OwnerChoice], current: str | None, coverage: str) -> None:
        super().__init__()
        self.choices = choices
        self.current = current
        """The owner to highlight first (the cursor's key's owner), if any."""
        self.coverage = coverage
        """Said when some owners are not known yet."""

    def compose(self) -> ComposeResult:
        with Vertical(id="owner-picker"):
            yield Static(Text("Show the keys of one owner", style="bold"), id="owner-title")
            if self.coverage:
                yield Static(self.coverage, id="owner-coverage", markup=False)
            options = [
                Option(self._label(choice), id=f"owner-{index}")
                for index, choice in enumerate(self.choices)
            ]
            yield OptionList(*options, id="owner-options")
            yield Static("enter: show their keys · escape / q: cancel", id="keys-hint")

    @staticmethod
    def _label(choice: OwnerChoice) -> Text:
        text = Text(safe_text(choice.label, 40), style="italic" if choice.owner == "?" else "")
        text.append(f"  {plural(choice.count)}", style="dim")
        return text

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.focus()
        # The cursor's owner; none for a service key, so enter cannot pick a stranger's keys.
        found = [i for i, choice in enumerate(self.choices) if choice.owner == self.current]
        options.highlighted = found[0] if found and self.current is not None else None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.choices[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)
