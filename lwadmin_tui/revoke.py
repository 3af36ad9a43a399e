"""The bulk-revocation engine: bounded concurrency, one outcome per key, stop on 401.

Headless on purpose (no textual import): the app and the tests drive this same code.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Protocol

from lwadmin_tui.api.errors import (
    AlreadyRevoked,
    ApiError,
    BadResponse,
    Forbidden,
    LangWatchError,
    NotFound,
    RateLimited,
    RedirectRefused,
    ServerError,
    TransportError,
    Unauthorized,
)
from lwadmin_tui.outcomes import OutcomeKind, RevokeOutcome

DEFAULT_CONCURRENCY = 8


class Revoker(Protocol):
    async def revoke_key(self, key_id: str) -> None: ...


OutcomeCallback = Callable[[RevokeOutcome], None]
SendingCallback = Callable[[str], None]


def outcome_from_error(key_id: str, error: LangWatchError) -> RevokeOutcome:
    """Translate a client error into the outcome the row shows."""
    status = getattr(error, "status", None)
    code = getattr(error, "code", None)
    kind_by_type: list[tuple[type[ApiError], OutcomeKind]] = [
        (Unauthorized, OutcomeKind.UNAUTHORIZED),
        (Forbidden, OutcomeKind.FORBIDDEN),
        (NotFound, OutcomeKind.NOT_FOUND),
        (AlreadyRevoked, OutcomeKind.ALREADY_REVOKED),
        (RateLimited, OutcomeKind.RATE_LIMITED),
        (ServerError, OutcomeKind.SERVER_ERROR),
    ]
    if isinstance(error, ApiError):
        kind = next((k for t, k in kind_by_type if isinstance(error, t)), OutcomeKind.HTTP_ERROR)
        return RevokeOutcome(key_id, kind, status, code, error.message)
    if isinstance(error, TransportError):
        if error.maybe_sent:
            reason = "timeout" if error.timed_out else "connection lost"
            return RevokeOutcome(key_id, OutcomeKind.UNKNOWN, message=reason)
        return RevokeOutcome(key_id, OutcomeKind.NETWORK_ERROR, message=error.message)
    if isinstance(error, BadResponse | RedirectRefused):
        return RevokeOutcome(key_id, OutcomeKind.BAD_RESPONSE, status, message=error.message)
    return RevokeOutcome(key_id, OutcomeKind.HTTP_ERROR, status, message=error.message)


async def revoke_one(client: Revoker, key_id: str) -> RevokeOutcome:
    try:
        await client.revoke_key(key_id)
    except LangWatchError as error:
        return outcome_from_error(key_id, error)
    return RevokeOutcome(key_id, OutcomeKind.REVOKED, 200)


async def revoke_keys(
    client: Revoker,
    key_ids: Sequence[str],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    on_outcome: OutcomeCallback | None = None,
    on_sending: SendingCallback | None = None,
    stop: asyncio.Event | None = None,
) -> list[RevokeOutcome]:
    """Revoke `key_ids` with at most `concurrency` requests in flight; return outcomes in order.

    A 401 means the credential itself is gone: nothing more is sent and the keys not yet sent
    are `not attempted`. Setting `stop` does the same (the admin cancelled). Requests already in
    flight always finish and report what the server said.
    """
    stop = stop or asyncio.Event()
    outcomes: dict[str, RevokeOutcome] = {}
    pending = iter(dict.fromkeys(key_ids))  # each key once, in the given order

    def record(outcome: RevokeOutcome) -> None:
        outcomes[outcome.key_id] = outcome
        if on_outcome is not None:
            on_outcome(outcome)

    async def worker() -> None:
        for key_id in pending:
            if stop.is_set():
                record(RevokeOutcome(key_id, OutcomeKind.NOT_ATTEMPTED))
                continue
            if on_sending is not None:
                on_sending(key_id)
            outcome = await revoke_one(client, key_id)
            if outcome.kind is OutcomeKind.UNAUTHORIZED:
                stop.set()
            record(outcome)

    workers = max(1, min(concurrency, len(key_ids)))
    await asyncio.gather(*(worker() for _ in range(workers)))
    return [outcomes[key_id] for key_id in dict.fromkeys(key_ids)]
