"""Which listed key is this session's own? The API cannot say; this makes an honest guess.

Two clues, each said for what it is worth:
- What the list shows, once the keys' details are read (`o`): a personal credential lists only
  its owner's keys and the service keys, so a list with several people's keys comes from a
  service key, which must hold an organization-wide binding to list them all. When exactly one
  listed key fits, it is the likely one.
- Whose last use moves. The newest server writes `lastUsedAt` at most once a minute per key (and
  server process), so two lists a moment apart show nothing: the watch lists, waits a little
  more than that minute, lists (which is due to write this session's key), and lists once more.
  Another client using its own key in that minute moves too; then there is no answer.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Protocol

from lwadmin_tui.api.models import ApiKeyInfo
from lwadmin_tui.keys.ownership import Ownership

OWN_KEY_ENV = "LWADMIN_OWN_KEY_ID"
WATCH_SECONDS = 62.0
"""A little more than the newest server's one-minute window for writing `lastUsedAt`."""
SETTLE_SECONDS = 1.5
"""Between the list that is due to write the caller's last use and the one that shows it."""


class Lister(Protocol):
    async def list_keys(self) -> tuple[ApiKeyInfo, ...]: ...


def configured_own_key(explicit: str | None) -> str | None:
    """The own key's id from the profile/app, else `LWADMIN_OWN_KEY_ID`."""
    value = explicit or os.environ.get(OWN_KEY_ENV, "")
    return value.strip() or None


def _org_wide(key: ApiKeyInfo) -> bool:
    """An organization-scope ADMIN or CUSTOM binding: what a service key needs to list all."""
    return any(
        b.scope_type == "ORGANIZATION" and b.role in ("ADMIN", "CUSTOM") for b in key.role_bindings
    )


def candidates_from_details(
    keys: Iterable[ApiKeyInfo], owners: Mapping[str, Ownership]
) -> tuple[list[str], str] | None:
    """(the keys this session may use, why), from the list and the keys' details; None when
    some details are not known or the list does not narrow it down."""
    listed = list(keys)
    if not listed or any(key.id not in owners for key in listed):
        return None
    people = {o.owner_id for k in listed if not (o := owners[k.id]).is_service and o.owner_id}
    if len(people) < 2:
        return None  # one person's keys: their personal key or a service key, either way
    service = [k.id for k in listed if owners[k.id].is_service and _org_wide(k)]
    why = (
        f"the list holds the keys of {len(people)} people, which only a service key with an "
        "organization-wide binding sees"
    )
    return service, why


async def watch_last_use(
    client: Lister,
    pause: float = WATCH_SECONDS,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    settle: float = SETTLE_SECONDS,
) -> list[str]:
    """The keys whose `lastUsedAt` moved over a watch of `pause` seconds (see the module)."""
    first = {key.id: key.last_used_at for key in await client.list_keys()}
    await sleep(pause)
    await client.list_keys()  # due to write this session's last use, shown by the next list
    await sleep(settle)
    last = await client.list_keys()
    return [
        key.id
        for key in last
        if key.last_used_at is not None and key.last_used_at != first.get(key.id)
    ]


async def guess_own_key(
    client: Lister,
    pause: float = WATCH_SECONDS,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    *,
    keys: Iterable[ApiKeyInfo] = (),
    owners: Mapping[str, Ownership] | None = None,
    settle: float = SETTLE_SECONDS,
) -> tuple[str | None, str]:
    """(key id or None, a sentence saying how sure this is)."""
    narrowed = candidates_from_details(keys, owners or {})
    if narrowed is not None and len(narrowed[0]) == 1:
        return narrowed[0][0], (
            f"a guess: {narrowed[1]}, and it is the only service key listed with one"
        )
    moved = await watch_last_use(client, pause, sleep, settle)
    seconds = f"{pause:.0f} s" if pause >= 1 else "a moment"
    if narrowed is not None:
        fitting = [key_id for key_id in moved if key_id in narrowed[0]]
        if len(fitting) == 1:
            return fitting[0], (
                f"a guess: {narrowed[1]}, and of those only its last use moved in {seconds}"
            )
    if len(moved) == 1:
        return moved[0], (
            f"a guess: its last use was the only one to move in {seconds} of watching; another "
            "client using its own key in that time would look the same"
        )
    if not moved:
        return None, f"could not tell: no key's last use moved in {seconds} of watching"
    return None, f"could not tell: {len(moved)} keys were used in {seconds} of watching"
