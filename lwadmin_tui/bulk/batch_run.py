"""One batch as the screen shows it, kept in one place: where each key stands, the counts, the end.

The engine reports into it (a typed `Pending` stage, then the key's `RevokeOutcome`); the progress
panel and the table only render it. It writes each key's latest word into the rows' results
(`KeysState.results`, which keeps earlier batches' words until a reload), and keeps the counts of
this batch beside them, in the same step, so the two cannot disagree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, MutableMapping
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from lwadmin_tui.clock import utc_now
from lwadmin_tui.outcomes import QUEUED, OutcomeKind, Pending, Result, RevokeOutcome

if TYPE_CHECKING:
    from lwadmin_tui.bulk.engine import BulkRevoker


class BatchRun:
    """A revocation batch (or the settling of interrupted ones) from its start to its end."""

    def __init__(
        self,
        rows: MutableMapping[str, Result],
        key_ids: Iterable[str],
        *,
        settling: bool = False,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.rows = rows
        """Every listed key's latest result: this batch writes its keys' entries."""
        self.key_ids = list(dict.fromkeys(key_ids))
        self.settling = settling
        """Verifying the batches a stop left open (reads only): nothing to cancel."""
        self.clock = clock
        self.engine: BulkRevoker | None = None
        self.running = True
        self.counts: Counter[OutcomeKind] = Counter()
        self.in_flight: set[str] = set()
        self._final: dict[str, OutcomeKind] = {}
        if not settling:  # settling says nothing of a key before its read-back answers
            for key_id in self.key_ids:
                self.rows[key_id] = QUEUED

    @property
    def total(self) -> int:
        return len(self.key_ids)

    @property
    def done(self) -> int:
        """Keys with their outcome."""
        return len(self._final)

    @property
    def waiting(self) -> int:
        """Keys not sent yet: what a cancel would keep from being sent."""
        return self.total - self.done - len(self.in_flight)

    @property
    def stopping(self) -> bool:
        """Cancelled or stopped: nothing new is sent, the requests in flight end."""
        return self.engine is not None and self.engine.stopped

    def cancel(self) -> bool:
        """Ask the engine to send nothing new; False if there is nothing to cancel."""
        if not self.running or self.engine is None:
            return False
        self.engine.cancel()
        return True

    def record(self, key_id: str, result: Result) -> None:
        """One report from the engine (or the settling): the row and the counts move together."""
        if isinstance(result, Pending):
            self.rows[key_id] = result
            if result.sent:
                self.in_flight.add(key_id)
            return
        self.rows[key_id] = result if result.at else replace(result, at=self.clock())
        self.in_flight.discard(key_id)
        before = self._final.get(key_id)
        if before is not None:
            self.counts[before] -= 1
        self._final[key_id] = result.kind
        self.counts[result.kind] += 1

    def end(self) -> None:
        self.running = False
        self.engine = None
        self.in_flight.clear()

    def abandon(self) -> list[str]:
        """The worker failed by a bug: no row may claim work in progress. A queued key was not
        sent; a key past queued may have been. Returns the keys whose row changed."""
        changed = []
        for key_id in self.key_ids:
            result = self.rows.get(key_id)
            if not isinstance(result, Pending):
                continue
            if result.sent:
                self.record(
                    key_id, RevokeOutcome(key_id, OutcomeKind.UNKNOWN, message="internal error")
                )
            else:
                self.record(key_id, RevokeOutcome(key_id, OutcomeKind.NOT_ATTEMPTED))
            changed.append(key_id)
        self.end()
        return changed

    def ordered_counts(self) -> list[tuple[OutcomeKind, int]]:
        return [(kind, self.counts[kind]) for kind in OutcomeKind if self.counts[kind]]
