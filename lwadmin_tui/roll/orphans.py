"""New keys whose secret reached nobody: found after a lost create answer, and revoked.

A create whose answer is lost (timeout, dropped connection) or fails with a 5xx may have made the
key anyway, with a token nobody saw. It is found in a fresh list: its name, and not listed
before the create (not its time: the server's clock may differ from ours). A key made but not
delivered is revoked the same way. Each DELETE has its record on disk before it leaves.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from lwadmin_tui.api.client import LangWatchClient
from lwadmin_tui.api.errors import LangWatchError
from lwadmin_tui.api.new_key import same_name
from lwadmin_tui.audit.log import safe
from lwadmin_tui.text import safe_text

Record = Callable[..., Awaitable[None]]
"""`record(event, **fields)`: on disk on return (raises when it cannot be written)."""


@dataclass(frozen=True)
class Cleanup:
    """What became of a key made without a delivered secret."""

    new_id: str | None
    revoked: bool
    message: str


class Orphans:
    def __init__(self, client: LangWatchClient, record: Record, known: set[str]) -> None:
        self.client = client
        self.record = record
        self.known = known
        """Ids listed before (and made since): a lost create's key is not among them."""

    async def after_lost_create(self, name: str, lost: str) -> Cleanup | None:
        """Find and revoke what a lost create made; None when it made nothing."""
        try:
            listed = await self.client.list_keys()
        except LangWatchError as error:
            return Cleanup(
                None,
                False,
                f"{lost}; a new key may exist, and the list to find it failed "
                f"({said(error)}): look for a key named {safe(name)!r}",
            )
        made = [key for key in listed if same_name(key.name, name) and key.id not in self.known]
        if len(made) > 1:  # another admin or a job made one too: which is ours is not known
            ids = ", ".join(key.id for key in made[:5])
            return Cleanup(
                made[0].id,
                False,
                f"{lost}; {len(made)} new keys are named {safe(name)!r} ({ids}): one is the key "
                "whose secret was lost; revoke it by hand",
            )
        cleanups = []
        for key in made:
            self.known.add(key.id)
            cleanups.append(await self.revoke(key.id, lost))
        if not cleanups:
            return None
        left = [c for c in cleanups if not c.revoked]  # any failure is said, not hidden
        shown = left[0] if left else cleanups[0]
        more = f" ({len(cleanups)} such keys; {len(left)} not revoked)" if len(cleanups) > 1 else ""
        return Cleanup(shown.new_id, not left, shown.message + more)

    async def revoke(self, new_id: str, reason: str) -> Cleanup:
        await self.record("roll_cleanup_intent", new_id=new_id)
        try:
            await self.client.revoke_key(new_id)
        except LangWatchError as error:
            await self.record("roll_cleanup", new_id=new_id, revoked=False, why=said(error))
            return Cleanup(
                new_id,
                False,
                f"{reason}; the new key {new_id} could not be revoked ({said(error)}): "
                "revoke it by hand",
            )
        await self.record("roll_cleanup", new_id=new_id, revoked=True)
        return Cleanup(new_id, True, f"{reason}; the new key {new_id} was revoked")


def said(error: LangWatchError) -> str:
    status = getattr(error, "status", None)
    text = safe_text(error.message, 200)
    return f"{status} {text}" if status else text
