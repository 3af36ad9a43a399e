"""Finding out whether a key is revoked after an answer that did not say.

`GET /api/api-keys/{id}` (server 3.13+) returns revoked keys with `revokedAt` set. Older servers
have no such route (404 without the `api_key_not_found` code): there the list is read again, and
a key that was listed before the batch and is no longer listed has been revoked.

A 404 `api_key_not_found` does not always mean the key is gone: the server answers it, too, to a
credential that may not read that key (a personal key asking for a service key). So a 404 is
checked against the list: a key still listed is active, whatever the GET said.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from lwadmin_tui.api.errors import InvalidKeyId, NotFound
from lwadmin_tui.api.key_ids import is_key_id
from lwadmin_tui.api.models import ApiKeyDetail, ApiKeyInfo

KEY_NOT_FOUND_CODE = "api_key_not_found"


class Verdict(StrEnum):
    REVOKED = "revoked"
    NOT_REVOKED = "not revoked"
    GONE = "not found"


class KeyReader(Protocol):
    async def get_key(self, key_id: str) -> ApiKeyDetail: ...

    async def list_keys(self) -> tuple[ApiKeyInfo, ...]: ...


class Verifier:
    """Reads one key's state; remembers once that the server is older than 3.13.

    Errors (network, 401, 5xx) propagate: the caller decides whether to retry or give up.
    """

    def __init__(self, client: KeyReader) -> None:
        self.client = client
        self.legacy = False
        """True once GET by id turned out not to exist on this server."""
        self.requests = 0

    async def check(self, key_id: str) -> Verdict:
        if not is_key_id(key_id):  # from a log: the list would "show" it revoked
            raise InvalidKeyId(key_id)
        if not self.legacy:
            self.requests += 1
            try:
                detail = await self.client.get_key(key_id)
            except NotFound as error:
                if error.code == KEY_NOT_FOUND_CODE:
                    return await self._gone_or_hidden(key_id)
                self.legacy = True  # the route itself is missing: a pre-3.13 server
            else:
                return Verdict.REVOKED if detail.revoked_at is not None else Verdict.NOT_REVOKED
        self.requests += 1
        listed = {key.id for key in await self.client.list_keys()}
        return Verdict.NOT_REVOKED if key_id in listed else Verdict.REVOKED

    async def _gone_or_hidden(self, key_id: str) -> Verdict:
        """A 404 from GET: gone only if the list does not hold the key either."""
        self.requests += 1
        listed = {key.id for key in await self.client.list_keys()}
        return Verdict.NOT_REVOKED if key_id in listed else Verdict.GONE
