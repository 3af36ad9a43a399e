"""Building the app under test and waiting for it: workers and messages, never wall-clock time."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from lwadmin_tui.ui.app import LwAdminApp
from lwadmin_tui.ui.screens.keys_screen import KeysScreen
from lwadmin_tui.ui.session import Session
from lwadmin_tui.ui.widgets.key_cells import LIVE_COLUMNS, key_cells, live_cell
from lwadmin_tui.ui.widgets.keys_table import KeysTable
from tests.conftest import FIXED_NOW, World
from tests.loopback import default_tls

APP_OPTIONS = ("clock", "confirm_guard_seconds", "cursor_blink", "early_list")
POLL = 0.02
MAX_POLLS = 1500


def make_app(world: World, **options: Any) -> LwAdminApp:
    """The app on `world`: options named in APP_OPTIONS go to the app, the rest to its Session."""
    app_options: dict[str, Any] = {"confirm_guard_seconds": 0.0, "cursor_blink": False}
    app_options.update({name: options.pop(name) for name in APP_OPTIONS if name in options})
    app_options.setdefault("clock", lambda: FIXED_NOW)
    options.setdefault("verify", default_tls())
    return LwAdminApp(Session(world.url, world.api_key, **options), **app_options)


async def settle(pilot: Pilot[Any]) -> None:
    """Let every worker finish and every message it posted be handled."""
    for _ in range(3):
        with contextlib.suppress(WorkerCancelled):  # a cancelled worker is settled too
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def keys_screen(pilot: Pilot[Any]) -> KeysScreen:
    screen = pilot.app.keys_screen  # type: ignore[attr-defined]
    assert screen is not None
    return screen


def table(pilot: Pilot[Any]) -> KeysTable:
    return keys_screen(pilot).table


def row_ids(pilot: Pilot[Any]) -> list[str]:
    return table(pilot).row_ids


def cell(pilot: Pilot[Any], key_id: str, column: str) -> str:
    """What the key's row shows in `column` (before it is cut to the column's width), drawn
    by the functions the table draws it with."""
    assert key_id in table(pilot).row_ids, f"{key_id} is not shown"
    state = keys_screen(pilot).state
    if column in LIVE_COLUMNS and (live := live_cell(key_id, column, state)) is not None:
        return live.plain
    app: LwAdminApp = pilot.app  # type: ignore[assignment]
    return key_cells(state.keys[key_id], app.clock(), state.scope_names)[column].plain


def move_cursor_to(shown: KeysTable, key_id: str) -> None:
    shown.move_cursor(row=shown.row_ids.index(key_id))


def status_line(pilot: Pilot[Any]) -> str:
    return str(keys_screen(pilot).query_one("#status-line").render())


def message_line(pilot: Pilot[Any]) -> str:
    return str(keys_screen(pilot).query_one("#message").render())


async def wait_until(pilot: Pilot[Any], ready: Callable[[], bool]) -> None:
    """Let the app run until `ready()` holds (state, not time); fail after a generous bound."""
    for _ in range(MAX_POLLS):
        if ready():
            return
        await pilot.pause(POLL)
    raise AssertionError("the app never reached the expected state")


async def move_to(pilot: Pilot[Any], key_id: str) -> None:
    move_cursor_to(table(pilot), key_id)
    await pilot.pause()


async def mark(pilot: Pilot[Any], key_ids: list[str]) -> None:
    for key_id in key_ids:
        await move_to(pilot, key_id)
        await pilot.press("space")


async def revoke(pilot: Pilot[Any], key_ids: list[str]) -> None:
    """Mark these keys, confirm with y, and let the batch finish."""
    await mark(pilot, key_ids)
    await pilot.press("d", "y")
    await settle(pilot)


def top_bar(pilot: Pilot[Any]) -> str:
    return str(keys_screen(pilot).query_one("#top-bar").render())


def filter_bar(pilot: Pilot[Any]) -> str:
    return str(keys_screen(pilot).query_one("#filter-bar").render())
