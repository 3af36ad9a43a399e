"""A revocation batch without a screen: the TUI's engine and audit log, outcomes as JSON lines.

One JSON line per key on stdout as its outcome is known, progress and the summary on stderr.
SIGINT and SIGTERM cancel the batch as `x` does: nothing new is sent, the requests in flight end
and are recorded, and the run exits 130 / 143.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO

from lwadmin_tui.api.auth import ApiKey
from lwadmin_tui.audit.fingerprint import credential_fingerprint
from lwadmin_tui.audit.log import AuditLog, BatchAudit
from lwadmin_tui.bulk.control import Client, StopReason, Target
from lwadmin_tui.bulk.engine import BulkRevoker
from lwadmin_tui.outcomes import RevokeOutcome, summarize
from lwadmin_tui.text import safe_text

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_DRIFTED = 0, 1, 2, 3
SIGNAL_EXITS = {signal.SIGINT: 130, signal.SIGTERM: 143}
PROGRESS_EVERY = 5.0
"""Seconds between progress lines when stderr is not a terminal."""


def key_line(
    key_id: str, name: str, outcome: str, message: str, status: int | None = None, attempts: int = 0
) -> str:
    """What a script reads for one key (one JSON object per line), sent or not."""
    fields = {"id": key_id, "name": name, "outcome": outcome, "status": status,
              "message": message, "attempts": attempts}  # fmt: skip
    return json.dumps(fields, ensure_ascii=False)


def outcome_line(outcome: RevokeOutcome, name: str) -> str:
    message = safe_text(outcome.message, 300) if outcome.message else ""
    return key_line(
        outcome.key_id, name, outcome.kind.value, message, outcome.status, outcome.attempts
    )


@dataclass
class Progress:
    """A bar on a terminal, else a line every few seconds; both on stderr."""

    total: int
    stream: IO[str] = field(default_factory=lambda: sys.stderr)
    clock: Callable[[], float] = time.monotonic
    done: int = 0
    _last: float = field(default=0.0)

    def __post_init__(self) -> None:
        self.bar = self.stream.isatty()
        self._last = self.clock()

    def step(self) -> None:
        self.done += 1
        now = self.clock()
        if self.bar:
            filled = int(30 * self.done / max(1, self.total))
            self.stream.write(f"\r[{'#' * filled}{' ' * (30 - filled)}] {self.done}/{self.total}")
            self.stream.flush()
        elif now - self._last >= PROGRESS_EVERY or self.done == self.total:
            self._last = now
            self.stream.write(f"lwadmin-tui: {self.done} of {self.total} keys have an outcome\n")
            self.stream.flush()

    def close(self) -> None:
        if self.bar and self.done:
            self.stream.write("\n")
            self.stream.flush()


@dataclass
class BatchRun:
    outcomes: list[RevokeOutcome]
    stop_reason: StopReason | None
    stop_detail: str
    signal_exit: int | None


def audit_for(api_key: ApiKey, host: str, profile: str, reason: str) -> BatchAudit:
    log = AuditLog()
    try:
        credential: str | None = credential_fingerprint(api_key, log.path.parent)
    except OSError:
        credential = None  # the batch is still recorded; it cannot be told apart by key
    return BatchAudit(
        log,
        host,
        profile,
        credential=credential,
        key_last4=api_key.last4,
        reason=reason,
        inline_writes=True,  # no screen to keep responsive: no thread hops (audit/group.py)
    )


async def run_batch(
    client: Client,
    targets: Sequence[Target],
    audit: BatchAudit,
    *,
    concurrency: int,
    own_key_id: str | None,
    out: IO[str],
    progress: Progress,
) -> BatchRun:
    """Revoke `targets` on the engine, printing each outcome as it comes."""
    names = {t.key_id: t.name for t in targets}
    got_signal: list[int] = []

    def outcome(result: RevokeOutcome) -> None:
        out.write(outcome_line(result, names.get(result.key_id, "")) + "\n")
        out.flush()
        progress.step()

    engine = BulkRevoker(
        client, concurrency=concurrency, audit=audit, own_key_id=own_key_id, on_outcome=outcome
    )
    loop = asyncio.get_running_loop()

    def stop(signum: int) -> None:
        got_signal.append(signum)
        engine.cancel()

    for signum in SIGNAL_EXITS:
        loop.add_signal_handler(signum, stop, signum)
    try:
        outcomes = await engine.run(targets)
    finally:
        for signum in SIGNAL_EXITS:
            loop.remove_signal_handler(signum)
        progress.close()
    exit_code = SIGNAL_EXITS.get(signal.Signals(got_signal[0])) if got_signal else None
    return BatchRun(outcomes, engine.stop_reason, engine.stop_detail, exit_code)


def summary_line(run: BatchRun) -> str:
    text = f"lwadmin-tui: {summarize(run.outcomes)}."
    if run.signal_exit is not None:
        text += " Stopped by a signal: nothing new was sent after it."
    elif run.stop_reason is StopReason.UNAUTHORIZED:
        text += " The server rejected the API key (401): the rest were not sent."
    elif run.stop_detail:
        text += f" {safe_text(run.stop_detail, 300)}"
    return text


def exit_status(run: BatchRun, *, drifted: int = 0) -> int:
    if run.signal_exit is not None:
        return run.signal_exit
    if any(not outcome.done for outcome in run.outcomes):
        return EXIT_FAILED
    return EXIT_DRIFTED if drifted else EXIT_OK
