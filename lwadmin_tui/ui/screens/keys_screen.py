"""The main screen: the keys table, the filter, the status lines; loading the list.

It owns plain objects by job: `finding` (filters, sort, marks, details: key_finding.py),
`batches` (confirm, run, cancel, retry: batch_flow.py) and `history` (the audit log's batches,
settling interrupted ones: history_flow.py). Its actions and message
handlers are one-line calls into them, as Textual finds those on the screen. Workers do the
I/O and post messages named as facts. Nothing is sent before the confirmation dialog returns
True.
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
from lwadmin_tui.text import plural, safe_text
from lwadmin_tui.ui.messages import (
    AuditHistoryFailed,
    AuditHistoryRead,
    BatchEnded,
    DetailsReadEnded,
    KeyCreated,
    KeysExported,
    KeysLoaded,
    LoadFailed,
    OwnersCached,
    OwnKeyGuessed,
    PairsRead,
    PeopleLoaded,
    PlanWritten,
    RollEnded,
    ScopeNamesLoaded,
    ShowToken,
    UnresolvedVerified,
)
from lwadmin_tui.ui.screens.batch_flow import BATCH_BINDINGS, BatchFlow
from lwadmin_tui.ui.screens.create_flow import CREATE_BINDINGS, CreateFlow
from lwadmin_tui.ui.screens.history_flow import HistoryFlow
from lwadmin_tui.ui.screens.key_finding import KEY_BINDINGS, KeyFinding
from lwadmin_tui.ui.screens.owner_flow import OWNER_BINDINGS, READS_GROUP, OwnerFlow
from lwadmin_tui.ui.screens.plan_flow import PLAN_BINDINGS, PlanFlow
from lwadmin_tui.ui.screens.roll_flow import ROLL_BINDINGS, RollFlow
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
    "export": "Exporting the shown keys",
    READS_GROUP: "Reading the keys' details",
    "people": "Reading the owners' names",
    "owner-cache": "Reading the owner cache",
    "owner-cache-write": "Writing the owner cache",
    "plan": "Writing the plan",
    "roll": "Rolling keys",
    "create": "Creating a key",
    "pairs": "Reading the rolled pairs",
}


class KeysScreen(Screen[None]):
    BINDINGS = [
        *KEY_BINDINGS,
        *OWNER_BINDINGS,
        *PLAN_BINDINGS,
        *ROLL_BINDINGS,
        *CREATE_BINDINGS,
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
        self.finding = KeyFinding(self)
        self.batches = BatchFlow(self)
        self.history = HistoryFlow(self, self.batches)
        self.owners = OwnerFlow(self)
        self.plans = PlanFlow(self)
        self.rolls = RollFlow(self)
        self.creates = CreateFlow(self)
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

    @property
    def batch_running(self) -> bool:
        return self.batches.running

    def busy(self) -> str:
        """What runs now, as a sentence to wait for ("" when nothing does): a dialog answered
        after something else started (from the palette, under it) starts nothing beside it."""
        if self.batches.running:
            return "A revocation batch is running; wait for it to finish (x cancels it)."
        if self.rolls.running or self.creates.running:
            return "Keys are being rolled or created: wait for that to end."
        if self.owners.running:
            return "The keys' details are being read: x stops the reads."
        return ""

    # --- loading -------------------------------------------------------------------------------

    @work(exclusive=True, group="load", exit_on_error=False)
    async def load_keys(self, keep: frozenset[str] | None = None) -> None:
        try:
            keys = await self.lw_app.fetch_keys()
        except Unauthorized as error:
            self.post_message(LoadFailed(error.message, credential_rejected=True))
        except LangWatchError as error:
            self.post_message(LoadFailed(error.message))
        else:
            self.post_message(KeysLoaded(keys, keep))

    def on_keys_loaded(self, message: KeysLoaded) -> None:
        if self.batch_running:
            return  # a list read before the batch would wipe its results; r reloads after it
        self.show_keys(message.keys, keep=message.keep)

    def show_keys(
        self, keys: tuple[ApiKeyInfo, ...], *, keep: frozenset[str] | None = None
    ) -> None:
        if not self.state.scopes.loaded:
            # After the list, not beside it: its 2xx would move the key's own lastUsedAt first.
            self.finding.load_scope_names()
        with gc_tuning.paused():  # the rows are built without collections, then frozen
            self.owners.load_cache()  # first: the first rows show the cached owners
            if keep is not None:
                self.state.load_keeping_results(keys, keep)
            else:
                self.state.load(keys)
            self.loaded = True
            self.rebuild_table()
        if keep is None:
            self.batches.list_reloaded()
        self.rolls.keys_listed()
        self.refresh_top_bar()
        notes = (
            f"{self.repeats_note()}{self.files_note()}{self.owners.load_note()}"
            f"{self.rolls.load_note()}{self.creates.load_note()}"
        )
        self.say(f"Loaded {plural(self.state.listed_count)}.{notes}")
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

    def files_note(self) -> str:
        """In the demo, once: its audit log and exports do not outlive it."""
        if not self.lw_app.session.temporary_files or self.interrupted_reported:
            return ""
        folder = safe_text(self.batches.audit_log.path.parent, 120)
        return f" Demo: the audit log and exports go to {folder}, deleted when the app quits."

    def after_first_load(self) -> None:
        """Batches a killed run left open are reported once a list is shown: said earlier, the
        notice was overwritten by "Loaded N keys." when the list came; and checking them needs
        the server that just answered."""
        if self.lw_app.session.plan is not None:
            self.plans.open(self.lw_app.session.plan)
        if not self.interrupted_reported:
            self.interrupted_reported = True
            # Also reads the rolled pairs: old keys kept for their cutover say so in their row.
            self.call_after_refresh(self.history.report_interrupted)

    def on_load_failed(self, message: LoadFailed) -> None:
        reason = safe_text(message.message, 160)
        if message.credential_rejected and self.batches.own_key_revoked_at:
            self.say(
                f"The server rejected the API key (401): this session's own key was revoked in "
                f"this session, by the batch at {self.batches.own_key_revoked_at}. Start again "
                "with another organization API key."
            )
        elif message.credential_rejected:
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

    def refresh_filter_bar(self) -> None:
        """The counts of the filter line (owners known) without filtering again."""
        self.query_one(FilterBar).show_state(self.state, self.table.row_count)

    # Finding keys: key_finding.py.

    def action_toggle_mark(self) -> None:
        self.finding.toggle_mark()

    def action_mark_all(self) -> None:
        self.finding.mark_all()

    def action_clear_marks(self) -> None:
        self.finding.clear_marks()

    def action_invert_marks(self) -> None:
        self.finding.invert_marks()

    def action_range(self) -> None:
        self.finding.start_or_cancel_range()

    def action_cancel_range(self) -> None:
        self.finding.cancel_range()

    def action_mark_extend(self, step: int) -> None:
        self.finding.mark_extend(step)

    def action_quick_filters(self) -> None:
        self.finding.open_quick_filters()

    def action_toggle_expired(self) -> None:
        self.finding.toggle_expired()

    def action_toggle_never_used(self) -> None:
        self.finding.toggle_never_used()

    def action_clear_filters(self) -> None:
        self.finding.clear_filters()

    def action_sort_next(self) -> None:
        self.finding.sort_by(self.state.sort.next_column())

    def action_sort_reverse(self) -> None:
        self.finding.sort_by(self.state.sort.reversed())

    def action_sort_by(self, column: str, descending: bool = False) -> None:
        self.finding.sort_by_name(column, descending)

    def on_keys_table_header_selected(self, event: KeysTable.HeaderSelected) -> None:
        self.finding.sort_by(self.state.sort.on_column(event.column))

    def action_details(self) -> None:
        self.finding.open_details()

    def action_export_shown(self) -> None:
        self.finding.export_shown()

    def on_keys_exported(self, message: KeysExported) -> None:
        self.finding.keys_exported(message)

    def on_scope_names_loaded(self, message: ScopeNamesLoaded) -> None:
        self.finding.scope_names_loaded(message)

    def action_focus_filter(self) -> None:
        # At once, not after a refresh (`Widget.focus`): keys typed right after `/` must
        # find the filter focused (LwAdminApp._on_key passes on the ones already queued).
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

    # Owners: owner_flow.py.

    def action_read_owners(self) -> None:
        self.owners.read_owners()

    def action_owner_filter(self) -> None:
        self.owners.pick_owner()

    def action_cycle_key_type(self) -> None:
        self.owners.cycle_key_type()

    def on_details_read_ended(self, message: DetailsReadEnded) -> None:
        self.owners.ended(message)

    def on_owners_cached(self, message: OwnersCached) -> None:
        self.owners.cached(message)

    def on_people_loaded(self, message: PeopleLoaded) -> None:
        self.owners.people_loaded(message)

    def action_write_plan(self) -> None:
        self.plans.write()

    def on_plan_written(self, message: PlanWritten) -> None:
        self.plans.written(message)

    # --- revocation: batch_flow.py -------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The cancel key shows in the footer only while a batch or the detail reads run."""
        if action == "cancel_batch":
            return self.batches.running or self.owners.running or self.rolls.running
        return super().check_action(action, parameters)

    def action_revoke(self) -> None:
        self.batches.revoke()

    def action_roll(self) -> None:
        self.rolls.ask()

    def action_cutover(self) -> None:
        self.rolls.show_cutover()

    def cursor_keys(self) -> list[ApiKeyInfo]:
        """The key under the cursor, as a list (empty when none is listed)."""
        key_id = self.table.cursor_key()
        return [self.state.keys[key_id]] if key_id is not None else []

    def action_create_key(self) -> None:
        self.creates.ask()

    def on_key_created(self, message: KeyCreated) -> None:
        self.creates.created(message)

    def on_roll_ended(self, message: RollEnded) -> None:
        self.rolls.ended(message)

    def on_pairs_read(self, message: PairsRead) -> None:
        self.rolls.pairs_read(message)

    def on_show_token(self, message: ShowToken) -> None:
        from lwadmin_tui.ui.screens.token_screen import TokenScreen

        guard = self.lw_app.confirm_guard_seconds
        token = TokenScreen(
            message.delivery, message.seen, guard_seconds=guard, clock=self.lw_app.monotonic
        )
        self.app.push_screen(token)

    def action_retry_failed(self) -> None:
        self.batches.retry_failed()

    def action_cancel_batch(self) -> None:
        if self.rolls.running and not self.batches.running:
            self.rolls.cancel()
            return
        if self.owners.running and not self.batches.running:
            self.owners.cancel()
            return
        self.batches.cancel_pressed()

    def action_batches(self) -> None:
        self.history.show_history()

    def action_detect_own_key(self) -> None:
        self.batches.detect_own_key()

    def on_batch_ended(self, message: BatchEnded) -> None:
        self.batches.batch_ended(message)

    def on_unresolved_verified(self, message: UnresolvedVerified) -> None:
        self.history.unresolved_verified(message)

    def on_audit_history_read(self, message: AuditHistoryRead) -> None:
        self.history.history_read(message)

    def on_audit_history_failed(self, message: AuditHistoryFailed) -> None:
        self.history.history_failed(message)

    def on_own_key_guessed(self, message: OwnKeyGuessed) -> None:
        self.batches.own_key_guessed_as(message)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker that failed by a bug says which job failed, and leaves no row claiming
        work in progress."""
        if event.state is not WorkerState.ERROR or self.batches.worker_failed(event.worker):
            return
        if event.worker.group == READS_GROUP:
            self.owners.worker_failed()
        if event.worker.group == "own-key":
            self.batches.watching = False
            self.refresh_status()
        if event.worker.group in ("roll", "create"):
            self.rolls.worker_failed()
            self.creates.running = False
        error = safe_text(repr(event.worker.error), 120)
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

    def say(self, message: str, *, passing: bool = False) -> None:
        """`passing`: the answer to one key press ("Cancelled: nothing was sent."); the next
        key press puts back the message it covered, so it does not linger through what follows."""
        if not passing:
            self._lasting = message
        self._passing = passing
        self.query_one("#message", MessageLine).update(message)

    _lasting = ""
    _passing = False

    def on_key(self, event: events.Key) -> None:
        """Before the key's binding runs (it may say something new)."""
        if self._passing:
            self.say(self._lasting)

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
            bar.append(self.coverage_note(), style="italic")
        self.query_one("#top-bar", OneLine).update(bar)

    def coverage_note(self) -> str:
        """What the list covers, once it is known: the detail of this session's own key (`g` in
        its details, or `o`) gives the credential's type."""
        own = self.batches.own_key_id
        ownership = self.state.owners.get(own) if own else None
        if ownership is None:
            return ""
        if ownership.key_type == "personal":
            return " (a personal key: only its owner's keys and the service keys)"
        if ownership.key_type == "service":
            return " (a service key: every key, with an organization-wide ADMIN binding)"
        return ""

    def on_screen_resume(self) -> None:
        self.refresh_top_bar()  # a detail fetched meanwhile may tell what the list covers
        self.owners.after_details()

    def refresh_status(self) -> None:
        state = self.state
        marked = len(state.marked)
        hidden = state.hidden_marked_count()
        parts = [f"{marked} marked"]
        if hidden:
            parts.append(f"{hidden} hidden by filter")
        if state.range_anchor is not None:
            parts.append(self.finding.range_hint())
        if self.owners.running:
            parts.append(self.owners.progress())
        if self.batches.watching:
            parts.append("w: watching whose last use moves")
        self.query_one("#status-line", OneLine).update(Text(" · ".join(parts)))
