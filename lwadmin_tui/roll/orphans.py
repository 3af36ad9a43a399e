"""New keys whose secret reached nobody: found after a lost create answer, and revoked.

A create whose answer is lost (timeout, dropped connection) or fails with a 5xx may have made the
key anyway, with a token nobody saw. A 201 that cannot be used names the key it made; otherwise
the key is found in a fresh list: its name, not listed just before the create, and as the create
asked for it (read by id: a colleague's key of the same name is named, never revoked). A key made
but not delivered is revoked the same way. Each DELETE has its record on disk before it leaves,
and a DELETE whose answer is lost is read back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from lwadmin_tui.api.client import LangWatchClient
from lwadmin_tui.api.errors import LangWatchError, RateLimited, ServerError, TransportError
from lwadmin_tui.api.key_ids import is_key_id
from lwadmin_tui.api.new_key import NewKey, same_name
from lwadmin_tui.audit.log import safe
from lwadmin_tui.roll.lookalike import differences
from lwadmin_tui.roll.records import LEFT
from lwadmin_tui.text import safe_text

Record = Callable[..., Awaitable[None]]
"""`record(event, **fields)`: on disk on return (raises when it cannot be written)."""

_RETRYABLE = (RateLimited, ServerError, TransportError)
CLEANUP_TRIES = 3
CLEANUP_PAUSE = 1.0  # seconds between tries after a 429 or a 5xx


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
        self.pause = CLEANUP_PAUSE

    async def after_lost_create(
        self, new: NewKey, lost: str, answered_id: str | None = None
    ) -> Cleanup | None:
        """Find and revoke what a lost create made; None when it made nothing. `answered_id`:
        the key a 201 named though the rest of it could not be used."""
        if answered_id is not None and is_key_id(answered_id) and answered_id not in self.known:
            self.known.add(answered_id)  # the answer to our POST made it: ours
            return await self.revoke(answered_id, lost)
        name = new.name
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
            for key in made:
                await self.record(LEFT, new_id=key.id, new_name=safe(key.name))
            ids = ", ".join(key.id for key in made[:5])
            return Cleanup(
                made[0].id,
                False,
                f"{lost}; {len(made)} new keys are named {safe(name)!r} ({ids}): one is the key "
                "whose secret was lost; revoke it by hand",
            )
        if not made:
            return None
        (key,) = made
        self.known.add(key.id)
        unlike = await self._unlike(key.id, new)
        if unlike:
            await self.record(LEFT, new_id=key.id, new_name=safe(key.name))
            return Cleanup(
                key.id,
                False,
                f"{lost}; a key named {safe(name)!r} appeared meanwhile ({key.id}), but {unlike}: "
                "it may be someone else's. If it is the lost one, revoke it by hand",
            )
        return await self.revoke(key.id, lost)

    async def _unlike(self, key_id: str, new: NewKey) -> str:
        """Why the key found is not surely the one asked for ("" when it is)."""
        try:
            found = await self.client.get_key(key_id)
        except LangWatchError as error:
            return f"it could not be read to compare ({said(error)})"
        if found.id != key_id:  # an answer about another key says nothing of this one
            return "reading it answered another key"
        differ = differences(found, new)
        return f"its {', '.join(differ)} differ from the key asked for" if differ else ""

    async def revoke(self, new_id: str, reason: str) -> Cleanup:
        """Revoke a key whose secret reached nobody: a 429 or a 5xx is tried again, and a
        failed DELETE is read back (its answer may be lost while it was applied)."""
        error: LangWatchError | None = None
        for attempt in range(1, CLEANUP_TRIES + 1):
            await self.record("roll_cleanup_intent", new_id=new_id, attempt=attempt)
            try:
                await self.client.revoke_key(new_id)
                error = None
                break
            except LangWatchError as failed:
                error = failed
            if await self._revoked_after_all(new_id):  # a 409 comes here too
                error = None
                break
            if not isinstance(error, _RETRYABLE) or attempt == CLEANUP_TRIES:
                break
            await asyncio.sleep(self.pause)
        if error is not None:
            await self.record("roll_cleanup", new_id=new_id, revoked=False, why=said(error))
            return Cleanup(
                new_id,
                False,
                f"{reason}; the new key {new_id} could not be revoked ({said(error)}): "
                "revoke it by hand",
            )
        await self.record("roll_cleanup", new_id=new_id, revoked=True)
        return Cleanup(new_id, True, f"{reason}; the new key {new_id} was revoked")

    async def _revoked_after_all(self, new_id: str) -> bool:
        """A DELETE whose answer was lost or refused may have been applied: read it back."""
        try:
            found = await self.client.get_key(new_id)
        except LangWatchError:
            return False
        return found.id == new_id and found.revoked_at is not None


def said(error: LangWatchError) -> str:
    status = getattr(error, "status", None)
    text = safe_text(error.message, 200)
    return f"{status} {text}" if status else text
