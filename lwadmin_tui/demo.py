"""The built-in demo: a fake LangWatch organization served on 127.0.0.1 inside this process.

The app talks to it over real HTTP exactly as it would to a real server.
"""

from __future__ import annotations

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


@contextmanager
def start_demo(scenario: str, *, latency_ms: float = 0.0) -> Iterator[Demo]:
    built = SCENARIOS[scenario](datetime.now(UTC), clock=lambda: datetime.now(UTC))
    server = FakeServer(built.app)
    server.latency_ms = latency_ms
    server.start()
    try:
        yield Demo(server.url, ApiKey(built.token))
    finally:
        server.stop()
