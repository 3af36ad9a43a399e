"""Append-only JSON-lines record of every revocation: nothing sent is ever lost from it.

One `intent` record is written, flushed and fsynced right before each DELETE leaves, and one
`outcome` record when the key's final word is known. A process killed with `kill -9` therefore
leaves an intent for every request it sent; the next start finds intents without outcomes and
offers to verify them. The API key itself is never written, only key ids and safe names.

File: `$XDG_STATE_HOME/lwadmin-tui/audit.jsonl` (else `~/.local/state/...`), dir 0700, file 0600.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lwadmin_tui.audit_group import GroupCommit
from lwadmin_tui.outcomes import RevokeOutcome
from lwadmin_tui.text import safe_text

APP_DIR = "lwadmin-tui"
LOG_NAME = "audit.jsonl"
NAME_MAX_LENGTH = 120
DEFAULT_PROFILE = "default"


def state_dir() -> Path:
    """The XDG state directory of this app (not created here)."""
    base = os.environ.get("XDG_STATE_HOME", "").strip()
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".local" / "state"
    return root / APP_DIR


def new_batch_id() -> str:
    """Short, unique, sortable by nothing: batches are ordered by their first record's time."""
    return uuid.uuid4().hex[:12]


def utc_stamp() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class AuditLog:
    """The log file: each `write` is flushed and fsynced before it returns.

    The file is opened for each write (O_APPEND, one `write` call for all its lines), so no
    descriptor outlives a record and a log moved away by the admin is simply started again.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or state_dir() / LOG_NAME
        self._lock = threading.Lock()

    def write(self, record: dict[str, Any]) -> None:
        self.write_many([record])

    def write_many(self, records: Sequence[dict[str, Any]]) -> None:
        """Append `records` with one `write` call and one fsync: all are on disk on return."""
        stamp = utc_stamp()
        lines = "".join(
            json.dumps({"time": stamp, **record}, ensure_ascii=True) + "\n" for record in records
        )
        with self._lock:
            directory = self.path.parent
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(directory, 0o700)
            created = not self.path.exists()
            flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
            fd = os.open(self.path, flags, 0o600)
            try:
                os.fchmod(fd, 0o600)
                os.write(fd, lines.encode("ascii"))
                os.fsync(fd)
            finally:
                os.close(fd)
            if created:  # the new file's directory entry must survive a crash too
                dir_fd = os.open(directory, os.O_RDONLY)
                try:
                    os.fsync(dir_fd)
                finally:
                    os.close(dir_fd)

    def close(self) -> None:
        """Nothing stays open between records; kept so callers may close symmetrically."""

    def records(self) -> list[dict[str, Any]]:
        """Every readable record, oldest first; a line cut short by a crash is skipped."""
        return list(read_records(self.path))


def read_records(path: Path) -> Iterator[dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            yield record


class BatchAudit:
    """The records of one batch: host, profile and batch id stamped on every line.

    The `*_record` methods build the records; `save` (awaited) and `submit` write them, grouping
    concurrent records into one write and fsync (`GroupCommit`).
    """

    def __init__(
        self, log: AuditLog, host: str, profile: str = DEFAULT_PROFILE, batch_id: str | None = None
    ) -> None:
        self.log = log
        self.batch_id = batch_id or new_batch_id()
        self._common = {"host": host, "profile": profile, "batch": self.batch_id}
        self._grouped = GroupCommit(log)

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
        return self._record("batch", kind=kind, count=len(list(targets)))

    def intent_record(self, key_id: str, name: str, attempt: int) -> dict[str, Any]:
        return self._record("intent", key_id=key_id, key_name=safe(name), attempt=attempt)

    def outcome_record(self, name: str, outcome: RevokeOutcome, **extra: Any) -> dict[str, Any]:
        return self._record(
            "outcome",
            key_id=outcome.key_id,
            key_name=safe(name),
            outcome=outcome.kind.value,
            label=outcome.label,
            status=outcome.status,
            code=outcome.code and safe_text(outcome.code),
            attempts=outcome.attempts,
            **extra,
        )

    def finished_record(self, summary: str, *, cancelled: bool = False) -> dict[str, Any]:
        return self._record("batch_end", summary=summary, cancelled=cancelled)


def safe(name: str) -> str:
    return safe_text(name, NAME_MAX_LENGTH)
