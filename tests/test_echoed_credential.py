"""A server or proxy that echoes the `Authorization` header: the key still shows up nowhere.

The echo reaches the 401 panel, the message line, a batch's rows, the audit log, the batches
view, its exports, the terminal and `doctor`; each must show `[redacted]` where the key was.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable

from lwadmin_tui.api.auth import ApiKey
from lwadmin_tui.fake import admin_scenario
from lwadmin_tui.ui.app import LwAdminApp
from lwadmin_tui.ui.screens.batches import BatchesScreen
from lwadmin_tui.ui.screens.credential_rejected import CredentialRejectedScreen
from lwadmin_tui.ui.session import Session
from tests.app_driver import cell, make_app, message_line, revoke, row_ids, settle
from tests.bulk_checks import ordinary_ids
from tests.conftest import FIXED_NOW, World
from tests.hostile.echo_auth import echoing_server
from tests.terminal import WAIT, Terminal, assert_no_secret, run_cli

# Not shaped like a LangWatch token: only the registry of the app's own credential can hide it.
OPAQUE_KEY = "opaque-credential-Zq81mN03Xc77LpQ4"


@contextmanager
def echo_world(**options: Any) -> Iterator[World]:
    scenario = admin_scenario(FIXED_NOW)
    with echoing_server(scenario.app, **options) as server:
        yield World(scenario, server)


def statics(screen: Any) -> str:
    return " ".join(str(widget.render()) for widget in screen.query("Static"))


def table_text(table: DataTable[Any]) -> str:
    rows = (table.get_row_at(index) for index in range(table.row_count))
    return "\n".join(" | ".join(str(value) for value in row) for row in rows)


@pytest.mark.pilot
async def test_a_401_echoing_the_key_is_masked_on_the_panel_and_the_message_line() -> None:
    with echo_world(list_status=401) as world:
        app = make_app(world)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, CredentialRejectedScreen)
            panel = statics(app.screen)
            shown = panel + app.export_screenshot()
            await pilot.press("escape")
            said = message_line(pilot)
            shown += said + app.export_screenshot()
    assert_no_secret(shown, world.scenario.token)
    assert "It said: caller Bearer [redacted]" in panel
    assert "(401: caller Bearer [redacted])" in said


@pytest.mark.pilot
async def test_a_key_not_shaped_like_a_token_is_masked_when_echoed_bare() -> None:
    with echo_world(bare=True) as world:  # the fake's own 401, the bare key appended
        app = LwAdminApp(Session(world.url, ApiKey(OPAQUE_KEY)), clock=lambda: FIXED_NOW)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, CredentialRejectedScreen)
            panel = statics(app.screen)
            await pilot.press("escape")
            said = message_line(pilot)
    assert_no_secret(panel + said, OPAQUE_KEY)
    assert "It said: Invalid credentials. (caller [redacted])" in panel


@pytest.mark.pilot
@pytest.mark.parametrize(
    "options",
    [{"delete_status": 403}, {"delete_status": 403, "in_code": True}],
    ids=["message", "message-and-code"],
)
async def test_a_403_echoing_the_key_is_masked_in_rows_audit_batches_and_exports(
    isolated_state: Path, options: dict[str, Any]
) -> None:
    with echo_world(**options) as world:
        app = make_app(world)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            chosen = ordinary_ids(world, row_ids(pilot))[:2]
            await revoke(pilot, chosen)
            labels = [cell(pilot, key_id, "result") for key_id in chosen]
            shown = "\n".join(labels) + message_line(pilot) + app.export_screenshot()
            await pilot.press("b")
            view = app.screen
            assert isinstance(view, BatchesScreen)
            shown += table_text(view.query_one("#batch-keys", DataTable))
            shown += table_text(view.query_one("#batch-list", DataTable))
            await pilot.press("e")
            shown += statics(view) + app.export_screenshot()
    state = isolated_state / "lwadmin-tui"
    exports = sorted((state / "exports").iterdir())
    assert [path.suffix for path in exports] == [".csv", ".json"]
    written = [state / "audit.jsonl", *exports]
    assert_no_secret(shown + "".join(path.read_text() for path in written), world.scenario.token)
    assert labels == ["403 not allowed: caller Bearer [redacted]"] * 2
    document = json.loads(exports[1].read_text())
    assert {k["label"] for k in document["keys"]} == {labels[0]}
    if options.get("in_code"):
        assert {k["code"] for k in document["keys"]} == {
            "api_key_not_owned: caller Bearer [redacted]"
        }


@pytest.mark.pilot
async def test_an_html_error_page_quoting_the_header_leaks_nothing(isolated_state: Path) -> None:
    with echo_world(delete_status=502, html=True) as world:
        app = make_app(world)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            chosen = ordinary_ids(world, row_ids(pilot))[:1]
            await revoke(pilot, chosen)
            label = cell(pilot, chosen[0], "result")
            shown = label + message_line(pilot) + app.export_screenshot()
    assert "HTML page" in label
    audit = (isolated_state / "lwadmin-tui" / "audit.jsonl").read_text()
    assert_no_secret(shown + audit, world.scenario.token)


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("options", "key"),
    [({"list_status": 401}, None), ({"bare": True}, OPAQUE_KEY)],
    ids=["token", "opaque-key"],
)
def test_the_terminal_never_shows_an_echoed_key(options: dict[str, Any], key: str | None) -> None:
    with echo_world(**options) as world:
        secret = key or world.scenario.token
        env = {"LWADMIN_ENDPOINT": world.url, "LWADMIN_API_KEY": secret}
        with Terminal([], env) as term:
            term.wait_for("The server rejected the API key", "It said:", timeout=WAIT)
            screen = term.screen_text()
            term.press("q")
            assert term.wait_exit(WAIT) == 0
            output = term.all_output
    assert_no_secret(output, secret)
    assert "[redacted]" in screen


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("options", "key"),
    [
        ({"list_status": 401}, None),
        ({"list_status": 403, "in_code": True}, None),
        ({"list_status": 502, "html": True}, None),
        ({"bare": True}, OPAQUE_KEY),
    ],
    ids=["401", "403-code", "502-html", "opaque-key"],
)
def test_doctor_never_prints_an_echoed_key(options: dict[str, Any], key: str | None) -> None:
    with echo_world(**options) as world:
        secret = key or world.scenario.token
        result = run_cli(["doctor"], {"LWADMIN_ENDPOINT": world.url, "LWADMIN_API_KEY": secret})
    assert result.returncode == 1, result.stdout + result.stderr
    assert "live check:   GET /api/api-keys failed" in result.stdout
    assert_no_secret(result.stdout + result.stderr, secret)
    if not options.get("html"):
        assert "caller [redacted]" in result.stdout or "caller Bearer [redacted]" in result.stdout
