"""A real HTTP server on 127.0.0.1 around a `FakeLangWatch`, for the demo and integration tests.

HTTP/1.1 keep-alive with exact Content-Length and TCP_NODELAY, so a client's connection pool
behaves as it does against the real server and timings are not skewed by Nagle's algorithm.
"""

from __future__ import annotations

import contextlib
import random
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, cast
from urllib.parse import quote

from lwadmin_tui.fake.faults import (
    FaultSwitches,
    error_page,
    rate_limited,
    truncated,
)
from lwadmin_tui.fake.responses import RequestRecord
from lwadmin_tui.fake.rules import FakeLangWatch, FakeResponse

__all__ = ["FakeServer", "FaultSwitches"]


@dataclass
class _WireLog:
    """Every request as the client saw it, faults included (the rules' log misses those)."""

    records: list[RequestRecord] = field(default_factory=list)
    deletes: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_delete(self, path: str) -> int:
        """1 for the first DELETE of this path, 2 for the second, ..."""
        with self.lock:
            self.deletes[path] = self.deletes.get(path, 0) + 1
            return self.deletes[path]

    def add(self, method: str, path: str, status: int) -> None:
        with self.lock:
            self.records.append(RequestRecord(method, path, status))


class _Handler(BaseHTTPRequestHandler):
    """Feeds each request to the shared `FakeLangWatch` and writes its answer."""

    protocol_version = "HTTP/1.1"

    def version_string(self) -> str:
        """The `Server` header (no Python version)."""
        return "FakeLangWatch/1.0"

    def _answer(self) -> None:
        server = cast("_HTTPServer", self.server)
        declared = self.headers.get("Content-Length") or "0"
        length = int(declared) if declared.isascii() and declared.isdigit() else 0
        # Read whole, also when not used, so the connection stays usable.
        self.body = self.rfile.read(length) if length else b""
        faults = server.faults
        path = self.path.split("?", 1)[0]
        delay = faults.delay_ms(self.command, path, server.rng)
        if delay > 0:
            time.sleep(delay / 1000)
        faults.hold_read(self.command, path)
        if self.command == "DELETE" and faults.delete_gate is not None:
            faults.delete_gate.wait(30)
        if self.command == "DELETE" and faults.affects_deletes():
            self._faulty_delete(server, path, server.wire.next_delete(path))
            return
        response = server.app.handle(self.command, self.path, dict(self.headers.items()), self.body)
        if self.command == "POST" and response.status == 201:
            if faults.create_answer_lost:  # made, and the answer with its token never arrives
                self._drop(server, path)
                return
            if faults.create_fail_status is not None:
                response = error_page(faults.create_fail_status, html=faults.html_errors)
        server.wire.add(self.command, path, response.status)
        self._write(response)

    def _drop(self, server: _HTTPServer, path: str) -> None:
        server.wire.add(self.command, path, 0)
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _faulty_delete(self, server: _HTTPServer, path: str, number: int) -> None:
        """Apply the DELETE faults: `number` counts this key's DELETEs, 1 for the first."""
        faults = server.faults

        def handle() -> FakeResponse:
            return server.app.handle(self.command, self.path, dict(self.headers.items()))

        once = number - faults.rate_limit_times == 1
        if number <= faults.rate_limit_times:
            response = rate_limited(faults.retry_after)
        elif once and faults.fail_once_status is not None:
            if faults.fail_applied:
                handle()
            response = error_page(faults.fail_once_status, html=faults.html_errors)
        elif once and faults.drop_after_apply:
            handle()
            self._drop(server, path)
            return
        elif once and faults.truncate_after_apply:
            response = truncated(handle())
        else:
            response = handle()
        server.wire.add(self.command, path, response.status)
        self._write(response)

    def _write(self, response: FakeResponse) -> None:
        payload = response.payload()
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_DELETE = do_POST = do_PATCH = do_PUT = _answer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: no access log on stderr (it would garble a terminal UI and test output)."""


class _HTTPServer(ThreadingHTTPServer):
    """Daemon threads, fast rebinding, and TCP_NODELAY on every accepted socket."""

    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], app: FakeLangWatch, faults: FaultSwitches):
        self.app = app
        self.faults = faults
        self.wire = _WireLog()
        self.rng = random.Random(faults.seed)
        self.errors: list[BaseException] = []  # handler crashes, kept for tests to assert on
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _Handler)

    def get_request(self) -> tuple[socket.socket, Any]:
        conn, addr = super().get_request()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._open_lock:
            self._open.add(conn)
        return conn, addr

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet: a client hanging up is normal; anything else is kept in `errors`."""
        error = sys.exc_info()[1]
        if error is not None and not isinstance(error, ConnectionError | TimeoutError):
            self.errors.append(error)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_open_connections(self) -> None:
        """End idle keep-alive connections, so a stopped server really stops answering."""
        with self._open_lock:
            conns, self._open = list(self._open), set()
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class FakeServer:
    """Serves a `FakeLangWatch` over HTTP in a background daemon thread."""

    def __init__(
        self,
        app: FakeLangWatch,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: FaultSwitches | None = None,
    ) -> None:
        self.app = app
        self.faults = faults or FaultSwitches()
        self._host = host
        self._port = port
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def latency_ms(self) -> float:
        """Delay before every answer, in milliseconds; may be changed while serving."""
        return self.faults.latency_ms

    @latency_ms.setter
    def latency_ms(self, value: float) -> None:
        self.faults.latency_ms = value

    @property
    def legacy(self) -> bool:
        """Pre-3.13 behaviour (no GET by id, no ownership 403, reason-phrase bodies)."""
        return self.app.legacy

    @legacy.setter
    def legacy(self, value: bool) -> None:
        self.app.legacy = value

    @property
    def last_used_every_request(self) -> bool:
        """`lastUsedAt` written after every 2xx (servers up to 3.16), not once a minute."""
        return self.app.last_used_every_request

    @last_used_every_request.setter
    def last_used_every_request(self, value: bool) -> None:
        self.app.last_used_every_request = value

    @property
    def wire_requests(self) -> list[RequestRecord]:
        """Every request answered (status 0: the connection was dropped), faults included."""
        if self._httpd is None:
            return []
        with self._httpd.wire.lock:
            return list(self._httpd.wire.records)

    def delete_count(self, key_id: str) -> int:
        """DELETEs that reached the server for this key, whatever was answered."""
        path = f"/api/api-keys/{quote(key_id, safe='')}"
        return sum(1 for r in self.wire_requests if r.method == "DELETE" and r.path == path)

    @property
    def errors(self) -> list[BaseException]:
        """Exceptions raised while handling requests (should stay empty)."""
        return [] if self._httpd is None else list(self._httpd.errors)

    @property
    def port(self) -> int:
        """The bound port (the ephemeral one when constructed with port 0)."""
        if self._httpd is None:
            raise RuntimeError("FakeServer is not started")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """Base URL for a client, e.g. `http://127.0.0.1:54321`."""
        return f"http://{self._host}:{self.port}"

    def start(self) -> FakeServer:
        """Bind and serve in a daemon thread; returns self for chaining."""
        if self._httpd is not None:
            return self
        self._httpd = _HTTPServer((self._host, self._port), self.app, self.faults)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="fake-langwatch",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket (idempotent)."""
        httpd, thread = self._httpd, self._thread
        self._httpd, self._thread = None, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        httpd.close_open_connections()
        if thread is not None:
            thread.join(timeout=5)

    def serve_forever(self) -> None:
        """Block the calling thread until interrupted (used by `python -m lwadmin_tui.fake`)."""
        self.start()
        try:
            while self._thread is not None and self._thread.is_alive():
                self._thread.join(timeout=0.5)
        finally:
            self.stop()

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
