"""Killed with SIGKILL mid-batch in a real pseudo-terminal: the audit log still knows.

The first run sends revocations slowly (the fake's latency keeps them in flight) and is killed
with `kill -9` once intents are on disk. Every DELETE the server received must have an intent
in the log; the next start must report the batch and settle it with one keypress.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from lwadmin_tui.audit.log import AuditLog
from tests.conftest import World
from tests.terminal import PAST_CONFIRM_GUARD, WAIT, Terminal, app_env, first_list, marking_presses

pytestmark = pytest.mark.e2e


def intents(log: AuditLog) -> set[str]:
    return {r["key_id"] for r in log.records() if r["event"] == "intent"}


def wait_for_intents(log: AuditLog, count: int, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while len(intents(log)) < count:
        assert time.monotonic() < deadline, "no intent records appeared in the audit log"
        time.sleep(0.05)


def test_kill_9_mid_batch_then_the_next_start_verifies(
    admin_world: World, isolated_state: Path
) -> None:
    scenario = admin_world.scenario
    listed = first_list(admin_world)
    skip = scenario.doomed_ids | {scenario.credential_key_id}
    rows = [row for row, key in enumerate(listed) if key.id not in skip][:6]
    chosen = {listed[row].id for row in rows}
    env = {**app_env(admin_world), "XDG_STATE_HOME": str(isolated_state)}
    log = AuditLog(isolated_state / "lwadmin-tui" / "audit.jsonl")
    admin_world.server.latency_ms = 400

    with Terminal(["--concurrency", "2"], env) as term:
        term.wait_for("visible to this credential", timeout=WAIT)
        term.press(*marking_presses(rows))
        term.wait_for("6 marked", timeout=WAIT)
        term.press("d")
        term.wait_for("Revoke 6 API keys", "y: revoke", timeout=WAIT)
        time.sleep(PAST_CONFIRM_GUARD)
        term.press("y")
        wait_for_intents(log, 2)
        term.child.kill(signal.SIGKILL)
        assert term.wait_exit(WAIT) == -signal.SIGKILL

    sent_before_kill = intents(log)
    assert sent_before_kill <= chosen
    assert not any(r["event"] == "batch_end" for r in log.records())

    with Terminal([], env) as term:
        term.wait_for("from the interrupted batch", "unknown outcome", timeout=WAIT)
        if len(sent_before_kill) < len(chosen):
            term.wait_for("never sent", timeout=WAIT)
        term.wait_for("y / v: verify now", timeout=WAIT)
        # Every DELETE the server ever received came after its intent reached the disk.
        deleted = {
            r.path.rsplit("/", 1)[1]
            for r in admin_world.server.wire_requests
            if r.method == "DELETE"
        }
        assert deleted <= sent_before_kill
        term.press("y")
        term.wait_for("verified:", timeout=WAIT)
        term.press("q")
        assert term.wait_exit(WAIT) == 0

    revoked = admin_world.fake.revoked_ids()
    settled = {r["key_id"]: r["outcome"] for r in log.records() if r["event"] == "outcome"}
    assert settled.keys() == chosen  # the confirmed keys that were never sent are known too
    for key_id in sent_before_kill:
        expected = "revoked (verified)" if key_id in revoked else "not revoked (verified)"
        assert settled[key_id] == expected
    for key_id in chosen - sent_before_kill:
        assert settled[key_id] == "not attempted"
    assert not (chosen - sent_before_kill) & revoked  # nothing unsent was revoked
