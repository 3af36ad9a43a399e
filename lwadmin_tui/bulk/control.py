"""What one key's attempts need from the batch they belong to, and why a batch stops."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from lwadmin_tui.api.models import ApiKeyDetail, ApiKeyInfo
from lwadmin_tui.audit.log import BatchAudit
from lwadmin_tui.bulk.retry import RetryPolicy
from lwadmin_tui.bulk.verify import Verifier
from lwadmin_tui.outcomes import Pending, RevokeOutcome


class StopReason(StrEnum):
    """Why a batch stopped before every key was sent (None on the engine: it did not)."""

    CANCELLED = "cancelled"
    UNAUTHORIZED = "unauthorized"
    INTERNAL = "internal error"
    AUDIT = "audit log not writable"
    BUSY = "another batch is running"


class Revoker(Protocol):
    async def revoke_key(self, key_id: str) -> None: ...


class Client(Revoker, Protocol):
    """What the engine needs from `LangWatchClient`: revoke, and read back (verify.py)."""

    async def get_key(self, key_id: str) -> ApiKeyDetail: ...

    async def list_keys(self) -> tuple[ApiKeyInfo, ...]: ...


@dataclass(frozen=True)
class Target:
    """A key to revoke; the name is only for the audit log."""

    key_id: str
    name: str = ""


ProgressCallback = Callable[[str, Pending], None]
OutcomeCallback = Callable[[RevokeOutcome], None]


class BatchControl(Protocol):
    """The batch a key's attempts run in (`BulkRevoker`)."""

    client: Revoker
    policy: RetryPolicy
    audit: BatchAudit | None
    verifier: Verifier

    @property
    def stopped(self) -> bool: ...

    def stop_for(self, reason: StopReason, detail: str = "") -> None: ...

    def credential_rejected(self) -> None: ...

    def progress(self, key_id: str, pending: Pending) -> None: ...

    async def pause(self, seconds: float) -> None: ...

    def note_sent(self) -> None: ...
