"""The `lwadmin-tui` command itself, in a pseudo-terminal: what an admin waits for at start.

The headless probe (`probe.py`) starts at the app and splits the time into phases. This one runs
the real command (settings, credential from the environment, TLS, the list sent before Textual is
imported, the terminal driver) in a 120x40 pseudo-terminal and times spawn → the last byte the
app writes before 300 ms of quiet, once the screen says the list was loaded.
"""

from __future__ import annotations

import os
import select
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ptyprocess import PtyProcess  # pexpect's; installed with the test extras

ROWS, COLUMNS = 40, 120
QUIET = 0.3


def command_start(url: str, token_file: Path, n_keys: int, timeout: float = 60.0) -> dict[str, Any]:
    loaded = f"Loaded {n_keys} keys".encode()
    with tempfile.TemporaryDirectory(prefix="h6-term-") as home:
        env = {
            **os.environ,
            "LWADMIN_API_KEY": token_file.read_text().strip(),
            "XDG_CONFIG_HOME": home,
            "XDG_STATE_HOME": home,
            "TERM": "xterm-256color",
        }
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # cached bytecode, as an installed app has
        command = [sys.executable, "-m", "lwadmin_tui", "--endpoint", url, "--no-keyring"]
        spawn = time.time()
        app = PtyProcess.spawn(command, env=env, dimensions=(ROWS, COLUMNS))
        try:
            seen, last_output = b"", spawn
            deadline = spawn + timeout
            while time.time() < deadline:
                ready, _, _ = select.select([app.fd], [], [], 0.02)
                now = time.time()
                if ready:
                    seen += os.read(app.fd, 1 << 16)
                    last_output = now
                elif loaded in seen and now - last_output >= QUIET:
                    break
            else:
                raise TimeoutError(f"the command never showed {loaded.decode()!r}")
            app.write(b"q")
            while True:  # read to the end: the app restores the terminal as it exits
                try:
                    if not os.read(app.fd, 1 << 16):
                        break
                except OSError:  # EIO: the app has closed its side
                    break
            app.wait()
        finally:
            if app.isalive():
                app.terminate(force=True)
    return {"command_interactive": last_output - spawn, "exit": app.exitstatus}
