"""The keep-alive lane for DELETE and GET of one key: what it sends, how it reads odd answers,
when it reuses a connection, and where httpx carries the request instead (a proxy)."""

from __future__ import annotations

import asyncio
import json
import ssl
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import pytest
import trustme

from lwadmin_tui.api import keepalive
from lwadmin_tui.api.auth import ApiKey
from lwadmin_tui.api.client import LangWatchClient
from lwadmin_tui.api.errors import AlreadyRevoked, RateLimited, TransportError
from tests.conftest import World

KEY = ApiKey("sk-lw-LANElaneLANElaneLANE_" + "l" * 44)
KEY_ID = "laneKey00000000000001"
OK = b'{"success":true}'


def reply(status: str, body: bytes = OK, *headers: str) -> bytes:
    head = [f"HTTP/1.1 {status}", *headers]
    if not any(h.lower().startswith(("content-length", "transfer-encoding")) for h in headers):
        head.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


@dataclass
class RawServer:
    """Answers the n-th request on each connection with `answers(n)` (None: close instead)."""

    answers: Callable[[int], bytes | None]
    close_after: bool = False  # close each connection after its first answer
    requests: list[bytes] = field(default_factory=list)
    connections: int = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        number = 0
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                self.requests.append(head)
                answer = self.answers(number)
                number += 1
                if answer is None:
                    break
                writer.write(answer)
                await writer.drain()
                if self.close_after:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@asynccontextmanager
async def raw_server(
    answers: Callable[[int], bytes | None],
    tls: ssl.SSLContext | None = None,
    *,
    close_after: bool = False,
) -> AsyncIterator[tuple[str, RawServer]]:
    state = RawServer(answers, close_after)
    server = await asyncio.start_server(state.handle, "127.0.0.1", 0, ssl=tls)
    port = server.sockets[0].getsockname()[1]
    scheme = "https" if tls else "http"
    try:
        yield f"{scheme}://127.0.0.1:{port}", state
    finally:
        server.close()


def always(answer: bytes | None) -> Callable[[int], bytes | None]:
    return lambda _number: answer


async def test_a_batch_of_deletes_shares_kept_alive_connections() -> None:
    async with (
        raw_server(always(reply("200 OK"))) as (url, server),
        LangWatchClient(url, KEY) as client,
    ):
        for _ in range(20):
            await client.revoke_key(KEY_ID)
    assert server.connections == 1
    first = server.requests[0].decode()
    assert first.startswith(f"DELETE /api/api-keys/{KEY_ID} HTTP/1.1\r\n")
    assert f"Authorization: Bearer {KEY.reveal()}\r\n" in first
    assert "Accept: application/json\r\n" in first and "User-Agent: lwadmin-tui/" in first
    assert f"Host: {url.removeprefix('http://')}\r\n" in first


async def test_an_endpoint_under_a_path_keeps_its_prefix() -> None:
    async with (
        raw_server(always(reply("200 OK"))) as (url, server),
        LangWatchClient(url + "/langwatch/", KEY) as client,
    ):
        await client.revoke_key(KEY_ID)
    assert server.requests[0].startswith(f"DELETE /langwatch/api/api-keys/{KEY_ID} ".encode())


async def test_chunked_answers_and_informational_ones_are_read_whole() -> None:
    chunked = (
        b"HTTP/1.1 100 Continue\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5;ext=1\r\n" + OK[:5] + b"\r\n" + f"{len(OK) - 5:x}\r\n".encode() + OK[5:] + b"\r\n"
        b"0\r\nX-Trailer: yes\r\n\r\n"
    )
    async with raw_server(always(chunked)) as (url, server), LangWatchClient(url, KEY) as client:
        await client.revoke_key(KEY_ID)
        await client.revoke_key(KEY_ID)  # the connection was left at a clean boundary
    assert server.connections == 1


async def test_error_answers_are_classified_as_on_the_httpx_path() -> None:
    conflict = json.dumps({"error": "already_revoked", "message": "API key is already revoked"})
    answers = [
        reply("409 Conflict", conflict.encode()),
        reply("429 Too Many Requests", b"{}", "Retry-After: 7"),
    ]
    async with (
        raw_server(lambda n: answers[n]) as (url, _server),
        LangWatchClient(url, KEY) as client,
    ):
        with pytest.raises(AlreadyRevoked) as revoked:
            await client.revoke_key(KEY_ID)
        with pytest.raises(RateLimited) as limited:
            await client.revoke_key(KEY_ID)
    assert revoked.value.message == "API key is already revoked"
    assert limited.value.retry_after == 7


async def test_a_connection_closed_by_the_server_is_not_reused() -> None:
    async with (
        raw_server(always(reply("200 OK", OK, "Connection: close"))) as (url, server),
        LangWatchClient(url, KEY) as client,
    ):
        for _ in range(3):
            await client.revoke_key(KEY_ID)
    assert server.connections == 3


