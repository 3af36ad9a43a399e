"""The audit log on odd and failing file systems: full disks, cut records, links, FIFOs,
devices, directories and other users' files where our files should be.

Each test injects one fault and asserts the promise: a request leaves only after its whole
record is on disk; nothing of ours is written through a link or into someone else's file;
reading the log never blocks or reads without bound; each refusal is one plain sentence.
"""

from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path

import pytest

from lwadmin_tui.api.models import ApiKeyInfo
from lwadmin_tui.audit.log import AuditLog, BatchAudit
from lwadmin_tui.bulk import BulkRevoker, Target
from lwadmin_tui.bulk.control import StopReason
from lwadmin_tui.outcomes import OutcomeKind
from lwadmin_tui.settings import files
from lwadmin_tui.settings.files import NotOurFile
from tests.bulk_checks import listed_ids, ordinary_ids
from tests.conftest import World


def record(n: int = 0) -> dict[str, object]:
    return {"event": "intent", "key_id": f"k{n}", "batch": "b", "attempt": 1}


def lines_of(path: Path) -> list[str]:
    return path.read_bytes().decode().split("\n")


# --- cut records -------------------------------------------------------------------------


def test_a_log_ending_in_a_cut_record_gets_the_next_record_on_a_line_of_its_own(
    tmp_path: Path,
) -> None:
    log = AuditLog(tmp_path / "state" / "audit.jsonl")
    log.write_many([record(1)])
    with log.path.open("a") as handle:
        handle.write('{"event": "intent", "key_id": "k2", "ba')  # killed mid-write
    log.write_many([record(3)])
    assert [r["key_id"] for r in log.records()] == ["k1", "k3"]
    assert json.loads(lines_of(log.path)[2])["key_id"] == "k3"


