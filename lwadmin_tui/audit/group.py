"""Group commit for the audit log: many concurrent writers, one write and one fsync per group.

A batch at concurrency 8 writes two records per key, and each writer must wait until its record
is on disk (no request leaves before its intent is). Writing each record with its own thread hop
and fsync cost about 1.5 ms of CPU per key. Here each record still counts as written only once
it is flushed and fsynced, but records that arrive while the disk is busy wait and go together
in the next single write + fsync (benchmarks/RESULTS.md has the numbers). Records are written in
the order they were submitted.

With `inline`, the event loop's own thread writes (a command with no screen: `revoke apply`).
Nothing there must stay responsive during the ~0.25 ms of a write and fsync, and the two thread
hops it saves were most of each intent's wait: 1.0-1.5 ms against 0.3-0.7 ms at 20 ms latency
(benchmarks/RUNBOOK.md). The TUI keeps the thread: a slow disk must never freeze its screen.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol


class RecordSink(Protocol):
    def write_many(self, records: list[dict[str, Any]]) -> None: ...


class GroupCommit:
    def __init__(self, sink: RecordSink, *, inline: bool = False) -> None:
        self.sink = sink
        self.inline = inline
        self._waiting: list[tuple[dict[str, Any], asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    def submit(self, record: dict[str, Any]) -> asyncio.Future[None]:
        """Queue `record` now; the future is done once it is on disk, or holds the error."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((record, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._drain())
        return future

    async def write(self, record: dict[str, Any]) -> None:
        """Returns once `record` is on disk; raises what writing it raised (e.g. OSError)."""
        await self.submit(record)

    async def _drain(self) -> None:
        while self._waiting:
            group, self._waiting = self._waiting, []
            records = [record for record, _ in group]
            try:
                if self.inline:
                    self.sink.write_many(records)
                else:
                    await asyncio.to_thread(self.sink.write_many, records)
            except asyncio.CancelledError:  # shutting down: nothing queued is written later
                group, self._waiting = group + self._waiting, []
                for _, future in group:
                    future.cancel()
                raise
            except Exception as error:  # every writer of the group learns its record failed
                for _, future in group:
                    if not future.done():
                        future.set_exception(error)
            else:
                for _, future in group:
                    if not future.done():
                        future.set_result(None)
