"""What happened to one key's revocation: one type shared by the engine, the table and the tests."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from lwadmin_tui.text import plural, safe_text

MESSAGE_MAX_LENGTH = 60
"""Of a server message in a row."""
FULL_MESSAGE_LENGTH = 300
"""Of a server message or tip shown whole (details, audit records): cut only if hostile."""


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
# The server refused this credential, or the key does not exist: the same request would get the
# same answer, so "retry failed" leaves these out.
REFUSED_KINDS = frozenset(
    {
        OutcomeKind.FORBIDDEN,
        OutcomeKind.UNAUTHORIZED,
        OutcomeKind.NOT_FOUND,
        OutcomeKind.HTTP_ERROR,
    }
)
# Final either way: done, refused, or an id that can never be sent.
FINAL_KINDS = DONE_KINDS | REFUSED_KINDS | {OutcomeKind.INVALID_ID}


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
    tips: tuple[str, ...] = ()
    """The server's advice with an error answer (`tips`), as it gave it."""
    at: datetime | None = None
    """When the outcome was known (the batch's clock)."""

    @property
    def done(self) -> bool:
        return self.kind in DONE_KINDS

    @property
    def retryable(self) -> bool:
        """What another attempt could change (network, 5xx, 429, unknown, cancelled, not
        attempted): what "retry failed" sends again."""
        return self.kind not in FINAL_KINDS

    @property
    def refused(self) -> bool:
        """403, 401, 404 or another 4xx: final for this credential."""
        return self.kind in REFUSED_KINDS

    @property
    def label(self) -> str:
        """The words shown in the key's row: status first for failures, never colour alone."""
        return self.describe(MESSAGE_MAX_LENGTH)

    def describe(self, message_limit: int) -> str:
        """The label with the server's message cut to `message_limit` characters."""
        message = safe_text(self.message or "", message_limit)
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


def refusals_sentence(outcomes: Iterable[RevokeOutcome]) -> str:
    """E.g. `2 keys answered 403 not allowed, 404 not found: final for this credential`; empty
    if none was refused."""
    refused = [o for o in outcomes if o.refused]
    if not refused:
        return ""
    answers = dict.fromkeys(
        f"{o.status} {o.kind.value}" if o.status else o.kind.value for o in refused
    )
    return f"{plural(len(refused))} answered {', '.join(answers)}: final for this credential"


def summarize(outcomes: Iterable[RevokeOutcome]) -> str:
    """One line for the end of a batch, e.g. `7 keys: 5 revoked, 1 already revoked`."""
    counts = Counter(outcome.kind for outcome in outcomes)
    parts = [f"{counts[kind]} {kind.value}" for kind in OutcomeKind if counts[kind]]
    return f"{plural(sum(counts.values()))}: " + ", ".join(parts) if parts else "no keys"
