"""The bulk-revocation engine: bounded concurrency, retries, verification, cancel, audit.

Every key ends with exactly one `RevokeOutcome`, and no outcome claims more than the server
said: an answer that leaves the key's state open (timeout, connection lost after sending, 5xx,
unreadable 2xx) is verified by reading the key before anything is sent again.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Protocol

from lwadmin_tui.api.errors import (
    AlreadyRevoked,
    ApiError,
    BadResponse,
    Forbidden,
    LangWatchError,
    NotFound,
    RateLimited,
    RedirectRefused,
    ServerError,
    TransportError,
    Unauthorized,
)
from lwadmin_tui.api.key_ids import is_key_id
from lwadmin_tui.audit.lock import BatchLock, BatchRunningElsewhere
from lwadmin_tui.audit.log import BatchAudit
from lwadmin_tui.bulk.retry import RetryableFailure, RetryPolicy, classify, may_have_applied
from lwadmin_tui.bulk.verify import KeyReader, Verdict, Verifier
from lwadmin_tui.outcomes import OutcomeKind, RevokeOutcome, summarize
from lwadmin_tui.settings.files import NotOurFile

DEFAULT_CONCURRENCY = 8
SENDING = "sending…"
VERIFYING = "verifying…"


class StopReason(StrEnum):
    """Why a batch stopped before every key was sent (None on the engine: it did not)."""

    CANCELLED = "cancelled"
    UNAUTHORIZED = "unauthorized"
    INTERNAL = "internal error"
    AUDIT = "audit log not writable"
    BUSY = "another batch is running"


CANCELLED, UNAUTHORIZED, INTERNAL = (
    StopReason.CANCELLED,
    StopReason.UNAUTHORIZED,
    StopReason.INTERNAL,
)


class Revoker(Protocol):
    async def revoke_key(self, key_id: str) -> None: ...


class Client(Revoker, KeyReader, Protocol):
    """What the engine needs from `LangWatchClient`."""


@dataclass(frozen=True)
class Target:
    """A key to revoke; the name is only for the audit log."""

    key_id: str
    name: str = ""


ProgressCallback = Callable[[str, str], None]
OutcomeCallback = Callable[[RevokeOutcome], None]


class _Stopped(Exception):
    """Raised inside an attempt when the batch stopped before a new request would leave."""


class _NotSent(Exception):
    """The first request for a key was never sent (cancelled, or its intent not recorded)."""

    def __init__(self, reason: str | None) -> None:
        super().__init__(reason or "not sent")
        self.reason = reason


def outcome_from_error(key_id: str, error: LangWatchError) -> RevokeOutcome:
    """Translate a client error into the outcome the row shows."""
    status = getattr(error, "status", None)
    code = getattr(error, "code", None)
    kind_by_type: list[tuple[type[ApiError], OutcomeKind]] = [
        (Unauthorized, OutcomeKind.UNAUTHORIZED),
        (Forbidden, OutcomeKind.FORBIDDEN),
        (NotFound, OutcomeKind.NOT_FOUND),
        (AlreadyRevoked, OutcomeKind.ALREADY_REVOKED),
        (RateLimited, OutcomeKind.RATE_LIMITED),
        (ServerError, OutcomeKind.SERVER_ERROR),
    ]
    if isinstance(error, ApiError):
        kind = next((k for t, k in kind_by_type if isinstance(error, t)), OutcomeKind.HTTP_ERROR)
        return RevokeOutcome(key_id, kind, status, code, error.message)
    if isinstance(error, TransportError):
        if error.maybe_sent:
            reason = "timeout" if error.timed_out else "connection lost"
            return RevokeOutcome(key_id, OutcomeKind.UNKNOWN, message=reason)
        return RevokeOutcome(key_id, OutcomeKind.NETWORK_ERROR, message=error.message)
    if isinstance(error, BadResponse | RedirectRefused):
        return RevokeOutcome(key_id, OutcomeKind.BAD_RESPONSE, status, message=error.message)
    return RevokeOutcome(key_id, OutcomeKind.HTTP_ERROR, status, message=error.message)


def known_failure(key_id: str, error: LangWatchError) -> RevokeOutcome:
    """The outcome of `error` once a read showed the key is *not* revoked."""
    outcome = outcome_from_error(key_id, error)
    if outcome.kind is OutcomeKind.UNKNOWN:
        return replace(outcome, kind=OutcomeKind.NETWORK_ERROR, message=error.message)
    return outcome


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
        stop: asyncio.Event | None = None,
    ) -> None:
        self.client = client
        self.concurrency = max(1, concurrency)
        self.policy = policy or RetryPolicy()
        self.audit = audit
        self.own_key_id = own_key_id
        self.on_progress = on_progress
        self.on_outcome = on_outcome
        self._stop = stop or asyncio.Event()
        self.stop_reason: StopReason | None = CANCELLED if self._stop.is_set() else None
        self.stop_detail = ""
        """For AUDIT and BUSY: the sentence that says what went wrong."""
        self.sent_any = False
        """True once a first DELETE has left (a cancel after that may come too late)."""
        self.verifier = Verifier(client)  # type: ignore[arg-type]
        self._recording: list[asyncio.Future[None]] = []

    # --- control -----------------------------------------------------------------------------

    def cancel(self) -> None:
        """No new request leaves after this; safe to call from the UI at any time."""
        self._stop_for(CANCELLED)

    @property
    def stopped(self) -> bool:
        if self._stop.is_set() and self.stop_reason is None:  # an outside stop event
            self.stop_reason = CANCELLED
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
            self._stop_for(StopReason.BUSY, str(busy))
            return None
        except OSError as error:
            self._stop_for(StopReason.AUDIT, audit_sentence(error))
            return None
        try:
            await self.audit.save(self.audit.started_record((t.key_id, t.name) for t in unique))
        except OSError as error:
            lock.release()
            self._stop_for(StopReason.AUDIT, audit_sentence(error))
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
                self._stop_for(StopReason.AUDIT, audit_sentence(error))
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
                self._credential_rejected()
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
            return await self.revoke_one(target)
        except _NotSent as why:
            return RevokeOutcome(target.key_id, OutcomeKind.NOT_ATTEMPTED, message=why.reason)
        except Exception as error:
            self._stop_for(INTERNAL)
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
            self._stop_for(INTERNAL)
        elif (error := written.exception()) is not None:  # the record is the proof: send no more
            reason = audit_sentence(error) if isinstance(error, OSError) else ""
            self._stop_for(StopReason.AUDIT if reason else INTERNAL, reason)

    def _stop_for(self, reason: StopReason, detail: str = "") -> None:
        if self.stop_reason is None:
            self.stop_reason = reason
            self.stop_detail = detail
        self._stop.set()

    def _credential_rejected(self) -> None:
        self.stop_reason = UNAUTHORIZED
        self._stop.set()

    def _progress(self, key_id: str, text: str) -> None:
        if self.on_progress is not None:
            self.on_progress(key_id, text)

    async def _pause(self, seconds: float) -> None:
        """Wait before a retry; a cancel ends the wait at once."""
        if seconds > 0 and not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), seconds)

    # --- one key -----------------------------------------------------------------------------

    async def revoke_one(self, target: Target) -> RevokeOutcome:
        """Send, retry and verify one key until its outcome is known or attempts run out."""
        key_id = target.key_id
        sent = 0
        needs_verify = False
        last: RetryableFailure | None = None  # the last DELETE that failed
        failure: RetryableFailure | None = None  # the last attempt that failed (its wait)
        try:
            for num in range(1, self.policy.attempts + 1):
                if num > 1:
                    await self._pause(self.policy.wait_before(num, failure))
                    if self.stopped and not needs_verify:
                        raise _Stopped
                try:
                    if needs_verify:
                        verdict = await self._verify_in_attempt(key_id, num)
                        if verdict is not Verdict.NOT_REVOKED:
                            return self._verified(key_id, verdict, sent)
                        needs_verify = False
                        if self.stopped:
                            raise _Stopped
                    sent += 1
                    try:
                        await self._send(target, sent)
                    except LangWatchError as error:
                        wrapped = classify(error)
                        if not isinstance(wrapped, RetryableFailure):
                            return await self._final_answer(key_id, error, sent)
                        last = wrapped
                        needs_verify = wrapped.ambiguous
                        raise wrapped from None
                    return RevokeOutcome(key_id, OutcomeKind.REVOKED, 200, attempts=sent)
                except RetryableFailure as failed:
                    failure = failed
                    self._announce_retry(key_id, num, failed)
            assert failure is not None
            return await self._settle(key_id, last or failure, needs_verify, sent, stopped=False)
        except _Stopped:
            return await self._settle(key_id, last, needs_verify, sent, stopped=True)
        except Unauthorized as error:  # from a verification read
            self._credential_rejected()
            message = f"credential rejected while verifying ({error.status})"
            return RevokeOutcome(key_id, OutcomeKind.UNKNOWN, message=message, attempts=sent)
        except _Unverifiable as unverifiable:
            message = f"could not verify ({safe_reason(unverifiable.error)})"
            return RevokeOutcome(key_id, OutcomeKind.UNKNOWN, message=message, attempts=sent)

    async def _send(self, target: Target, attempt: int) -> None:
        """Record the intent, then send; a request whose intent is not on disk never leaves."""
        if self.audit is not None:
            try:
                await self.audit.save(self.audit.intent_record(target.key_id, target.name, attempt))
            except OSError as error:
                self._stop_for(StopReason.AUDIT, audit_sentence(error))
                if attempt > 1:
                    raise  # sent before: its outcome is unknown, not "not attempted"
                raise _NotSent("audit log not writable") from None
        if attempt == 1 and self.stopped:  # cancelled, or a record failed, while it was written
            raise _NotSent(None)
        self._progress(target.key_id, SENDING)
        self.sent_any = True
        await self.client.revoke_key(target.key_id)

    def _announce_retry(self, key_id: str, num: int, failure: RetryableFailure) -> None:
        if num < self.policy.attempts and not self.stopped:
            self._progress(
                key_id, f"retrying {num + 1}/{self.policy.attempts} after {failure.reason}"
            )

    async def _verify_in_attempt(self, key_id: str, num: int) -> Verdict:
        """A read inside an attempt: its own failures are retried like a DELETE's."""
        self._progress(key_id, VERIFYING)
        try:
            return await self.verifier.check(key_id)
        except Unauthorized:
            raise
        except LangWatchError as error:
            wrapped = classify(error)
            if isinstance(wrapped, RetryableFailure):
                wrapped.ambiguous = True  # still unknown: verify again next time
                raise wrapped from None
            raise _Unverifiable(error) from None

    def _verified(self, key_id: str, verdict: Verdict, sent: int) -> RevokeOutcome:
        if verdict is Verdict.REVOKED:
            return RevokeOutcome(key_id, OutcomeKind.REVOKED_VERIFIED, attempts=sent)
        return RevokeOutcome(key_id, OutcomeKind.NOT_FOUND, 404, attempts=sent)

    async def _final_answer(self, key_id: str, error: LangWatchError, sent: int) -> RevokeOutcome:
        """A non-retryable answer; a 5xx among them (e.g. 500) is read back before reporting."""
        if may_have_applied(error):
            return await self._settle(key_id, RetryableFailure(error, ambiguous=True), True, sent)
        return replace(outcome_from_error(key_id, error), attempts=sent)

    async def _settle(
        self,
        key_id: str,
        last: RetryableFailure | None,
        needs_verify: bool,
        sent: int,
        *,
        stopped: bool = False,
    ) -> RevokeOutcome:
        """The final word when no attempt is left (or the batch stopped) after a failure."""
        if needs_verify and last is not None:
            self._progress(key_id, VERIFYING)
            try:
                verdict = await self.verifier.check(key_id)
            except LangWatchError as error:
                if isinstance(error, Unauthorized):
                    self._credential_rejected()
                message = f"{last.reason}, then could not verify"
                return RevokeOutcome(key_id, OutcomeKind.UNKNOWN, message=message, attempts=sent)
            if verdict is not Verdict.NOT_REVOKED:
                return self._verified(key_id, verdict, sent)
        if stopped:
            reason = f"after {last.reason}" if last is not None else None
            return RevokeOutcome(key_id, OutcomeKind.CANCELLED, message=reason, attempts=sent)
        assert last is not None
        return replace(known_failure(key_id, last.error), attempts=sent)


def audit_sentence(error: OSError) -> str:
    """One plain sentence for an audit log that cannot be written (no traceback, no errno)."""
    reason = str(error) if isinstance(error, NotOurFile) else error.strerror or str(error)
    return f"the audit log could not be written ({reason})"


def safe_reason(error: LangWatchError) -> str:
    status = getattr(error, "status", None)
    return f"{status}" if status else "no answer"


class _Unverifiable(Exception):
    """A verification read failed for good (e.g. 403): the key's state stays unknown."""

    def __init__(self, error: LangWatchError) -> None:
        super().__init__(error.message)
        self.error = error
