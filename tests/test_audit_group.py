"""Group commit: each writer returns only once its record is on disk, and records that arrive
while the disk is busy share the next write."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from lwadmin_tui.audit.group import GroupCommit
from lwadmin_tui.audit.log import AuditLog


class HeldLog(AuditLog):
    """Holds the first write until released, and remembers the size of every write."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.groups: list[int] = []
        self.writing = threading.Event()
        self.release = threading.Event()

    def write_many(self, records: Sequence[dict[str, Any]]) -> None:
        self.writing.set()
        self.release.wait(10)
        super().write_many(records)
        self.groups.append(len(records))


async def test_records_arriving_while_the_disk_is_busy_share_one_write(tmp_path: Path) -> None:
    log = HeldLog(tmp_path / "audit.jsonl")
    group = GroupCommit(log)
    first = asyncio.create_task(group.write({"n": 0}))
    await asyncio.to_thread(log.writing.wait, 10)
    later = [asyncio.create_task(group.write({"n": n})) for n in range(1, 6)]
    await asyncio.sleep(0)
    assert not any(task.done() for task in [first, *later])  # nothing returns before its fsync
    log.release.set()
    await asyncio.gather(first, *later)
    assert log.groups == [1, 5]
    assert [r["n"] for r in log.records()] == [0, 1, 2, 3, 4, 5]


class FullDisk(AuditLog):
    def write_many(self, records: Sequence[dict[str, Any]]) -> None:
        raise OSError(28, "No space left on device")


async def test_every_writer_of_a_failed_write_gets_the_error(tmp_path: Path) -> None:
    group = GroupCommit(FullDisk(tmp_path / "audit.jsonl"))
    results = await asyncio.gather(
        *(group.write({"n": n}) for n in range(3)), return_exceptions=True
    )
    assert all(isinstance(r, OSError) for r in results)
    with pytest.raises(OSError):  # and the next write tries again, and fails again
        await group.write({"n": 3})


async def test_records_queued_when_the_writer_is_cancelled_are_never_written(
    tmp_path: Path,
) -> None:
    log = HeldLog(tmp_path / "audit.jsonl")
    group = GroupCommit(log)
    first = group.submit({"n": 0})
    await asyncio.to_thread(log.writing.wait, 10)
    queued = group.submit({"n": 1})
    writer = group._writer
    assert writer is not None
    writer.cancel()
    await asyncio.sleep(0)
    assert first.cancelled() and queued.cancelled()  # their writers are told
    log.release.set()
    await group.write({"n": 2})
    assert 1 not in [r["n"] for r in log.records()]


class ThreadNoting(AuditLog):
    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.threads: list[int] = []

    def write_many(self, records: Sequence[dict[str, Any]]) -> None:
        self.threads.append(threading.get_ident())
        super().write_many(records)


@pytest.mark.parametrize("inline", [True, False])
async def test_inline_writes_stay_on_the_loop_thread_and_keep_the_rules(
    tmp_path: Path, inline: bool
) -> None:
    """`revoke apply` writes on its loop's thread (no hops); the TUI never does."""
    log = ThreadNoting(tmp_path / "audit.jsonl")
    group = GroupCommit(log, inline=inline)
    await asyncio.gather(*(group.write({"n": n}) for n in range(4)))
    await group.write({"n": 4})
    assert [r["n"] for r in log.records()] == [0, 1, 2, 3, 4]
    assert len(log.threads) == 2  # the first four shared one write
    on_loop = {ident == threading.get_ident() for ident in log.threads}
    assert on_loop == {inline}
    failing = GroupCommit(FullDisk(tmp_path / "full.jsonl"), inline=inline)
    results = await asyncio.gather(
        *(failing.write({"n": n}) for n in range(2)), return_exceptions=True
    )
    assert all(isinstance(r, OSError) for r in results)


def test_revoke_apply_writes_its_audit_inline() -> None:
    from lwadmin_tui.api.auth import ApiKey
    from lwadmin_tui.runbook.apply import audit_for

    audit = audit_for(ApiKey("sk-lw-" + "a" * 48), "h", "default", "")
    assert audit._grouped.inline
