"""Run a command in a real pseudo-terminal and read its screen like a person would.

Every byte the child prints goes into a `pyte` emulated 80x24 screen; tests wait for text to
appear there (never for a fixed time) and send key presses as the raw bytes a terminal sends.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

import pexpect
import pyte

from lwadmin_tui.fake.org import FakeKey
from tests.conftest import World

ROWS, COLUMNS = 24, 80
PROJECT_ROOT = Path(__file__).resolve().parent.parent
APP_COMMAND = (sys.executable, "-m", "lwadmin_tui")
# Settings the app or Textual read from the environment: the test decides them, not the shell.
SCRUBBED_PREFIXES = ("LANGWATCH_", "LWADMIN_", "TEXTUAL")
POLL_SECONDS = 0.05
WAIT = 30  # seconds: a loaded 2-core CI machine starts Textual slowly
# The dialog ignores keys for 0.3 s after it opens (type-ahead guard); it is already open when
# its text is on screen, so this much later a key is an answer.
PAST_CONFIRM_GUARD = 0.5

KEYS: dict[str, bytes] = {
    "space": b" ",
    "enter": b"\r",
    "escape": b"\x1b",
    "tab": b"\t",
    "backspace": b"\x7f",
    "up": b"\x1b[A",
    "down": b"\x1b[B",
    "right": b"\x1b[C",
    "left": b"\x1b[D",
    "home": b"\x1b[H",
    "end": b"\x1b[F",
    "pageup": b"\x1b[5~",
    "pagedown": b"\x1b[6~",
    "ctrl+c": b"\x03",
}

_ANSI = re.compile(
    rb"\x1b(?:"
    rb"\[[0-?]*[ -/]*[@-~]"  # CSI: cursor moves, colours, modes
    rb"|\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC: titles, colour queries
    rb"|[PX^_][^\x1b]*\x1b\\"  # DCS, SOS, PM, APC strings
    rb"|.)"  # any other two-byte escape
)


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment without LangWatch/lwadmin/Textual settings, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(SCRUBBED_PREFIXES)}
    env["TERM"] = "xterm-256color"
    env.update(extra or {})
    return env


def plain(output: bytes) -> str:
    """The printed text without escape sequences, for searches across colour changes."""
    return _ANSI.sub(b"", output).decode("utf-8", errors="replace")


def secret_fragments(text: str, secret: str, window: int = 16) -> list[str]:
    """Every `window`-long piece of `secret` found in `text`, ignoring line wrapping and frames.

    A leaked secret may be split by colour codes or wrapped inside a traceback panel, so the
    text is also searched with whitespace and box-drawing characters removed.
    """
    squeezed = re.sub(r"[\s\u2500-\u257f]+", "", text)
    pieces = {secret[i : i + window] for i in range(max(1, len(secret) - window + 1))}
    return sorted(piece for piece in pieces if piece in text or piece in squeezed)


def assert_no_secret(output: str, secret: str) -> None:
    """No piece of `secret` in `output`, with or without its escape sequences."""
    found = secret_fragments(output, secret) + secret_fragments(plain(output.encode()), secret)
    assert not found, f"the API key appears in the output: {found[:3]}"


def app_env(world: World) -> dict[str, str]:
    """The settings that point the program at `world`, with its credential."""
    return {"LWADMIN_ENDPOINT": world.url, "LWADMIN_API_KEY": world.scenario.token}


def first_list(world: World) -> list[FakeKey]:
    """What the app's first GET returns, newest first; call before the app lists anything."""
    keys = [
        key
        for key in world.fake.org.keys.values()
        if key.revoked_at is None and not key.is_langy_session
    ]
    keys.sort(key=lambda key: (key.created_at, key.id), reverse=True)
    assert len(keys) == world.scenario.expected_list_count
    return keys


def marking_presses(rows: list[int]) -> list[str]:
    """The keys that mark these rows (ascending), from the top: space marks, then moves down."""
    keys: list[str] = []
    cursor = 0
    for row in rows:
        keys += ["down"] * (row - cursor) + ["space"]
        cursor = row + 1
    return keys


