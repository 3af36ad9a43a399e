"""One batch writer per audit log at a time: a lock file held for the whole batch.

Two instances writing batches into one log would each take the other's running batch for an
interrupted one and "verify" it while its requests are still in flight. The running batch holds
an exclusive `flock` on `batch.lock` beside the log; the kernel drops it when the process ends,
however it ends, so a batch whose process was killed is interrupted, and one whose process still
runs is never offered for verification elsewhere. The file names the holder (pid, batch, time).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from lwadmin_tui.settings.files import open_own_file, private_dir, write_all

LOCK_NAME = "batch.lock"
WHAT = "audit lock file"


@dataclass(frozen=True)
class LockHolder:
    """The process that holds the lock, as it wrote itself into the file."""

    pid: int
    batch_id: str
    started: str

    @property
    def ours(self) -> bool:
        return self.pid == os.getpid()

    def describe(self) -> str:
        when = _local_time(self.started)
        since = f" since {when}" if when else ""
        return f"another lwadmin-tui (process {self.pid}) is running a batch{since}"


class BatchRunningElsewhere(Exception):
    """The lock is held: a batch of another process is writing into this audit log."""

    def __init__(self, holder: LockHolder) -> None:
        super().__init__(holder.describe())
        self.holder = holder

    def __str__(self) -> str:
        return (
            f"{self.holder.describe()} with this audit log; wait for it to finish, then try again"
        )


class BatchLock:
    """Held from `acquire` until `release` (or until the process ends)."""

    def __init__(self, fd: int) -> None:
        self._fd: int | None = fd

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def acquire(directory: Path, batch_id: str, started: str) -> BatchLock:
    """Take the lock for `batch_id`; BatchRunningElsewhere when another batch holds it."""
    private_dir(directory)
    fd = open_own_file(directory / LOCK_NAME, os.O_RDWR | os.O_CREAT, WHAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _read_holder(fd)
        os.close(fd)
        raise BatchRunningElsewhere(holder) from None
    except BaseException:
        os.close(fd)
        raise
    lock = BatchLock(fd)
    try:
        record = {"pid": os.getpid(), "batch": batch_id, "started": started}
        os.ftruncate(fd, 0)
        write_all(fd, json.dumps(record).encode("ascii") + b"\n")
    except BaseException:  # a full disk: the lock must not stay held by nobody's batch
        lock.release()
        raise
    return lock


def holder(directory: Path) -> LockHolder | None:
    """Who holds the lock now, or None when no batch runs (this process's own included)."""
    path = directory / LOCK_NAME
    try:
        fd = open_own_file(path, os.O_RDONLY, WHAT)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read_holder(fd)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _read_holder(fd: int) -> LockHolder:
    try:
        record = json.loads(os.pread(fd, 4096, 0) or b"{}")
    except (OSError, ValueError):
        record = {}
    if not isinstance(record, dict):
        record = {}
    pid = record.get("pid")
    return LockHolder(
        pid if isinstance(pid, int) else 0,
        str(record.get("batch", "")),
        str(record.get("started", "")),
    )


def _local_time(stamp: str) -> str:
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone().strftime("%H:%M")
    except (ValueError, OverflowError):
        return ""
