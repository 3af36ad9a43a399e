"""The engine's decisions after answers that leave a key's state open, with a scripted client.

A timeout or a lost connection after sending is never resent blindly: the key is read first.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lwadmin_tui.api.errors import (
    LangWatchError,
    NotFound,
    ServerError,
    TransportError,
    Unauthorized,
)
from lwadmin_tui.api.models import ApiKeyDetail, ApiKeyInfo
from lwadmin_tui.bulk import BulkRevoker, Target
from lwadmin_tui.outcomes import OutcomeKind

TIMEOUT = TransportError("timed out", maybe_sent=True, timed_out=True)
LOST = TransportError("connection lost", maybe_sent=True)
REFUSED = TransportError("could not connect", maybe_sent=False)
ROUTE_404 = NotFound(404, "Route GET /api/api-keys/k not found", code="Not Found")
KEY_404 = NotFound(404, "API Key not found: k", code="api_key_not_found")


def detail(revoked: bool) -> ApiKeyDetail:
    moment = datetime(2026, 8, 22, tzinfo=UTC)
    return ApiKeyDetail(id=K, name="k", createdAt=moment, revokedAt=moment if revoked else None)


K, K2 = "k" * 21, "K" * 21  # key ids as the server issues them


class Scripted:
    """Answers DELETE and GET from scripts; records every call."""

    def __init__(self, deletes: list[object], gets: list[object], listed: bool = True) -> None:
        self.deletes, self.gets, self.listed = deletes, gets, listed
        self.calls: list[str] = []

    async def revoke_key(self, key_id: str) -> None:
        self.calls.append("DELETE")
        answer = self.deletes.pop(0)
        if isinstance(answer, LangWatchError):
            raise answer

    async def get_key(self, key_id: str) -> ApiKeyDetail:
        self.calls.append("GET")
        answer = self.gets.pop(0)
        if isinstance(answer, LangWatchError):
            raise answer
        assert isinstance(answer, ApiKeyDetail)
        return answer

    async def list_keys(self) -> tuple[ApiKeyInfo, ...]:
        self.calls.append("LIST")
        moment = datetime(2026, 8, 22, tzinfo=UTC)
        return (ApiKeyInfo(id=K, name="k", created_at=moment),) if self.listed else ()


@pytest.mark.parametrize(
    ("deletes", "gets", "listed", "calls", "label"),
    [
        ([TIMEOUT], [detail(True)], True, ["DELETE", "GET"], "revoked (verified)"),
        ([LOST, None], [detail(False)], True, ["DELETE", "GET", "DELETE"], "revoked"),
        ([TIMEOUT], [KEY_404], False, ["DELETE", "GET", "LIST"], "404 not found"),
        # A 404 to a credential that may not read the key, which its list still shows: active.
        ([TIMEOUT, None], [KEY_404], True, ["DELETE", "GET", "LIST", "DELETE"], "revoked"),
        ([TIMEOUT], [ROUTE_404], False, ["DELETE", "GET", "LIST"], "revoked (verified)"),
        ([TIMEOUT, None], [ROUTE_404], True, ["DELETE", "GET", "LIST", "DELETE"], "revoked"),
        ([REFUSED, None], [], True, ["DELETE", "DELETE"], "revoked"),
        (
            [ServerError(500, "boom")],
            [detail(False)],
            True,
            ["DELETE", "GET"],
            "500 server error: boom",
        ),
        (
            [TIMEOUT, TIMEOUT, TIMEOUT],
            [detail(False)] * 3,
            True,
            ["DELETE", "GET"] * 3,
            "network error: timed out",
        ),
        (
            [TIMEOUT],
            [LOST, LOST, LOST],
            True,
            ["DELETE", "GET", "GET", "GET"],
            "timeout, then could not verify: unknown",
        ),
        (
            [TIMEOUT],
            [Unauthorized(401, "Invalid credentials.")],
            True,
            ["DELETE", "GET"],
            "credential rejected while verifying (401): unknown",
        ),
    ],
    ids=[
        "timeout-verified-revoked",
        "lost-not-revoked-resent",
        "timeout-then-404",
        "404-but-still-listed",
        "pre-3.13-not-listed",
        "pre-3.13-still-listed",
        "refused-never-sent",
        "500-checked",
        "timeouts-exhausted",
        "check-fails",
        "check-401",
    ],
)
async def test_after_an_open_answer(
    deletes: list[object], gets: list[object], listed: bool, calls: list[str], label: str
) -> None:
    client = Scripted(list(deletes), list(gets), listed)
    [outcome] = await BulkRevoker(client).run([Target(K, "name")])
    assert client.calls == calls
    assert outcome.label == label
    assert outcome.attempts == calls.count("DELETE")


async def test_the_legacy_server_is_detected_once() -> None:
    client = Scripted([TIMEOUT, TIMEOUT], [ROUTE_404], listed=False)
    engine = BulkRevoker(client, concurrency=1)
    outcomes = await engine.run([Target(K), Target(K2)])
    assert [o.kind for o in outcomes] == [OutcomeKind.REVOKED_VERIFIED] * 2
    assert client.calls == ["DELETE", "GET", "LIST", "DELETE", "LIST"]
    assert engine.verifier.legacy