class Terminal:
    """A child process on an 80x24 pseudo-terminal, with an emulated screen of its output."""

    def __init__(
        self,
        args: Sequence[str],
        env: Mapping[str, str] | None = None,
        *,
        command: Sequence[str] = APP_COMMAND,
    ) -> None:
        argv = [*command, *args]
        self.screen = pyte.Screen(COLUMNS, ROWS)
        self._stream = pyte.ByteStream(self.screen)
        self._output = bytearray()
        self.eof = False
        self.child = pexpect.spawn(
            argv[0],
            argv[1:],
            env=child_env(env),
            cwd=str(PROJECT_ROOT),
            dimensions=(ROWS, COLUMNS),
            encoding=None,
            echo=False,
        )
        self.child.delaybeforesend = None  # pexpect sleeps before each send by default

    # --- reading ----------------------------------------------------------------------------

    def _pump(self, timeout: float = POLL_SECONDS) -> None:
        """Read what the child printed (up to `timeout`) into the screen and the output log."""
        if self.eof:
            return
        try:
            data = self.child.read_nonblocking(65536, timeout=timeout)
        except pexpect.TIMEOUT:
            return
        except pexpect.EOF:
            self.eof = True
            return
        self._output.extend(data)
        self._stream.feed(data)

    def wait_for(self, text: str, *more: str, timeout: float = 20) -> None:
        """Return once `text` and every one of `more` are on the screen together.

        A frame reaches the terminal in several writes, so a dialog's title can be on screen
        before its last line: wait for every part the test goes on to read.
        AssertionError with the screen if they are not all there within `timeout` seconds.
        """
        wanted = (text, *more)

        def shown() -> bool:
            screen = self.screen_text()
            return all(part in screen for part in wanted)

        deadline = time.monotonic() + timeout
        while True:
            self._pump()
            if shown():
                return
            if self.eof:
                raise AssertionError(self._report(f"the program ended without showing {wanted}"))
            if time.monotonic() > deadline:
                raise AssertionError(self._report(f"{wanted} not on screen after {timeout} s"))

    def wait_exit(self, timeout: float = 20) -> int:
        """Read everything until the child exits; its exit status (-N if killed by signal N)."""
        deadline = time.monotonic() + timeout
        while True:
            self._pump()  # keep draining: a child blocked on a full pty never exits
            if self.eof and not self.child.isalive():
                break
            if time.monotonic() > deadline:
                raise AssertionError(self._report(f"the program still runs after {timeout} s"))
            if self.eof:
                time.sleep(POLL_SECONDS)  # output closed; poll for the exit status
        if self.child.exitstatus is not None:
            return int(self.child.exitstatus)
        return -int(self.child.signalstatus or 0)

    def screen_text(self) -> str:
        return "\n".join(self.screen.display)

    def screen_lines(self) -> list[str]:
        return list(self.screen.display)

    @property
    def all_output(self) -> str:
        """Every byte received so far, escape sequences included."""
        return bytes(self._output).decode("utf-8", errors="replace")

    @property
    def plain_output(self) -> str:
        """Every byte received so far, without escape sequences."""
        return plain(bytes(self._output))

    def _report(self, problem: str) -> str:
        tail = self.plain_output[-1500:]
        return (
            f"{problem}\n--- screen ---\n{self.screen_text()}\n--- end of screen ---\n"
            f"--- last output, escape sequences removed ---\n{tail}\n--- end of output ---"
        )

    # --- typing -----------------------------------------------------------------------------

    def press(self, *keys: str) -> None:
        """Send each key: a name from `KEYS` as its terminal bytes, anything else as typed."""
        for key in keys:
            self.child.send(KEYS.get(key, key.encode()))

    # --- lifetime ---------------------------------------------------------------------------

    def close(self) -> None:
        """Terminate the child if it still runs and release the pty."""
        if self.child.isalive():
            self.child.terminate(force=True)
        self.child.close(force=True)

    def __enter__(self) -> Terminal:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def run_cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`python -m lwadmin_tui ARGS` without a terminal (subcommands, refusals), output captured."""
    return subprocess.run(
        [sys.executable, "-m", "lwadmin_tui", *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        env=child_env(env),
        check=False,
    )
