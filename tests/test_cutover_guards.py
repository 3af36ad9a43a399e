"""Attacks on the cutover view: a `d` while a batch runs, and pairs the audit log cannot back
(Pilot and the pairs reader, against the fake over real HTTP)."""

from __future__ import annotations

import threading
from pathlib import Path

from lwadmin_tui.api.new_key import NewKey
from lwadmin_tui.audit.log import AuditLog
from lwadmin_tui.roll.pairs import rolled_pairs
from lwadmin_tui.roll.records import PAIR, RollAudit
from lwadmin_tui.ui.screens.confirm_revoke import ConfirmRevokeScreen
from lwadmin_tui.ui.screens.cutover import CutoverScreen
from lwadmin_tui.ui.screens.roll_dialog import RollDialog
from tests.app_driver import (
    cell,
    keys_screen,
    make_app,
    mark,
    message_line,
    row_ids,
    settle,
    wait_until,
)
from tests.bulk_checks import audit_records
from tests.conftest import World
from tests.test_app_roll import ordinary, roll_marked


async def test_the_cutover_d_waits_for_a_running_batch(
    admin_world: World, isolated_state: Path
) -> None:
    app = make_app(admin_world, concurrency=1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        rolled, other = ordinary(admin_world, row_ids(pilot), 2)
        await roll_marked(pilot, [rolled])
        screen = keys_screen(pilot)
        await mark(pilot, [rolled, other])  # the rolled key's mark is taken off
        assert screen.state.marked_keys() == [screen.state.keys[other]]
        gate = admin_world.server.faults.delete_gate = threading.Event()
        await pilot.press("d", "y")
        await wait_until(pilot, lambda: cell(pilot, other, "result") == "sending…")
        await pilot.press("C")
        await pilot.pause()
        assert isinstance(app.screen, CutoverScreen)
        await pilot.press("d")
        await pilot.pause()
        try:
            assert not isinstance(app.screen, ConfirmRevokeScreen)
            assert "batch is running" in message_line(pilot)
        finally:
            gate.set()
        await wait_until(pilot, lambda: not screen.batch_running)
        assert cell(pilot, other, "result") == "revoked"
    assert admin_world.fake.key(rolled).revoked_at is None
    ends = [r for r in audit_records(isolated_state) if r["event"] == "batch_end"]
    assert len(ends) == 1


def _pair(old_id: str, new_id: str, roll: str = "r1") -> dict[str, object]:
    return {
        "event": PAIR,
        "host": "h",
        "profile": "p",
        "roll": roll,
        "old_id": old_id,
        "old_name": "old",
        "new_id": new_id,
        "new_name": "new",
        "time": "2026-12-01T00:00:00Z",
    }


def _created(old_id: str, new_id: str, roll: str = "r1") -> dict[str, object]:
    return {
        "event": "roll_created",
        "host": "h",
        "profile": "p",
        "roll": roll,
        "old_id": old_id,
        "new_id": new_id,
        "new_name": "new",
    }


def test_a_pair_without_its_rolls_create_is_not_a_pair() -> None:
    old, new = "a" * 21, "b" * 21
    assert rolled_pairs([_pair(old, new)], "h", "p") == []
    assert rolled_pairs([_created(old, "c" * 21), _pair(old, new)], "h", "p") == []
    assert rolled_pairs([_created(old, new, "r2"), _pair(old, new)], "h", "p") == []
    (pair,) = rolled_pairs([_created(old, new), _pair(old, new)], "h", "p")
    assert (pair.old_id, pair.new_id) == (old, new)


def test_a_pair_naming_the_old_key_as_its_own_new_key_is_not_a_pair() -> None:
    old = "a" * 21
    assert rolled_pairs([_created(old, old), _pair(old, old)], "h", "p") == []


async def test_a_planted_pair_is_not_offered_by_the_cutover(admin_world: World) -> None:
    """A pair record alone (no roll made that new key) would let `d` revoke a key in use."""
    async with admin_world.client() as client:
        other = await client.create_key(NewKey("planted new", key_type="service"))
        audit = RollAudit(AuditLog(), client.host, "default")
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        (victim,) = ordinary(admin_world, [k for k in row_ids(pilot) if k != other.key_id], 1)
        await audit.save(PAIR, old_id=victim, old_name="v", new_id=other.key_id, new_name="n")
        await pilot.press("r")
        await settle(pilot)
        keys_screen(pilot).rolls.read_pairs()
        await settle(pilot)
        assert keys_screen(pilot).rolls.pairs == []


async def test_r_on_a_key_already_rolled_asks_for_the_cutover_instead(admin_world: World) -> None:
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        (key_id,) = ordinary(admin_world, row_ids(pilot), 1)
        await roll_marked(pilot, [key_id])
        made = len(admin_world.fake.org.keys)
        await pilot.press("R")  # the same key, still marked
        await settle(pilot)
        assert not isinstance(app.screen, RollDialog)
        assert "already rolled" in message_line(pilot)
        assert len(admin_world.fake.org.keys) == made
