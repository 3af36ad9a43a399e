"""The built-in demo: a fake LangWatch organization served on 127.0.0.1 inside this process.

The app talks to it over real HTTP exactly as it would to a real server.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from lwadmin_tui.api.auth import ApiKey
from lwadmin_tui.fake import SCENARIOS, FakeServer


@dataclass(frozen=True)
class Demo:
    endpoint: str
    api_key: ApiKey
    own_key_id: str


@contextmanager
def start_demo(scenario: str, *, latency_ms: float = 0.0) -> Iterator[Demo]:
    built = SCENARIOS[scenario](datetime.now(UTC), clock=lambda: datetime.now(UTC))
    server = FakeServer(built.app)
    server.latency_ms = latency_ms
    server.start()
    # The demo's revocations are of a made-up organization: keep them out of the real audit
    # log (and its interrupted-batch report), and its owners out of the real owner cache, in
    # state and cache directories that go with the process.
    saved = {name: os.environ.get(name) for name in ("XDG_STATE_HOME", "XDG_CACHE_HOME")}
    with tempfile.TemporaryDirectory(prefix="lwadmin-demo-") as home:
        os.environ["XDG_STATE_HOME"] = home
        os.environ["XDG_CACHE_HOME"] = os.path.join(home, "cache")
        try:
            yield Demo(server.url, ApiKey(built.token), built.credential_key_id)
        finally:
            server.stop()
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
