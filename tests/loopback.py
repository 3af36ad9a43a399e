"""Talking over 127.0.0.1: hand-written servers, and the TLS context the tests' clients share.

`loopback_server` is for answers the faithful fake never gives (canned, trickled, over TLS).
`serve_forever` polls for its stop every `POLL_SECONDS`; its default 0.5 s would make every
test wait that long.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

POLL_SECONDS = 0.02


@cache
def default_tls() -> ssl.SSLContext:
    """What `verify=True` gives a client (certifi's CAs), built once for the whole run.

    A client made with `verify=True` loads the CA bundle again, some 40 ms of CPU each time;
    the tests' clients talk http:// to the loopback and never use it, so they share this one.
    """
    return httpx.create_ssl_context()


@contextmanager
def loopback_server(
    handler: type[BaseHTTPRequestHandler], tls: ssl.SSLContext | None = None
) -> Iterator[str]:
    """`handler` answering on an ephemeral port, over TLS if given; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, daemon=True
    )
    thread.start()
    scheme = "http" if tls is None else "https"
    try:
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
