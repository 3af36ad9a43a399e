"""The fake LangWatch server in its own process, so its CPU and memory never count as the app's."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Served:
    url: str
    token_file: Path


@contextmanager
def fake_server(n_keys: int, latency_ms: float = 0.0) -> Iterator[Served]:
    """`python -m lwadmin_tui.fake --scenario large-N` on 127.0.0.1, stopped on exit."""
    with tempfile.TemporaryDirectory(prefix="h6-bench-") as tmp:
        token = Path(tmp) / "token"
        command = [
            sys.executable, "-m", "lwadmin_tui.fake", "--scenario", f"large-{n_keys}",
            "--latency-ms", str(latency_ms), "--token-file", str(token),
        ]  # fmt: skip
        server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        try:
            assert server.stdout is not None
            first = server.stdout.readline()  # "fake LangWatch (...) at http://127.0.0.1:PORT"
            if " at http://127.0.0.1:" not in first:
                raise RuntimeError(f"the fake server did not start: {first!r}")
            yield Served(first.split()[-1], token)
        finally:
            server.terminate()
            server.wait(timeout=10)
