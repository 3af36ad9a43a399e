"""The audit records of a roll: each step of each key, in the same log as revocations.

Records carry `roll` (the roll's id) instead of `batch`, so the revocation history (batches,
interrupted batches, their settling) never reads a roll as a batch. Tokens are never written:
a record names the old id, the new id and where the secret went. The old keys' revocation,
when asked for, is a batch of its own with the usual records (`bulk/engine.py`).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable
from typing import Any

from lwadmin_tui.audit.group import GroupCommit
from lwadmin_tui.audit.log import AuditLog, safe
from lwadmin_tui.text import safe_text

PAIR = "roll_pair"
"""The record that an old key was replaced: old id → new id, its secret delivered."""
LEFT = "roll_left"
"""The record of a key that may be a lost create's, left for the admin: named at the next start."""


class RollAudit:
    def __init__(
        self,
        log: AuditLog,
        host: str,
        profile: str,
        *,
        credential: str | None = None,
        key_last4: str = "",
    ) -> None:
        self.log = log
        self.roll_id = uuid.uuid4().hex[:12]
        self.credential = credential
        self.key_last4 = key_last4
        self._common = {"host": host, "profile": profile, "roll": self.roll_id}
        self._grouped = GroupCommit(log)

    async def save(self, event: str, **fields: Any) -> None:
        """Returns once the record is on disk (raises OSError when it cannot be written)."""
        await self._grouped.write({"event": event, **self._common, **fields})

    def submit(self, event: str, **fields: Any) -> asyncio.Future[None]:
        return self._grouped.submit({"event": event, **self._common, **fields})

    async def started(
        self, keys: Iterable[tuple[str, str]], *, where: str, revoke_old: bool
    ) -> None:
        await self.save(
            "roll",
            credential=self.credential,
            key_last4=safe_text(self.key_last4, 4),
            keys=[[key_id, safe(name)] for key_id, name in keys],
            secrets_to=safe_text(where, 300),
            revoke_old=revoke_old,
        )
