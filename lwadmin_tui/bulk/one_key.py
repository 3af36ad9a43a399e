"""One key's attempts: send, retry, verify, until its outcome is known or attempts run out.

A DELETE leaves only after its intent is on disk; an answer that leaves the key's state open
(timeout, connection lost after sending, 5xx, unreadable 2xx) is read back before anything is
sent again; a cancel stops new requests between two attempts (`BatchControl.pause` ends a wait
at once). The batch (`engine.py`) schedules keys; this decides each one.
"""

from __future__ import annotations

from dataclasses import replace

from lwadmin_tui.api.errors import LangWatchError, Unauthorized
from lwadmin_tui.bulk.answers import audit_sentence, known_failure, outcome_from_error
from lwadmin_tui.bulk.control import BatchControl, StopReason, Target
from lwadmin_tui.bulk.retry import RetryableFailure, classify, may_have_applied
from lwadmin_tui.bulk.verify import Verdict
from lwadmin_tui.outcomes import SENDING, VERIFYING, OutcomeKind, Pending, RevokeOutcome, Stage


class NotSent(Exception):
    """The first request for a key was never sent (cancelled, or its intent not recorded)."""

    def __init__(self, reason: str | None) -> None:
        super().__init__(reason or "not sent")
        self.reason = reason


class _Stopped(Exception):
    """Raised inside an attempt when the batch stopped before a new request would leave."""


class KeyAttempts:
    """The attempts for one key of a batch."""

    def __init__(self, batch: BatchControl) -> None:
        self.batch = batch

    async def revoke_one(self, target: Target) -> RevokeOutcome:
        """Send, retry and verify one key until its outcome is known or attempts run out."""
        key_id = target.key_id
        sent = 0
        needs_verify = False
        last: RetryableFailure | None = None  # the last DELETE that failed
        failure: RetryableFailure | None = None  # the last attempt that failed (its wait)
        try:
            for num in range(1, self.batch.policy.attempts + 1):
                if num > 1:
                    await self.batch.pause(self.batch.policy.wait_before(num, failure))
                    if self.batch.stopped and not needs_verify:
                        raise _Stopped
                try:
                    if needs_verify:
                        verdict = await self._verify_in_attempt(key_id, num)
                        if verdict is not Verdict.NOT_REVOKED:
                            return self._verified(key_id, verdict, sent)
                        needs_verify = False
                        if self.batch.stopped:
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
            self.batch.credential_rejected()
            message = f"credential rejected while verifying ({error.status})"
            return RevokeOutcome(key_id, OutcomeKind.UNKNOWN, message=message, attempts=sent)
        except _Unverifiable as unverifiable:
            message = f"could not verify ({safe_reason(unverifiable.error)})"
            return RevokeOutcome(key_id, OutcomeKind.UNKNOWN, message=message, attempts=sent)

    async def _send(self, target: Target, attempt: int) -> None:
        """Record the intent, then send; a request whose intent is not on disk never leaves."""
        if self.batch.audit is not None:
            try:
                await self.batch.audit.save(
                    self.batch.audit.intent_record(target.key_id, target.name, attempt)
                )
            except OSError as error:
                self.batch.stop_for(StopReason.AUDIT, audit_sentence(error))
                if attempt > 1:
                    raise  # sent before: its outcome is unknown, not "not attempted"
                raise NotSent("audit log not writable") from None
        if (
            attempt == 1 and self.batch.stopped
        ):  # cancelled, or a record failed, while it was written
            raise NotSent(None)
        self.batch.progress(target.key_id, SENDING)
        self.batch.note_sent()
        await self.batch.client.revoke_key(target.key_id)

    def _announce_retry(self, key_id: str, num: int, failure: RetryableFailure) -> None:
        if num < self.batch.policy.attempts and not self.batch.stopped:
            self.batch.progress(
                key_id, Pending(Stage.RETRYING, num + 1, self.batch.policy.attempts, failure.reason)
            )

    async def _verify_in_attempt(self, key_id: str, num: int) -> Verdict:
        """A read inside an attempt: its own failures are retried like a DELETE's."""
        self.batch.progress(key_id, VERIFYING)
        try:
            return await self.batch.verifier.check(key_id)
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
            self.batch.progress(key_id, VERIFYING)
            try:
                verdict = await self.batch.verifier.check(key_id)
            except LangWatchError as error:
                if isinstance(error, Unauthorized):
                    self.batch.credential_rejected()
                message = f"{last.reason}, then could not verify"
                return RevokeOutcome(key_id, OutcomeKind.UNKNOWN, message=message, attempts=sent)
            if verdict is not Verdict.NOT_REVOKED:
                return self._verified(key_id, verdict, sent)
        if stopped:
            reason = f"after {last.reason}" if last is not None else None
            return RevokeOutcome(key_id, OutcomeKind.CANCELLED, message=reason, attempts=sent)
        assert last is not None
        return replace(known_failure(key_id, last.error), attempts=sent)


def safe_reason(error: LangWatchError) -> str:
    status = getattr(error, "status", None)
    return f"{status}" if status else "no answer"


class _Unverifiable(Exception):
    """A verification read failed for good (e.g. 403): the key's state stays unknown."""

    def __init__(self, error: LangWatchError) -> None:
        super().__init__(error.message)
        self.error = error
