"""A server whose create answers are odd: the key is really made by the faithful fake, then
its 201 answer is rewritten by `rewrite` (a different apiKey.id, a token that is not one...).
Optionally a POST is held (after the key was made) until `hold` is set."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from lwadmin_tui.fake import admin_scenario
from lwadmin_tui.fake.responses import FakeResponse, json_response
from lwadmin_tui.fake.rules import FakeLangWatch
from lwadmin_tui.fake.server import FakeServer
from tests.conftest import FIXED_NOW, World


class OddCreateLangWatch:
    def __init__(
        self,
        fake: FakeLangWatch,
        rewrite: Callable[[dict[str, Any]], Any] | None = None,
        *,
        hold: threading.Event | None = None,
        raw: bytes | None = None,
    ) -> None:
        self.fake = fake
        self.rewrite = rewrite
        self.hold = hold
        self.raw = raw
        self.made: list[str] = []

    def handle(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes = b""
    ) -> FakeResponse:
        answer = self.fake.handle(method, path, headers, body)
        if method != "POST" or answer.status != 201:
            return answer
        created = json.loads(answer.payload())
        self.made.append(created["apiKey"]["id"])
        if self.hold is not None:
            self.hold.wait(20)
        if self.raw is not None:
            return FakeResponse(201, self.raw)
        if self.rewrite is None:
            return answer
        return json_response(201, self.rewrite(created))

    def __getattr__(self, name: str) -> object:
        return getattr(self.fake, name)


@contextmanager
def holding_creates(
    *, held: bool = True
) -> Iterator[tuple[World, threading.Event, OddCreateLangWatch]]:
    """The admin organization served through the wrapper, whose POSTs (once the key is made)
    wait while the returned event is clear: cleared at the start when `held`."""
    scenario = admin_scenario(FIXED_NOW)
    hold = threading.Event()
    if not held:
        hold.set()
    wrapper = OddCreateLangWatch(scenario.app, hold=hold)
    server = FakeServer(wrapper).start()  # type: ignore[arg-type]
    try:
        yield World(scenario, server), hold, wrapper
    finally:
        hold.set()
        server.stop()
