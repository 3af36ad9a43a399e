"""End to end at 80x24 in a real terminal: roll 3 keys to a secrets file, then cut over in the
cutover view; the tokens never reach the screen or the scrollback."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lwadmin_tui.fake import admin_scenario
from tests.conftest import World, serve
from tests.terminal import PAST_CONFIRM_GUARD, WAIT, Terminal, app_env, assert_no_secret

pytestmark = pytest.mark.e2e


@pytest.fixture
def live_world() -> Iterator[World]:
    yield from serve(admin_scenario(datetime.now(UTC)))


def test_roll_three_keys_then_revoke_the_old_ones_from_the_cutover(
    live_world: World, isolated_state: Path
) -> None:
    fake = live_world.fake
    before = set(fake.org.keys)
    with Terminal([], app_env(live_world)) as term:
        term.wait_for("visible to this credential", timeout=WAIT)
        term.press("down", "down", "down")  # past the session's own key at the top
        term.press("space", "down", "space", "space")  # not "luis temp": it has expired
        term.wait_for("3 marked", timeout=WAIT)
        term.press("R")
        term.wait_for("Roll 3 API keys", "y: roll", timeout=WAIT)
        time.sleep(PAST_CONFIRM_GUARD)
        term.press("y")
        term.wait_for("Roll: 3 rolled", timeout=WAIT)
        made = set(fake.org.keys) - before
        assert len(made) == 3
        term.press("C")
        term.wait_for("Rolled pairs: 3, 3 old keys still active", timeout=WAIT)
        term.press("d")
        term.wait_for("Revoke 3 API keys", "y: revoke", timeout=WAIT)
        time.sleep(PAST_CONFIRM_GUARD)
        term.press("y")
        term.wait_for("3 keys:", timeout=WAIT)
        term.press("q")
        assert term.wait_exit(WAIT) == 0
        seen = bytes(term._output)  # every byte the app wrote to the terminal

    old = {r.path.rsplit("/", 1)[-1] for r in fake.requests if r.method == "DELETE"}
    assert len(old) == 3 and not old & made  # the old keys were revoked, never the new ones
    assert all(fake.key(k).revoked_at is None for k in made)
    (secrets,) = (isolated_state / "lwadmin-tui" / "secrets").glob("rolled-*.tsv")
    tokens = [line.split("\t")[3] for line in secrets.read_text().splitlines()]
    assert sorted(tokens) == sorted(fake.key(k).token for k in made)
    for token in tokens:
        assert token[-12:].encode() not in seen  # never drawn, not even in part


def test_new_tokens_reach_the_secrets_file_and_nothing_else(
    live_world: World, isolated_state: Path, tmp_path: Path
) -> None:
    """With a debug log of every request: the tokens are in the secrets file, and no piece of
    them is in the log, the audit log, any other file, or anything drawn on the terminal."""
    fake = live_world.fake
    before = set(fake.org.keys)
    log = tmp_path / "logs" / "debug.log"
    with Terminal(["--debug-log", str(log)], app_env(live_world)) as term:
        term.wait_for("visible to this credential", timeout=WAIT)
        term.press("down", "down", "space", "space")
        term.wait_for("2 marked", timeout=WAIT)
        term.press("R")
        term.wait_for("Roll 2 API keys", "y: roll", timeout=WAIT)
        time.sleep(PAST_CONFIRM_GUARD)
        term.press("y")
        term.wait_for("Roll: 2 rolled", timeout=WAIT)
        term.press("q")
        assert term.wait_exit(WAIT) == 0
        output = term.all_output
    tokens = [fake.key(k).token for k in set(fake.org.keys) - before]
    assert len(tokens) == 2
    assert "request POST" in log.read_text()
    (secrets,) = (isolated_state / "lwadmin-tui" / "secrets").glob("rolled-*.tsv")
    for token in tokens:
        assert token in secrets.read_text()
        assert_no_secret(output, token)
        for path in tmp_path.rglob("*"):
            if path.is_file() and path != secrets:
                assert_no_secret(path.read_text(errors="replace"), token)
