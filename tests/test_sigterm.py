"""SIGTERM (kill, systemd, a supervisor) ends the app through Textual: the terminal is restored,
the exit status is 143, and a running batch is cancelled and recorded before the app goes."""

from __future__ import annotations

import os
import re
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from lwadmin_tui.bulk.engine import CANCELLED
from tests.app_driver import cell, keys_screen, make_app, mark, row_ids, settle, wait_until
from tests.bulk_checks import audit_records, ordinary_ids
from tests.conftest import World
from tests.terminal import WAIT, Terminal, app_env

LEAVE_ALTERNATE_SCREEN = "\x1b[?1049l"
EXIT_TERMINATED = 143


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("signum", "status_wanted"),
    [(signal.SIGTERM, 143), (signal.SIGINT, 130), (signal.SIGHUP, 129)],
    ids=["SIGTERM", "SIGINT", "SIGHUP"],
)
def test_a_stop_signal_restores_the_terminal_and_exits_128_plus_it(
    admin_world: World, signum: int, status_wanted: int
) -> None:
    with Terminal([], app_env(admin_world)) as term:
        term.wait_for("visible to this credential", timeout=WAIT)
        term.child.kill(signum)
        status = term.wait_exit(WAIT)
        output = term.all_output
    assert status == status_wanted
    assert LEAVE_ALTERNATE_SCREEN in output, "the terminal was left in the alternate screen"
    # Nothing is drawn after leaving it: only terminal modes are set back (cursor, focus events).
    after = output[output.rindex(LEAVE_ALTERNATE_SCREEN) + len(LEAVE_ALTERNATE_SCREEN) :]
    assert re.fullmatch(r"(\x1b\[\?\d+[hl])*", after), repr(after)


@pytest.fixture
def sigterm_to_this_process() -> Iterator[None]:
    """Until the app installs its own handler, a SIGTERM the test sends lands here harmlessly
    (without the app's handler, the default action would end the test run itself)."""
    before = signal.signal(signal.SIGTERM, lambda signum, frame: None)
    yield
    signal.signal(signal.SIGTERM, before)


@pytest.mark.pilot
@pytest.mark.usefixtures("sigterm_to_this_process")
async def test_sigterm_mid_batch_cancels_it_and_exits_once_it_has_ended(
    admin_world: World, isolated_state: Path
) -> None:
    app = make_app(admin_world, concurrency=1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        chosen = ordinary_ids(admin_world, row_ids(pilot))[:6]
        await mark(pilot, chosen)
        gate = threading.Event()  # the first DELETE waits at the server until released
        admin_world.server.faults.delete_gate = gate
        await pilot.press("d", "y")
        await wait_until(pilot, lambda: cell(pilot, chosen[0], "result") == "sending…")
        run = keys_screen(pilot).batches.run
        engine = run.engine if run is not None else None
        assert engine is not None
        os.kill(os.getpid(), signal.SIGTERM)
        await wait_until(pilot, lambda: engine.stop_reason == CANCELLED)
        assert app.return_code is None  # still waiting for the request in flight
        gate.set()
        await wait_until(pilot, lambda: app.return_code is not None)
        assert app.return_code == EXIT_TERMINATED
    records = audit_records(isolated_state)
    assert {r["key_id"] for r in records if r["event"] == "intent"} == {chosen[0]}
    outcomes = {r["key_id"]: r["outcome"] for r in records if r["event"] == "outcome"}
    assert outcomes[chosen[0]] == "revoked"
    assert any(r["event"] == "batch_end" for r in records)
    assert admin_world.fake.revoked_ids() & set(chosen) == {chosen[0]}


@pytest.mark.pilot
@pytest.mark.usefixtures("sigterm_to_this_process")
async def test_a_batch_that_does_not_end_within_the_cap_does_not_keep_the_app(
    admin_world: World,
) -> None:
    app = make_app(admin_world, concurrency=1)
    app.TERMINATE_WAIT_SECONDS = 0.01  # the cap, long before the gate (30 s) lets the DELETE go
    gate = threading.Event()
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            chosen = ordinary_ids(admin_world, row_ids(pilot))[:2]
            await mark(pilot, chosen)
            admin_world.server.faults.delete_gate = gate
            await pilot.press("d", "y")
            await wait_until(pilot, lambda: cell(pilot, chosen[0], "result") == "sending…")
            os.kill(os.getpid(), signal.SIGTERM)
            await wait_until(pilot, lambda: app.return_code is not None)
            assert keys_screen(pilot).batch_running  # it had not ended
        assert app.return_code == EXIT_TERMINATED
    finally:
        gate.set()
