"""A 5xx whose body cannot be read may have made the key: it is looked for, not dismissed."""

from __future__ import annotations

from collections.abc import Mapping

from lwadmin_tui.api.new_key import NewKey
from lwadmin_tui.audit.log import AuditLog
from lwadmin_tui.fake import admin_scenario
from lwadmin_tui.fake.responses import FakeResponse
from lwadmin_tui.fake.server import FakeServer
from lwadmin_tui.roll.create import create_one
from lwadmin_tui.roll.records import RollAudit
from tests.conftest import FIXED_NOW, World


class MadeThen500:
    """The key is made; the answer is a 500 whose body is JSON nested too deep to read."""

    def __init__(self, fake):  # type: ignore[no-untyped-def]
        self.fake = fake

    def handle(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes = b""
    ) -> FakeResponse:
        answer = self.fake.handle(method, path, headers, body)
        if method == "POST" and answer.status == 201:
            return FakeResponse(500, b"[" * 200_000)
        return answer

    def __getattr__(self, name: str) -> object:
        return getattr(self.fake, name)


async def test_a_5xx_with_an_unreadable_body_is_treated_as_maybe_made() -> None:
    scenario = admin_scenario(FIXED_NOW)
    server = FakeServer(MadeThen500(scenario.app)).start()  # type: ignore[arg-type]
    world = World(scenario, server)
    try:
        before = set(scenario.app.org.keys)
        async with world.client() as client:
            audit = RollAudit(AuditLog(), client.host, "default")
            result = await create_one(client, audit, NewKey("deep 500", key_type="service"))
    finally:
        server.stop()
    live = [
        k for k in set(scenario.app.org.keys) - before if scenario.app.key(k).revoked_at is None
    ]
    assert not live or live[0] in result.message, result.message
