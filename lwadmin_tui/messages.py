"""Messages that workers post: each names a fact that happened."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from lwadmin_tui.api.models import ApiKeyInfo
from lwadmin_tui.outcomes import RevokeOutcome


@dataclass
class KeysLoaded(Message):
    keys: tuple[ApiKeyInfo, ...]


@dataclass
class LoadFailed(Message):
    message: str
    credential_rejected: bool = False


Result = str | RevokeOutcome
"""A key's progress text (`sending…`, `retrying 2/3 after 429`, `verifying…`) or its outcome."""


@dataclass
class KeyResults(Message):
    """What happened to keys since the last message, oldest first.

    One message carries every result of a short interval: a batch at 1,000 keys then costs
    one table update and one repaint per interval instead of two messages per key.
    """

    results: list[tuple[str, Result]]


@dataclass
class BatchEnded(Message):
    """The engine finished a batch; `stop_reason` is `cancelled`, `unauthorized` or None."""

    outcomes: list[RevokeOutcome]
    stop_reason: str | None
    batch_id: str
    own_key_revoked: bool = False


@dataclass
class UnresolvedVerified(Message):
    """The unknown outcomes of an interrupted batch were read back from the server."""

    outcomes: list[RevokeOutcome]
    when: str


@dataclass
class OwnKeyGuessed(Message):
    """Which listed key moved its `lastUsedAt` between two lists (None: could not tell)."""

    key_id: str | None
    reason: str
