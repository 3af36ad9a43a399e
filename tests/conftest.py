"""Shared fixtures: fake LangWatch organizations served over real HTTP on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from lwadmin_tui.api.auth import ApiKey
from lwadmin_tui.api.client import LangWatchClient
from lwadmin_tui.bulk.retry import instant_retries
from lwadmin_tui.fake import FakeLangWatch, FakeServer, Scenario, admin_scenario, manager_scenario
from lwadmin_tui.text import forget_secrets
from tests.loopback import default_tls

# Every test world and the app under test share this clock: snapshots never drift.
FIXED_NOW = datetime(2026, 8, 22, 12, 0, tzinfo=UTC)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`-n auto` starts two workers a core: most of a test is waiting (Textual's idle checks,
    servers, child processes), so one a core leaves the CPU half idle."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # xdist's own hook reads it
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return 2 * (cores or 1)


@pytest.fixture(autouse=True)
def isolated_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The audit log and the owner cache go to temporary dirs, never ~/.local/state or ~/.cache;
    retries never really wait."""
    state = tmp_path / "xdg-state"
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.delenv("LWADMIN_OWN_KEY_ID", raising=False)
    with instant_retries():
        yield state


@pytest.fixture(autouse=True)
def isolated_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Never the developer's ~/.config, keyring or LWADMIN_* settings (children inherit this)."""
    import keyring
    from keyring.backends import fail

    config = tmp_path / "xdg-config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    for name in ("LWADMIN_CONFIG", "LWADMIN_PROFILE", "LWADMIN_API_KEY_FILE", "LWADMIN_DEBUG_LOG"):
        monkeypatch.delenv(name, raising=False)
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield config
    keyring.set_keyring(before)


@pytest.fixture(autouse=True)
def forgotten_secrets() -> Iterator[None]:
    """Each app registers its key to be masked (text.py); the next test starts with none."""
    yield
    forget_secrets()


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs (needs root and mount; skipped where the test cannot mount one)."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


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

    def client(self, api_key: ApiKey | None = None, **options: Any) -> LangWatchClient:
        """A client of this world's server, with its credential unless `api_key` is given."""
        options.setdefault("verify", default_tls())
        return LangWatchClient(self.url, api_key or self.api_key, **options)


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
