"""End to end at 80x24: find the stale keys with a quick filter, mark them all, revoke them."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from lwadmin_tui.fake import admin_scenario
from tests.conftest import World, serve
from tests.terminal import PAST_CONFIRM_GUARD, WAIT, Terminal, app_env

pytestmark = pytest.mark.e2e


@pytest.fixture
def live_world() -> Iterator[World]:
    """The admin organization dated from the real clock: the program under test reads it too."""
    yield from serve(admin_scenario(datetime.now(UTC)))


def stale_ids(world: World, days: int) -> set[str]:
    """Listed keys last used (never used: created) more than `days` ago, from the fake's data."""
    cutoff = datetime.now(UTC) - timedelta(days=days)
    return {
        key.id
        for key in world.fake.org.keys.values()
        if key.revoked_at is None
        and not key.is_langy_session
        and (key.last_used_at or key.created_at) < cutoff
    }


def test_filter_stale_keys_mark_them_and_revoke_them(live_world: World) -> None:
    admin_world = live_world
    stale = stale_ids(admin_world, 90)
    assert 0 < len(stale) < 10  # y confirms; 10 or more would ask for the count

    with Terminal([], app_env(admin_world)) as term:
        term.wait_for("visible to this credential", timeout=WAIT)
        term.press("f")
        term.wait_for("Unused for more than", timeout=WAIT)
        term.press("9", "0", "enter")
        term.wait_for(f"Showing {len(stale)} of", timeout=WAIT)
        term.press("a")
        term.wait_for(f"{len(stale)} marked", timeout=WAIT)
        term.press("d")
        term.wait_for(f"Revoke {len(stale)} API keys", "y: revoke", timeout=WAIT)
        time.sleep(PAST_CONFIRM_GUARD)  # the only fixed wait: see PAST_CONFIRM_GUARD
        term.press("y")
        term.wait_for(f"{len(stale)} revoked", timeout=WAIT)
        term.press("q")
        assert term.wait_exit(WAIT) == 0

    assert stale <= admin_world.fake.revoked_ids()
    deletes = {r.path.rsplit("/", 1)[-1] for r in admin_world.fake.requests if r.method == "DELETE"}
    assert deletes == stale
