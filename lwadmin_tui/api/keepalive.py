"""The per-key requests (DELETE and GET of one key) on kept-alive HTTP/1.1 connections of our own.

A batch sends thousands of tiny bodyless requests. Through httpx and httpcore each costs about
1.4 ms of CPU at concurrency 8, more than its share of the round trip, so a batch was CPU-bound
(benchmarks/RUNBOOK.md). Here each is written as one buffer on an asyncio transport and its answer
parsed from the bytes that arrived: a small fraction of that. `LangWatchClient` uses this lane only
when nothing of httpx's is needed: no proxy in the environment and no transport of its own (the
debug log's, the in-process demo's). Everything else, the list among it, stays on httpx.

Errors are `TransportError`s worded as the httpx path words them, with the same rule for
`maybe_sent`: false only when no byte of the request can have left (the connection was never
made). A connection is reused only when it is open, quiet (no stray bytes from the server), and
idle for less than `KEEPALIVE_EXPIRY`, as httpcore does.
"""

from __future__ import annotations

import asyncio
import json
import re
import ssl
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from lwadmin_tui.api.errors import TransportError

KEEPALIVE_EXPIRY = 5.0  # seconds; httpcore's default: servers close idle connections soon after
MAX_HEAD = 64 * 1024  # status line and headers
MAX_BODY = 16 * 1024 * 1024  # one key's answer is a few hundred bytes
# Only these reach the request's lines: never a CR, LF or other control character.
_SAFE = re.compile(r"[!-~]+")  # the host and the path prefix: no space either
_NAME = re.compile(r"[!-9;-~]+")  # a header's name: no colon
_VALUE = re.compile(r"[ -~]*")


class Answer:
    """What the client reads of an answer, in the names httpx's `Response` gives them."""

    __slots__ = ("content", "headers", "reason_phrase", "status_code")

    def __init__(
        self, status_code: int, reason_phrase: str, headers: Mapping[str, str], content: bytes
    ) -> None:
        self.status_code = status_code
        self.reason_phrase = reason_phrase
        self.headers = headers
        self.content = content

    def json(self) -> Any:
        return json.loads(self.content)


class _Malformed(Exception):
    """The bytes are not an HTTP/1.1 answer (or too large for one key's)."""


class _Closed(Exception):
    """The server closed the connection before the answer was complete."""


