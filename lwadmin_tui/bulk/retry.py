"""Which failures are worth another try, and how long to wait before it.

The wait is the engine's own (`BulkRevoker._pause`), not a retry library's: it ends at once when
the batch is cancelled, so `x` never sits out a 30 s `Retry-After` before it stops. Tests switch
the waits off with `instant_retries()`, so no test ever sleeps through a real backoff.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from lwadmin_tui.api.errors import (
    ApiError,
    BadResponse,
    LangWatchError,
    RateLimited,
    ServerError,
    TransportError,
)

RETRY_STATUSES = frozenset({429, 502, 503, 504})
_waits = {"on": True}


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded attempts per key; `Retry-After` is honoured up to `retry_after_cap` seconds.

    Without one, the wait doubles from `wait_initial` up to `wait_max`, plus up to
    `wait_jitter` seconds at random, so keys throttled together do not come back together.
    """

    attempts: int = 3
    wait_initial: float = 0.5
    wait_max: float = 10.0
    wait_jitter: float = 1.0
    retry_after_cap: float = 30.0

    def wait_before(self, attempt: int, failure: RetryableFailure | None) -> float:
        """Seconds to wait before attempt number `attempt` (2 for the first retry)."""
        if not _waits["on"]:
            return 0.0
        if failure is not None and failure.retry_after is not None:
            return min(max(failure.retry_after, 0.0), self.retry_after_cap)
        backoff = self.wait_initial * 2 ** max(0, attempt - 2)
        return min(self.wait_max, backoff + random.uniform(0, self.wait_jitter))


@contextmanager
def instant_retries() -> Iterator[None]:
    """For tests: every retry happens at once (attempts and their order are unchanged)."""
    before, _waits["on"] = _waits["on"], False
    try:
        yield
    finally:
        _waits["on"] = before


class RetryableFailure(Exception):
    """One attempt failed in a way another attempt may fix; carries what the row says."""

    def __init__(self, error: LangWatchError, *, ambiguous: bool) -> None:
        super().__init__(error.message)
        self.error = error
        self.ambiguous = ambiguous
        """The DELETE may have been applied: verify before sending it again."""
        self.retry_after: float | None = getattr(error, "retry_after", None)

    @property
    def reason(self) -> str:
        """Short words for "retrying 2/3 after <reason>"."""
        error = self.error
        if isinstance(error, ApiError):
            return str(error.status)
        if isinstance(error, TransportError):
            return "timeout" if error.timed_out else "connection lost"
        if isinstance(error, BadResponse):
            return "unreadable answer"
        return "error"


def may_have_applied(error: LangWatchError) -> bool:
    """True when a DELETE that ended in `error` may still have revoked the key.

    A timeout or a connection lost after sending, any 5xx (the server can fail after applying
    the revocation) and an unreadable 2xx body leave the key's state unknown.
    """
    if isinstance(error, TransportError):
        return error.maybe_sent
    if isinstance(error, ServerError):
        return True
    return isinstance(error, BadResponse) and 200 <= error.status < 300


def is_retryable(error: LangWatchError) -> bool:
    """429, 502/503/504, connection trouble and unreadable answers; never a 4xx verdict."""
    if isinstance(error, RateLimited):
        return True
    if isinstance(error, ApiError):
        return error.status in RETRY_STATUSES
    return isinstance(error, TransportError | BadResponse)


def classify(error: LangWatchError) -> LangWatchError | RetryableFailure:
    """Wrap `error` when another attempt may help; otherwise return it as is."""
    if is_retryable(error):
        return RetryableFailure(error, ambiguous=may_have_applied(error))
    return error
