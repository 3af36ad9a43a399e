"""Help, quitting mid-batch, load errors (imports are checked by lint-imports: pyproject.toml)."""

from __future__ import annotations

import json
import threading

import pytest

from lwadmin_tui.api.auth import ApiKey
from lwadmin_tui.ui.app import LwAdminApp
from lwadmin_tui.ui.screens.help import HelpScreen
from lwadmin_tui.ui.screens.quit_confirm import QuitWhileRunningScreen
from lwadmin_tui.ui.session import Session
from tests.app_driver import (
    keys_screen,
    make_app,
    message_line,
    move_cursor_to,
    row_ids,
    settle,
    table,
)
from tests.canned_server import Canned, canned_server
from tests.conftest import FIXED_NOW, World
from tests.hostile.trickle import trickle_server

pytestmark = pytest.mark.pilot


async def test_help_lists_every_binding_of_the_contract(admin_world: World) -> None:
    app = make_app(admin_world)
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        keys = [keys for keys, _ in app.screen.key_rows]
        for key in ("space", "a", "u", "/", "d", "r", "? / f1"):
            assert key in keys
        assert any("q" in k.split(" / ") and "^c" in k for k in keys)
        assert "tab" not in keys  # Textual's own focus keys are not ours to list
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)


async def test_quit_asks_while_a_batch_runs_and_the_ui_stays_live(admin_world: World) -> None:
    app = make_app(admin_world, concurrency=1)
    async with app.run_test() as pilot:
        await settle(pilot)
        skip = admin_world.scenario.doomed_ids | {admin_world.scenario.credential_key_id}
        chosen = [k for k in row_ids(pilot) if k not in skip][:6]
        for key_id in chosen:
            move_cursor_to(table(pilot), key_id)
            await pilot.press("space")
        gate = admin_world.server.faults.delete_gate = threading.Event()  # holds DELETEs
        await pilot.press("d", "y")
        await pilot.pause()
        assert keys_screen(pilot).batch_running
        before = table(pilot).cursor_row
        await pilot.press("up")  # the table answers while requests are in flight
        assert table(pilot).cursor_row == before - 1
        await pilot.press("q")
        assert isinstance(app.screen, QuitWhileRunningScreen)
        await pilot.press("n")
        assert app.is_running and not isinstance(app.screen, QuitWhileRunningScreen)
        gate.set()
        await settle(pilot)
        assert not keys_screen(pilot).batch_running
        await pilot.press("q")
    assert app.return_code == 0


async def test_a_rejected_key_at_start_says_so(admin_world: World) -> None:
    app = LwAdminApp(
        Session(admin_world.url, ApiKey("sk-lw-AAAAbbbbCCCCdddd_" + "x" * 48)),
        clock=lambda: FIXED_NOW,
        cursor_blink=False,
    )
    async with app.run_test() as pilot:
        await settle(pilot)
        assert "rejected the API key (401: Invalid credentials.)" in message_line(pilot)
        assert row_ids(pilot) == []


async def test_an_unreachable_server_says_so() -> None:
    app = LwAdminApp(Session("http://127.0.0.1:9", ApiKey("sk-lw-x_y")), cursor_blink=False)
    async with app.run_test() as pilot:
        await settle(pilot)
        assert "Could not load the keys: could not connect to 127.0.0.1:9" in message_line(pilot)


async def test_a_trickled_list_ends_in_a_message_not_loading_forever() -> None:
    with trickle_server() as trickle:
        app = LwAdminApp(
            Session(trickle.url, ApiKey("sk-lw-x_y"), request_timeout=0.5), cursor_blink=False
        )
        async with app.run_test() as pilot:
            await settle(pilot)
            assert message_line(pilot).startswith(
                "Could not load the keys: no complete answer from 127.0.0.1:"
            )
            assert "within 0.5 s" in message_line(pilot)


def listed(key_id: str, name: str) -> dict[str, object]:
    return {"id": key_id, "name": name, "description": None,
            "createdAt": "2026-08-01T10:00:00.000Z", "expiresAt": None, "lastUsedAt": None,
            "revokedAt": None, "roleBindings": []}  # fmt: skip


async def test_a_key_id_listed_twice_is_shown_once_and_said() -> None:
    rows = [listed(f"key-{n:02}", f"key {n}") for n in range(20)]
    rows.insert(5, listed("key-12", "key 12 again"))  # 21 entries, 20 ids
    with canned_server(Canned(200, json.dumps({"data": rows}).encode())) as url:
        app = LwAdminApp(
            Session(url, ApiKey("sk-lw-x_y")), clock=lambda: FIXED_NOW, cursor_blink=False
        )
        async with app.run_test() as pilot:
            await settle(pilot)
            assert message_line(pilot) == (
                "Loaded 20 keys. The server listed 1 key id twice; each is shown once."
            )
            assert len(row_ids(pilot)) == 20


async def test_the_quit_question_cancels_its_batch_and_says_when_it_has_ended(
    admin_world: World,
) -> None:
    """x in the question cancels as it says; at the batch's end it says so and q quits."""
    app = make_app(admin_world, concurrency=1)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        skip = admin_world.scenario.doomed_ids | {admin_world.scenario.credential_key_id}
        chosen = [k for k in row_ids(pilot) if k not in skip][:9]
        keys_screen(pilot).state.mark(chosen)
        gate = admin_world.server.faults.delete_gate = threading.Event()  # holds DELETEs
        await pilot.press("d", "y", "q")
        dialog = app.screen
        assert isinstance(dialog, QuitWhileRunningScreen)
        await pilot.press("x")
        assert "Cancelling the batch" in str(dialog.query_one("#quit-question").render())
        gate.set()
        await settle(pilot)
        assert app.screen is dialog  # still asking, and now true to the batch:
        question = str(dialog.query_one("#quit-question").render())
        assert question.startswith("The batch has ended. Done. 9 keys:")
        assert "not attempted" in question
        assert "q / y: quit" in str(dialog.query_one("#keys-hint").render())
        await pilot.press("q")
    assert app.return_code == 0
    sent = sum(admin_world.server.delete_count(k) for k in chosen)
    assert sent == 1  # x stopped the batch: only the request in flight was sent


async def test_the_quit_question_at_the_end_of_a_batch_goes_back_on_n(
    admin_world: World,
) -> None:
    app = make_app(admin_world, concurrency=1)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        skip = admin_world.scenario.doomed_ids | {admin_world.scenario.credential_key_id}
        keys_screen(pilot).state.mark([k for k in row_ids(pilot) if k not in skip][:3])
        gate = admin_world.server.faults.delete_gate = threading.Event()  # holds DELETEs
        await pilot.press("d", "y", "q")
        assert isinstance(app.screen, QuitWhileRunningScreen)
        gate.set()
        await settle(pilot)
        assert isinstance(app.screen, QuitWhileRunningScreen)
        assert app.screen.ended
        await pilot.press("n")
        assert not isinstance(app.screen, QuitWhileRunningScreen)
        assert "Done. 3 keys: 3 revoked" in message_line(pilot)
