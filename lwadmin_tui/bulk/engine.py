"""The bulk-revocation engine: a batch's scheduling, its stop, and its audit records.

Every key ends with exactly one `RevokeOutcome` (its attempts: `one_key.py`), and no outcome
claims more than the server said. Keys are sent by a bounded number of workers; the session's
own key goes last; a 401, a cancel, an unwritable audit log or a bug stops new requests.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable, Iterator

from lwadmin_tui.api.key_ids import is_key_id
from lwadmin_tui.audit.lock import BatchLock, BatchRunningElsewhere
from lwadmin_tui.audit.log import BatchAudit
from lwadmin_tui.bulk.answers import audit_sentence
from lwadmin_tui.bulk.control import (
    Client,
    OutcomeCallback,
    ProgressCallback,
    Revoker,
    StopReason,
    Target,
)
from lwadmin_tui.bulk.one_key import KeyAttempts, NotSent
from lwadmin_tui.bulk.retry import RetryPolicy
from lwadmin_tui.bulk.verify import Verifier
from lwadmin_tui.outcomes import OutcomeKind, Pending, RevokeOutcome, summarize

DEFAULT_CONCURRENCY = 8
CANCELLED, UNAUTHORIZED, INTERNAL = (
    StopReason.CANCELLED,
    StopReason.UNAUTHORIZED,
    StopReason.INTERNAL,
)


class BulkRevoker:
    """Runs one batch. `cancel()` stops new requests; in-flight ones finish or are verified."""

    def __init__(
        self,
        client: Client | Revoker,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        policy: RetryPolicy | None = None,
        audit: BatchAudit | None = None,
        own_key_id: str | None = None,
        on_progress: ProgressCallback | None = None,
        on_outcome: OutcomeCallback | None = None,
    ) -> None:
        self.client = client
        self.concurrency = max(1, concurrency)
        self.policy = policy or RetryPolicy()
        self.audit = audit
        self.own_key_id = own_key_id
        self.on_progress = on_progress
        self.on_outcome = on_outcome
        self._stop = asyncio.Event()
        self.stop_reason: StopReason | None = None
        self.stop_detail = ""
        """For AUDIT and BUSY: the sentence that says what went wrong."""
        self.sent_any = False
        """True once a first DELETE has left (a cancel after that may come too late)."""
        self.verifier = Verifier(client)  # type: ignore[arg-type]
        self._recording: list[asyncio.Future[None]] = []

    # --- control -----------------------------------------------------------------------------

    def cancel(self) -> None:
        """No new request leaves after this; safe to call from the UI at any time."""
        self.stop_for(CANCELLED)

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    # --- the batch ---------------------------------------------------------------------------

    async def run(self, targets: Iterable[Target]) -> list[RevokeOutcome]:
        """Revoke every target once; outcomes in the given order (duplicates dropped).

        The session's own key, when named, is sent alone after every other key has finished:
        revoking it first would turn every later request into a 401. With an audit log, the
        batch holds its lock throughout and records every confirmed key before the first
        request; if either fails, nothing is sent.
        """
        unique = list({t.key_id: t for t in targets}.values())
        lock = await self._begin(unique)
        if lock is None and self.audit is not None:
            return self._none_sent(unique)
        try:
            return await self._run(unique)
        finally:
            if lock is not None:
                lock.release()

    async def _begin(self, unique: list[Target]) -> BatchLock | None:
        """Take the audit log's batch lock and write the batch record (None: nothing is sent)."""
        if self.audit is None:
            return None
        try:
            lock = self.audit.log.batch_lock(self.audit.batch_id)
        except BatchRunningElsewhere as busy:
            self.stop_for(StopReason.BUSY, str(busy))
            return None
        except OSError as error:
            self.stop_for(StopReason.AUDIT, audit_sentence(error))
            return None
        try:
            await self.audit.save(self.audit.started_record((t.key_id, t.name) for t in unique))
        except OSError as error:
            lock.release()
            self.stop_for(StopReason.AUDIT, audit_sentence(error))
            return None
        return lock

    def _none_sent(self, unique: list[Target]) -> list[RevokeOutcome]:
        outcomes = [RevokeOutcome(t.key_id, OutcomeKind.NOT_ATTEMPTED) for t in unique]
        for outcome in outcomes:
            if self.on_outcome is not None:
                self.on_outcome(outcome)
        return outcomes

    async def _run(self, unique: list[Target]) -> list[RevokeOutcome]:
        own = [t for t in unique if t.key_id == self.own_key_id]
        others = [t for t in unique if t.key_id != self.own_key_id]
        outcomes: dict[str, RevokeOutcome] = {}
        pending = iter(others)
        workers = max(1, min(self.concurrency, len(others)))
        await asyncio.gather(*(self._worker(pending, outcomes) for _ in range(workers)))
        await self._worker(iter(own), outcomes)
        # Every outcome record is on disk (or has failed) before the batch's end record.
        await asyncio.gather(*self._recording, return_exceptions=True)
        ordered = [outcomes[t.key_id] for t in unique]
        if self.audit is not None:
            summary = summarize(ordered)
            cancelled = self.stop_reason == CANCELLED
            try:
                await self.audit.save(self.audit.finished_record(summary, cancelled=cancelled))
            except OSError as error:  # every key's record is written; only the end is missing
                self.stop_for(StopReason.AUDIT, audit_sentence(error))
        return ordered

    async def _worker(self, pending: Iterator[Target], outcomes: dict[str, RevokeOutcome]) -> None:
        for target in pending:
            if not is_key_id(target.key_id):  # e.g. "..": it would address another URL
                outcome = RevokeOutcome(target.key_id, OutcomeKind.INVALID_ID)
            elif self.stopped:
                outcome = RevokeOutcome(target.key_id, OutcomeKind.NOT_ATTEMPTED)
            else:
                outcome = await self._revoke_guarded(target)
            if outcome.kind is OutcomeKind.UNAUTHORIZED:
                self.credential_rejected()
            outcomes[target.key_id] = outcome
            if self.on_outcome is not None:
                self.on_outcome(outcome)
            self._record(target, outcome)

    async def _revoke_guarded(self, target: Target) -> RevokeOutcome:
        """`revoke_one`, but nothing unexpected may end one worker while the others go on.

        An escaping exception would make `gather` return while sibling workers keep sending:
        instead the key's outcome becomes unknown and the whole batch stops.
        """
        try:
            return await KeyAttempts(self).revoke_one(target)
        except NotSent as why:
            return RevokeOutcome(target.key_id, OutcomeKind.NOT_ATTEMPTED, message=why.reason)
        except Exception as error:
            self.stop_for(INTERNAL)
            message = f"internal error ({type(error).__name__})"
            return RevokeOutcome(target.key_id, OutcomeKind.UNKNOWN, message=message)

    def _record(self, target: Target, outcome: RevokeOutcome) -> None:
        """Queue the outcome record without waiting for its fsync: it is queued before the
        worker's next intent, so both share one write (audit_group.py), and a failure to write
        it is known before that intent counts as written. `run` awaits them all."""
        if self.audit is None:
            return
        written = self.audit.submit(self.audit.outcome_record(target.name, outcome))
        written.add_done_callback(self._outcome_written)
        self._recording.append(written)

    def _outcome_written(self, written: asyncio.Future[None]) -> None:
        if written.cancelled():
            self.stop_for(INTERNAL)
        elif (error := written.exception()) is not None:  # the record is the proof: send no more
            reason = audit_sentence(error) if isinstance(error, OSError) else ""
            self.stop_for(StopReason.AUDIT if reason else INTERNAL, reason)

    def stop_for(self, reason: StopReason, detail: str = "") -> None:
        if self.stop_reason is None:
            self.stop_reason = reason
            self.stop_detail = detail
        self._stop.set()

    def credential_rejected(self) -> None:
        self.stop_reason = UNAUTHORIZED
        self._stop.set()

    def note_sent(self) -> None:
        self.sent_any = True

    def progress(self, key_id: str, pending: Pending) -> None:
        if self.on_progress is not None:
            self.on_progress(key_id, pending)

    async def pause(self, seconds: float) -> None:
        """Wait before a retry; a cancel ends the wait at once."""
        if seconds > 0 and not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), seconds)

    # --- one key -----------------------------------------------------------------------------
