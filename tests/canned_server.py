"""A loopback HTTP server that answers every request with one canned reply (broken on purpose).

For the answers a faithful LangWatch never sends but a proxy or a failing server does: HTML
error pages, empty or truncated bodies, redirects, throttling.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from tests.loopback import loopback_server


@dataclass
class Canned:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    declared_length: int | None = None  # a Content-Length larger than the body: a cut answer


@contextmanager
def canned_server(reply: Canned) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            length = reply.declared_length or len(reply.body)
            self.send_header("Content-Length", str(length))
            if reply.declared_length:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(reply.body)
            if reply.declared_length:
                self.close_connection = True

        do_GET = do_DELETE = _answer

        def log_message(self, format: str, *args: object) -> None:
            pass

    with loopback_server(Handler) as url:
        yield url
