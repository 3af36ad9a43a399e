"""The secret command must take the whole token: one that exits 0 without reading it, or after
reading part of it, has not delivered it (run for real, no network)."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

import pytest

from lwadmin_tui.api.auth import ApiKey
from lwadmin_tui.roll.secrets import Delivery, NotDelivered, SecretCommand

TOKEN = ApiKey("sk-lw-" + "t0ken" * 9)


def command(script: str) -> SecretCommand:
    return SecretCommand(f"{shlex.quote(sys.executable)} -c {shlex.quote(script)}", timeout=20)


def deliver(sink: SecretCommand) -> None:
    sink.deliver(Delivery("o" * 21, "n" * 21, "name", TOKEN))


@pytest.mark.parametrize(
    "script",
    ["pass", "import os; os.read(0, 5)", "import os; os.close(0)"],
    ids=["never-reads", "reads-part", "closes-stdin"],
)
def test_a_command_that_leaves_the_token_unread_has_not_delivered_it(script: str) -> None:
    with pytest.raises(NotDelivered, match="did not read the whole secret"):
        deliver(command(script))


@pytest.mark.parametrize(
    "script",
    ["import sys; sys.stdin.read()", "import sys; sys.stdin.readline()"],
    ids=["reads-all", "reads-the-line"],
)
def test_a_command_that_reads_the_token_has_it(script: str) -> None:
    deliver(command(script))


def test_a_command_that_reads_it_and_fails_has_not() -> None:
    with pytest.raises(NotDelivered, match="status 4"):
        deliver(command("import sys; sys.stdin.read(); sys.exit(4)"))


def test_no_pipe_to_give_it_is_a_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pipe() -> tuple[int, int]:
        raise OSError(24, "Too many open files")

    monkeypatch.setattr("lwadmin_tui.roll.secrets.os.pipe", no_pipe)
    with pytest.raises(NotDelivered, match="could not be given the secret"):
        deliver(command("import sys; sys.stdin.read()"))


def test_the_command_runs_without_the_apps_terminal(tmp_path: Path) -> None:
    """Its own session: no controlling terminal, so a password prompt on /dev/tty cannot take
    the keyboard or draw over the screen."""
    out = tmp_path / "sid"
    script = f"import os, sys; sys.stdin.read(); open({str(out)!r}, 'w').write(str(os.getsid(0)))"
    deliver(command(script))
    assert int(out.read_text()) != os.getsid(0)