async def test_an_idle_connection_with_stray_bytes_is_not_reused() -> None:
    """Some servers write a 408 on an idle connection before closing it: that is not the answer
    to the next request, which goes on a new connection."""
    stray = reply("200 OK") + reply("408 Request Timeout", b"")
    answers = [stray, reply("200 OK")]
    async with (
        raw_server(lambda n: answers[n] if n < 2 else None) as (url, server),
        LangWatchClient(url, KEY) as client,
    ):
        await client.revoke_key(KEY_ID)
        await asyncio.sleep(0.05)  # the 408 arrives
        await client.revoke_key(KEY_ID)
    assert server.connections == 2


async def test_a_connection_idle_past_the_expiry_is_not_reused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(keepalive, "KEEPALIVE_EXPIRY", 0.05)
    async with (
        raw_server(always(reply("200 OK"))) as (url, server),
        LangWatchClient(url, KEY) as client,
    ):
        await client.revoke_key(KEY_ID)
        await asyncio.sleep(0.1)
        await client.revoke_key(KEY_ID)
    assert server.connections == 2


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (None, "Server disconnected without sending a complete answer"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n{", "Server disconnected"),
        (b"SSH-2.0-OpenSSH_9.6\r\n\r\n", "does not start with an HTTP/1.x status line"),
        (b"HTTP/1.1 200 OK\r\n bad header\r\n\r\n", "malformed header line"),
        (reply("200 OK", b"", "Content-Length: 99999999999999999999"), "Content-Length"),
        (reply("200 OK", b"", "Content-Length: \u00b2".encode().decode("latin-1")), "Length"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "chunked body"),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n",
            "chunked",
        ),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n+5\r\nhello\r\n0\r\n\r\n",
            "chunked",
        ),
        (b"HTTP/1.1 200 OK\r\nX: " + b"a" * 70_000, "headers are too long"),
    ],
    ids=[
        "closed",
        "cut",
        "not-http",
        "header",
        "huge-length",
        "odd-digit",
        "chunk",
        "chunk-0x",
        "chunk-plus",
        "long",
    ],
)
async def test_a_broken_answer_to_a_delete_may_have_been_applied(
    answer: bytes | None, says: str
) -> None:
    async with (
        raw_server(always(answer), close_after=True) as (url, _server),
        LangWatchClient(url, KEY) as client,
    ):
        with pytest.raises(TransportError) as lost:
            await client.revoke_key(KEY_ID)
    assert lost.value.maybe_sent  # the DELETE left: its effect is unknown, so it is verified
    assert says in lost.value.message
    assert lost.value.message.startswith("connection to 127.0.0.1:")


async def test_no_answer_within_the_read_timeout_is_a_timeout_after_sending() -> None:
    import httpx

    never = asyncio.Event()

    async def stall(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        await never.wait()

    server = await asyncio.start_server(stall, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    timeout = httpx.Timeout(connect=1.0, read=0.1, write=1.0, pool=1.0)
    try:
        async with LangWatchClient(url, KEY, timeout=timeout) as client:
            with pytest.raises(TransportError) as late:
                await client.revoke_key(KEY_ID)
    finally:
        server.close()
    assert late.value.maybe_sent and late.value.timed_out


async def test_a_refused_connection_sent_nothing() -> None:
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    async with LangWatchClient(f"http://127.0.0.1:{port}", KEY) as client:
        with pytest.raises(TransportError) as refused:
            await client.revoke_key(KEY_ID)
    assert not refused.value.maybe_sent
    assert refused.value.message.startswith(f"could not connect to 127.0.0.1:{port}: ")


async def test_over_tls_the_certificate_is_checked() -> None:
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    trusting = ssl.create_default_context()
    ca.configure_trust(trusting)
    async with (
        raw_server(always(reply("200 OK")), tls=server_context) as (url, server),
        LangWatchClient(url, KEY, verify=trusting) as client,
    ):
        await client.revoke_key(KEY_ID)
        await client.revoke_key(KEY_ID)
        assert server.connections == 1
        async with LangWatchClient(url, KEY, verify=ssl.create_default_context()) as stranger:
            with pytest.raises(TransportError) as untrusted:
                await stranger.revoke_key(KEY_ID)
    assert not untrusted.value.maybe_sent
    assert "certificate verify failed" in untrusted.value.message


async def test_with_a_proxy_in_the_environment_httpx_carries_the_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """httpx honours HTTP(S)_PROXY; the lane does not know proxies, so it steps aside."""
    async with raw_server(always(reply("200 OK"))) as (proxy_url, proxy):
        monkeypatch.setenv("HTTP_PROXY", proxy_url)
        async with LangWatchClient("http://langwatch.invalid", KEY) as client:
            await client.revoke_key(KEY_ID)
    assert proxy.requests[0].startswith(
        f"DELETE http://langwatch.invalid/api/api-keys/{KEY_ID} ".encode()
    )


async def test_the_faithful_fake_revokes_and_reads_through_the_lane(admin_world: World) -> None:
    doomed = sorted(admin_world.scenario.doomed_ids)[0]
    async with admin_world.client() as client:
        assert client._lane is not None
        await client.revoke_key(doomed)
        detail = await client.get_key(doomed)
        with pytest.raises(AlreadyRevoked):
            await client.revoke_key(doomed)
    assert detail.id == doomed and detail.revoked_at is not None
