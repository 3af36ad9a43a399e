"""The revocation flow of the keys screen: confirm, run, cancel, retry failed, the own key.

A plain object the keys screen owns (its actions and handlers are one-line calls here). The
batch itself is a `BatchRun` (bulk/batch_run.py): the engine reports into it, and this redraws
the rows and the progress panel from it.

The engine reports each key twice (sending, then its outcome). Those reports are applied
together every `RESULTS_INTERVAL`: at 1,000 keys, one table update and one repaint per interval
cost far less than two of each per key (benchmarks/RESULTS.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.worker import Worker

from lwadmin_tui.api.models import ApiKeyInfo
from lwadmin_tui.audit.fingerprint import credential_fingerprint
from lwadmin_tui.audit.log import AuditLog, BatchAudit
from lwadmin_tui.bulk.batch_run import BatchRun
from lwadmin_tui.bulk.control import StopReason, Target
from lwadmin_tui.bulk.engine import BulkRevoker
from lwadmin_tui.bulk.own_key import (
    SETTLE_SECONDS,
    WATCH_SECONDS,
    candidates_from_details,
    configured_own_key,
    guess_own_key,
)
from lwadmin_tui.keys.owners import coverage_note
from lwadmin_tui.outcomes import OutcomeKind, Result, RevokeOutcome, refusals_sentence, summarize
from lwadmin_tui.roll.records import RollAudit
from lwadmin_tui.settings.paths import DEFAULT_PROFILE
from lwadmin_tui.text import plural, safe_text
from lwadmin_tui.ui.messages import (
    BatchEnded,
    OwnKeyGuessed,
)
from lwadmin_tui.ui.screens.history_flow import SETTLE_GROUP
from lwadmin_tui.ui.widgets.batch_panel import BatchPanel

if TYPE_CHECKING:
    from lwadmin_tui.ui.app import LwAdminApp
    from lwadmin_tui.ui.screens.keys_screen import KeysScreen

BATCH_GROUP = "revoke"
RESULTS_INTERVAL = 0.05  # seconds: about three frames, well under what an admin notices

BATCH_BINDINGS = [
    Binding(
        "x",
        "cancel_batch",
        "Cancel",
        id="cancel_batch",
        tooltip="Stop the running batch (nothing new is sent) or the detail reads of o",
    ),
    Binding(
        "t",
        "retry_failed",
        "Retry failed",
        id="retry_failed",
        show=False,
        tooltip="Send again what another try could change: network, 5xx, 429, unknown (asks)",
    ),
    Binding(
        "b",
        "batches",
        "Batches",
        id="batches",
        show=False,
        tooltip="Recent batches from the audit log, per-key results, export CSV + JSON",
    ),
    Binding(
        "w",
        "detect_own_key",
        "Own key?",
        id="detect_own_key",
        show=False,
        tooltip="Guess which listed key this session uses: from the keys' details after o, "
        "else by watching whose last use moves for a minute",
    ),
]


class BatchFlow:
    """Owned by `KeysScreen`; the screen's batch actions and handlers call these methods."""

    own_key_pause = WATCH_SECONDS
    own_key_settle = SETTLE_SECONDS

    def __init__(self, screen: KeysScreen) -> None:
        self.screen = screen
        self.own_key_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
        self.watching = False
        """The own-key guess is listing and waiting (`w`)."""
        self.run: BatchRun | None = None
        """The running batch (or settling: history_flow.py), or the last one."""
        self.own_key_guess: str | None = None
        self.own_key_revoked_at = ""
        """When a batch of this session revoked its own key (HH:MM), once one has."""
        self._credential: str | None = None
        self.reports: list[tuple[str, Result]] = []
        self._apply_due = False

    @property
    def app(self) -> LwAdminApp:
        return self.screen.lw_app

    @property
    def running(self) -> bool:
        return self.run is not None and self.run.running

    @property
    def settling(self) -> bool:
        """Verifying interrupted batches (reads only): nothing to cancel."""
        return self.running and self.run is not None and self.run.settling

    @property
    def panel(self) -> BatchPanel:
        return self.screen.query_one(BatchPanel)

    @property
    def audit_log(self) -> AuditLog:
        return AuditLog()  # resolved per batch: the state dir comes from the environment

    @property
    def profile_name(self) -> str:
        return self.app.session.profile or DEFAULT_PROFILE

    def new_audit(self, reason: str = "") -> BatchAudit:
        """A batch's records: this host, profile and credential (a roll's old keys too)."""
        app = self.app
        return BatchAudit(
            self.audit_log,
            app.host,
            self.profile_name,
            credential=self.credential(),
            key_last4=app.key_last4,
            reason=reason,
        )

    def new_roll_audit(self) -> RollAudit:
        """A roll's or a create's records, stamped as a batch's are."""
        app = self.app
        return RollAudit(
            self.audit_log,
            app.host,
            self.profile_name,
            credential=self.credential(),
            key_last4=app.key_last4,
        )

    def credential(self) -> str | None:
        """The credential's keyed fingerprint for the audit log (None if no salt can be kept).

        Blocking (a small private file): the start-up read computes it on a thread first.
        """
        if self._credential is None:
            try:
                self._credential = credential_fingerprint(
                    self.app.session.api_key, self.audit_log.path.parent
                )
            except OSError:
                return None
        return self._credential

    @property
    def own_key_id(self) -> str | None:
        """From the profile / app / LWADMIN_OWN_KEY_ID; else the detection step's guess."""
        return configured_own_key(self.app.session.own_key_id) or self.own_key_guess

    @property
    def own_key_guessed(self) -> bool:
        return configured_own_key(self.app.session.own_key_id) is None

    # --- starting -------------------------------------------------------------------------

    def revoke(self) -> None:
        screen = self.screen
        if self.running:
            screen.say("A revocation batch is running; wait for it to finish (x cancels it).")
            return
        targets = screen.state.marked_keys()
        if not targets:
            key_id = screen.table.cursor_key()
            if key_id is None:
                screen.say("Nothing to revoke: no key is listed.", passing=True)
                return
            targets = [screen.state.keys[key_id]]
        self.confirm_and_start(targets)

    def retry_failed(self) -> None:
        screen = self.screen
        if self.running:
            screen.say("A revocation batch is running; wait for it to finish.")
            return
        outcomes = [
            result
            for key_id, result in screen.state.results.items()
            if isinstance(result, RevokeOutcome) and key_id in screen.state.keys
        ]
        failed = [screen.state.keys[o.key_id] for o in outcomes if o.retryable]
        if not failed:
            refused = refusals_sentence(outcomes)
            if refused:
                screen.say(
                    f"Nothing to retry: {refused}; another try gets the same answer.", passing=True
                )
            else:
                screen.say(
                    "Nothing to retry: no key failed, stayed unknown or was left out.", passing=True
                )
            return
        # An old key of a rolled pair whose new key went away is the key that works: left out.
        kept = set(screen.rolls.replaced_gone([key.id for key in failed]))
        if kept:
            failed = [key for key in failed if key.id not in kept]
            screen.say(
                f"Left out of the retry: {plural(len(kept))} of rolled pairs whose new key is gone "
                "or expired (each is the key that works now; d revokes it if you mean it)."
            )
        if not failed:
            return
        still = screen.rolls.replacements_still_there(failed)
        self.confirm_and_start(failed, retrying=True, still=still)

    # Dialogs are imported when first opened: their widgets cost start-up time (benchmarks/).

    def confirm_and_start(
        self,
        targets: list[ApiKeyInfo],
        *,
        retrying: bool = False,
        still: Callable[[], str] | None = None,
    ) -> None:
        """`still`: asked again when `y` comes; a sentence saying what changed under the
        question means nothing is sent ("" when the question still holds)."""
        from lwadmin_tui.ui.screens.confirm_revoke import ConfirmRevokeScreen

        screen, app = self.screen, self.app
        if self.running:  # one batch at a time: its rows, its audit lock, its end
            screen.say("A revocation batch is running; wait for it to finish (x cancels it).")
            return
        if screen.rolls.running or screen.creates.running:
            screen.say("Keys are being rolled or created: revoke when that has ended.")
            return
        if screen.owners.running:
            # The reads hold the client's connections: a DELETE would wait behind them, and a
            # cancel could no longer stop it.
            screen.say("The keys' details are being read: x stops the reads, then d revokes.")
            return
        dialog = ConfirmRevokeScreen(
            targets,
            screen.state.hidden_ids(targets),
            app.host,
            guard_seconds=app.confirm_guard_seconds,
            clock=app.monotonic,
            own_key_id=self.own_key_id,
            own_key_guessed=self.own_key_guessed,
            retrying=retrying,
            now=app.clock(),
            owners=screen.state.owners,
            owners_note=self.owners_note(),
        )

        def confirmed(answer: bool | None) -> None:
            busy = screen.busy() or (still() if answer and still is not None else "")
            if answer and busy:
                screen.say(f"Nothing was sent. {busy}")
            elif answer:
                self.start_batch(targets, reason=dialog.reason)
            else:
                screen.say("Cancelled: nothing was sent.", passing=True)

        app.push_screen(dialog, confirmed)

    def owners_note(self) -> str:
        state = self.screen.state
        if state.owners_known >= len(state.keys):
            return ""
        if state.owners_incomplete or state.marked_by_owner:
            return coverage_note(state.owners_known, len(state.keys))
        return ""

    def start_batch(self, targets: list[ApiKeyInfo], *, reason: str = "") -> None:
        screen, app = self.screen, self.app
        # A reload still in flight would land after the batch and wipe its results.
        screen.workers.cancel_group(screen, "load")
        key_ids = [key.id for key in targets]
        run = self.run = BatchRun(screen.state.results, key_ids, clock=app.clock)
        audit = self.new_audit(reason)
        own = self.own_key_id
        run.engine = BulkRevoker(
            app.client,
            concurrency=app.concurrency,
            audit=audit,
            own_key_id=own,
            on_progress=self.report,
            on_outcome=lambda outcome: self.report(outcome.key_id, outcome),
        )
        screen.refresh_bindings()
        screen.table.update_keys(set(run.key_ids), screen.state)
        screen.say(f"Revoking {plural(run.total)}… (x cancels: nothing new is sent)")
        self.panel.show(run)
        work = self._revoke(run, run.engine, [Target(key.id, key.name) for key in targets])
        screen.run_worker(work, group=BATCH_GROUP, exclusive=True, exit_on_error=False)

    async def _revoke(self, run: BatchRun, engine: BulkRevoker, targets: list[Target]) -> None:
        own = engine.own_key_id
        try:
            outcomes = await engine.run(targets)
        finally:
            self.apply_reports()  # every result reaches the rows before the batch's end
        self.screen.post_message(
            BatchEnded(
                outcomes,
                engine.stop_reason,
                engine.audit.batch_id if engine.audit else "",
                any(o.key_id == own and o.done for o in outcomes),
                stop_detail=engine.stop_detail,
                sent_any=engine.sent_any,
            )
        )

    def list_reloaded(self) -> None:
        """A new list replaced the rows' results: the last batch's progress goes with them."""
        if not self.running:
            self.panel.hide()

    def cancel(self) -> bool:
        """Ask the running batch to stop sending; False if there is none to cancel."""
        if self.run is None or not self.run.cancel():
            return False
        self.panel.show(self.run)
        return True

    def cancel_pressed(self) -> None:
        self.apply_reports()  # count what has been sent up to this key press
        waiting = self.run.waiting if self.run is not None else 0
        if self.settling:
            self.screen.say(
                "The interrupted batches are being verified (reads only): nothing to cancel.",
                passing=True,
            )
        elif not self.cancel():
            self.screen.say("No batch is running.", passing=True)
        elif waiting:
            self.screen.say(
                "Cancelling: no new request is sent; those in flight finish or are verified."
            )
        else:
            self.screen.say(
                "Every key was already sent: nothing was left to stop. The requests in flight "
                "finish or are verified."
            )

    # --- reports from the worker ----------------------------------------------------------------

    def report(self, key_id: str, result: Result) -> None:
        """An engine report: kept until the next redraw (the worker runs on this event loop)."""
        self.reports.append((key_id, result))
        if not self._apply_due:
            self._apply_due = True
            # The event loop's timer, not Textual's `set_timer`: a one-shot Textual timer is
            # dropped without firing when the loop is held up past its delay as it starts.
            asyncio.get_running_loop().call_later(RESULTS_INTERVAL, self.apply_reports)

    def apply_reports(self) -> None:
        """Every report of the interval into the run, then the changed rows and status once."""
        self._apply_due = False
        run, reports = self.run, self.reports
        if run is None or not reports or not self.screen.is_attached:  # the app has gone
            return
        self.reports = []
        screen, state = self.screen, self.screen.state
        for key_id, result in reports:
            run.record(key_id, result)
            if isinstance(result, RevokeOutcome) and result.done:
                state.marked.discard(key_id)
        screen.table.update_keys({key_id for key_id, _ in reports}, state)
        if not run.settling:
            self.panel.show(run)
        screen.refresh_status()

    def batch_ended(self, message: BatchEnded) -> None:
        screen = self.screen
        if self.run is not None:
            self.run.end()
            self.panel.show(self.run)
        screen.refresh_bindings()
        text = f"Done. {summarize(message.outcomes)}."
        reason, detail = message.stop_reason, message.stop_detail
        if reason is StopReason.BUSY or (reason is StopReason.AUDIT and not message.sent_any):
            text = f"Nothing was sent: {detail}."
        elif reason is StopReason.AUDIT:
            text += (
                f" The batch stopped: {detail}. Nothing more was sent; each request that was "
                "sent had its record on disk first."
            )
        elif reason is StopReason.UNAUTHORIZED:
            text += " The server rejected the API key (401): the batch stopped."
        elif reason is StopReason.CANCELLED and not any(
            o.kind is OutcomeKind.NOT_ATTEMPTED for o in message.outcomes
        ):
            text += " Not cancelled: the cancel came after every key was sent."
        elif reason is StopReason.CANCELLED:
            text += " Cancelled: the keys not sent are marked not attempted."
        elif reason is StopReason.INTERNAL:
            text += " The batch stopped on an internal error: reload to see the server's state."
        if message.own_key_revoked:
            text += " This session's own key was revoked: it has lost access."
            self.own_key_revoked_at = self.app.clock().astimezone().strftime("%H:%M")
        retry = ""
        if not message.own_key_revoked and any(o.retryable for o in message.outcomes):
            retry = " t retries the ones another try could change."
        if refused := refusals_sentence(message.outcomes):
            retry += f" {refused[0].upper()}{refused[1:]}."
        screen.say(text + retry + " Results stay until r reloads.")
        screen.refresh_status()
        self.tell_quit_question(text)

    def worker_failed(self, worker: Worker[object]) -> bool:
        """A batch or settling worker that failed by a bug: no row may claim work in progress.
        False for other workers."""
        if worker.group not in (BATCH_GROUP, SETTLE_GROUP):
            return False
        self.apply_reports()
        run = self.run
        if run is not None and run.running:
            self.screen.table.update_keys(set(run.abandon()), self.screen.state)
            if not run.settling:
                self.panel.show(run)
        self.screen.refresh_bindings()
        if worker.group == BATCH_GROUP:
            error = safe_text(repr(worker.error), 120)
            self.screen.say(f"The batch stopped on an internal error ({error}); reload to check.")
            return True
        return False  # the screen says which job failed

    def tell_quit_question(self, summary: str) -> None:
        """A quit question asked while the batch ran must not outlive it (quit_confirm.py)."""
        from lwadmin_tui.ui.screens.quit_confirm import QuitWhileRunningScreen

        for open_screen in self.app.screen_stack:
            if isinstance(open_screen, QuitWhileRunningScreen):
                open_screen.batch_ended(summary)

    # --- the own key ---------------------------------------------------------------------------

    def detect_own_key(self) -> None:
        if configured_own_key(self.app.session.own_key_id):
            self.screen.say("This session's own key id is configured; no guess needed.")
            return
        if self.watching:
            self.screen.say("Still watching whose last use moves (about a minute in all).")
            return
        state = self.screen.state
        narrowed = candidates_from_details(state.keys.values(), state.owners)
        if narrowed is None or len(narrowed[0]) != 1:
            self.screen.say(
                "Watching whose last use moves, for about a minute (the server writes it at most "
                "once a minute)…"
            )
        self.watching = True
        self.screen.refresh_status()
        self.screen.run_worker(  # the method, not a coroutine: see OwnerFlow.load_people
            self._guess_own_key,  # type: ignore[arg-type]  # a coroutine function runs too
            group="own-key",
            exclusive=True,
            exit_on_error=False,
        )

    async def _guess_own_key(self) -> None:
        from lwadmin_tui.api.errors import LangWatchError

        state = self.screen.state
        try:
            key_id, reason = await guess_own_key(
                self.app.client,
                self.own_key_pause,
                self.own_key_sleep,
                keys=list(state.keys.values()),
                owners=dict(state.owners),
                settle=self.own_key_settle,
            )
        except LangWatchError as error:
            key_id, reason = None, f"could not list the keys: {error.message}"
        self.screen.post_message(OwnKeyGuessed(key_id, reason))

    def own_key_guessed_as(self, message: OwnKeyGuessed) -> None:
        screen = self.screen
        self.watching = False
        screen.refresh_status()
        reason = safe_text(message.reason, 240)
        if message.key_id is None:
            screen.say(f"Own key: {reason}.")
            return
        self.own_key_guess = message.key_id
        key = screen.state.keys.get(message.key_id)
        name = safe_text(key.name if key is not None else message.key_id, 40)
        screen.say(f"This session's key is probably {name} ({reason}).")
