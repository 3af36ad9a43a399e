"""The first list, asked for on a thread before the app is imported: the app shows its answer."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator

import httpx
import pytest

from lwadmin_tui.api.auth import ApiKey
from lwadmin_tui.api.client import LangWatchClient
from lwadmin_tui.api.early_list import EarlyList
from lwadmin_tui.ui.screens.credential_rejected import CredentialRejectedScreen
from lwadmin_tui.ui.screens.keys_screen import KeysScreen
from tests.app_driver import make_app, message_line, row_ids, settle
from tests.conftest import World

pytestmark = pytest.mark.pilot

WAIT = 30  # seconds: a bound for a hang, not a measurement
PATIENT = httpx.Timeout(120)  # a request that is not cancelled outlives WAIT
WRONG_KEY = ApiKey("sk-lw-AAAAbbbbCCCCdddd_" + "x" * 44 + "WXYZ")


def list_requests(world: World) -> int:
    return sum(1 for r in world.server.wire_requests if r.path == "/api/api-keys")


async def test_the_app_shows_the_early_answer_and_asks_once(admin_world: World) -> None:
    early = EarlyList(lambda: admin_world.client())
    app = make_app(admin_world, early_list=early)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert message_line(pilot).startswith("Loaded") and row_ids(pilot)
        assert list_requests(admin_world) == 1
        await pilot.press("r")  # a reload is a request of the app's own client
        await settle(pilot)
        assert list_requests(admin_world) == 2
    assert early.wait_finished(5)


async def test_an_answer_already_here_is_shown_as_the_screen_is_built(
    admin_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads: list[KeysScreen] = []
    monkeypatch.setattr(KeysScreen, "load_keys", lambda screen: loads.append(screen))
    early = EarlyList(lambda: admin_world.client())
    assert early.wait_finished(10) and early.answered() is not None
    app = make_app(admin_world, early_list=early)
    async with app.run_test(size=(120, 30)) as pilot:
        # No worker: the rows were there when the screen was first drawn.
        assert len(row_ids(pilot)) == admin_world.scenario.expected_list_count
        assert loads == []
        await settle(pilot)
        assert list_requests(admin_world) == 1


async def test_an_early_401_gets_the_rejected_key_panel(admin_world: World) -> None:
    early = EarlyList(lambda: admin_world.client(WRONG_KEY))
    app = make_app(admin_world, early_list=early)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, CredentialRejectedScreen)


@pytest.fixture
def silent_url() -> Iterator[str]:
    """A server that accepts connections and never answers: only a cancel ends a request."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


async def test_quitting_before_the_answer_stops_the_thread(
    admin_world: World, silent_url: str
) -> None:
    early = EarlyList(lambda: LangWatchClient(silent_url, admin_world.api_key, timeout=PATIENT))
    app = make_app(admin_world, early_list=early)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("q")
    assert await asyncio.to_thread(early.wait_finished, WAIT)  # never answered: cancelled
    assert app.return_code in (0, None)


async def test_a_reload_before_the_answer_stops_the_early_request(
    admin_world: World, silent_url: str
) -> None:
    early = EarlyList(lambda: LangWatchClient(silent_url, admin_world.api_key, timeout=PATIENT))
    app = make_app(admin_world, early_list=early)  # the reload asks the app's own client
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("r")
        assert await asyncio.to_thread(early.wait_finished, WAIT)  # never answered: cancelled
        await settle(pilot)
        assert message_line(pilot).startswith("Loaded") and row_ids(pilot)
