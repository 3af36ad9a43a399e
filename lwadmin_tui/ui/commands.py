"""The command palette (ctrl+p): the keys screen's main actions, searchable by name.

Each command runs an action on the keys screen, so the palette does exactly what the keys do
(quit still asks while a batch runs). Textual's own system commands are left out: its "Quit"
would not ask.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider

from lwadmin_tui.keys.sorting import SORT_COLUMNS

if TYPE_CHECKING:
    from lwadmin_tui.ui.app import LwAdminApp

# (title, help, action on the keys screen; "app." for the app's own)
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("Revoke marked keys", "Confirm, then revoke the marked keys (or the cursor's key)", "revoke"),
    ("Mark every shown key", "Mark all the keys the filters show", "mark_all"),
    ("Invert marks", "Flip the marks of the shown keys; hidden marks stay", "invert_marks"),
    ("Clear all marks", "Unmark every key, hidden ones too", "clear_marks"),
    ("Start a range", "Mark a range: move the cursor, then press space", "range"),
    ("Filter by text", "Name, description or id", "focus_filter"),
    ("Quick filters…", "Expired, never used, unused for N days, created before, role, scope",
     "quick_filters"),
    ("Show only expired keys", "Toggle the expired filter", "toggle_expired"),
    ("Show only never-used keys", "Toggle the never-used filter", "toggle_never_used"),
    ("Clear every filter", "Text filter and quick filters", "clear_filters"),
    ("Key details", "Everything about the key under the cursor", "details"),
    ("Read every key's owner", "Type, owner and access of the keys not yet known (asks first)",
     "read_owners"),
    ("Show one owner's keys…", "Pick an owner: offboarding in one pass", "owner_filter"),
    ("Cycle the key type filter", "Personal keys, service keys, both", "cycle_key_type"),
    ("Write the marked keys as a plan", "For lwadmin-tui revoke apply, after a review",
     "write_plan"),
    ("Roll the marked keys", "New keys with the same access; the old ones revoked when you say",
     "roll"),
    ("Create a key", "Name, type, owner, one binding, access, expiry; the token shown once",
     "create_key"),
    ("Show the rolled pairs", "Cutover: each key's last use; revoke the old ones", "cutover"),
    ("Export the shown keys", "The keys the filters show, as CSV + JSON", "export_shown"),
    ("Retry failed keys", "Confirm, then send again what another try could change",
     "retry_failed"),
    ("Cancel the running batch", "Nothing new is sent; those in flight finish", "cancel_batch"),
    ("Batches, audit log and export", "Recent batches, each key's result, export CSV + JSON",
     "batches"),
    ("Guess this session's own key", "From the keys' details, else whose last use moves",
     "detect_own_key"),
    ("Reload the list", "Read the keys again (clears results)", "reload"),
    ("Help", "Every key binding, the columns and the result words", "app.help"),
    ("Quit", "Leave lwadmin-tui (asks first while a batch runs)", "app.quit_app"),
    *(
        (f"Sort by {label} {arrow}", f"Order the table by {label}, {words}",
         f"sort_by('{column}', {descending})")
        for column, label in SORT_COLUMNS.items()
        for arrow, words, descending in (("↑", "ascending", False), ("↓", "descending", True))
    ),
)  # fmt: skip


class KeysCommands(Provider):
    """Discovery lists every command; search ranks them by fuzzy match on the title."""

    def _run(self, action: str) -> None:
        app: LwAdminApp = self.app  # type: ignore[assignment]
        target = app if action.startswith("app.") else app.keys_screen
        if target is not None:
            app.call_later(target.run_action, action.removeprefix("app."))

    async def discover(self) -> Hits:
        for title, help_text, action in COMMANDS:
            yield DiscoveryHit(title, partial(self._run, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, action in COMMANDS:
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score, matcher.highlight(title), partial(self._run, action), help=help_text
                )


# The list moves whose Textual code reads the list's line positions (OptionList._move_page).
_PAGE_MOVES = frozenset({"page_up", "page_down"})


class Palette(CommandPalette):
    """Textual's palette, closable with ctrl+g too: escape alone is slow over some SSH links."""

    BINDINGS = [Binding("ctrl+g", "escape", "Exit the command palette", show=False)]

    def _action_command_list(self, action: str, *, retried: bool = False) -> None:
        """Page moves that cannot crash the app.

        The list's line positions are measured only once it has been laid out; a page key
        typed right after the list was shown or refilled (ctrl+p, down, pagedown in one burst)
        finds none, and Textual 8.2's OptionList raises KeyError. Such a move is tried again
        after the next refresh, when the list has its size, and dropped if it still cannot run.
        """
        if action not in _PAGE_MOVES:
            super()._action_command_list(action)
            return
        try:
            super()._action_command_list(action)
        except (KeyError, IndexError):
            if not retried:
                self.call_after_refresh(self._action_command_list, action, retried=True)
