"""The engine never orphans requests: unexpected errors, an unwritable log, cancel mid-intent."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from lwadmin_tui.audit.log import AuditLog, BatchAudit
from lwadmin_tui.bulk import BulkRevoker, Target
from lwadmin_tui.bulk.control import StopReason
from lwadmin_tui.bulk.engine import INTERNAL
from lwadmin_tui.outcomes import OutcomeKind


class Recording:
    """Records DELETEs; one key's answer is an error outside the client's own hierarchy."""

    def __init__(self, broken: str | None = None) -> None:
        self.broken = broken
        self.sent: list[str] = []

    async def revoke_key(self, key_id: str) -> None:
        self.sent.append(key_id)
        await asyncio.sleep(0)
        if key_id == self.broken:
            raise httpx.DecodingError("bad gzip from a proxy")


async def test_an_unexpected_error_stops_the_batch_and_nothing_is_sent_after() -> None:
    client = Recording(broken=f"k{0:020d}")
    engine = BulkRevoker(client, concurrency=1)
    outcomes = await engine.run(Target(f"k{i:020d}") for i in range(8))
    sent_at_return = list(client.sent)
    for _ in range(20):
        await asyncio.sleep(0)
    assert client.sent == sent_at_return == [f"k{0:020d}"]
    assert outcomes[0].kind is OutcomeKind.UNKNOWN
    assert "internal error" in (outcomes[0].message or "")
    assert {o.kind for o in outcomes[1:]} == {OutcomeKind.NOT_ATTEMPTED}
    assert engine.stop_reason == INTERNAL


async def test_parallel_workers_stop_too(tmp_path: Path) -> None:
    client = Recording(broken=f"k{2:020d}")
    engine = BulkRevoker(client, concurrency=4)
    outcomes = await engine.run(Target(f"k{i:020d}") for i in range(40))
    sent_at_return = len(client.sent)
    for _ in range(20):
        await asyncio.sleep(0)
    assert len(client.sent) == sent_at_return < 40
    assert all(o.kind is not OutcomeKind.REVOKED for o in outcomes if o.key_id not in client.sent)


class UnwritableLog(AuditLog):
    def write_many(self, records: Sequence[dict[str, Any]]) -> None:
        if any(record.get("event") == "intent" for record in records):
            raise OSError(28, "No space left on device")
        super().write_many(records)


async def test_no_request_leaves_without_its_intent_on_disk(tmp_path: Path) -> None:
    client = Recording()
    audit = BatchAudit(UnwritableLog(tmp_path / "audit.jsonl"), "h")
    engine = BulkRevoker(client, concurrency=2, audit=audit)
    outcomes = await engine.run(Target(f"k{i:020d}") for i in range(5))
    assert client.sent == []
    assert {o.kind for o in outcomes} == {OutcomeKind.NOT_ATTEMPTED}
    assert "audit log not writable" in (outcomes[0].message or "")
    assert engine.stop_reason is StopReason.AUDIT
    assert engine.stop_detail == "the audit log could not be written (No space left on device)"


class SlowIntentLog(AuditLog):
    """Holds the first intent write until released: a cancel arrives meanwhile."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.writing = threading.Event()
        self.release = threading.Event()

    def write_many(self, records: Sequence[dict[str, Any]]) -> None:
        if any(record.get("event") == "intent" for record in records):
            self.writing.set()
            self.release.wait(10)
        super().write_many(records)


async def test_cancel_while_the_intent_is_written_sends_nothing(tmp_path: Path) -> None:
    client = Recording()
    log = SlowIntentLog(tmp_path / "audit.jsonl")
    engine = BulkRevoker(client, concurrency=1, audit=BatchAudit(log, "h"))
    batch = asyncio.create_task(engine.run([Target(f"k{0:020d}"), Target(f"k{1:020d}")]))
    await asyncio.to_thread(log.writing.wait, 10)
    engine.cancel()
    log.release.set()
    outcomes = await batch
    assert client.sent == []
    assert [o.kind for o in outcomes] == [OutcomeKind.NOT_ATTEMPTED] * 2
    events = [(r["event"], r.get("key_id")) for r in log.records()]
    assert ("intent", f"k{0:020d}") in events and ("outcome", f"k{0:020d}") in events


class OutcomeFailsOnce(AuditLog):
    """The first write holding an outcome record fails (a disk full for a moment)."""

    failed = False

    def write_many(self, records: Sequence[dict[str, Any]]) -> None:
        if not self.failed and any(record.get("event") == "outcome" for record in records):
            self.failed = True
            raise OSError(28, "No space left on device")
        super().write_many(records)


async def test_a_lost_outcome_record_stops_the_batch_before_the_next_request(
    tmp_path: Path,
) -> None:
    client = Recording()
    log = OutcomeFailsOnce(tmp_path / "audit.jsonl")
    engine = BulkRevoker(client, concurrency=1, audit=BatchAudit(log, "h"))
    outcomes = await engine.run(Target(f"k{i:020d}") for i in range(4))
    assert client.sent == [f"k{0:020d}"]
    assert [o.kind for o in outcomes] == [OutcomeKind.REVOKED] + [OutcomeKind.NOT_ATTEMPTED] * 3
    assert engine.stop_reason is StopReason.AUDIT
