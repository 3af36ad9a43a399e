"""The app with an audit log that is not a file of ours: a sentence, a live UI, nothing sent.

A FIFO at `audit.jsonl` used to freeze the app at start (the log was read on the event loop)
and `b` on a directory raised IsADirectoryError.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lwadmin_tui.ui.screens.batches import BatchesScreen
from tests.app_driver import cell, keys_screen, make_app, message_line, row_ids, settle, table
from tests.conftest import World

pytestmark = pytest.mark.pilot


def audit_path(state: Path) -> Path:
    directory = state / "lwadmin-tui"
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory / "audit.jsonl"


@pytest.mark.parametrize(("kind", "words"), [("fifo", "named pipe"), ("dir", "directory")])
async def test_b_on_an_odd_audit_log_says_so_and_the_app_stays_live(
    admin_world: World, isolated_state: Path, kind: str, words: str
) -> None:
    path = audit_path(isolated_state)
    os.mkfifo(path) if kind == "fifo" else path.mkdir()
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)  # the start-up read came back with a sentence, not a hang
        assert f"Could not read the audit log: The audit log {path} is a {words}" in (
            message_line(pilot)
        )
        await pilot.press("b")
        await settle(pilot)
        assert not isinstance(app.screen, BatchesScreen)
        assert f"is a {words}, not a regular file" in message_line(pilot)
        before = table(pilot).cursor_row
        await pilot.press("down")
        assert table(pilot).cursor_row == before + 1


async def test_a_linked_audit_log_stops_the_batch_before_anything_is_sent(
    admin_world: World, isolated_state: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere.log"
    elsewhere.write_text("")
    audit_path(isolated_state).symlink_to(elsewhere)
    skip = admin_world.scenario.doomed_ids | {admin_world.scenario.credential_key_id}
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        chosen = [k for k in row_ids(pilot) if k not in skip][:2]
        keys_screen(pilot).state.mark(chosen)
        await pilot.press("d", "y")
        await settle(pilot)
        said = message_line(pilot)
        assert said.startswith("Nothing was sent: the audit log could not be written (")
        assert "is a symbolic link" in said
        assert {cell(pilot, k, "result") for k in chosen} == {"not attempted"}
    assert not any(r.method == "DELETE" for r in admin_world.server.wire_requests)
    assert elsewhere.read_text() == ""
