"""Reading the details (type, owner, creator, access) of many keys: `GET /api/api-keys/{id}` each.

The list has no owner; only a read per key has, and the server records every read in the
organization's audit log, so this runs only when the admin asks. It is a batch like a revocation:
bounded workers, the retry policy of `retry.py` for 429/5xx and lost connections (a read is safe to
repeat), a cancel that stops new requests at once, and a 401 that stops every worker. A 404 may
mean the key is gone or that this credential may not read it: one list at the end tells them apart.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from lwadmin_tui.api.errors import InvalidKeyId, LangWatchError, NotFound, Unauthorized
from lwadmin_tui.api.models import ApiKeyDetail, ApiKeyInfo
from lwadmin_tui.bulk.engine import DEFAULT_CONCURRENCY
from lwadmin_tui.bulk.retry import RetryableFailure, RetryPolicy, classify
from lwadmin_tui.clock import utc_now
from lwadmin_tui.keys.ownership import Ownership
from lwadmin_tui.text import safe_text


class DetailClient(Protocol):
    async def get_key(self, key_id: str) -> ApiKeyDetail: ...

    async def list_keys(self) -> tuple[ApiKeyInfo, ...]: ...


class ReadKind(StrEnum):
    READ = "read"
    GONE = "gone"
    """404, and the key is no longer listed."""
    NOT_SHOWN = "not shown"
    """404 for a key that is still listed: this credential may not read its details."""
    FAILED = "failed"
    NOT_READ = "not read"
    """Cancelled or stopped (401) before its read left."""


@dataclass(frozen=True, slots=True)
class DetailRead:
    key_id: str
    kind: ReadKind
    ownership: Ownership | None = None
    message: str = ""


@dataclass
class ReadCounts:
    read: int = 0
    gone: int = 0
    not_shown: int = 0
    failed: int = 0
    not_read: int = 0

    def add(self, result: DetailRead) -> None:
        name = result.kind.name.lower()
        setattr(self, name, getattr(self, name) + 1)

    @property
    def done(self) -> int:
        return self.read + self.gone + self.not_shown + self.failed + self.not_read


ReadCallback = Callable[[DetailRead], None]


class DetailReads:
    """One run of reads. `cancel()` stops new requests; reads in flight finish."""

    def __init__(
        self,
        client: DetailClient,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        policy: RetryPolicy | None = None,
        clock: Callable[[], datetime] = utc_now,
        on_read: ReadCallback | None = None,
    ) -> None:
        self.client = client
        self.concurrency = max(1, concurrency)
        self.policy = policy or RetryPolicy()
        self.clock = clock
        self.on_read = on_read
        self.counts = ReadCounts()
        self.total = 0
        self.unauthorized = False
        self.cancelled = False
        self.first_failure = ""
        """The reason of the first read that failed, for the summary."""
        self.waiting = 0
        """Reads waiting to be tried again (429, 5xx, a lost connection), for the progress."""
        self.last_wait_reason = ""
        self._stop = asyncio.Event()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def cancel(self) -> None:
        self.cancelled = True
        self._stop.set()

    async def run(self, key_ids: Iterable[str]) -> list[DetailRead]:
        """Read every key once, in the given order (duplicates dropped)."""
        unique = list(dict.fromkeys(key_ids))
        self.total = len(unique)
        results: dict[str, DetailRead] = {}
        missing: list[str] = []
        pending = iter(unique)
        workers = max(1, min(self.concurrency, len(unique)))
        await asyncio.gather(*(self._worker(pending, results, missing) for _ in range(workers)))
        for result in await self._settle_missing(missing):
            self._finish(result, results)
        return [results[key_id] for key_id in unique]

    async def _worker(
        self, pending: Iterator[str], results: dict[str, DetailRead], missing: list[str]
    ) -> None:
        for key_id in pending:
            result = await self._read_guarded(key_id)
            if result is None:
                missing.append(key_id)  # decided by one list at the end
                continue
            self._finish(result, results)

    def _finish(self, result: DetailRead, results: dict[str, DetailRead]) -> None:
        results[result.key_id] = result
        if result.kind is ReadKind.FAILED and not self.first_failure:
            self.first_failure = result.message
        self.counts.add(result)
        if self.on_read is not None:
            self.on_read(result)

    async def _read_guarded(self, key_id: str) -> DetailRead | None:
        try:
            return await self._read_one(key_id)
        except Exception as error:  # a bug must not end one worker while the others go on
            self._stop.set()
            return DetailRead(
                key_id, ReadKind.FAILED, message=f"internal error ({type(error).__name__})"
            )

    async def _read_one(self, key_id: str) -> DetailRead | None:
        """The key's read, retried as the policy says; None for a 404."""
        for attempt in range(1, self.policy.attempts + 1):
            if self.stopped:
                return DetailRead(key_id, ReadKind.NOT_READ)
            try:
                detail = await self.client.get_key(key_id)
            except InvalidKeyId as error:
                return DetailRead(key_id, ReadKind.FAILED, message=error.message)
            except Unauthorized:
                self.unauthorized = True
                self._stop.set()
                return DetailRead(key_id, ReadKind.FAILED, message="401 credential rejected")
            except NotFound:
                return None
            except LangWatchError as error:
                verdict = classify(error)
                if isinstance(verdict, RetryableFailure) and attempt < self.policy.attempts:
                    self.waiting += 1
                    self.last_wait_reason = verdict.reason
                    try:
                        await self._pause(self.policy.wait_before(attempt + 1, verdict))
                    finally:
                        self.waiting -= 1
                    continue
                return DetailRead(key_id, ReadKind.FAILED, message=safe_text(str(error), 200))
            return DetailRead(key_id, ReadKind.READ, Ownership.from_detail(detail, self.clock()))
        return DetailRead(key_id, ReadKind.NOT_READ)  # pragma: no cover - attempts >= 1

    async def _pause(self, seconds: float) -> None:
        if seconds > 0 and not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), seconds)

    async def _settle_missing(self, missing: list[str]) -> list[DetailRead]:
        """404s: gone if the list no longer has them, else not readable with this credential."""
        if not missing:
            return []
        try:
            listed = {key.id for key in await self.client.list_keys()}
        except LangWatchError as error:
            why = f"404, and the list could not be read to tell why ({safe_text(str(error), 120)})"
            return [DetailRead(key_id, ReadKind.FAILED, message=why) for key_id in missing]
        return [
            DetailRead(key_id, ReadKind.NOT_SHOWN if key_id in listed else ReadKind.GONE)
            for key_id in missing
        ]
