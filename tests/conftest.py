"""Shared fixtures: fake LangWatch organizations served over real HTTP on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from lwadmin_tui.api.auth import ApiKey
from lwadmin_tui.fake import FakeLangWatch, FakeServer, Scenario, admin_scenario, manager_scenario

# Every test world and the app under test share this clock: snapshots never drift.
FIXED_NOW = datetime(2026, 8, 22, 12, 0, tzinfo=UTC)


@dataclass
class World:
    """A scenario served on loopback: what the app is given, and the fake's state to check."""

    scenario: Scenario
    server: FakeServer

    @property
    def fake(self) -> FakeLangWatch:
        return self.scenario.app

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def api_key(self) -> ApiKey:
        return ApiKey(self.scenario.token)


def serve(scenario: Scenario) -> Iterator[World]:
    server = FakeServer(scenario.app).start()
    try:
        yield World(scenario, server)
    finally:
        server.stop()


@pytest.fixture
def admin_world() -> Iterator[World]:
    yield from serve(admin_scenario(FIXED_NOW))


@pytest.fixture
def manager_world() -> Iterator[World]:
    yield from serve(manager_scenario(FIXED_NOW))
