"""The revocation flow of the keys screen: confirm, run, cancel, retry failed, history.

A plain object the keys screen owns (its actions and handlers are one-line calls here). The
batch itself is a `BatchRun` (bulk/batch_run.py): the engine reports into it, and this redraws
the rows and the progress panel from it.

The engine reports each key twice (sending, then its outcome). Those reports are applied
together every `RESULTS_INTERVAL`: at 1,000 keys, one table update and one repaint per interval
cost far less than two of each per key (benchmarks/RESULTS.md).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.worker import Worker

from lwadmin_tui.api.models import ApiKeyInfo
from lwadmin_tui.audit.fingerprint import credential_fingerprint
from lwadmin_tui.audit.history import (
    BatchHistory,
    batches,
    interrupted,
    interrupted_sentence,
    other_credential_sentence,
)
from lwadmin_tui.audit.lock import BatchRunningElsewhere
from lwadmin_tui.audit.log import AuditLog, BatchAudit
from lwadmin_tui.bulk.answers import audit_sentence
from lwadmin_tui.bulk.batch_run import BatchRun
from lwadmin_tui.bulk.control import StopReason, Target
from lwadmin_tui.bulk.engine import BulkRevoker
from lwadmin_tui.bulk.own_key import configured_own_key, guess_own_key
from lwadmin_tui.bulk.recover import settle_batch
from lwadmin_tui.outcomes import Result, RevokeOutcome, summarize
from lwadmin_tui.settings.paths import DEFAULT_PROFILE, state_dir
from lwadmin_tui.text import plural, safe_text
from lwadmin_tui.ui.messages import (
    AuditHistoryFailed,
    AuditHistoryRead,
    BatchEnded,
    OwnKeyGuessed,
    UnresolvedVerified,
)
from lwadmin_tui.ui.widgets.batch_panel import BatchPanel

if TYPE_CHECKING:
    from lwadmin_tui.ui.app import LwAdminApp
    from lwadmin_tui.ui.screens.batches import BatchesScreen
    from lwadmin_tui.ui.screens.keys_screen import KeysScreen

BATCH_GROUP = "revoke"
SETTLE_GROUP = "verify-unresolved"
RESULTS_INTERVAL = 0.05  # seconds: about three frames, well under what an admin notices

BATCH_BINDINGS = [
    Binding(
        "x",
        "cancel_batch",
        "Cancel batch",
        id="cancel_batch",
        tooltip="Stop the running batch: nothing new is sent",
    ),
    Binding(
        "t",
        "retry_failed",
        "Retry failed",
        id="retry_failed",
        show=False,
        tooltip="Revoke again the keys that failed, stayed unknown or were left out (asks)",
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
        tooltip="Guess which listed key this session uses (lists twice)",
    ),
]


class BatchFlow:
    """Owned by `KeysScreen`; the screen's batch actions and handlers call these methods."""

    own_key_pause = 1.5

    def __init__(self, screen: KeysScreen) -> None:
        self.screen = screen
        self.run: BatchRun | None = None
        """The running batch, or the last one (its counts stay in the panel)."""
        self.own_key_guess: str | None = None
        self._credential: str | None = None
        self._reports: list[tuple[str, Result]] = []
        self._apply_due = False
        self._batches_view: BatchesScreen | None = None

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
                screen.say("Nothing to revoke: no key is listed.")
                return
            targets = [screen.state.keys[key_id]]
        self.confirm_and_start(targets)

    def retry_failed(self) -> None:
        screen = self.screen
        if self.running:
            screen.say("A revocation batch is running; wait for it to finish.")
            return
        failed = [
            screen.state.keys[key_id]
            for key_id, result in screen.state.results.items()
            if isinstance(result, RevokeOutcome)
            and result.retryable
            and key_id in screen.state.keys
        ]
        if not failed:
            screen.say("Nothing to retry: no key failed, stayed unknown or was left out.")
            return
        self.confirm_and_start(failed, retrying=True)

    # Dialogs are imported when first opened: their widgets cost start-up time (benchmarks/).

    def confirm_and_start(self, targets: list[ApiKeyInfo], *, retrying: bool = False) -> None:
        from lwadmin_tui.ui.screens.confirm_revoke import ConfirmRevokeScreen

        screen, app = self.screen, self.app
        dialog = ConfirmRevokeScreen(
            targets,
            screen.state.hidden_ids(targets),
            app.host,
            guard_seconds=app.confirm_guard_seconds,
            clock=app.monotonic,
            own_key_id=self.own_key_id,
            own_key_guessed=self.own_key_guessed,
            retrying=retrying,
        )

        def confirmed(answer: bool | None) -> None:
            if answer:
                self.start_batch(targets)
            else:
                screen.say("Cancelled: nothing was sent.")

        app.push_screen(dialog, confirmed)

    def start_batch(self, targets: list[ApiKeyInfo]) -> None:
        screen, app = self.screen, self.app
        # A reload still in flight would land after the batch and wipe its results.
        screen.workers.cancel_group(screen, "load")
        run = self.run = BatchRun(screen.state.results, [key.id for key in targets])
        audit = BatchAudit(
            self.audit_log,
            app.host,
            self.profile_name,
            credential=self.credential(),
            key_last4=app.key_last4,
        )
        own = self.own_key_id
        run.engine = BulkRevoker(
            app.client,
            concurrency=app.concurrency,
            audit=audit,
            own_key_id=own,
            on_progress=self._report,
            on_outcome=lambda outcome: self._report(outcome.key_id, outcome),
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
            self._apply_reports()  # every result reaches the rows before the batch's end
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

    def cancel(self) -> bool:
        """Ask the running batch to stop sending; False if there is none to cancel."""
        if self.run is None or not self.run.cancel():
            return False
        self.panel.show(self.run)
        return True

    def cancel_pressed(self) -> None:
        if self.cancel():
            self.screen.say(
                "Cancelling: no new request is sent; those in flight finish or are verified."
            )
        else:
            self.screen.say("No batch is running.")

    # --- reports from the worker ----------------------------------------------------------------

    def _report(self, key_id: str, result: Result) -> None:
        """An engine report: kept until the next redraw (the worker runs on this event loop)."""
        self._reports.append((key_id, result))
        if not self._apply_due:
            self._apply_due = True
            self.screen.set_timer(RESULTS_INTERVAL, self._apply_reports)

    def _apply_reports(self) -> None:
        """Every report of the interval into the run, then the changed rows and status once."""
        self._apply_due = False
        run, reports = self.run, self._reports
        if run is None or not reports:
            return
        self._reports = []
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
        elif reason is StopReason.CANCELLED:
            text += " Cancelled: the keys not sent are marked not attempted."
        elif reason is StopReason.INTERNAL:
            text += " The batch stopped on an internal error: reload to see the server's state."
        if message.own_key_revoked:
            text += " This session's own key was revoked: it has lost access."
        retry = ""
        if not message.own_key_revoked and any(o.retryable for o in message.outcomes):
            retry = " t retries the failed ones."
        screen.say(text + retry + " Results stay until r reloads.")
        screen.refresh_status()
        self.tell_quit_question(text)

    def worker_failed(self, worker: Worker[object]) -> bool:
        """A batch or settling worker that failed by a bug: no row may claim work in progress.
        False for other workers."""
        if worker.group not in (BATCH_GROUP, SETTLE_GROUP):
            return False
        self._apply_reports()
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

    # --- interrupted batches, history and the own key -------------------------------------------

    def report_interrupted(self) -> None:
        """At start: batches a stop left open are said, and offered for settling."""
        self._read_history("start")

    def show_history(self) -> None:
        from lwadmin_tui.ui.screens.batches import BatchesScreen

        self._batches_view = BatchesScreen(state_dir() / "exports", log_path=self.audit_log.path)
        self.app.push_screen(self._batches_view)
        self._read_history("view")

    def _read_history(self, purpose: str) -> None:
        self.screen.run_worker(
            lambda: self._history_read(purpose),
            thread=True,
            group="history",
            exit_on_error=False,
        )

    def _history_read(self, purpose: str) -> None:
        """The audit log is read on a thread: it may be large, or not a file at all."""
        log = self.audit_log
        try:
            records = log.records()
            holder = log.lock_holder()
        except OSError as error:
            sentence = f"Could not read the audit log: {safe_text(error, 200)}"
            self.screen.post_message(AuditHistoryFailed(purpose, sentence))
            return
        read = AuditHistoryRead(purpose, batches(records), log.read_note, holder, self.credential())
        self.screen.post_message(read)

    def history_failed(self, message: AuditHistoryFailed) -> None:
        if message.purpose == "view":
            self._close_batches_view()
        self.screen.say(message.sentence)

    def _close_batches_view(self) -> None:
        view, self._batches_view = self._batches_view, None
        if view is not None and view.is_attached:
            view.dismiss()

    def history_read(self, message: AuditHistoryRead) -> None:
        if message.purpose == "view":
            self.show_batches(message)
        else:
            self.offer_interrupted(message)

    def show_batches(self, message: AuditHistoryRead) -> None:
        if not message.history:
            self._close_batches_view()
            self.screen.say("No batch has been recorded in the audit log yet.")
            return
        if self._batches_view is not None and self._batches_view.is_attached:
            self._batches_view.show_history(message.history, message.holder, message.note)

    def offer_interrupted(self, message: AuditHistoryRead) -> None:
        """Batches of this host and profile that a stop left open: those made with this
        credential are offered for settling; those of another credential are only said."""
        app, screen = self.app, self.screen
        holder = message.holder
        found = interrupted(message.history, app.host, self.profile_name)
        if holder is not None:
            found = [b for b in found if b.batch_id != holder.batch_id]
        if not found:
            return
        if holder is not None and not holder.ours:
            screen.say(
                f"{holder.describe().capitalize()} with this audit log; the batches an "
                "earlier stop left open are checked once it has ended (b shows them)."
            )
            return
        mine = [b for b in found if b.made_with(message.credential)]
        others = [b for b in found if not b.made_with(message.credential)]
        sentences = [interrupted_sentence(b) for b in mine[:1]]
        if others:
            sentences.append(other_credential_sentence(others))
        screen.say(" ".join(sentences) + " Press b to see batches.")
        if not mine:
            return
        from lwadmin_tui.ui.screens.interrupted import InterruptedBatchScreen

        def answered(verify: bool | None) -> None:
            if verify:
                self.verify_interrupted(mine)

        app.push_screen(InterruptedBatchScreen(mine, len(others)), answered)

    def verify_interrupted(self, found: list[BatchHistory]) -> None:
        screen = self.screen
        if self.running:
            screen.say("A batch is running; settle the interrupted ones when it has ended.")
            return
        key_ids = [key.key_id for batch in found for key in batch.unresolved]
        self.run = BatchRun(screen.state.results, key_ids, settling=True)
        screen.refresh_bindings()
        screen.say(f"Verifying {plural(len(self.run.key_ids))} of the interrupted batch…")
        work = self._settle(found, self.audit_log)
        screen.run_worker(work, group=SETTLE_GROUP, exclusive=True, exit_on_error=False)

    async def _settle(self, found: list[BatchHistory], log: AuditLog) -> None:
        """Settle the batches a stop left open (reads only, no DELETE), holding the batch lock."""
        outcomes: list[RevokeOutcome] = []
        problem = ""
        try:
            lock = await asyncio.to_thread(log.batch_lock, found[0].batch_id)
        except BatchRunningElsewhere as busy:
            problem = str(busy)
        except OSError as error:
            problem = audit_sentence(error)
        else:
            try:
                # Read again under the lock: a batch of another process may have ended since
                # the start-up read, and it must not be settled from that old snapshot.
                wanted = {batch.batch_id for batch in found}
                records = await asyncio.to_thread(log.records)
                found = [b for b in batches(records) if b.batch_id in wanted and b.needs_settling]
                for batch in found:
                    outcomes += await settle_batch(
                        client=self.app.client,
                        batch=batch,
                        log=log,
                        on_outcome=lambda o: self._report(o.key_id, o),
                    )
            except OSError as error:
                problem = audit_sentence(error)
            finally:
                lock.release()
        self._apply_reports()
        when = ", ".join(batch.started_local() for batch in found)
        self.screen.post_message(UnresolvedVerified(outcomes, when, problem))

    def unresolved_verified(self, message: UnresolvedVerified) -> None:
        if self.run is not None:
            self.run.end()
        self.screen.refresh_bindings()
        if message.problem:
            text = f"The interrupted batches were not settled: {message.problem}."
        elif not message.when:
            text = "Nothing left to verify: the interrupted batches were settled meanwhile."
        else:
            text = f"Interrupted batch at {message.when}, verified: {summarize(message.outcomes)}."
        self.screen.say(text)
        self.tell_quit_question(text)

    def detect_own_key(self) -> None:
        if configured_own_key(self.app.session.own_key_id):
            self.screen.say("This session's own key id is configured; no guess needed.")
            return
        self.screen.say("Listing twice to see whose last use moves…")
        self.screen.run_worker(
            self._guess_own_key(), group="own-key", exclusive=True, exit_on_error=False
        )

    async def _guess_own_key(self) -> None:
        from lwadmin_tui.api.errors import LangWatchError

        try:
            key_id, reason = await guess_own_key(self.app.client, self.own_key_pause)
        except LangWatchError as error:
            key_id, reason = None, f"could not list the keys: {error.message}"
        self.screen.post_message(OwnKeyGuessed(key_id, reason))

    def own_key_guessed_as(self, message: OwnKeyGuessed) -> None:
        screen = self.screen
        reason = safe_text(message.reason, 120)
        if message.key_id is None:
            screen.say(f"Own key: {reason}.")
            return
        self.own_key_guess = message.key_id
        key = screen.state.keys.get(message.key_id)
        name = safe_text(key.name if key is not None else message.key_id, 40)
        screen.say(f"This session's key is probably {name} ({reason}).")
