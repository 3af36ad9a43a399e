"""Transport-level faults of the fake server: what flaky links and edge proxies do.

The contract rules (`rules.py`) never change; these switches sit in front of them in the HTTP
handler, so a test can make any request slow, throttled, failed, cut short or dropped, and
then check that the rules' state (what was really revoked) matches what the client reports.
Faults that fail a request touch DELETEs and key creations only: reads used to verify stay
truthful.
"""

from __future__ import annotations

import itertools
import random
import re
import threading
from dataclasses import dataclass, field

from lwadmin_tui.fake.responses import FakeResponse, json_response

LIST_PATHS = ("/api/api-keys", "/api/api-keys/")
_ONE_KEY = re.compile(r"/api(/v\d+)?/api-keys/[^/]+/?")
_REASONS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


@dataclass
class FaultSwitches:
    """Read on every request, so tests may flip them while the server runs."""

    latency_ms: float = 0.0
    """Added before every answer."""
    jitter_ms: float = 0.0
    """Plus a random 0..jitter_ms (seeded, so runs repeat)."""
    list_latency_ms: float = 0.0
    """Added before answering the key list only: a slow list."""
    rate_limit_times: int = 0
    """The first N DELETEs of each key answer 429 (nothing applied)."""
    retry_after: str | None = "1"
    """The 429's Retry-After header (None: no header)."""
    fail_once_status: int | None = None
    """The first (non-429) DELETE of each key answers this 5xx."""
    fail_applied: bool = False
    """...after applying the revocation: a 5xx the contract says can happen."""
    html_errors: bool = False
    """Error pages as HTML (as a proxy sends them) instead of JSON."""
    drop_after_apply: bool = False
    """The first DELETE of each key is applied, then the connection closes without an answer."""
    truncate_after_apply: bool = False
    """The first DELETE of each key is applied and answered 200 with its JSON cut short."""
    create_answer_lost: bool = False
    """Every POST of a key makes the key, then the connection closes without an answer."""
    create_fail_status: int | None = None
    """Every POST of a key makes the key, then answers this 5xx (its token is lost)."""
    seed: int = 4
    delete_gate: threading.Event | None = None
    """When set, every DELETE waits for this event before it is answered (up to 30 s): a test
    holds requests in flight without depending on how fast the machine is."""
    read_gate: threading.Event | None = None
    """Set by `hold_reads_after`; None: reads are never held."""
    read_gate_after: int = 0
    _reads_seen: itertools.count[int] = field(default_factory=itertools.count, repr=False)

    def delay_ms(self, method: str, path: str, rng: random.Random) -> float:
        delay = self.latency_ms
        if self.jitter_ms > 0:
            delay += rng.uniform(0, self.jitter_ms)
        if method == "GET" and path in LIST_PATHS:
            delay += self.list_latency_ms
        return delay

    def hold_reads_after(self, answered: int) -> threading.Event:
        """From now on, every GET of one key after the first `answered` waits for the returned
        event (up to 30 s): a test stops `o` part-way however fast or slow the machine is."""
        self._reads_seen = itertools.count()
        self.read_gate_after = answered
        self.read_gate = threading.Event()
        return self.read_gate

    def hold_read(self, method: str, path: str) -> None:
        """Wait at the read gate, if one is set and this is a GET of one key past the first few."""
        gate = self.read_gate
        if gate is None or method != "GET" or not _ONE_KEY.fullmatch(path):
            return
        if next(self._reads_seen) >= self.read_gate_after:
            gate.wait(30)

    def affects_deletes(self) -> bool:
        return bool(
            self.rate_limit_times
            or self.fail_once_status is not None
            or self.drop_after_apply
            or self.truncate_after_apply
        )


def rate_limited(retry_after: str | None) -> FakeResponse:
    """429 as an edge limiter sends it."""
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    body = {"error": "Too Many Requests", "message": "Rate limit exceeded, slow down"}
    return FakeResponse(429, body, headers=headers)


def error_page(status: int, *, html: bool) -> FakeResponse:
    """A 5xx as JSON (the app) or as an HTML page (a proxy in front of it)."""
    reason = _REASONS.get(status, "Server Error")
    if not html:
        return json_response(status, {"error": reason, "message": f"{reason} (injected)"})
    page = (
        f"<!DOCTYPE html><html><head><title>{status} {reason}</title></head>"
        f"<body><h1>{status} {reason}</h1><hr><p>nginx</p></body></html>"
    ).encode()
    return FakeResponse(status, page, content_type="text/html")


def truncated(response: FakeResponse) -> FakeResponse:
    """The same answer with its body cut in half (Content-Length matches what is sent)."""
    payload = response.payload()
    return FakeResponse(
        response.status,
        payload[: max(1, len(payload) // 2)],
        response.content_type,
        response.headers,
    )
