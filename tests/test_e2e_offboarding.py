"""End to end at 80x24: read every key's owner, pick a person, mark all their keys, revoke them,
without opening a details screen; nothing of anyone else is sent."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from lwadmin_tui.fake import admin_scenario
from tests.conftest import World, serve
from tests.terminal import PAST_CONFIRM_GUARD, WAIT, Terminal, app_env

pytestmark = pytest.mark.e2e


@pytest.fixture
def live_world() -> Iterator[World]:
    yield from serve(admin_scenario(datetime.now(UTC)))


def test_offboard_a_person_in_one_pass(live_world: World) -> None:
    fake = live_world.fake
    luis = next(u for u in fake.org.users.values() if u.name == "Luis Ortega")
    listed = [k for k in fake.org.keys.values() if k.revoked_at is None and not k.is_langy_session]
    his = {k.id for k in listed if k.owner_user_id == luis.id}
    named_luis = [k for k in listed if "luis" in k.name]
    assert len(named_luis) < len(his) < 10  # trusting names would leave some of his keys

    with Terminal([], app_env(live_world)) as term:
        term.wait_for("visible to this credential", timeout=WAIT)
        term.press("o")
        term.wait_for("Read the details", "y: read", timeout=WAIT)
        time.sleep(PAST_CONFIRM_GUARD)
        term.press("y")
        term.wait_for(f"Owners known for {len(listed)} of {len(listed)} keys", timeout=WAIT)
        term.press("/", *"luis")
        term.wait_for('text "luis"', timeout=WAIT)
        term.press("enter")  # back to the table, the cursor on one of his keys
        term.wait_for("space Mark", timeout=WAIT)
        term.press("O")
        term.wait_for("Show the keys of one owner", timeout=WAIT)
        term.press("enter")
        term.wait_for(f"Showing all {len(his)} of Luis Ortega's keys", timeout=WAIT)
        term.press("a")
        term.wait_for(f"{len(his)} marked", timeout=WAIT)
        term.press("d")
        term.wait_for(f"Revoke {len(his)} API keys", "y: revoke", timeout=WAIT)
        time.sleep(PAST_CONFIRM_GUARD)
        term.press("y")
        term.wait_for(f"{len(his)} keys:", timeout=WAIT)
        term.press("q")
        assert term.wait_exit(WAIT) == 0

    deletes = {r.path.rsplit("/", 1)[-1] for r in fake.requests if r.method == "DELETE"}
    assert deletes == his
    details = [
        r for r in fake.requests if r.method == "GET" and r.path.startswith("/api/api-keys/")
    ]
    assert len(details) == len(listed)  # one read per key, and no details screen opened
