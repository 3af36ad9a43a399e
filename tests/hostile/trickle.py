"""A loopback server that sends its answer one byte at a time, slowly: every read gets a byte
well within any read timeout, so only a limit on the whole request ends the wait.

The body is a real key list, so a client with no such limit does read it all in the end
(`BYTE_INTERVAL` times its length, far longer than any test's limit) and shows the keys.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from tests.loopback import loopback_server

BYTE_INTERVAL = 0.05  # seconds between bytes: far below the 30 s read timeout
KEYS = 40  # about 8 KB of JSON: some 400 s of trickling


def key_list_body(count: int = KEYS) -> bytes:
    rows = [
        {"id": f"trickled-key-{n:08}", "name": f"trickled {n}", "description": None,
         "createdAt": "2026-08-01T10:00:00.000Z", "expiresAt": None, "lastUsedAt": None,
         "revokedAt": None, "roleBindings": []}
        for n in range(count)
    ]  # fmt: skip
    return json.dumps({"data": rows}).encode()


@dataclass
class Trickle:
    """The running server: its URL, and how many requests it has started answering."""

    url: str
    requests: int = 0
    stopping: threading.Event = field(default_factory=threading.Event)


@contextmanager
def trickle_server(body: bytes | None = None) -> Iterator[Trickle]:
    payload = key_list_body() if body is None else body

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            trickle.requests += 1
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.flush()
            for offset in range(len(payload)):
                # The wait is the server's behaviour; ends at once when the test is over.
                if trickle.stopping.wait(BYTE_INTERVAL):
                    return
                try:
                    self.wfile.write(payload[offset : offset + 1])
                    self.wfile.flush()
                except OSError:  # the client gave up and closed the connection
                    return

        do_DELETE = do_GET

        def log_message(self, format: str, *args: object) -> None:
            pass

    with loopback_server(Handler) as url:
        trickle = Trickle(url)
        try:
            yield trickle
        finally:
            trickle.stopping.set()
