"""No core dumps: a crash of the app or of the fake server must not leave the key in a file.

Each child first raises its own core limit to unlimited, as `ulimit -c unlimited` would, so the
tests show the process lowers it itself.
"""

from __future__ import annotations

import ctypes
import os
import re
import resource
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lwadmin_tui import process_hardening
from tests.terminal import PROJECT_ROOT, WAIT, Terminal, child_env

NO_CORES = re.compile(r"^Max core file size\s+0\s+0\s", re.MULTILINE)


def unlimited_cores() -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))


def limits(pid: int) -> str:
    return Path(f"/proc/{pid}/limits").read_text()


@pytest.mark.e2e
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl and /proc are Linux's")
def test_the_process_is_not_dumpable_and_may_write_no_core() -> None:
    code = textwrap.dedent(
        """
        import ctypes, resource
        from lwadmin_tui.process_hardening import disable_core_dumps
        libc = ctypes.CDLL(None)
        before = libc.prctl(3, 0, 0, 0, 0)  # PR_GET_DUMPABLE
        disable_core_dumps()
        print(before, libc.prctl(3, 0, 0, 0, 0), *resource.getrlimit(resource.RLIMIT_CORE))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        preexec_fn=unlimited_cores,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1", "0", "0", "0"]


def test_a_platform_without_the_calls_is_no_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*_args: object) -> None:
        raise OSError("not permitted here")

    monkeypatch.setattr(resource, "setrlimit", refused)
    monkeypatch.setattr(ctypes, "CDLL", refused)
    process_hardening.disable_core_dumps()  # returns quietly


@pytest.mark.e2e
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigabrt_in_the_running_app_leaves_no_core_file(tmp_path: Path) -> None:
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    # The machine writes cores as "core" in the working directory: give the app its own.
    script = 'cd "$1" && ulimit -c unlimited && exec "$2" -m lwadmin_tui --demo'
    command = ("sh", "-c", script, "sh", str(workdir), sys.executable)
    try:
        with Terminal([], {"PYTHONPATH": str(PROJECT_ROOT)}, command=command) as term:
            term.wait_for("visible to this credential", timeout=WAIT)
            seen = limits(term.child.pid)
            os.kill(term.child.pid, signal.SIGABRT)
            status = term.wait_exit(WAIT)
        assert status == -signal.SIGABRT
        assert not [core.name for core in workdir.glob("core*")]
        assert NO_CORES.search(seen), seen
    finally:
        for core in workdir.glob("core*"):
            core.unlink()


@pytest.mark.e2e
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_fake_server_writes_its_token_with_core_dumps_off(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    server = subprocess.Popen(
        [sys.executable, "-m", "lwadmin_tui.fake", "--token-file", str(token_file)],
        preexec_fn=unlimited_cores,
        cwd=tmp_path,
        env=child_env({"PYTHONPATH": str(PROJECT_ROOT)}),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        for line in server.stdout:
            if line.startswith("credential written"):
                break
        seen = limits(server.pid)
    finally:
        server.terminate()
        server.wait(WAIT)
    assert token_file.read_text().startswith("sk-lw-")
    assert NO_CORES.search(seen), seen
