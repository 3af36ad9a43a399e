"""Which failures are worth another try, and how long to wait: the policy fed to stamina.

The loop itself is stamina's (`retry_context`), not ours. Tests switch its waits off with
`stamina.set_testing(True, ...)`, so no test ever sleeps through a real backoff.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lwadmin_tui.api.errors import (
    ApiError,
    BadResponse,
    LangWatchError,
    RateLimited,
    ServerError,
    TransportError,
)

if TYPE_CHECKING:
    import stamina

# stamina (and tenacity under it) is imported when the first batch starts: 20 modules that
# start-up does not need (benchmarks/RESULTS.md measures start-up).

RETRY_STATUSES = frozenset({429, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded attempts per key; `Retry-After` is honoured up to `retry_after_cap` seconds."""

    attempts: int = 3
    wait_initial: float = 0.5
    wait_max: float = 10.0
    retry_after_cap: float = 30.0


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
    """Wrap `error` for stamina when another attempt may help; otherwise return it as is."""
    if is_retryable(error):
        return RetryableFailure(error, ambiguous=may_have_applied(error))
    return error


def backoff_hook(policy: RetryPolicy) -> Callable[[Exception], bool | float]:
    """stamina's `on=`: retry `RetryableFailure` only, waiting `Retry-After` when given."""

    def hook(exc: Exception) -> bool | float:
        if not isinstance(exc, RetryableFailure):
            return False
        if exc.retry_after is not None:
            return min(max(exc.retry_after, 0.0), policy.retry_after_cap)
        return True

    return hook


def retry_attempts(policy: RetryPolicy) -> AsyncIterable[stamina.Attempt]:
    """The stamina attempt iterator for one key."""
    import stamina

    return stamina.retry_context(
        on=backoff_hook(policy),
        attempts=policy.attempts,
        timeout=None,
        wait_initial=policy.wait_initial,
        wait_max=policy.wait_max,
    )


def silence_stamina_logging() -> None:
    """stamina logs each retry to stderr by default, which would garble a terminal UI.

    The engine reports every retry in the key's row and in the audit log instead.
    """
    import stamina

    stamina.instrumentation.set_on_retry_hooks(())
