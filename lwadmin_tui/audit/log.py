"""Append-only JSON-lines record of every revocation: nothing sent is ever lost from it.

One `intent` record is written, flushed and fsynced right before each DELETE leaves, and one
`outcome` record when the key's final word is known. A process killed with `kill -9` therefore
leaves an intent for every request it sent; the next start finds intents without outcomes and
offers to verify them. The API key itself is never written, only key ids and safe names.

File: `$XDG_STATE_HOME/lwadmin-tui/audit.jsonl` (else `~/.local/state/...`), dir 0700, file 0600.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import os
import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from lwadmin_tui.audit import lock as audit_lock
from lwadmin_tui.audit.group import GroupCommit
from lwadmin_tui.audit.lock import BatchLock, LockHolder
from lwadmin_tui.clock import utc_stamp
from lwadmin_tui.outcomes import FULL_MESSAGE_LENGTH, RevokeOutcome
from lwadmin_tui.settings.files import open_own_file, private_dir, read_own_tail, write_all
from lwadmin_tui.settings.paths import DEFAULT_PROFILE, state_dir
from lwadmin_tui.text import safe_text

LOG_NAME = "audit.jsonl"
NAME_MAX_LENGTH = 120
REASON_MAX_LENGTH = 200
MAX_READ = 64 << 20  # bytes of the log read back: years of batches, never a whole disk


def new_batch_id() -> str:
    """Short, unique, sortable by nothing: batches are ordered by their first record's time."""
    return uuid.uuid4().hex[:12]


class AuditLog:
    """The log file: each `write_many` is flushed and fsynced, whole, before it returns.

    The file is opened for each write (O_APPEND, never through a link, only a regular file of
    this user), so no descriptor outlives a record and a log moved away is simply started again.
    A write that the disk takes only in part is cut back off and raises OSError: a record is on
    disk whole or not at all. A log that ends in a partial line (a crash mid-write) gets a line
    break first, so the next record never merges into it.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or state_dir() / LOG_NAME
        self._lock = threading.Lock()
        self.read_note = ""
        """After `records()`: a sentence if the log was too large to read whole, else empty."""

    def write_many(self, records: Sequence[dict[str, Any]]) -> None:
        """Append `records` with one write and one fsync: all are on disk on return."""
        stamp = utc_stamp()
        data = "".join(
            json.dumps({"time": stamp, **record}, ensure_ascii=True) + "\n" for record in records
        ).encode("ascii")
        with self._lock:
            private_dir(self.path.parent)
            created = not os.path.lexists(self.path)
            fd = open_own_file(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, "audit log")
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)  # appends of other processes wait: see the cut
                size = os.fstat(fd).st_size
                if size and os.pread(fd, 1, size - 1) != b"\n":
                    data = b"\n" + data
                try:
                    write_all(fd, data)
                    os.fsync(fd)
                except OSError:
                    with contextlib.suppress(OSError):
                        os.ftruncate(fd, size)  # no half record stays behind
                    raise
            finally:
                os.close(fd)
            if created:  # the new file's directory entry must survive a crash too
                dir_fd = os.open(self.path.parent, os.O_RDONLY | os.O_DIRECTORY)
                try:
                    os.fsync(dir_fd)
                finally:
                    os.close(dir_fd)

    def records(self) -> list[dict[str, Any]]:
        """Every readable record, oldest first; a line cut short by a crash is skipped.

        Blocking file I/O: call it off the event loop. At most the last `MAX_READ` bytes are
        read (`read_note` then says so); anything but a regular file of ours raises NotOurFile.
        """
        data, cut = read_own_tail(self.path, "audit log", MAX_READ)
        self.read_note = (
            f"The audit log is larger than {MAX_READ >> 20} MiB; only its newest records were read."
            if cut
            else ""
        )
        lines = data.split(b"\n")
        if cut:
            lines = lines[1:]  # the first line may start mid-record
        return list(parse_records(lines))

    def batch_lock(self, batch_id: str) -> BatchLock:
        """Hold the one-writer lock for `batch_id` (BatchRunningElsewhere if another holds it)."""
        return audit_lock.acquire(self.path.parent, batch_id, utc_stamp())

    def lock_holder(self) -> LockHolder | None:
        """The process running a batch with this log now, if any."""
        return audit_lock.holder(self.path.parent)


def parse_records(lines: Iterable[bytes]) -> Iterator[dict[str, Any]]:
    for line in lines:
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if isinstance(record, dict):
            yield record


class BatchAudit:
    """The records of one batch: host, profile and batch id stamped on every line.

    The `*_record` methods build the records; `save` (awaited) and `submit` write them, grouping
    concurrent records into one write and fsync (`GroupCommit`).
    """

    def __init__(
        self,
        log: AuditLog,
        host: str,
        profile: str = DEFAULT_PROFILE,
        batch_id: str | None = None,
        *,
        credential: str | None = None,
        key_last4: str = "",
        reason: str = "",
        inline_writes: bool = False,
    ) -> None:
        self.log = log
        self.batch_id = batch_id or new_batch_id()
        self.credential = credential
        """A keyed fingerprint of the credential (fingerprint.py), never the key itself."""
        self.key_last4 = key_last4
        self._common = {"host": host, "profile": profile, "batch": self.batch_id}
        if reason.strip():  # the admin's why (a ticket, "offboarding Jonas"), on every record
            self._common["reason"] = safe_text(reason.strip(), REASON_MAX_LENGTH)
        self._grouped = GroupCommit(log, inline=inline_writes)
        """`inline_writes`: written on the event loop's thread, for a command with no screen."""

    async def save(self, record: dict[str, Any]) -> None:
        """Returns once `record` is on disk (raises OSError when it cannot be written)."""
        await self._grouped.write(record)

    def submit(self, record: dict[str, Any]) -> asyncio.Future[None]:
        """Queue `record` for writing now, without waiting (records keep their order)."""
        return self._grouped.submit(record)

    def _record(self, event: str, **fields: Any) -> dict[str, Any]:
        return {"event": event, **self._common, **fields}

    def started_record(
        self, targets: Iterable[tuple[str, str]], *, kind: str = "revoke"
    ) -> dict[str, Any]:
        """Every confirmed key, before the first request: after a kill, the keys that were
        confirmed but never sent are known too (they have no intent)."""
        confirmed = [[key_id, safe(name)] for key_id, name in targets]
        return self._record(
            "batch",
            kind=kind,
            count=len(confirmed),
            credential=self.credential,
            key_last4=safe_text(self.key_last4, 4),
            confirmed=confirmed,
        )

    def intent_record(self, key_id: str, name: str, attempt: int) -> dict[str, Any]:
        return self._record("intent", key_id=key_id, key_name=safe(name), attempt=attempt)

    def outcome_record(self, name: str, outcome: RevokeOutcome, **extra: Any) -> dict[str, Any]:
        return self._record(
            "outcome",
            key_id=outcome.key_id,
            key_name=safe(name),
            outcome=outcome.kind.value,
            label=outcome.describe(FULL_MESSAGE_LENGTH),
            status=outcome.status,
            code=outcome.code and safe_text(outcome.code),
            attempts=outcome.attempts,
            tips=[safe_text(tip, FULL_MESSAGE_LENGTH) for tip in outcome.tips[:5]],
            **extra,
        )

    def finished_record(self, summary: str, *, cancelled: bool = False) -> dict[str, Any]:
        return self._record("batch_end", summary=summary, cancelled=cancelled)


def safe(name: str) -> str:
    return safe_text(name, NAME_MAX_LENGTH)
