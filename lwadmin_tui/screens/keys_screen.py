"""The main screen: the keys table, the filter, marks, and the revocation batch.

Workers do the I/O and post messages named as facts; the handlers here update `KeysState` and
redraw the table. Nothing is sent before the confirmation dialog returns True.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Input, Static
from textual.worker import Worker, WorkerState

from lwadmin_tui.api.errors import LangWatchError, Unauthorized
from lwadmin_tui.messages import BatchFinished, KeyRevoked, KeySending, KeysLoaded, LoadFailed
from lwadmin_tui.outcomes import OutcomeKind, RevokeOutcome, summarize
from lwadmin_tui.revoke import revoke_keys
from lwadmin_tui.screens.confirm_revoke import ConfirmRevokeScreen, plural
from lwadmin_tui.state import SENDING, KeysState
from lwadmin_tui.text import safe_text
from lwadmin_tui.widgets.filter_input import FilterInput
from lwadmin_tui.widgets.keys_table import KeysTable

if TYPE_CHECKING:
    from lwadmin_tui.app import LwAdminApp

QUEUED = "queued"


class KeysScreen(Screen[None]):
    BINDINGS = [
        Binding("space", "toggle_mark", "Mark", tooltip="Mark / unmark the key, move down"),
        Binding("a", "mark_all", "All", tooltip="Mark every key the filter shows"),
        Binding("u", "clear_marks", "Unmark", tooltip="Clear all marks"),
        Binding("slash", "focus_filter", "Filter", tooltip="Filter by name, description or id"),
        Binding("d", "revoke", "Revoke", tooltip="Revoke marked keys (or the cursor's key)"),
        Binding("r", "reload", "Reload", tooltip="Reload the list (clears results)"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.state = KeysState()
        self.batch_running = False
        self.loaded = False

    @property
    def lw_app(self) -> LwAdminApp:
        return cast("LwAdminApp", self.app)

    def compose(self) -> ComposeResult:
        yield Static(id="top-bar")
        yield FilterInput(
            placeholder="/ to filter by name, description or id",
            id="filter",
            select_on_focus=False,
        )
        yield KeysTable(id="keys")
        yield Static("Loading keys…", id="message", markup=False)
        yield Static(id="status-line")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        filter_box = self.query_one(FilterInput)
        filter_box.cursor_blink = self.lw_app.cursor_blink
        self.table.focus()
        self.refresh_top_bar()
        self.refresh_status()
        self.load_keys()

    @property
    def table(self) -> KeysTable:
        return self.query_one(KeysTable)

    # --- loading -------------------------------------------------------------------------------

    @work(exclusive=True, group="load", exit_on_error=False)
    async def load_keys(self) -> None:
        try:
            keys = await self.lw_app.client.list_keys()
        except Unauthorized as error:
            self.post_message(LoadFailed(error.message, credential_rejected=True))
        except LangWatchError as error:
            self.post_message(LoadFailed(error.message))
        else:
            self.post_message(KeysLoaded(keys))

    def on_keys_loaded(self, message: KeysLoaded) -> None:
        self.state.load(message.keys)
        self.loaded = True
        self.rebuild_table()
        self.refresh_top_bar()
        self.say(f"Loaded {plural(len(self.state.keys))}.")

    def on_load_failed(self, message: LoadFailed) -> None:
        reason = safe_text(message.message, 160)
        if message.credential_rejected:
            self.say(
                f"The server rejected the API key (401: {reason}). Check that LWADMIN_API_KEY "
                "holds a live organization API key for this endpoint."
            )
        else:
            self.say(f"Could not load the keys: {reason}. Press r to try again.")

    # --- marks and filter ----------------------------------------------------------------------

    def rebuild_table(self) -> None:
        self.table.show(self.state.visible(), self.state, self.lw_app.clock())
        self.refresh_status()

    def action_toggle_mark(self) -> None:
        key_id = self.table.cursor_key()
        if key_id is None:
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
        self.query_one(FilterInput).focus()

    @on(Input.Changed, "#filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self.state.filter_text = event.value
        self.rebuild_table()

    @on(FilterInput.Left)
    def filter_left(self) -> None:
        self.table.focus()

    # --- revocation ----------------------------------------------------------------------------

    def action_revoke(self) -> None:
        if self.batch_running:
            self.say("A revocation batch is running; wait for it to finish.")
            return
        targets = self.state.marked_keys()
        if not targets:
            key_id = self.table.cursor_key()
            if key_id is None:
                self.say("Nothing to revoke: no key is listed.")
                return
            targets = [self.state.keys[key_id]]
        hidden = {key.id for key in targets if not self.state.matches(key)}
        dialog = ConfirmRevokeScreen(
            targets,
            hidden,
            self.lw_app.host,
            guard_seconds=self.lw_app.confirm_guard_seconds,
            clock=self.lw_app.monotonic,
        )

        def confirmed(answer: bool | None) -> None:
            if answer:
                self.start_batch([key.id for key in targets])
            else:
                self.say("Cancelled: nothing was sent.")

        self.app.push_screen(dialog, confirmed)

    def start_batch(self, key_ids: list[str]) -> None:
        self.batch_running = True
        for key_id in key_ids:
            self.state.results[key_id] = QUEUED
            self.table.update_key(key_id, self.state)
        self.say(f"Revoking {plural(len(key_ids))}…")
        self.run_batch(key_ids)

    @work(exclusive=True, group="revoke", exit_on_error=False)
    async def run_batch(self, key_ids: list[str]) -> None:
        outcomes = await revoke_keys(
            self.lw_app.client,
            key_ids,
            concurrency=self.lw_app.concurrency,
            on_outcome=lambda outcome: self.post_message(KeyRevoked(outcome)),
            on_sending=lambda key_id: self.post_message(KeySending(key_id)),
        )
        self.post_message(BatchFinished(outcomes))

    def on_key_sending(self, message: KeySending) -> None:
        self.state.results[message.key_id] = SENDING
        self.table.update_key(message.key_id, self.state)

    def on_key_revoked(self, message: KeyRevoked) -> None:
        outcome = message.outcome
        self.state.results[outcome.key_id] = outcome
        if outcome.done:
            self.state.marked.discard(outcome.key_id)
        self.table.update_key(outcome.key_id, self.state)
        self.refresh_status()

    def on_batch_finished(self, message: BatchFinished) -> None:
        self.batch_running = False
        text = f"Done. {summarize(message.outcomes)}."
        if any(o.kind is OutcomeKind.UNAUTHORIZED for o in message.outcomes):
            text += " The server rejected the API key (401): the batch stopped."
        self.say(text + " Results stay until r reloads.")
        self.refresh_status()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker that failed by a bug must not leave rows claiming work in progress."""
        if event.state is not WorkerState.ERROR:
            return
        error = safe_text(repr(event.worker.error), 120)
        if event.worker.group == "revoke":
            self.batch_running = False
            for key_id, result in list(self.state.results.items()):
                if result == QUEUED:
                    self.state.results[key_id] = RevokeOutcome(key_id, OutcomeKind.NOT_ATTEMPTED)
                elif result == SENDING:
                    self.state.results[key_id] = RevokeOutcome(
                        key_id, OutcomeKind.UNKNOWN, message="internal error"
                    )
                self.table.update_key(key_id, self.state)
            self.say(f"The batch stopped on an internal error ({error}); reload to check.")
        else:
            self.say(f"Loading failed on an internal error ({error}).")

    def action_reload(self) -> None:
        if self.batch_running:
            self.say("A revocation batch is running; reload when it has finished.")
            return
        self.say("Reloading…")
        self.load_keys()

    # --- status --------------------------------------------------------------------------------

    def say(self, message: str) -> None:
        self.query_one("#message", Static).update(message)

    def refresh_top_bar(self) -> None:
        """Where the app points and what the list covers; the most important part first."""
        app = self.lw_app
        bar = Text()
        if app.label:
            bar.append(f"{app.label} · ", style="italic")
        bar.append(safe_text(app.host, 50), style="bold")
        bar.append(f" · key …{safe_text(app.key_last4, 4)}")
        if self.loaded:
            bar.append(f" · {plural(len(self.state.keys))} visible to this credential")
        self.query_one("#top-bar", Static).update(bar)

    def refresh_status(self) -> None:
        state = self.state
        marked = len(state.marked)
        hidden = state.hidden_marked_count()
        shown = len(self.table.rows)
        parts = [f"{marked} marked"]
        if hidden:
            parts.append(f"{hidden} hidden by filter")
        if state.filter_text.strip():
            parts.append(f"showing {shown} of {len(state.keys)}")
            parts.append(f"filter: {safe_text(state.filter_text.strip(), 30)}")
        self.query_one("#status-line", Static).update(Text(" · ".join(parts)))
