"""Messages that workers post: each names a fact that happened."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from textual.message import Message

from lwadmin_tui.api.models import ApiKeyInfo
from lwadmin_tui.api.new_key import CreatedKey
from lwadmin_tui.api.people import PeopleDirectory
from lwadmin_tui.api.scopes import ScopeDirectory
from lwadmin_tui.audit.history import BatchHistory
from lwadmin_tui.audit.lock import LockHolder
from lwadmin_tui.bulk.control import StopReason
from lwadmin_tui.keys.ownership import Ownership
from lwadmin_tui.outcomes import RevokeOutcome
from lwadmin_tui.roll.outcomes import RollOutcome
from lwadmin_tui.roll.pairs import RolledPair, Unfinished
from lwadmin_tui.roll.secrets import Delivery


@dataclass
class KeysLoaded(Message):
    keys: tuple[ApiKeyInfo, ...]
    keep: frozenset[str] | None = None
    """None: a plain reload. Else read after this session's own change: the rows with a
    result, and these, stay (`KeysState.load_keeping_results`)."""


@dataclass
class LoadFailed(Message):
    message: str
    credential_rejected: bool = False


@dataclass
class KeysExported(Message):
    """The shown keys were written (CSV, JSON paths), or `problem` says why not."""

    paths: tuple[Path, ...]
    problem: str = ""
    count: int = 0


@dataclass
class ScopeNamesLoaded(Message):
    directory: ScopeDirectory


@dataclass
class BatchEnded(Message):
    """The engine finished a batch; `stop_reason` says why it stopped early, if it did."""

    outcomes: list[RevokeOutcome]
    stop_reason: StopReason | None
    batch_id: str
    own_key_revoked: bool = False
    stop_detail: str = ""
    """A sentence for the audit-log and busy stops."""
    sent_any: bool = True


@dataclass
class UnresolvedVerified(Message):
    """The batches a stop left open were settled (read back, never-sent keys recorded)."""

    outcomes: list[RevokeOutcome]
    when: str
    problem: str = ""
    """A sentence when settling could not run or not finish (lock held, log not writable)."""


@dataclass
class AuditHistoryRead(Message):
    """The audit log was read (on a thread): for the start-up report or for the `b` view."""

    purpose: str
    history: list[BatchHistory]
    note: str
    holder: LockHolder | None
    credential: str | None


@dataclass
class AuditHistoryFailed(Message):
    purpose: str
    sentence: str


@dataclass
class OwnKeyGuessed(Message):
    """Which listed key moved its `lastUsedAt` between two lists (None: could not tell)."""

    key_id: str | None
    reason: str


@dataclass
class DetailsReadEnded(Message):
    """The `o` reads have ended (all read, cancelled or stopped by a 401)."""


@dataclass
class OwnersCached(Message):
    """What the owner cache held (or a sentence why it was ignored or not written)."""

    owners: Mapping[str, Ownership]
    problem: str = ""


@dataclass
class PeopleLoaded(Message):
    directory: PeopleDirectory


@dataclass
class PlanWritten(Message):
    """`P` wrote the marked keys as a plan (`path` None: it could not, `problem` says why)."""

    path: Path | None
    problem: str
    count: int


@dataclass
class RollEnded(Message):
    """A roll ended: every key's outcome, where the secrets went, why it stopped early ("")."""

    outcomes: list[RollOutcome]
    where: str
    stopped: str


@dataclass
class PairsRead(Message):
    """The rolled pairs of this host and profile, read from the audit log (newest first)."""

    pairs: list[RolledPair]
    unfinished: list[Unfinished]


class TokenSeen(threading.Event):
    """Set when a token's screen is gone. `by_admin`: the admin closed it (enter, escape); a
    screen taken off by anything else does not count as the secret seen."""

    def __init__(self) -> None:
        super().__init__()
        self.by_admin = False


@dataclass
class ShowToken(Message):
    """A new key's token to show once; `seen` is set when its screen has closed."""

    delivery: Delivery
    seen: TokenSeen


@dataclass
class KeyCreated(Message):
    """`c` ended: the new key and its token (None: `problem` says why nothing usable was made)."""

    created: CreatedKey | None
    problem: str
