"""Pilot tests of the batch flow: progress, cancel, retry failed, own key, history, recovery.

Waits are on the app's state (rows, messages, workers), never on wall-clock sleeps; the fake's
latency only keeps requests in flight long enough to cancel in the middle.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, NoReturn

import pytest
from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerFailed

from lwadmin_tui.bulk.batch_run import BatchRun
from lwadmin_tui.fake import admin_scenario
from lwadmin_tui.outcomes import SENDING
from lwadmin_tui.ui.screens.batches import BatchesScreen
from lwadmin_tui.ui.screens.confirm_revoke import ConfirmRevokeScreen
from lwadmin_tui.ui.screens.interrupted import InterruptedBatchScreen
from lwadmin_tui.ui.widgets.batch_panel import BatchPanel
from tests.app_driver import (
    cell,
    keys_screen,
    make_app,
    mark,
    message_line,
    move_to,
    revoke,
    row_ids,
    settle,
    wait_until,
)
from tests.bulk_checks import audit_records, ordinary_ids, plant_batch
from tests.conftest import FIXED_NOW, World, serve

pytestmark = pytest.mark.pilot


def panel_text(pilot: Pilot[Any]) -> str:
    return str(keys_screen(pilot).query_one("#batch-counts").render())


async def test_progress_cancel_and_the_rest_not_attempted(
    admin_world: World, isolated_state: Path
) -> None:
    app = make_app(admin_world, concurrency=1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        chosen = ordinary_ids(admin_world, row_ids(pilot))[:6]
        await mark(pilot, chosen)
        gate = threading.Event()  # the first DELETE waits at the server until x is pressed
        admin_world.server.faults.delete_gate = gate
        await pilot.press("d", "y")
        screen = keys_screen(pilot)
        await wait_until(pilot, lambda: cell(pilot, chosen[0], "result") == "sending…")
        assert screen.query_one(BatchPanel).has_class("shown")
        assert "0/6" in panel_text(pilot) and "1 in flight" in panel_text(pilot)
        await pilot.press("x")
        gate.set()
        await wait_until(pilot, lambda: not screen.batch_running)
        results = [cell(pilot, key_id, "result") for key_id in chosen]
        assert results == ["revoked"] + ["not attempted"] * 5
        revoked = {chosen[0]}
        assert admin_world.fake.revoked_ids() & set(chosen) == revoked
        assert "Cancelled" in message_line(pilot)
        assert f"{len(revoked)} revoked" in panel_text(pilot)
    records = audit_records(isolated_state)
    intents = {r["key_id"] for r in records if r["event"] == "intent"}
    assert intents == revoked  # nothing was sent for the keys left out


async def test_no_result_is_lost_when_the_counts_redraw_before_it_is_posted(
    admin_world: World,
) -> None:
    """Engine reports wait up to 50 ms to reach the screen together; a redraw of the panel's
    counts in between (a cancel, another message) must not drop them."""
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        key_id = ordinary_ids(admin_world, row_ids(pilot))[0]
        screen = keys_screen(pilot)
        run = screen.batches.run = BatchRun(screen.state.results, [key_id])
        screen.batches.report(key_id, SENDING)
        screen.query_one(BatchPanel).show(run)
        await wait_until(pilot, lambda: cell(pilot, key_id, "result") == "sending…")


async def test_retry_failed_resends_only_the_failed(admin_world: World) -> None:
    app = make_app(admin_world)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        first, *chosen = ordinary_ids(admin_world, row_ids(pilot))[:4]
        await mark(pilot, [first])
        await pilot.press("d", "y")
        await settle(pilot)
        admin_world.server.faults.rate_limit_times = 3  # three 429s per key, then the answer
        await revoke(pilot, chosen)
        assert [cell(pilot, k, "result") for k in chosen] == ["429 rate limited"] * 3
        assert cell(pilot, first, "result") == "revoked"
        assert "t retries the ones another try could change" in message_line(pilot)
        await pilot.press("t")
        dialog = app.screen
        assert isinstance(dialog, ConfirmRevokeScreen)
        assert sorted(k.id for k in dialog.keys) == sorted(chosen)
        assert "not attempted last time" in str(dialog.query_one("#note").render())
        await pilot.press("y")
        await settle(pilot)
        assert [cell(pilot, k, "result") for k in chosen] == ["revoked"] * 3
        await pilot.press("t")
        assert not isinstance(app.screen, ConfirmRevokeScreen)
        assert "Nothing to retry" in message_line(pilot)
    assert [admin_world.server.delete_count(k) for k in chosen] == [4, 4, 4]
    assert admin_world.server.delete_count(first) == 1


async def test_the_own_key_is_warned_about_and_revoked_last(admin_world: World) -> None:
    own = admin_world.scenario.credential_key_id
    app = make_app(admin_world, own_key_id=own, concurrency=4)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        others = ordinary_ids(admin_world, row_ids(pilot))[:4]
        await mark(pilot, [own, *others])
        await pilot.press("d")
        dialog = app.screen
        assert isinstance(dialog, ConfirmRevokeScreen)
        warning = str(dialog.query_one("#own-key-warning").render())
        assert "this session loses access" in warning and "revoked last" in warning
        assert "guess" not in warning
        await pilot.press("y")
        await settle(pilot)
        assert "lost access" in message_line(pilot)
    deletes = [r.path for r in admin_world.server.wire_requests if r.method == "DELETE"]
    assert deletes[-1].endswith(own) and len(deletes) == 5
    assert {own, *others} <= admin_world.fake.revoked_ids()


@pytest.fixture
def ticking_world() -> Iterator[World]:
    """A fake whose clock moves a second per reading, so `lastUsedAt` visibly moves: it
    writes the last use after every answer, as servers up to 3.16 did."""
    ticks = itertools.count()
    yield from serve(
        admin_scenario(
            FIXED_NOW,
            clock=lambda: FIXED_NOW + timedelta(seconds=next(ticks)),
            last_used_every_request=True,
        )
    )


async def test_own_key_detection_says_it_is_a_guess(ticking_world: World) -> None:
    app = make_app(ticking_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = keys_screen(pilot)
        screen.batches.own_key_pause = 0.0
        await pilot.press("w")
        await settle(pilot)
        own = ticking_world.scenario.credential_key_id
        assert screen.batches.own_key_guess == own
        assert "probably" in message_line(pilot) and "a guess" in message_line(pilot)
        await move_to(pilot, own)
        await pilot.press("d")
        dialog = app.screen
        assert isinstance(dialog, ConfirmRevokeScreen)
        assert "This is a guess" in str(dialog.query_one("#own-key-warning").render())


def plant_interrupted_batch(world: World, applied: str, open_: str) -> str:
    """Two requests sent, no outcome; the server applied one of them."""
    batch_id = plant_batch(world, [applied, open_], [applied, open_])
    world.fake.revoke_out_of_band(applied)
    return batch_id


async def test_an_interrupted_batch_is_reported_and_verified(
    admin_world: World, isolated_state: Path
) -> None:
    ids = ordinary_ids(admin_world, [k.id for k in admin_world.fake.org.keys.values()])
    applied, open_ = ids[0], ids[1]
    batch_id = plant_interrupted_batch(admin_world, applied, open_)
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, InterruptedBatchScreen)
        text = str(dialog.query_one("#question").render())
        assert "2 revocations from the interrupted batch at" in text
        assert "have an unknown outcome" in text
        await pilot.press("y")
        await settle(pilot)
        assert "1 revoked (verified), 1 not revoked (verified)" in message_line(pilot)
    outcomes = {
        r["key_id"]: r["outcome"]
        for r in audit_records(isolated_state)
        if r["event"] == "outcome" and r["batch"] == batch_id
    }
    assert outcomes == {applied: "revoked (verified)", open_: "not revoked (verified)"}
    assert admin_world.server.delete_count(open_) == 0  # verifying never revokes
    again = make_app(admin_world)
    async with again.run_test() as pilot:
        await settle(pilot)
        assert not isinstance(again.screen, InterruptedBatchScreen)


async def test_the_interrupted_notice_stays_when_the_list_arrives_after_it(
    admin_world: World, isolated_state: Path
) -> None:
    ids = ordinary_ids(admin_world, [k.id for k in admin_world.fake.org.keys.values()])
    plant_interrupted_batch(admin_world, ids[0], ids[1])
    admin_world.server.latency_ms = 300  # the list lands well after the first frame
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, InterruptedBatchScreen)
        assert "from the interrupted batch" in message_line(pilot)  # not "Loaded 40 keys."
        assert row_ids(pilot)


async def test_batches_view_and_export(admin_world: World, isolated_state: Path) -> None:
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        chosen = ordinary_ids(admin_world, row_ids(pilot))[:2]
        await revoke(pilot, chosen)
        await pilot.press("b")
        await settle(pilot)
        view = app.screen
        assert isinstance(view, BatchesScreen)
        assert view.query_one("#batch-keys").row_count == 2  # type: ignore[attr-defined]
        await pilot.press("e")
        assert "Exported to" in str(view.query_one("#why").render())
    exports = sorted((isolated_state / "lwadmin-tui" / "exports").iterdir())
    assert [p.suffix for p in exports] == [".csv", ".json"]
    document = json.loads(exports[1].read_text())
    assert sorted(k["key_id"] for k in document["keys"]) == sorted(chosen)
    assert {k["label"] for k in document["keys"]} == {"revoked"}
    assert exports[0].read_text().splitlines()[0].startswith("key_id,key_name,outcome")
    assert exports[0].stat().st_mode & 0o777 == 0o600


async def test_the_audit_log_is_private_and_holds_no_key(
    admin_world: World, isolated_state: Path
) -> None:
    app = make_app(admin_world)
    async with app.run_test() as pilot:
        await settle(pilot)
        await mark(pilot, ordinary_ids(admin_world, row_ids(pilot))[:1])
        await pilot.press("d", "y")
        await settle(pilot)
    path = isolated_state / "lwadmin-tui" / "audit.jsonl"
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    text = path.read_text()
    assert admin_world.scenario.token not in text
    assert admin_world.scenario.token[-20:] not in text
    events = [r["event"] for r in audit_records(isolated_state)]
    assert events == ["batch", "intent", "outcome", "batch_end"]
    record = audit_records(isolated_state)[1]
    assert {"time", "host", "profile", "batch", "key_id", "key_name"} <= record.keys()
    assert record["profile"] == "default"


async def test_the_own_key_can_come_from_the_environment(
    admin_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = admin_world.scenario.credential_key_id
    monkeypatch.setenv("LWADMIN_OWN_KEY_ID", own)
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await move_to(pilot, own)
        await pilot.press("d")
        dialog = app.screen
        assert isinstance(dialog, ConfirmRevokeScreen)
        assert "loses access" in str(dialog.query_one("#own-key-warning").render())
        await pilot.press("n")
        await settle(pilot)
    assert admin_world.server.delete_count(own) == 0


async def test_an_engine_bug_leaves_no_row_claiming_progress(
    admin_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lwadmin_tui.bulk.engine import BulkRevoker

    async def broken(self: BulkRevoker, targets: object) -> list[object]:
        raise RuntimeError("planted bug")

    monkeypatch.setattr(BulkRevoker, "run", broken)
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        chosen = ordinary_ids(admin_world, row_ids(pilot))[:2]
        await revoke(pilot, chosen)
        assert not keys_screen(pilot).batch_running
        assert [cell(pilot, k, "result") for k in chosen] == ["not attempted"] * 2
        assert "internal error" in message_line(pilot)
        assert app.is_running


SCOPES = "lwadmin_tui.api.scopes.ScopeDirectory.load"
OWN_KEY = "lwadmin_tui.ui.screens.batch_flow.guess_own_key"


@pytest.mark.parametrize(
    ("target", "keys", "words"),
    [
        (SCOPES, (), "Reading the project and team names failed"),
        (OWN_KEY, ("w",), "Guessing this session's own key failed"),
    ],
)
async def test_a_worker_bug_says_which_job_failed(
    admin_world: World,
    monkeypatch: pytest.MonkeyPatch,
    target: str,
    keys: tuple[str, ...],
    words: str,
) -> None:
    async def broken(*_args: object, **_kwargs: object) -> object:
        raise RuntimeError("planted bug")

    async def settle_despite_it(pilot: Pilot[Any]) -> None:
        for _ in range(3):
            with contextlib.suppress(WorkerFailed, WorkerCancelled):
                await pilot.app.workers.wait_for_complete()
            await pilot.pause()

    monkeypatch.setattr(target, broken)
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_despite_it(pilot)
        keys_screen(pilot).batches.own_key_pause = 0.0
        await pilot.press(*keys)
        await settle_despite_it(pilot)
        said = message_line(pilot)
        assert said.startswith(words) and "planted bug" in said, said
        assert app.is_running


async def test_a_cancel_with_nothing_left_to_stop_says_so(admin_world: World) -> None:
    app = make_app(admin_world, concurrency=8)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        chosen = ordinary_ids(admin_world, row_ids(pilot))[:3]
        await mark(pilot, chosen)
        gate = threading.Event()  # every DELETE waits at the server: all three are in flight
        admin_world.server.faults.delete_gate = gate
        await pilot.press("d", "y")
        await wait_until(pilot, lambda: "3 in flight" in panel_text(pilot))
        await pilot.press("x")
        assert "nothing was left to stop" in message_line(pilot)
        gate.set()
        await wait_until(pilot, lambda: not keys_screen(pilot).batch_running)
        said = message_line(pilot)
        assert "3 keys: 3 revoked" in said
        assert "the cancel came after every key was sent" in said
        assert "not attempted" not in said


def no_one_shot_timer(*args: object, **kwargs: object) -> NoReturn:
    raise AssertionError("a one-shot Textual timer can be dropped without firing")


async def test_the_rows_follow_the_batch_without_a_timer_that_can_be_dropped(
    admin_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Textual's one-shot `set_timer` is dropped, never fired, when the event loop is held up
    past its delay while it starts (a busy CPU): the rows then stayed "queued" until the batch
    ended. The batch's redraws are scheduled on the event loop itself."""
    app = make_app(admin_world, concurrency=1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        chosen = ordinary_ids(admin_world, row_ids(pilot))[:2]
        await mark(pilot, chosen)
        gate = threading.Event()  # the first DELETE waits at the server: the batch goes on
        admin_world.server.faults.delete_gate = gate
        screen = keys_screen(pilot)
        await pilot.press("d")
        monkeypatch.setattr(screen, "set_timer", no_one_shot_timer)
        try:
            await pilot.press("y")
            await wait_until(pilot, lambda: cell(pilot, chosen[0], "result") == "sending…")
        finally:
            gate.set()
        await wait_until(pilot, lambda: not screen.batch_running)
        assert [cell(pilot, k, "result") for k in chosen] == ["revoked"] * 2
