"""The audit log seen from the keys screen: the batches view (`b`), and the batches a stop left
open, reported at start and settled on request (reads only, under the batch lock).

A plain object the keys screen owns beside `BatchFlow`, whose `BatchRun` the settling uses: the
rows show what each read-back found, and no revocation may start while it runs.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from lwadmin_tui.audit.history import (
    BatchHistory,
    batches,
    interrupted,
    interrupted_sentence,
    other_credential_sentence,
)
from lwadmin_tui.audit.lock import BatchRunningElsewhere
from lwadmin_tui.audit.log import AuditLog
from lwadmin_tui.bulk.answers import audit_sentence
from lwadmin_tui.bulk.batch_run import BatchRun
from lwadmin_tui.bulk.recover import settle_batch
from lwadmin_tui.outcomes import RevokeOutcome, summarize
from lwadmin_tui.settings.paths import exports_dir
from lwadmin_tui.text import plural, safe_text
from lwadmin_tui.ui.messages import AuditHistoryFailed, AuditHistoryRead, UnresolvedVerified

if TYPE_CHECKING:
    from lwadmin_tui.ui.app import LwAdminApp
    from lwadmin_tui.ui.screens.batch_flow import BatchFlow
    from lwadmin_tui.ui.screens.batches import BatchesScreen
    from lwadmin_tui.ui.screens.keys_screen import KeysScreen

SETTLE_GROUP = "verify-unresolved"


class HistoryFlow:
    """Owned by `KeysScreen`; the screen's history actions and handlers call these methods."""

    def __init__(self, screen: KeysScreen, batch_flow: BatchFlow) -> None:
        self.screen = screen
        self.batch_flow = batch_flow
        self._batches_view: BatchesScreen | None = None

    @property
    def app(self) -> LwAdminApp:
        return self.screen.lw_app

    def report_interrupted(self) -> None:
        """At start: batches a stop left open are said, and offered for settling."""
        self._read_history("start")

    def show_history(self) -> None:
        from lwadmin_tui.ui.screens.batches import BatchesScreen

        self._batches_view = BatchesScreen(
            exports_dir(),
            log_path=self.batch_flow.audit_log.path,
            temporary=self.app.session.temporary_files,
        )
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
        log = self.batch_flow.audit_log
        try:
            records = log.records()
            holder = log.lock_holder()
        except OSError as error:
            sentence = f"Could not read the audit log: {safe_text(error, 200)}"
            self.screen.post_message(AuditHistoryFailed(purpose, sentence))
            return
        read = AuditHistoryRead(
            purpose, batches(records), log.read_note, holder, self.batch_flow.credential()
        )
        self.screen.post_message(read)
        if purpose == "start":  # the same records say which keys were rolled
            self.screen.post_message(self.screen.rolls.pairs_in(records))

    def history_failed(self, message: AuditHistoryFailed) -> None:
        if message.purpose == "view":
            self._close_batches_view()
        self.screen.say(message.sentence)

    def _close_batches_view(self) -> None:
        view, self._batches_view = self._batches_view, None
        if view is not None and view.is_attached:
            view.dismiss()  # under a token screen, it closes once it is on top again (Modal)

    def history_read(self, message: AuditHistoryRead) -> None:
        if message.purpose == "view":
            self.show_batches(message)
        else:
            self.offer_interrupted(message)

    def show_batches(self, message: AuditHistoryRead) -> None:
        if not message.history:
            self._close_batches_view()
            path = safe_text(self.batch_flow.audit_log.path, 200)
            self.screen.say(f"No batch has been recorded in the audit log ({path}) yet.")
            return
        if self._batches_view is not None and self._batches_view.is_attached:
            self._batches_view.show_history(message.history, message.holder, message.note)

    def offer_interrupted(self, message: AuditHistoryRead) -> None:
        """Batches of this host and profile that a stop left open: those made with this
        credential are offered for settling; those of another credential are only said."""
        app, screen = self.app, self.screen
        holder = message.holder
        found = interrupted(message.history, app.host, self.batch_flow.profile_name)
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
        busy = screen.busy()
        if busy:  # the question was answered after something else started
            screen.say(f"The interrupted batches are not settled yet. {busy}")
            return
        key_ids = [key.key_id for batch in found for key in batch.unresolved]
        run = BatchRun(screen.state.results, key_ids, settling=True, clock=self.app.clock)
        self.batch_flow.run = run
        screen.refresh_bindings()
        screen.say(f"Verifying {plural(run.total)} of the interrupted batch…")
        work = self._settle(found, self.batch_flow.audit_log)
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
                        on_outcome=lambda o: self.batch_flow.report(o.key_id, o),
                    )
            except OSError as error:
                problem = audit_sentence(error)
            finally:
                lock.release()
        self.batch_flow.apply_reports()
        when = ", ".join(batch.started_local() for batch in found)
        self.screen.post_message(UnresolvedVerified(outcomes, when, problem))

    def unresolved_verified(self, message: UnresolvedVerified) -> None:
        if self.batch_flow.run is not None:
            self.batch_flow.run.end()
        self.screen.refresh_bindings()
        if message.problem:
            text = f"The interrupted batches were not settled: {message.problem}."
        elif not message.when:
            text = "Nothing left to verify: the interrupted batches were settled meanwhile."
        else:
            text = f"Interrupted batch at {message.when}, verified: {summarize(message.outcomes)}."
        self.screen.say(text)
        self.batch_flow.tell_quit_question(text)