class _Connection(asyncio.Protocol):
    """One connection: bytes in a buffer, read by the one request that holds it."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.closed = False
        self.idle_since = 0.0
        self._waiter: asyncio.Future[None] | None = None

    # --- asyncio's callbacks -----------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        self._wake()

    def eof_received(self) -> bool:
        self.closed = True
        self._wake()
        return False  # close the transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    # --- reading -----------------------------------------------------------------------------

    @property
    def reusable(self) -> bool:
        return (
            not self.closed
            and not self.buffer
            and self.transport is not None
            and not self.transport.is_closing()
            and time.monotonic() - self.idle_since < KEEPALIVE_EXPIRY
        )

    async def _more(self) -> None:
        if self.closed:
            raise _Closed
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None

    async def read_until(self, separator: bytes, limit: int) -> bytes:
        start = 0
        while (end := self.buffer.find(separator, start)) < 0:
            if len(self.buffer) > limit:
                raise _Malformed("the answer's headers are too long")
            start = max(0, len(self.buffer) - len(separator) + 1)
            await self._more()
        end += len(separator)
        taken = bytes(self.buffer[:end])
        del self.buffer[:end]
        return taken

    async def read_exactly(self, count: int) -> bytes:
        while len(self.buffer) < count:
            await self._more()
        taken = bytes(self.buffer[:count])
        del self.buffer[:count]
        return taken

    async def read_to_end(self, limit: int) -> bytes:
        while not self.closed:
            if len(self.buffer) > limit:
                raise _Malformed("the answer is too large")
            await self._more()
        taken = bytes(self.buffer)
        self.buffer.clear()
        return taken

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


class KeepAliveLane:
    """Bodyless requests on up to `max_connections` kept-alive connections to one endpoint."""

    def __init__(
        self,
        endpoint: str,
        headers: Mapping[str, str],
        *,
        tls: ssl.SSLContext | None,
        connect_timeout: float,
        read_timeout: float,
        max_connections: int,
    ) -> None:
        parts = urlsplit(endpoint)
        self.hostname = parts.hostname or ""
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.display_host = parts.netloc
        self.prefix = parts.path.rstrip("/")
        self.tls = tls if parts.scheme == "https" else None
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        lines = [f"Host: {parts.netloc}"] + [f"{name}: {value}" for name, value in headers.items()]
        self._fixed_headers = "\r\n".join(lines) + "\r\n"
        self.max_connections = max_connections
        self._idle: list[_Connection] = []
        self._slots = asyncio.Semaphore(max_connections)
        self._loop: asyncio.AbstractEventLoop | None = None

    @classmethod
    def usable_for(cls, endpoint: str, headers: Mapping[str, str]) -> bool:
        """Whether this lane sends exactly what httpx would: a plain http(s) URL and header
        lines of printable ASCII (httpx words its refusal of anything else, so that stays there)."""
        parts = urlsplit(endpoint)
        try:
            parts.port  # noqa: B018 - raises for a port that is not a number
        except ValueError:
            return False
        return (
            parts.scheme in ("http", "https")
            and bool(parts.hostname)
            and _SAFE.fullmatch(parts.netloc) is not None
            and (not parts.path or _SAFE.fullmatch(parts.path) is not None)
            and all(_NAME.fullmatch(name) for name in headers)
            and all(_VALUE.fullmatch(value) for value in headers.values())
        )

    async def request(self, method: str, path: str, extra_header: str) -> Answer:
        """Send `method path` with the fixed headers and `extra_header` (a full "Name: value")."""
        head = (
            f"{method} {self.prefix}{path} HTTP/1.1\r\n{self._fixed_headers}{extra_header}\r\n\r\n"
        )
        if (loop := asyncio.get_running_loop()) is not self._loop:  # connections are per loop
            self._loop, self._idle = loop, []
            self._slots = asyncio.Semaphore(self.max_connections)
        async with self._slots:
            connection = await self._connection()
            kept = False
            try:
                assert connection.transport is not None
                connection.transport.write(head.encode("latin-1"))
                answer, kept = await self._answer(connection, method)
                return answer
            finally:
                if kept and not connection.closed:
                    connection.idle_since = time.monotonic()
                    self._idle.append(connection)
                else:
                    connection.close()

    async def _connection(self) -> _Connection:
        while self._idle:
            connection = self._idle.pop()
            if connection.reusable:
                return connection
            connection.close()
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self.connect_timeout):
                _, connection = await loop.create_connection(
                    _Connection,
                    self.hostname,
                    self.port,
                    ssl=self.tls,
                    server_hostname=self.hostname if self.tls is not None else None,
                )
        except TimeoutError:
            raise TransportError(
                f"timed out talking to {self.display_host}", maybe_sent=False, timed_out=True
            ) from None
        except (OSError, ssl.SSLError) as error:
            raise TransportError(
                f"could not connect to {self.display_host}: {error}", maybe_sent=False
            ) from None
        return connection

    async def _answer(self, connection: _Connection, method: str) -> tuple[Answer, bool]:
        """The answer, and whether the connection may carry another request."""
        try:
            async with asyncio.timeout(self.read_timeout):
                while True:
                    answer, keep = await _read_answer(connection, method)
                    if not 100 <= answer.status_code < 200:
                        return answer, keep
        except TimeoutError:
            raise TransportError(
                f"timed out talking to {self.display_host}", maybe_sent=True, timed_out=True
            ) from None
        except _Closed:
            raise TransportError(
                f"connection to {self.display_host} lost: "
                "Server disconnected without sending a complete answer.",
                maybe_sent=True,
            ) from None
        except _Malformed as why:
            raise TransportError(
                f"connection to {self.display_host} lost: {why}", maybe_sent=True
            ) from None

    async def aclose(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()


_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,15}")
_STATUS_LINE = re.compile(rb"HTTP/1\.([01]) ([1-5][0-9][0-9])(?: ([^\r\n]*))?")


async def _read_answer(connection: _Connection, method: str) -> tuple[Answer, bool]:
    head = await connection.read_until(b"\r\n\r\n", MAX_HEAD)
    status_line, *header_lines = head[:-4].split(b"\r\n")
    matched = _STATUS_LINE.fullmatch(status_line)
    if matched is None:
        raise _Malformed("the answer does not start with an HTTP/1.x status line")
    minor, status, reason = matched.group(1, 2, 3)
    headers: dict[str, str] = {}
    for line in header_lines:
        name, colon, value = line.partition(b":")
        if not colon or not name or name != name.strip() or name[:1] in b" \t":
            raise _Malformed("the answer has a malformed header line")
        key = name.decode("latin-1").lower()
        text = value.strip(b" \t").decode("latin-1")
        headers[key] = f"{headers[key]}, {text}" if key in headers else text
    code = int(status)
    keep = minor == b"1" and "close" not in headers.get("connection", "").lower()
    if method == "HEAD" or code in (204, 304) or code < 200:
        body = b""
    elif "chunked" in headers.get("transfer-encoding", "").lower():
        body = await _read_chunks(connection)
    elif (length := headers.get("content-length")) is not None:
        if not (length.isascii() and length.isdigit() and len(length) < 10) or (
            int(length) > MAX_BODY
        ):
            raise _Malformed("the answer's Content-Length is not one this client reads")
        body = await connection.read_exactly(int(length))
    else:
        body, keep = await connection.read_to_end(MAX_BODY), False
    reason_phrase = (reason or b"").decode("latin-1")
    return Answer(code, reason_phrase, headers, body), keep


async def _read_chunks(connection: _Connection) -> bytes:
    body = bytearray()
    while True:
        size_line = await connection.read_until(b"\r\n", MAX_HEAD)
        size_text = size_line.split(b";", 1)[0].strip()
        if not _CHUNK_SIZE.fullmatch(size_text):  # int() would also take "0x5", "+5", "0_5"
            raise _Malformed("the answer's chunked body is malformed")
        size = int(size_text, 16)
        if len(body) + size > MAX_BODY:
            raise _Malformed("the answer is too large")
        if size == 0:
            while await connection.read_until(b"\r\n", MAX_HEAD) != b"\r\n":
                pass  # trailers: not used
            return bytes(body)
        chunk = await connection.read_exactly(size + 2)
        if chunk[-2:] != b"\r\n":
            raise _Malformed("the answer's chunked body is malformed")
        body += chunk[:-2]
