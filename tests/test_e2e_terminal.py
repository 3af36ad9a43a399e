"""End to end in a real pseudo-terminal: `python -m lwadmin_tui` against the fake on loopback.

What a person at an 80x24 terminal sees and types, checked against the fake server's state,
plus the exits before the app starts and the promise that no output ever holds the API key.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest

from lwadmin_tui.fake.org import FakeKey
from tests.conftest import World
from tests.hostile.trickle import trickle_server
from tests.terminal import (
    PAST_CONFIRM_GUARD,
    WAIT,
    Terminal,
    app_env,
    assert_no_secret,
    child_env,
    first_list,
    marking_presses,
    plain,
    run_cli,
)

pytestmark = pytest.mark.e2e

NAME_PREFIX = 16  # the name column is wider than this at 80 columns


def assert_rows_in_order(term: Terminal, keys: list[FakeKey]) -> None:
    """The table shows `keys` on consecutive screen lines, in this order."""
    names = [key.name[:NAME_PREFIX] for key in keys]
    term.wait_for(*names, timeout=WAIT)
    lines = term.screen_lines()
    start = next(i for i, line in enumerate(lines) if names[0] in line)
    for offset, name in enumerate(names):
        assert name in lines[start + offset], f"row {offset} is not {name!r}:\n{term.screen_text()}"


def test_mark_confirm_and_revoke_three_keys(admin_world: World) -> None:
    scenario = admin_world.scenario
    listed = first_list(admin_world)
    skip = scenario.doomed_ids | {scenario.credential_key_id}
    rows = [row for row, key in enumerate(listed) if key.id not in skip][:3]
    chosen = {listed[row].id for row in rows}
    revoked_before = admin_world.fake.revoked_ids()

    with Terminal([], app_env(admin_world)) as term:
        term.wait_for("visible to this credential", timeout=WAIT)
        assert_rows_in_order(term, listed[: rows[-1] + 1])
        term.press(*marking_presses(rows))
        term.wait_for("3 marked", timeout=WAIT)
        term.press("d")
        # The dialog lists exactly the chosen keys, by id; its last line is the keys hint.
        term.wait_for("Revoke 3 API keys", *chosen, "y: revoke", timeout=WAIT)
        time.sleep(PAST_CONFIRM_GUARD)  # the only fixed wait: see PAST_CONFIRM_GUARD
        term.press("y")
        term.wait_for("3 keys: 3 revoked", timeout=WAIT)
        term.press("q")
        assert term.wait_exit(WAIT) == 0
        output = term.all_output

    fake = admin_world.fake
    assert fake.revoked_ids() == revoked_before | scenario.doomed_ids | chosen
    deletes = [r for r in fake.requests if r.method == "DELETE"]
    assert sorted(r.path for r in deletes) == sorted(f"/api/api-keys/{i}" for i in chosen)
    assert all(r.status == 200 for r in deletes)
    assert fake.key(scenario.credential_key_id).revoked_at is None
    assert scenario.token[-4:] in output  # the top bar shows the key's last four characters
    assert_no_secret(output, scenario.token)


def test_no_api_key_asks_then_exits_2_saying_what_was_tried(admin_world: World) -> None:
    """No variable, file or keyring entry: a hidden prompt; nothing typed gives exit 2."""
    with Terminal([], {"LWADMIN_ENDPOINT": admin_world.url}) as term:
        term.wait_for("API key for profile 'default'", timeout=WAIT)
        term.press("enter")
        status = term.wait_exit(WAIT)
        output = term.plain_output
    assert status == 2
    assert "No API key for profile 'default'" in output
    for tried in ("LWADMIN_API_KEY: not set", "system keyring: No system keyring", "prompt:"):
        assert tried in output
    assert "dbus-run-session" in output
    assert "Traceback" not in output


# Shaped like an organization key, sk-lw-{16-character lookup id}_{48-character secret}.
FAKE_TOKEN = "sk-lw-Q7rT2mX9vB4nK8pZ_" + "w3E5r7T9y1U3i5O7p9A1s3D5" + "f7G9h1J3k5L7z9X1c3V5b7N9"


@pytest.mark.parametrize(
    "args",
    [["--api-key", FAKE_TOKEN], [f"--api-key={FAKE_TOKEN}"], ["--demo", "--token", FAKE_TOKEN]],
    ids=["separate", "equals", "token"],
)
def test_key_on_command_line_is_refused(args: list[str]) -> None:
    with Terminal(args) as term:
        status = term.wait_exit(WAIT)
        output = term.all_output
    assert status == 2
    assert "never accepted on the command line" in output
    assert_no_secret(output, FAKE_TOKEN)


# Endpoints httpx cannot use (each raised httpx.InvalidURL or idna's error, or was glued into
# every path) and the words of the sentence each is refused with.
NOT_URLS = {
    "zero-width": ("https://app.langwatch.ai\u200b", "invisible or control character (U+200B"),
    "tab": ("https://app.lang\twatch.ai", "invisible or control character (U+0009"),
    "ipv6": ("http://[::1\u200b]:8080", "invisible or control character (U+200B"),
    "a-label": ("https://xn--zz", "is not a valid host name"),
    "query": ("https://app.langwatch.ai/?a=b", "without a query"),
    "fragment": ("https://app.langwatch.ai/#x", "or a fragment"),
}


@pytest.mark.parametrize(("endpoint", "words"), NOT_URLS.values(), ids=NOT_URLS.keys())
def test_an_endpoint_that_is_not_a_url_stops_the_app_in_one_sentence(
    endpoint: str, words: str
) -> None:
    with Terminal([], {"LWADMIN_ENDPOINT": endpoint, "LWADMIN_API_KEY": FAKE_TOKEN}) as term:
        status = term.wait_exit(WAIT)
        output = term.plain_output
    assert status == 2, output
    assert words in output
    assert "Traceback" not in output and "internal error" not in output
    assert_no_secret(term.all_output, FAKE_TOKEN)


@pytest.mark.parametrize(("endpoint", "words"), NOT_URLS.values(), ids=NOT_URLS.keys())
def test_doctor_refuses_an_endpoint_that_is_not_a_url(endpoint: str, words: str) -> None:
    result = run_cli(["doctor"], {"LWADMIN_ENDPOINT": endpoint, "LWADMIN_API_KEY": FAKE_TOKEN})
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert words in output and "live check:   skipped" in output
    assert "Traceback" not in output
    assert_no_secret(output, FAKE_TOKEN)


def test_a_trickled_list_stops_at_the_request_timeout_and_so_does_a_reload() -> None:
    """The first list (sent before the app is imported) and a reload (the app's own client)."""
    with trickle_server() as trickle:
        env = {
            "LWADMIN_ENDPOINT": trickle.url,
            "LWADMIN_API_KEY": FAKE_TOKEN,
            "LWADMIN_REQUEST_TIMEOUT": "1",
        }
        with Terminal([], env) as term:
            failed = "Could not load the keys: no complete answer from 127.0.0.1"
            term.wait_for(failed, timeout=WAIT)
            term.press("r")
            term.wait_for("Reloading", timeout=WAIT)
            term.wait_for(failed, timeout=WAIT)
            assert trickle.requests == 2
            term.press("q")
            assert term.wait_exit(WAIT) == 0


CRASHING_APP = textwrap.dedent(
    """
    import os
    import sys

    from textual.app import App

    from lwadmin_tui.api.auth import ApiKey
    from lwadmin_tui.ui.app import LwAdminApp
    from lwadmin_tui.ui.session import Session


    class CrashingApp(LwAdminApp):
        def on_mount(self) -> None:
            secret = self.session.api_key.reveal()
            raise RuntimeError("planted crash")

    if "--textual-crash-screen" in sys.argv:  # Textual's own report, which shows locals
        CrashingApp._fatal_error = App._fatal_error

    session = Session(os.environ["LWADMIN_ENDPOINT"], ApiKey(os.environ["LWADMIN_API_KEY"]))
    app = CrashingApp(session)
    app.run()
    sys.exit(app.return_code or 0)
    """
)


def run_crashing_app(world: World, *args: str) -> tuple[int, str]:
    command = (sys.executable, "-c", CRASHING_APP)
    with Terminal(args, app_env(world), command=command) as term:
        status = term.wait_exit(WAIT)
        return status, term.all_output


def test_crash_report_shows_no_secret(admin_world: World) -> None:
    status, output = run_crashing_app(admin_world)
    assert status != 0
    assert "planted crash" in output
    assert "Traceback" in plain(output.encode())
    assert_no_secret(output, admin_world.scenario.token)


def test_crash_check_would_see_a_leak(admin_world: World) -> None:
    """Control: Textual's default crash report prints the local, and the check above sees it."""
    status, output = run_crashing_app(admin_world, "--textual-crash-screen")
    assert status != 0
    assert "planted crash" in output
    with pytest.raises(AssertionError, match="the API key appears"):
        assert_no_secret(output, admin_world.scenario.token)


def test_without_a_terminal_exits_2(admin_world: World) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "lwadmin_tui"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=20,
        env=child_env(app_env(admin_world)),
        check=False,
    )
    stderr = result.stderr.decode("utf-8", errors="replace")
    assert result.returncode == 2
    assert "needs an interactive terminal" in stderr
    assert "Traceback" not in stderr
    assert_no_secret(stderr + result.stdout.decode(errors="replace"), admin_world.scenario.token)
