"""Type-ahead through a real pseudo-terminal: `/` and the text arriving in one burst.

Textual queues every key of a burst for the widget focused when the burst arrived; before, the
text after `/` ran as table commands: `/zq` quit the app, `/admin` marked every key and opened
the revocation dialog, `/eu` turned on the expired filter and cleared the marks.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest
from textual import events

from lwadmin_tui.ui.screens.batches import BatchesScreen
from lwadmin_tui.ui.screens.interrupted import InterruptedBatchScreen
from lwadmin_tui.ui.screens.keys_screen import KeysScreen
from lwadmin_tui.ui.widgets.filter_input import FilterInput
from tests.app_driver import filter_bar, keys_screen, make_app, settle, status_line, table
from tests.bulk_checks import plant_batch
from tests.conftest import World
from tests.terminal import PAST_CONFIRM_GUARD, WAIT, Terminal, app_env


def burst(term: Terminal, text: str) -> None:
    term.child.send(text.encode())  # one write: the keys arrive together


@pytest.mark.e2e
def test_text_typed_with_the_slash_goes_to_the_filter(admin_world: World) -> None:
    with Terminal([], app_env(admin_world)) as term:
        term.wait_for("visible to this credential", timeout=WAIT)
        burst(term, "/zq")
        term.wait_for('text "zq"', timeout=WAIT)
        assert term.child.isalive()
        term.press("escape")
        term.wait_for("No filter", timeout=WAIT)
        burst(term, "/admin")
        term.wait_for('text "admin"', timeout=WAIT)
        assert "0 marked" in term.screen_text()
        assert "API keys on" not in term.screen_text()  # no revocation dialog
        term.press("escape")
        term.wait_for("No filter", timeout=WAIT)
        burst(term, "/eu")
        term.wait_for('text "eu"', timeout=WAIT)
        assert "expired" not in term.screen_lines()[2]  # the filter line: text only
        term.press("enter")  # back to the table: d is a table key again
        term.wait_for("space Mark", timeout=WAIT)
        term.press("d")
        term.wait_for("Revoke 1 API key", "y: revoke", timeout=WAIT)
        time.sleep(PAST_CONFIRM_GUARD)
        term.press("n")
        term.wait_for("Cancelled: nothing was sent.", timeout=WAIT)
        term.press("q")
        assert term.wait_exit(WAIT) == 0


@pytest.mark.pilot
async def test_a_pasted_slash_and_text_fills_the_filter_and_runs_nothing(
    admin_world: World,
) -> None:
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table(pilot).post_message(events.Paste("/luis"))
        await pilot.pause()
        assert 'text "luis"' in filter_bar(pilot)
        table(pilot).post_message(events.Paste("aqd"))  # not a filter: nothing happens
        await pilot.pause()
        assert app.is_running
        assert status_line(pilot).startswith("0 marked")


@pytest.mark.e2e
def test_editing_keys_typed_with_the_slash_edit_the_filter(admin_world: World) -> None:
    with Terminal([], app_env(admin_world)) as term:
        term.wait_for("visible to this credential", timeout=WAIT)
        burst(term, "/mayx\x7fa")  # backspace in the burst
        term.wait_for('text "maya"', timeout=WAIT)
        term.press("escape")
        term.wait_for("No filter", timeout=WAIT)
        burst(term, "/maya\r")  # enter in the burst applies the filter and leaves the box
        term.wait_for('text "maya"', "space Mark", timeout=WAIT)
        term.press("q")
        assert term.wait_exit(WAIT) == 0


async def test_keys_typed_right_after_b_never_reach_the_table(admin_world: World) -> None:
    """The batches view opens at once and the log is read behind it: `b` `e` `a` in one
    burst neither filters the table for expired keys nor marks every key."""
    ids = sorted(admin_world.scenario.doomed_ids)
    plant_batch(admin_world, ids[:1], [])
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        if isinstance(app.screen, InterruptedBatchScreen):
            await pilot.press("n")
        for key in "bea":  # one burst
            app.post_message(events.Key(key, key))
        await settle(pilot)
        assert isinstance(app.screen, BatchesScreen)
        await pilot.press("escape")
        assert "expired" not in filter_bar(pilot)
        assert status_line(pilot).startswith("0 marked")


@pytest.mark.pilot
async def test_a_burst_split_after_the_slash_edits_the_filter_in_the_order_typed(
    admin_world: World,
) -> None:
    """The terminal's keys reach the app in pieces: the end of a burst may come after `/` has
    focused the filter, and go to it directly, not through the table."""
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for key, character in [("slash", "/"), *zip("mayx", "mayx", strict=True)]:
            app.post_message(events.Key(key, character))
        await pilot.pause()
        box = keys_screen(pilot).query_one(FilterInput)
        assert app.focused is box
        assert box.value == "mayx"
        for key, character in [("backspace", "\x7f"), ("a", "a")]:  # the rest of the burst
            app.post_message(events.Key(key, character))
        await pilot.pause()
        assert box.value == "maya"
        assert 'text "maya"' in filter_bar(pilot)


@pytest.mark.pilot
async def test_a_key_typed_after_the_slash_never_passes_the_keys_before_it(
    admin_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`m` is still on its way through the keys screen, to be passed to the filter, when `/`
    has focused the filter and `a` arrives: `a` is passed on after `m`, not before."""
    app = make_app(admin_world)
    rest = events.Key("a", "a")
    on_key = KeysScreen.on_key

    async def busy_with_m(screen: KeysScreen, event: events.Key) -> None:
        if event.key == "m":  # the rest of the burst arrives meanwhile
            await until(lambda: isinstance(app.focused, FilterInput))
            app.post_message(rest)
            await until(lambda: rest.is_forwarded)
        on_key(screen, event)

    monkeypatch.setattr(KeysScreen, "on_key", busy_with_m)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.post_message(events.Key("slash", "/"))
        app.post_message(events.Key("m", "m"))
        await until(lambda: rest.is_forwarded)
        await pilot.pause()
        assert keys_screen(pilot).query_one(FilterInput).value == "ma"


async def until(ready: Callable[[], bool]) -> None:
    """Let the other tasks run, one step at a time, until `ready()` holds."""
    for _ in range(10_000):
        if ready():
            return
        await asyncio.sleep(0)
    raise AssertionError("never ready")
