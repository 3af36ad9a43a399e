"""The running batch: the engine's worker, a progress bar and counts by outcome.

Owning the worker here keeps the keys screen thin: the screen starts a batch and reacts to
the facts posted (`KeyResults`, `BatchEnded`); this panel keeps its own progress display up
to date from the same messages as they bubble past it.

The engine reports each key twice (sending, then its outcome). Those reports are collected
and posted together every `RESULTS_INTERVAL`: at 1,000 keys, one message, one table update and
one repaint per interval cost far less than two of each per key (benchmarks/RESULTS.md).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import ProgressBar
from textual.worker import Worker, WorkerState

from lwadmin_tui.audit.history import BatchHistory, batches
from lwadmin_tui.audit.lock import BatchRunningElsewhere
from lwadmin_tui.audit.log import AuditLog, BatchAudit
from lwadmin_tui.bulk.answers import audit_sentence
from lwadmin_tui.bulk.control import Client, Target
from lwadmin_tui.bulk.engine import BulkRevoker
from lwadmin_tui.bulk.recover import settle_batch
from lwadmin_tui.bulk.retry import RetryPolicy
from lwadmin_tui.outcomes import OutcomeKind, Pending, Result
from lwadmin_tui.ui.messages import BatchEnded, KeyResults, UnresolvedVerified
from lwadmin_tui.ui.widgets.one_line import OneLine

BATCH_GROUP = "revoke"
RESULTS_INTERVAL = 0.05  # seconds: about three frames, well under what an admin notices


class BatchPanel(Horizontal):
    """Hidden until a batch starts; stays after it with the final counts."""

    DEFAULT_CSS = """
    BatchPanel { height: 1; display: none; padding: 0 1; }
    BatchPanel.shown { display: block; }
    BatchPanel ProgressBar { width: 26; }
    BatchPanel #batch-counts { width: 1fr; padding-left: 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.engine: BulkRevoker | None = None
        self.counts: Counter[OutcomeKind] = Counter()
        self.total = 0
        self.in_flight: set[str] = set()
        self._pending: list[tuple[str, Result]] = []
        self._post_due = False

    def compose(self) -> ComposeResult:
        yield ProgressBar(total=1, show_eta=False, show_percentage=False, id="batch-progress")
        yield OneLine("", id="batch-counts", markup=False)

    @property
    def running(self) -> bool:
        return self.engine is not None

    def start(
        self,
        client: Client,
        targets: Sequence[Target],
        *,
        log: AuditLog,
        host: str,
        profile: str,
        concurrency: int,
        own_key_id: str | None,
        credential: str | None = None,
        key_last4: str = "",
        policy: RetryPolicy | None = None,
    ) -> str:
        """Start the worker; returns the batch id written to the audit log."""
        audit = BatchAudit(log, host, profile, credential=credential, key_last4=key_last4)
        self.engine = BulkRevoker(
            client,
            concurrency=concurrency,
            policy=policy,
            audit=audit,
            own_key_id=own_key_id,
            on_progress=self._collect,
            on_outcome=lambda outcome: self._collect(outcome.key_id, outcome),
        )
        self.counts.clear()
        self.in_flight.clear()
        self.total = len({t.key_id for t in targets})
        self.add_class("shown")
        self.query_one(ProgressBar).update(total=max(1, self.total), progress=0)
        self._show_counts()
        self._run(self.engine, list(targets), audit.batch_id, own_key_id)
        return audit.batch_id

    def cancel(self) -> bool:
        """Ask the engine to stop sending; False if no batch runs."""
        if self.engine is None:
            return False
        self.engine.cancel()
        self._show_counts()
        return True

    @work(exclusive=True, group=BATCH_GROUP, exit_on_error=False)
    async def _run(
        self, engine: BulkRevoker, targets: list[Target], batch_id: str, own: str | None
    ) -> None:
        try:
            outcomes = await engine.run(targets)
        finally:
            self._post_results()  # every result reaches the screen before the batch's end
        own_revoked = any(o.key_id == own and o.done for o in outcomes)
        self.post_message(
            BatchEnded(
                outcomes,
                engine.stop_reason,
                batch_id,
                own_revoked,
                stop_detail=engine.stop_detail,
                sent_any=engine.sent_any,
            )
        )

    @work(exclusive=True, group="verify-unresolved", exit_on_error=False)
    async def verify(self, client: Client, found: list[BatchHistory], log: AuditLog) -> None:
        """Settle the batches a stop left open (reads only, no DELETE), holding the batch lock."""
        outcomes = []
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
                        client, batch, log, on_outcome=lambda o: self._collect(o.key_id, o)
                    )
            except OSError as error:
                problem = audit_sentence(error)
            finally:
                lock.release()
        self._post_results()
        when = ", ".join(batch.started_local() for batch in found)
        self.post_message(UnresolvedVerified(outcomes, when, problem))

    # --- the display, kept current from the messages bubbling past ---------------------------

    def _collect(self, key_id: str, result: Result) -> None:
        """An engine report: kept until the next post (the worker runs on this event loop)."""
        self._pending.append((key_id, result))
        if not self._post_due:
            self._post_due = True
            self.set_timer(RESULTS_INTERVAL, self._post_results)

    def _post_results(self) -> None:
        self._post_due = False
        if self._pending:
            results, self._pending = self._pending, []
            self.post_message(KeyResults(results))

    def on_key_results(self, message: KeyResults) -> None:
        if self.engine is None:
            return
        for key_id, result in message.results:
            if isinstance(result, Pending):
                self.in_flight.add(key_id)
            else:
                self.in_flight.discard(key_id)
                self.counts[result.kind] += 1
        self.query_one(ProgressBar).update(progress=sum(self.counts.values()))
        self._show_counts()

    def on_batch_ended(self, message: BatchEnded) -> None:
        self.engine = None
        self.in_flight.clear()
        self._show_counts()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker that failed by a bug: stop showing a running batch, and tell the screen.

        Worker state messages do not bubble; the screen's handler turns queued and in-flight
        rows into `not attempted` / `unknown`, so no row claims work in progress.
        """
        if event.state is not WorkerState.ERROR:
            return
        self._post_results()
        if event.worker.group == BATCH_GROUP:
            self.engine = None
            self._show_counts()
        self.screen.post_message(Worker.StateChanged(event.worker, event.state))

    def _show_counts(self) -> None:
        """Redraw the counts line (results already arrive one message per interval)."""
        done = sum(self.counts.values())
        parts = [f"{done}/{self.total}"]
        parts += [f"{count} {kind.value}" for kind, count in self._ordered()]
        if self.engine is not None:
            parts.append(f"{len(self.in_flight)} in flight")
            if self.engine.stopped:
                parts.append("stopping: nothing new is sent")
            else:
                parts.append("x: cancel")
        self.query_one("#batch-counts", OneLine).update(Text(" · ".join(parts)))

    def _ordered(self) -> list[tuple[OutcomeKind, int]]:
        return [(kind, self.counts[kind]) for kind in OutcomeKind if self.counts[kind]]