def test_a_write_the_disk_takes_only_in_part_leaves_no_half_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = AuditLog(tmp_path / "state" / "audit.jsonl")
    log.write_many([record(1)])
    before = log.path.read_bytes()
    real_write = os.write
    calls: list[int] = []

    def full_disk(fd: int, data: bytes | memoryview) -> int:
        calls.append(len(data))
        if len(calls) == 1:
            return real_write(fd, bytes(data[: len(data) // 2]))  # a short write...
        raise OSError(errno.ENOSPC, "No space left on device")  # ...then nothing more

    monkeypatch.setattr(files.os, "write", full_disk)
    with pytest.raises(OSError, match="No space left"):
        log.write_many([record(2), record(3)])
    monkeypatch.undo()
    assert log.path.read_bytes() == before  # the half record was cut off again
    log.write_many([record(4)])
    assert [r["key_id"] for r in log.records()] == ["k1", "k4"]


def fill(disk: Path, leave: int) -> Path:
    """Fill `disk` until about `leave` bytes are free."""
    filler = disk / "filler"
    info = os.statvfs(disk)
    free = info.f_bavail * info.f_frsize
    filler.write_bytes(b"\0" * max(0, free - leave))
    return filler


@pytest.mark.e2e
async def test_a_full_disk_stops_the_batch_and_every_request_sent_has_its_whole_record(
    admin_world: World, tiny_disk: Path
) -> None:
    log = AuditLog(tiny_disk / "lwadmin-tui" / "audit.jsonl")
    filler = fill(tiny_disk, leave=8192)
    async with admin_world.client() as client:
        chosen = ordinary_ids(admin_world, await listed_ids(client))[:30]
        engine = BulkRevoker(client, concurrency=4, audit=BatchAudit(log, client.host))
        outcomes = await engine.run(Target(k, admin_world.fake.key(k).name) for k in chosen)
    assert engine.stop_reason is StopReason.AUDIT
    assert "No space left on device" in engine.stop_detail
    text = log.path.read_text()
    assert all(json.loads(line) for line in text.splitlines())  # no cut record
    intents = {r["key_id"] for r in log.records() if r["event"] == "intent"}
    deleted = {
        r.path.rsplit("/", 1)[1] for r in admin_world.server.wire_requests if r.method == "DELETE"
    }
    assert deleted <= intents  # no request left without its record on disk
    assert deleted, "the disk should have taken a few records first"
    assert admin_world.fake.revoked_ids() & set(chosen) == deleted
    assert any(o.kind is OutcomeKind.NOT_ATTEMPTED for o in outcomes)
    filler.unlink()  # room again: the next record starts on a line of its own
    log.write_many([record(99)])
    assert log.records()[-1]["key_id"] == "k99"


# --- files that are not ours -------------------------------------------------------------


def batch_with(log: AuditLog) -> tuple[BulkRevoker, list[Target]]:
    class Never:
        async def revoke_key(self, key_id: str) -> None:
            raise AssertionError("nothing may be sent")

    return BulkRevoker(Never(), audit=BatchAudit(log, "h")), [Target("k1"), Target("k2")]


async def test_a_linked_audit_log_is_refused_and_its_target_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "passwd"
    target.write_text("root:x:0:0\n")
    target.chmod(0o644)
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    (state / "audit.jsonl").symlink_to(target)
    engine, targets = batch_with(AuditLog(state / "audit.jsonl"))
    outcomes = await engine.run(targets)
    assert {o.kind for o in outcomes} == {OutcomeKind.NOT_ATTEMPTED}
    assert engine.stop_reason is StopReason.AUDIT
    assert "is a symbolic link" in engine.stop_detail
    assert target.read_text() == "root:x:0:0\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


async def test_a_linked_state_directory_is_refused_and_not_chmodded(tmp_path: Path) -> None:
    elsewhere = tmp_path / "shared"
    elsewhere.mkdir(mode=0o755)
    elsewhere.chmod(0o755)
    (tmp_path / "lwadmin-tui").symlink_to(elsewhere)
    engine, targets = batch_with(AuditLog(tmp_path / "lwadmin-tui" / "audit.jsonl"))
    await engine.run(targets)
    assert "is a symbolic link" in engine.stop_detail
    assert stat.S_IMODE(elsewhere.stat().st_mode) == 0o755
    assert list(elsewhere.iterdir()) == []


def odd_file(kind: str, path: Path) -> None:
    if kind == "fifo":
        os.mkfifo(path, 0o600)
    elif kind == "directory":
        path.mkdir()
    elif kind == "dev-zero-link":
        path.symlink_to("/dev/zero")
    elif kind == "device":
        os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, 5))  # /dev/zero's numbers
    elif kind == "someone-else's":
        path.write_text("")
        path.chmod(0o600)
        os.chown(path, 65534, 65534)


ODD = ["fifo", "directory", "dev-zero-link", "device", "someone-else's"]
WORDS = {
    "fifo": "is a named pipe",
    "directory": "is a directory",
    "dev-zero-link": "is a symbolic link",
    "device": "is a character device",
    "someone-else's": "belongs to another user",
}


@pytest.mark.parametrize("kind", ODD)
def test_reading_an_odd_file_is_refused_at_once_in_one_sentence(tmp_path: Path, kind: str) -> None:
    if kind in ("device", "someone-else's") and os.geteuid() != 0:
        pytest.skip("needs root")
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    odd_file(kind, state / "audit.jsonl")
    log = AuditLog(state / "audit.jsonl")
    with pytest.raises(NotOurFile) as refused:
        log.records()  # a FIFO would block here, /dev/zero would read without end
    assert WORDS[kind] in str(refused.value)
    assert "\n" not in str(refused.value)
    with pytest.raises(NotOurFile):
        log.write_many([record()])


def test_the_log_is_read_only_up_to_its_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lwadmin_tui.audit import log as audit

    monkeypatch.setattr(audit, "MAX_READ", 4096)
    log = AuditLog(tmp_path / "state" / "audit.jsonl")
    log.write_many([record(n) for n in range(200)])
    kept = log.records()
    assert 0 < len(kept) < 200
    assert kept[-1]["key_id"] == "k199"
    assert "only its newest records were read" in log.read_note


def test_an_existing_export_file_is_made_private(tmp_path: Path) -> None:
    from lwadmin_tui.audit.history import batches, export

    log = AuditLog(tmp_path / "state" / "audit.jsonl")
    audit = BatchAudit(log, "h")
    log.write_many([audit.intent_record("k1", "one", 1)])
    [batch] = batches(log.records())
    exports = tmp_path / "exports"
    exports.mkdir(mode=0o700)
    old = exports / f"batch-{batch.batch_id}.csv"
    old.write_text("old")
    old.chmod(0o644)
    csv_path, json_path = export(batch, exports)
    assert csv_path == old
    assert stat.S_IMODE(old.stat().st_mode) == 0o600
    assert stat.S_IMODE(json_path.stat().st_mode) == 0o600
    assert old.read_text().startswith("key_id,")


@pytest.mark.e2e
@pytest.mark.parametrize("leave", [0, 2048, 8192], ids=["none", "part-of-the-csv", "the-csv"])
def test_an_export_on_a_full_disk_leaves_no_file_and_says_so_in_words(
    tiny_disk: Path, leave: int
) -> None:
    """0 bytes left, room for part of the CSV, room for the CSV but not the JSON: none of them
    leaves a file behind (before: an empty or a cut CSV, or a CSV and an empty JSON)."""
    from datetime import UTC, datetime

    from lwadmin_tui.keys.export import export_keys
    from lwadmin_tui.settings.files import os_reason

    now = datetime(2026, 8, 22, 12, 0, tzinfo=UTC)
    keys = [
        ApiKeyInfo(id=f"k{i:020d}", name=f"ci runner {i} " + "x" * 60, created_at=now)
        for i in range(60)
    ]
    exports = tiny_disk / "lwadmin-tui" / "exports"
    exports.mkdir(parents=True)
    fill(tiny_disk, leave=leave)
    with pytest.raises(OSError) as raised:
        export_keys(keys, exports, now=now, scope_names={}, host="h", shown="all", listed=60)
    assert os_reason(raised.value) == "No space left on device"
    assert list(exports.iterdir()) == []
