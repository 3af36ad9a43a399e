"""Which listed key is this session's own? The API cannot say; this makes an honest guess.

The server sets the calling key's `lastUsedAt` after each successful request. Listing twice,
a moment apart, the key whose `lastUsedAt` moved is most likely the caller — unless another
client used its own key in that moment too, in which case there is no answer, only a shrug.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from typing import Protocol

from lwadmin_tui.api.models import ApiKeyInfo

OWN_KEY_ENV = "LWADMIN_OWN_KEY_ID"


class Lister(Protocol):
    async def list_keys(self) -> tuple[ApiKeyInfo, ...]: ...


def configured_own_key(explicit: str | None) -> str | None:
    """The own key's id from the profile/app, else `LWADMIN_OWN_KEY_ID`."""
    value = explicit or os.environ.get(OWN_KEY_ENV, "")
    return value.strip() or None


async def guess_own_key(
    client: Lister,
    pause: float = 1.5,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> tuple[str | None, str]:
    """(key id or None, a sentence saying how sure this is)."""
    first = {key.id: key.last_used_at for key in await client.list_keys()}
    await sleep(pause)
    second = await client.list_keys()
    moved = [
        key.id
        for key in second
        if key.last_used_at is not None and key.last_used_at != first.get(key.id)
    ]
    if len(moved) == 1:
        return moved[0], (
            "a guess: its last use moved between two lists, as this session's key does"
        )
    if not moved:
        return None, "could not tell: no key's last use moved between two lists"
    return None, f"could not tell: {len(moved)} keys were used between two lists"
