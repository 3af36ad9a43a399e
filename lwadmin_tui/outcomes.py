"""What happened to one key's revocation: one type shared by the engine, the table and the tests."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from lwadmin_tui.text import plural, safe_text

MESSAGE_MAX_LENGTH = 60


class OutcomeKind(StrEnum):
    REVOKED = "revoked"
    REVOKED_VERIFIED = "revoked (verified)"
    ALREADY_REVOKED = "already revoked"
    FORBIDDEN = "not allowed"
    NOT_FOUND = "not found"
    UNAUTHORIZED = "credential rejected"
    RATE_LIMITED = "rate limited"
    SERVER_ERROR = "server error"
    HTTP_ERROR = "error"
    BAD_RESPONSE = "unreadable answer"
    NETWORK_ERROR = "network error"
    UNKNOWN = "unknown"
    NOT_REVOKED = "not revoked (verified)"
    NOT_ATTEMPTED = "not attempted"
    CANCELLED = "cancelled"
    INVALID_ID = "not sent: invalid id"


# The key is gone afterwards either way: the admin's goal for this key is met.
DONE_KINDS = frozenset(
    {OutcomeKind.REVOKED, OutcomeKind.REVOKED_VERIFIED, OutcomeKind.ALREADY_REVOKED}
)
# Final either way: the key does not exist, or its id can never be sent, so another try cannot
# change anything.
FINAL_KINDS = DONE_KINDS | {OutcomeKind.NOT_FOUND, OutcomeKind.INVALID_ID}


@dataclass(frozen=True, slots=True)
class RevokeOutcome:
    """The final word on one key: its kind, and the HTTP status and server message if any."""

    key_id: str
    kind: OutcomeKind
    status: int | None = None
    code: str | None = None
    message: str | None = None
    attempts: int = 0
    """DELETE requests sent for this key (0: none was sent)."""

    @property
    def done(self) -> bool:
        return self.kind in DONE_KINDS

    @property
    def retryable(self) -> bool:
        """Failed, unknown, cancelled or not attempted: what "retry failed" sends again."""
        return self.kind not in FINAL_KINDS

    @property
    def label(self) -> str:
        """The words shown in the key's row: status first for failures, never colour alone."""
        message = safe_text(self.message or "", MESSAGE_MAX_LENGTH)
        prefix = f"{self.status} " if self.status else ""
        match self.kind:
            case OutcomeKind.REVOKED | OutcomeKind.REVOKED_VERIFIED:
                return self.kind.value
            case OutcomeKind.FORBIDDEN:
                return f"{prefix}not allowed: {message}" if message else f"{prefix}not allowed"
            case OutcomeKind.UNKNOWN:
                return f"{message}: unknown" if message else "unknown"
            case OutcomeKind.NETWORK_ERROR:
                return f"network error: {message}" if message else "network error"
            case OutcomeKind.NOT_ATTEMPTED | OutcomeKind.CANCELLED | OutcomeKind.INVALID_ID:
                return self.kind.value
            case OutcomeKind.SERVER_ERROR | OutcomeKind.HTTP_ERROR | OutcomeKind.BAD_RESPONSE:
                return f"{prefix}{self.kind.value}: {message}" if message else prefix + self.kind
            case _:
                return f"{prefix}{self.kind.value}"


class Stage(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    RETRYING = "retrying"
    VERIFYING = "verifying"


@dataclass(frozen=True, slots=True)
class Pending:
    """Where a key of a running batch stands before its outcome: typed, not a display string."""

    stage: Stage
    attempt: int = 0
    """For RETRYING: the attempt about to be made (2 for the first retry), of `attempts`."""
    attempts: int = 0
    reason: str = ""
    """For RETRYING: what the last attempt ran into (`429`, `timeout`, ...)."""

    @property
    def label(self) -> str:
        match self.stage:
            case Stage.QUEUED:
                return "queued"
            case Stage.SENDING:
                return "sending…"
            case Stage.RETRYING:
                return f"retrying {self.attempt}/{self.attempts} after {self.reason}"
            case _:
                return "verifying…"

    @property
    def sent(self) -> bool:
        """A request for the key may have left (anything past queued)."""
        return self.stage is not Stage.QUEUED


QUEUED = Pending(Stage.QUEUED)
SENDING = Pending(Stage.SENDING)
VERIFYING = Pending(Stage.VERIFYING)

Result = Pending | RevokeOutcome
"""What a key's row shows during and after a batch."""


def summarize(outcomes: Iterable[RevokeOutcome]) -> str:
    """One line for the end of a batch, e.g. `7 keys: 5 revoked, 1 already revoked`."""
    counts = Counter(outcome.kind for outcome in outcomes)
    parts = [f"{counts[kind]} {kind.value}" for kind in OutcomeKind if counts[kind]]
    return f"{plural(sum(counts.values()))}: " + ", ".join(parts) if parts else "no keys"
