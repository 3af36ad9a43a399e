"""The audit log on its own: file modes, what an interrupted batch looks like, exports."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from lwadmin_tui.audit.history import batches, interrupted, to_csv, to_json
from lwadmin_tui.audit.log import AuditLog, BatchAudit
from lwadmin_tui.outcomes import OutcomeKind, RevokeOutcome
from lwadmin_tui.settings.paths import state_dir


def test_the_state_dir_follows_xdg(isolated_state: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert state_dir() == isolated_state / "lwadmin-tui"
    monkeypatch.setenv("XDG_STATE_HOME", "relative/is/ignored")
    assert state_dir() == Path.home() / ".local" / "state" / "lwadmin-tui"


def test_file_0600_in_a_0700_dir_and_a_cut_line_is_skipped(isolated_state: Path) -> None:
    log = AuditLog()
    log.write_many([BatchAudit(log, "h").intent_record("k1", "one", 1)])
    assert log.path.stat().st_mode & 0o777 == 0o600
    assert log.path.parent.stat().st_mode & 0o777 == 0o700
    with log.path.open("a") as handle:
        handle.write('{"event": "intent", "key_id": "k2", "ba')  # killed mid-write
    assert [r["key_id"] for r in log.records()] == ["k1"]


def test_an_interrupted_batch_is_found_for_its_host_and_profile(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    done = BatchAudit(log, "h")
    done.log.write_many([done.intent_record("a", "a", 1)])
    done.log.write_many(
        [done.outcome_record("a", RevokeOutcome("a", OutcomeKind.REVOKED, 200, attempts=1))]
    )
    done.log.write_many([done.finished_record("1 key: 1 revoked")])
    cut = BatchAudit(log, "h")
    for key in ("b", "c", "d"):
        cut.log.write_many([cut.intent_record(key, key, 1)])
    cut.log.write_many(
        [cut.outcome_record("b", RevokeOutcome("b", OutcomeKind.REVOKED, 200, attempts=1))]
    )
    other_host = BatchAudit(log, "elsewhere")
    other_host.log.write_many([other_host.intent_record("e", "e", 1)])
    history = batches(log.records())
    found = interrupted(history, "h", "default")
    assert [b.batch_id for b in found] == [cut.batch_id]
    assert [k.key_id for k in found[0].unresolved] == ["c", "d"]
    assert interrupted(history, "h", "another-profile") == []


def test_exports_neutralise_formulas_and_keep_every_key(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    audit = BatchAudit(log, "h")
    audit.log.write_many([audit.intent_record("k1", '=HYPERLINK("http://evil")', 1)])
    audit.log.write_many(
        [
            audit.outcome_record(
                '=HYPERLINK("http://evil")', RevokeOutcome("k1", OutcomeKind.REVOKED, 200)
            )
        ]
    )
    audit.log.write_many([audit.intent_record("k2", "plain", 1)])
    [batch] = batches(log.records())
    table = list(csv.DictReader(io.StringIO(to_csv(batch))))
    assert table[0]["key_name"].startswith("'=")
    assert table[1]["outcome"].startswith("unknown")
    document = json.loads(to_json(batch))
    assert [k["key_id"] for k in document["keys"]] == ["k1", "k2"]
    assert document["finished"] is False


def test_a_batch_still_running_elsewhere_is_not_shown_as_stopped(tmp_path: Path) -> None:
    from lwadmin_tui.audit.history import rows

    log = AuditLog(tmp_path / "audit.jsonl")
    audit = BatchAudit(log, "h")
    log.write_many([audit.started_record([("k1", "one"), ("k2", "two")])])
    log.write_many([audit.intent_record("k1", "one", 1)])
    [batch] = batches(log.records())
    assert [r["label"] for r in rows(batch)] == [
        "unknown: the app stopped before an answer",
        "confirmed, never sent: the app stopped first",
    ]
    batch.running = True  # its process still holds the batch lock
    assert [r["label"] for r in rows(batch)] == [
        "in progress: sent, no answer yet",
        "not sent yet",
    ]
