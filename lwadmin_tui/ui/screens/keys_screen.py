"""The main screen: the keys table, the filter, marks, and the revocation batch.

Workers do the I/O and post messages named as facts; the handlers here update `KeysState` and
redraw the table. Nothing is sent before the confirmation dialog returns True.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from lwadmin_tui.api import gc_tuning
from lwadmin_tui.api.errors import LangWatchError, Unauthorized
from lwadmin_tui.keys.state import KeysState
from lwadmin_tui.outcomes import OutcomeKind, Pending, RevokeOutcome
from lwadmin_tui.text import plural, safe_text
from lwadmin_tui.ui.messages import KeysLoaded, LoadFailed
from lwadmin_tui.ui.screens.batch_flow import BATCH_BINDINGS, BatchFlow
from lwadmin_tui.ui.screens.key_finding import COVERAGE, KEY_BINDINGS, KeyFinding
from lwadmin_tui.ui.widgets.batch_panel import BatchPanel
from lwadmin_tui.ui.widgets.filter_bar import FilterBar
from lwadmin_tui.ui.widgets.filter_input import FilterInput
from lwadmin_tui.ui.widgets.keys_footer import KeysFooter
from lwadmin_tui.ui.widgets.keys_table import KeysTable
from lwadmin_tui.ui.widgets.one_line import MessageLine, OneLine

if TYPE_CHECKING:
    from lwadmin_tui.api.models import ApiKeyInfo
    from lwadmin_tui.ui.app import LwAdminApp


# What each worker group does, for the sentence when it fails by a bug.
WORKER_JOBS = {
    "load": "Loading the keys",
    "scopes": "Reading the project and team names",
    "own-key": "Guessing this session's own key",
    "verify-unresolved": "Settling the interrupted batches",
    "history": "Reading the audit log",
}


class KeysScreen(BatchFlow, KeyFinding, Screen[None]):
    """Finding keys (filters, sort, range marks, details) lives in `KeyFinding`."""

    BINDINGS = [
        *KEY_BINDINGS,
        *BATCH_BINDINGS,
        Binding(
            "d", "revoke", "Revoke", id="revoke", tooltip="Revoke marked keys (or the cursor's key)"
        ),
        Binding("r", "reload", "Reload", id="reload", show=False, tooltip="Reload the list"),
    ]

    # The table has the focus from the start: focusing it after mount changed the focus twice,
    # and each change rebuilt the footer (benchmarks/RESULTS.md measures start-up).
    AUTO_FOCUS = "#keys"

    def __init__(self) -> None:
        super().__init__()
        self.state = KeysState()
        self.batch_running = False
        self.loaded = False
        self.interrupted_reported = False

    @property
    def lw_app(self) -> LwAdminApp:
        return cast("LwAdminApp", self.app)

    def compose(self) -> ComposeResult:
        yield OneLine(id="top-bar")
        yield FilterInput(
            placeholder="/ to filter by name, description or id",
            id="filter",
            select_on_focus=False,
        )
        yield FilterBar(id="filter-bar")
        yield KeysTable(id="keys")
        yield BatchPanel(id="batch")
        yield MessageLine("Loading keys…", id="message")
        yield OneLine(id="status-line")
        yield KeysFooter(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        filter_box = self.query_one(FilterInput)
        filter_box.cursor_blink = self.lw_app.cursor_blink
        self.state.clock = self.lw_app.clock
        self.refresh_top_bar()
        self.refresh_status()
        keys = self.lw_app.keys_already_here()
        if keys is None:
            self.load_keys()
        else:
            self.show_keys(keys)

    @property
    def table(self) -> KeysTable:
        return self.query_one(KeysTable)

    # --- loading -------------------------------------------------------------------------------

    @work(exclusive=True, group="load", exit_on_error=False)
    async def load_keys(self) -> None:
        try:
            keys = await self.lw_app.fetch_keys()
        except Unauthorized as error:
            self.post_message(LoadFailed(error.message, credential_rejected=True))
        except LangWatchError as error:
            self.post_message(LoadFailed(error.message))
        else:
            self.post_message(KeysLoaded(keys))

    def on_keys_loaded(self, message: KeysLoaded) -> None:
        if self.batch_running:
            return  # a list read before the batch would wipe its results; r reloads after it
        self.show_keys(message.keys)

    def show_keys(self, keys: tuple[ApiKeyInfo, ...]) -> None:
        if self.scope_directory is None:
            # After the list, not beside it: its 2xx would move the key's own lastUsedAt first.
            self.load_scope_names()
        with gc_tuning.paused():  # the rows are built without collections, then frozen
            self.state.load(keys)
            self.loaded = True
            self.rebuild_table()
        self.refresh_top_bar()
        self.say(f"Loaded {plural(len(self.state.keys))}.{self.repeats_note()}")
        self.after_first_load()

    def repeats_note(self) -> str:
        """Why the table has fewer keys than the server's list had entries, if it has."""
        state = self.state
        if not state.repeated_ids:
            return ""
        times = "twice" if state.surplus_entries == state.repeated_ids else "more than once"
        return (
            f" The server listed {plural(state.repeated_ids, 'key id')} {times}; "
            "each is shown once."
        )

    def after_first_load(self) -> None:
        """Batches a killed run left open are reported once a list is shown: said earlier, the
        notice was overwritten by "Loaded N keys." when the list came; and checking them needs
        the server that just answered."""
        if not self.interrupted_reported:
            self.interrupted_reported = True
            self.call_after_refresh(self.report_interrupted)

    def on_load_failed(self, message: LoadFailed) -> None:
        reason = safe_text(message.message, 160)
        if message.credential_rejected:
            from lwadmin_tui.ui.screens.credential_rejected import CredentialRejectedScreen

            app = self.lw_app
            source = app.session.key_source or "LWADMIN_API_KEY"
            self.say(
                f"The server rejected the API key (401: {reason}). Check that {source} "
                "holds a live organization API key for this endpoint."
            )
            self.app.push_screen(
                CredentialRejectedScreen(message.message, app.host, app.key_last4, source)
            )
        else:
            self.say(f"Could not load the keys: {reason}. Press r to try again.")

    # --- marks and filter ----------------------------------------------------------------------

    def rebuild_table(self) -> None:
        shown = self.state.visible()
        self.table.show(shown, self.state, self.lw_app.clock())
        self.query_one(FilterBar).show_state(self.state, len(shown))
        self.refresh_status()

    def action_toggle_mark(self) -> None:
        key_id = self.table.cursor_key()
        if key_id is None:
            return
        if self.state.range_anchor is not None:
            self.mark_range_to(key_id)
            return
        self.state.toggle(key_id)
        self.table.update_key(key_id, self.state)
        self.table.action_cursor_down()
        self.refresh_status()

    def action_mark_all(self) -> None:
        self.state.mark_all_visible()
        self.table.update_marks(self.state)
        self.refresh_status()

    def action_clear_marks(self) -> None:
        self.state.clear_marks()
        self.table.update_marks(self.state)
        self.refresh_status()

    def action_focus_filter(self) -> None:
        # At once, not after a refresh (`Widget.focus`): keys typed right after `/` must
        # find the filter focused (KeysTable._on_key passes the ones already queued).
        self.set_focus(self.query_one(FilterInput))

    def on_keys_table_filter_pasted(self, message: KeysTable.FilterPasted) -> None:
        box = self.query_one(FilterInput)
        self.set_focus(box)
        box.insert_text_at_cursor(message.text)

    @on(Input.Changed, "#filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self.state.filter_text = event.value
        self.rebuild_table()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if isinstance(event.widget, FilterInput):
            self.state.search_texts()  # built now, not inside the first keystroke

    @on(FilterInput.Left)
    def filter_left(self) -> None:
        self.set_focus(self.table)

    # --- revocation ----------------------------------------------------------------------------

    # action_revoke, start_batch and the batch facts live in `BatchFlow` (batch_flow.py).

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker that failed by a bug must not leave rows claiming work in progress."""
        if event.state is not WorkerState.ERROR:
            return
        error = safe_text(repr(event.worker.error), 120)
        if event.worker.group == "revoke":
            self.batch_running = False
            self.batch_panel.engine = None
            for key_id, result in list(self.state.results.items()):
                if isinstance(result, Pending) and not result.sent:
                    self.state.results[key_id] = RevokeOutcome(key_id, OutcomeKind.NOT_ATTEMPTED)
                elif isinstance(result, Pending):  # sending, retrying or verifying: sent, maybe
                    self.state.results[key_id] = RevokeOutcome(
                        key_id, OutcomeKind.UNKNOWN, message="internal error"
                    )
                self.table.update_key(key_id, self.state)
            self.say(f"The batch stopped on an internal error ({error}); reload to check.")
            return
        if event.worker.group == "verify-unresolved":
            self.batch_running = False  # settling is over, whatever it reached
        what = WORKER_JOBS.get(event.worker.group, "A background task")
        self.say(f"{what} failed on an internal error ({error}).")

    def action_reload(self) -> None:
        if self.batch_running:
            self.say("A revocation batch is running; reload when it has finished.")
            return
        self.say("Reloading…")
        gc_tuning.reloading()
        self.load_keys()

    # --- status --------------------------------------------------------------------------------

    def say(self, message: str) -> None:
        self.query_one("#message", MessageLine).update(message)

    def refresh_top_bar(self) -> None:
        """Where the app points and what the list covers; the most important part first."""
        app = self.lw_app
        bar = Text()
        if app.session.insecure:
            bar.append("INSECURE http: key sent unencrypted", style="bold reverse")
            bar.append(" · ")
        if app.session.label:
            bar.append(f"{app.session.label} · ", style="italic")
        if app.session.profile:
            bar.append(f"profile {safe_text(app.session.profile, 24)} · ")
        bar.append(safe_text(app.host, 50), style="bold")
        bar.append(f" · key …{safe_text(app.key_last4, 4)}")
        if self.loaded:
            bar.append(f" · {plural(len(self.state.keys))} visible to this credential")
        self.query_one("#top-bar", OneLine).update(bar)

    def refresh_status(self) -> None:
        state = self.state
        marked = len(state.marked)
        hidden = state.hidden_marked_count()
        parts = [f"{marked} marked"]
        if hidden:
            parts.append(f"{hidden} hidden by filter")
        if state.range_anchor is not None:
            parts.append(self.range_hint())
        status = Text(" · ".join(parts))
        if self.loaded:  # last, so a narrow terminal cuts this hint first
            status.append(f" · {COVERAGE}", style="italic")
        self.query_one("#status-line", OneLine).update(status)
