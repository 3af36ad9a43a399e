"""A LangWatch behind something that echoes the caller's `Authorization` header in its errors.

Some servers and proxies quote the request back in an error ("caller Bearer sk-lw-…"). This
wraps the faithful fake (`FakeLangWatch.handle`) and rewrites its answers, so the fake itself
stays exactly the documented server.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import cast

from lwadmin_tui.fake.responses import FakeResponse, json_response
from lwadmin_tui.fake.rules import FakeLangWatch
from lwadmin_tui.fake.server import FakeServer

# The error code a forced answer carries, as the real server (or an edge in front) would.
CODES = {401: "Unauthorized", 403: "api_key_not_owned", 502: "Bad Gateway"}


@dataclass
class EchoAuthorization:
    """The fake's answers, each error's message ending with what the `Authorization` header held.

    `list_status` and `delete_status` force that error on the key list and on every DELETE
    (nothing is applied). `in_code` puts the echo in the `error` code as well; `html` answers
    errors with an HTML page quoting the header; `bare` echoes the credential without its
    scheme word, as a server that names "the key" would.
    """

    inner: FakeLangWatch
    list_status: int | None = None
    delete_status: int | None = None
    in_code: bool = False
    html: bool = False
    bare: bool = False

    def handle(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes = b""
    ) -> FakeResponse:
        sent = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        echo = f"caller {sent.partition(' ')[2] if self.bare else sent}"
        route = path.split("?", 1)[0].rstrip("/")
        if method == "GET" and route == "/api/api-keys" and self.list_status:
            return self._error(self.list_status, None, echo)
        if method == "DELETE" and self.delete_status:
            return self._error(self.delete_status, None, echo)
        response = self.inner.handle(method, path, headers, body)
        if response.status < 400:
            return response
        body = response.json() if response.content_type == "application/json" else {}
        return self._error(response.status, body, echo)

    def _error(self, status: int, body: dict[str, object] | None, echo: str) -> FakeResponse:
        if self.html:
            page = (
                f"<!DOCTYPE html><html><head><title>{status}</title></head><body>"
                f"<h1>{status}</h1><pre>Authorization: {echo}</pre></body></html>"
            )
            return FakeResponse(status, page.encode(), content_type="text/html")
        body = dict(body or {"error": CODES.get(status, "error")})
        said = body.get("message")
        body["message"] = f"{said} ({echo})" if said else echo
        if self.in_code:
            body["error"] = f"{body['error']}: {echo}"
        return json_response(status, body)


@contextmanager
def echoing_server(app: FakeLangWatch, **options: object) -> Iterator[FakeServer]:
    """`app` served on loopback behind an `EchoAuthorization` with these options."""
    wrapper = EchoAuthorization(app, **options)  # type: ignore[arg-type]
    server = FakeServer(cast("FakeLangWatch", wrapper)).start()
    try:
        yield server
    finally:
        server.stop()
