"""A planted key driven through every path it could escape by: it shows up nowhere but its last 4.

The crash screen is covered in test_e2e_terminal.py; here: settings errors, the key file path,
debug logs of requests, the pty screen with the hidden prompt, snapshots, and every file written.
"""

from __future__ import annotations

import logging
import stat
import sys
from pathlib import Path

import pytest

from lwadmin_tui.settings.debug_log import RedactingFilter, RedactingFormatter, redact
from tests.conftest import World
from tests.terminal import PROJECT_ROOT, WAIT, Terminal, assert_no_secret, plain, secret_fragments
from tests.terminal import run_cli as run


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.mark.e2e
def test_a_settings_error_never_echoes_the_key(admin_world: World) -> None:
    token = admin_world.scenario.token
    result = run(["doctor"], {"LWADMIN_CONCURRENCY": token, "LWADMIN_API_KEY": token})
    assert result.returncode == 2
    assert "concurrency" in result.stderr and "Traceback" not in result.stderr
    assert_no_secret(result.stdout + result.stderr, token)


@pytest.mark.e2e
def test_a_key_typed_as_a_file_path_is_redacted(admin_world: World) -> None:
    token = admin_world.scenario.token
    result = run(["auth", "status", f"--api-key-file={token}"], {})
    assert result.returncode == 2
    assert "[redacted]" in result.stderr
    assert_no_secret(result.stdout + result.stderr, token)


@pytest.mark.e2e
def test_debug_log_of_requests_is_private_and_redacted(admin_world: World, tmp_path: Path) -> None:
    token = admin_world.scenario.token
    log = tmp_path / "logs" / "debug.log"
    env = {"LWADMIN_ENDPOINT": admin_world.url, "LWADMIN_API_KEY": token}
    with Terminal(["--debug-log", str(log)], env) as term:
        term.wait_for("visible to this credential", timeout=WAIT)
        term.press("q")
        assert term.wait_exit(WAIT) == 0
        output = term.all_output
    text = log.read_text()
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert stat.S_IMODE(log.parent.stat().st_mode) == 0o700
    assert "request GET" in text and "/api/api-keys" in text
    assert "authorization: [redacted]" in text.lower()
    assert_no_secret(text, token)
    assert "request GET" not in plain(output.encode())  # never under the TUI
    assert_no_secret(output, token)
    for path in files_under(tmp_path):  # config, state (audit), logs: everything written
        assert_no_secret(path.read_text(errors="replace"), token)


@pytest.mark.e2e
def test_the_hidden_prompt_never_shows_the_key(admin_world: World, tmp_path: Path) -> None:
    token = admin_world.scenario.token
    with Terminal(["--no-keyring"], {"LWADMIN_ENDPOINT": admin_world.url}) as term:
        term.wait_for("API key for profile 'default' (input hidden", timeout=WAIT)
        term.press(token, "enter")
        term.wait_for("visible to this credential", timeout=WAIT)
        assert f"…{token[-4:]}" in term.screen_text()
        term.press("q")
        assert term.wait_exit(WAIT) == 0
        output = term.all_output
    assert_no_secret(output, token)
    for path in files_under(tmp_path):
        assert_no_secret(path.read_text(errors="replace"), token)


def test_snapshots_hold_no_key() -> None:
    from lwadmin_tui.fake import admin_scenario, manager_scenario
    from tests.conftest import FIXED_NOW

    tokens = [admin_scenario(FIXED_NOW).token, manager_scenario(FIXED_NOW).token]
    pictures = [
        *(PROJECT_ROOT / "tests" / "__snapshots__").rglob("*.svg"),
        *(PROJECT_ROOT / "screenshots").glob("*.svg"),
    ]
    assert pictures
    for picture in pictures:
        text = picture.read_text(errors="replace")
        for token in tokens:
            assert not secret_fragments(text, token), picture.name


@pytest.mark.parametrize(
    ("line", "hidden"),
    [
        ("headers: Authorization: Bearer sk-lw-abcd_efgh1234", "efgh1234"),
        ("[(b'authorization', b'Bearer abc.def')]", "abc.def"),
        ("{'X-Auth-Token': 'opaque-value-123'}", "opaque-value-123"),
        ("Cookie: session=deadbeef42", "deadbeef42"),
        ("set-cookie: sid=cafebabe99; Path=/", "cafebabe99"),
        ("the key ik-lw-ingest_abcdef and pat-lw-old_123456", "abcdef"),
    ],
)
def test_redact(line: str, hidden: str) -> None:
    assert hidden not in redact(line)
    assert "[redacted]" in redact(line)


def test_the_filter_redacts_arguments_and_exceptions() -> None:
    record = logging.LogRecord(
        "httpx", logging.DEBUG, __file__, 1, "sent %s", ("Bearer sk-lw-abc_SECRET99",), None
    )
    try:
        raise RuntimeError("failed with sk-lw-abc_SECRET99")
    except RuntimeError:
        record.exc_info = sys.exc_info()
    assert RedactingFilter().filter(record)
    formatted = RedactingFormatter().format(record)
    assert "SECRET99" not in formatted and "[redacted]" in formatted


@pytest.mark.e2e
def test_auth_set_prompts_hidden_in_a_terminal(admin_world: World) -> None:
    """`auth set` on a terminal: hidden prompt, stored, only the last 4 characters shown."""
    token = admin_world.scenario.token
    env = {"PYTHON_KEYRING_BACKEND": "tests.test_secrets.MemoryKeyring"}
    with Terminal(["auth", "set"], env) as term:
        term.wait_for("API key for profile 'default' (input hidden)", timeout=WAIT)
        term.press(token, "enter")
        assert term.wait_exit(WAIT) == 0
        output = term.all_output
    assert f"Stored the key …{token[-4:]} in tests.test_secrets.MemoryKeyring" in plain(
        output.encode()
    )
    assert_no_secret(output, token)
