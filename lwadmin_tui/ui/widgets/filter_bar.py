"""The line under the filter box: what is filtered, how many keys are shown, and the sort.

Words only (`Showing 7 of 40 · sort: last used ↓ · filter: expired + unused > 90d`), so the
meaning survives 16 colours and NO_COLOR. Every server-derived part is literal text.
"""

from __future__ import annotations

from rich.text import Text

from lwadmin_tui.keys.owners import coverage_phrase
from lwadmin_tui.keys.state import KeysState
from lwadmin_tui.text import plural
from lwadmin_tui.ui.widgets.one_line import OneLine


def owners_warning(state: KeysState) -> str:
    """Why a filter on owners may show fewer keys than the person has, if it may."""
    if state.owners_incomplete:
        return coverage_phrase(state.owners_known, len(state.keys))
    if state.filter_text.strip() and (unnamed := state.unnamed_owners):
        return f"{plural(unnamed, 'owner')} without a known name (see details)"
    return ""


def filter_summary(state: KeysState, shown: int) -> Text:
    """One line: `Showing X of Y · sort: <spec> · filter: <rules>`. The counts and the sort
    come first: a narrow terminal cuts the end of the rules, with "…"."""
    total = len(state.keys)
    text = Text(no_wrap=True, overflow="ellipsis")
    rules = [rule.describe() for rule in state.rules()]
    warning = owners_warning(state)
    if rules and warning:
        # The owners' words before the rules, the sort last: a narrow terminal cuts the sort.
        text.append(f"Showing {shown} of {total}", style="bold")
        text.append(" · ")
        text.append(warning, style="bold")
        text.append(" · ")
        text.append("filter: ", style="bold")
        text.append(" + ".join(rules))
        text.append(f" · sort: {state.sort.describe()}")
    elif rules:
        text.append(f"Showing {shown} of {total}", style="bold")
        text.append(f" · sort: {state.sort.describe()} · ")
        text.append("filter: ", style="bold")
        text.append(" + ".join(rules))
    else:
        text.append(f"No filter · showing all {total} · sort: {state.sort.describe()}")
    return text


class FilterBar(OneLine):
    """Rendered from `KeysState` after every rebuild of the table; holds no state itself."""

    DEFAULT_CSS = """
    FilterBar { height: 1; padding: 0 1; }
    """

    def show_state(self, state: KeysState, shown: int) -> None:
        self.update(filter_summary(state, shown))
