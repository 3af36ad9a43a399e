"""An httpx transport that answers from a `FakeLangWatch` without a socket.

Only for pictures that must not change between runs (snapshots, README screenshots): the host
shown in the header is then a fixed name instead of 127.0.0.1 and a random port. Every
behaviour test talks to the fake over real HTTP through `FakeServer`.
"""

from __future__ import annotations

import httpx

from lwadmin_tui.fake.rules import FakeLangWatch


class InProcessTransport(httpx.AsyncBaseTransport):
    def __init__(self, fake: FakeLangWatch) -> None:
        self.fake = fake

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        answer = self.fake.handle(
            request.method,
            request.url.raw_path.decode("ascii"),
            dict(request.headers.items()),
            await request.aread(),
        )
        headers = {"Content-Type": answer.content_type, **answer.headers}
        return httpx.Response(answer.status, headers=headers, content=answer.payload())
