"""The API client against the fake LangWatch over real HTTP: every status path."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from lwadmin_tui.api import (
    AlreadyRevoked,
    ApiKey,
    BadResponse,
    BearerAuth,
    Forbidden,
    LangWatchClient,
    NotFound,
    RateLimited,
    RedirectRefused,
    ServerError,
    TransportError,
    Unauthorized,
)
from lwadmin_tui.api.client import _retry_after
from lwadmin_tui.fake import FakeServer, admin_scenario
from tests.canned_server import Canned, canned_server
from tests.conftest import FIXED_NOW, World
from tests.hostile.trickle import trickle_server
from tests.loopback import default_tls

SECRET = "sk-lw-AAAAbbbbCCCCdddd_" + "s3cr3t" * 8


def client_for(world: World, token: str | None = None) -> LangWatchClient:
    return world.client(ApiKey(token) if token else None)


def client_of(url: str, **options: Any) -> LangWatchClient:
    """A client of a canned or trickling server, with this file's credential."""
    return LangWatchClient(url, ApiKey(SECRET), verify=default_tls(), **options)


async def test_list_parses_every_visible_key_newest_first(admin_world: World) -> None:
    async with client_for(admin_world) as client:
        keys = await client.list_keys()
    assert len(keys) == admin_world.scenario.expected_list_count
    created = [key.created_at for key in keys]
    assert created == sorted(created, reverse=True)
    roles = {b.role for key in keys for b in key.role_bindings}
    assert "CUSTOM" in roles
    assert any(key.description is None for key in keys)
    assert any(key.last_used_at is None for key in keys)
    assert all(key.revoked_at is None for key in keys)


async def test_get_key_returns_detail_including_revoked(admin_world: World) -> None:
    target = next(iter(admin_world.scenario.doomed_ids))
    admin_world.fake.revoke_out_of_band(target)
    async with client_for(admin_world) as client:
        detail = await client.get_key(target)
    assert detail.id == target
    assert detail.revoked_at is not None
    assert detail.key_type in ("personal", "service")
    assert detail.permission_mode in ("all", "readonly", "restricted")


async def test_revoke_then_revoke_again_is_409(admin_world: World) -> None:
    async with client_for(admin_world) as client:
        keys = await client.list_keys()
        target = next(
            k.id
            for k in keys
            if k.id != admin_world.scenario.credential_key_id
            and k.id not in admin_world.scenario.doomed_ids
        )
        await client.revoke_key(target)
        with pytest.raises(AlreadyRevoked) as caught:
            await client.revoke_key(target)
    assert caught.value.status == 409
    assert caught.value.code == "api_key_already_revoked"
    assert target in admin_world.fake.revoked_ids()


async def test_unknown_key_is_404_with_the_server_message(admin_world: World) -> None:
    async with client_for(admin_world) as client:
        with pytest.raises(NotFound) as caught:
            await client.revoke_key("no-such-key-000000000")
    assert caught.value.code == "api_key_not_found"
    assert "no-such-key-000000000" in caught.value.message
    assert caught.value.tips


async def test_non_admin_manager_gets_403_not_owned_for_service_keys(manager_world: World) -> None:
    async with client_for(manager_world) as client:
        keys = await client.list_keys()
        service_id = next(k.id for k in keys if k.name == "github-actions ci")
        with pytest.raises(Forbidden) as caught:
            await client.revoke_key(service_id)
    assert caught.value.not_owned
    assert caught.value.message == "Not authorized to modify this API Key"
    assert caught.value.tips
    assert service_id not in manager_world.fake.revoked_ids()


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("sk-lw-" + "a" * 48, "project API key"),
        ("sk-lw-AAAAbbbbCCCCdddd_" + "x" * 48, "Invalid credentials."),
        ("not-a-token", "Invalid credentials."),
    ],
)
async def test_bad_credentials_are_401(admin_world: World, token: str, message: str) -> None:
    async with client_for(admin_world, token) as client:
        with pytest.raises(Unauthorized) as caught:
            await client.list_keys()
    assert message in caught.value.message


async def test_self_revocation_then_401(admin_world: World) -> None:
    own = admin_world.scenario.credential_key_id
    async with client_for(admin_world) as client:
        await client.revoke_key(own)
        with pytest.raises(Unauthorized):
            await client.list_keys()


async def test_legacy_server_reason_phrase_bodies(admin_world: World) -> None:
    admin_world.fake.legacy = True
    async with client_for(admin_world) as client:
        with pytest.raises(NotFound) as not_found:
            await client.revoke_key("no-such-key-000000000")
        target = next(iter(admin_world.scenario.doomed_ids))
        admin_world.fake.revoke_out_of_band(target)
        with pytest.raises(AlreadyRevoked) as conflict:
            await client.revoke_key(target)
    assert (not_found.value.code, not_found.value.message) == ("Not Found", "API key not found")
    assert conflict.value.message == "API Key is already revoked"


@pytest.mark.parametrize(
    ("reply", "error_type", "words"),
    [
        (
            Canned(
                502,
                b"<!DOCTYPE html><html><body>Bad gateway</body></html>",
                {"Content-Type": "text/html"},
            ),
            ServerError,
            "HTML page",
        ),
        (Canned(503, b""), ServerError, "empty body"),
        (Canned(200, b""), BadResponse, "empty body"),
        (
            Canned(200, b'{"data": [{"id": "x", "na', {"Content-Type": "application/json"}),
            BadResponse,
            "cut short",
        ),
        (
            Canned(200, b'{"data": [{"id": "x", "name": "n"', declared_length=400),
            TransportError,
            "lost",
        ),
        (Canned(200, b'{"data": "nope"}'), BadResponse, "expected shape"),
        (Canned(200, b"<html>login</html>"), BadResponse, "HTML page"),
        (
            Canned(429, b'{"error": "rate_limited", "message": "Slow down"}', {"Retry-After": "7"}),
            RateLimited,
            "Slow down",
        ),
        (
            Canned(302, b"", {"Location": "https://login.evil.example/sso"}),
            RedirectRefused,
            "login.evil.example",
        ),
    ],
)
async def test_broken_answers_give_clear_errors(
    reply: Canned, error_type: type[Exception], words: str
) -> None:
    with canned_server(reply) as url:
        async with client_of(url) as client:
            with pytest.raises(error_type) as caught:
                await client.list_keys()
    assert words in str(caught.value)
    assert SECRET not in str(caught.value)
    if isinstance(caught.value, RateLimited):
        assert caught.value.retry_after == 7.0


DEPTH = 100_000
DEEP_LIST = b'{"data": ' + b"[" * DEPTH + b"]" * DEPTH + b"}"
DEEP_IGNORED = b'{"x": ' + b"[" * DEPTH + b"]" * DEPTH + b', "data": []}'
DEEP_ERROR = b'{"error": ' + b'{"a": ' * DEPTH + b"1" + b"}" * DEPTH + b"}"


@pytest.mark.parametrize(
    ("reply", "call"),
    [
        (Canned(200, DEEP_LIST), "list_keys"),  # msgspec refuses the shape, json.loads the depth
        (Canned(200, DEEP_IGNORED), "list_keys"),  # msgspec skipping the unknown field
        (Canned(200, DEEP_IGNORED), "list_projects"),
        (Canned(200, DEEP_LIST), "revoke_key"),
        (Canned(404, DEEP_ERROR), "revoke_key"),
        (Canned(500, DEEP_ERROR), "list_keys"),
    ],
    ids=["list", "ignored-field", "scope-page", "revoke", "error-404", "error-500"],
)
async def test_json_nested_too_deeply_is_a_bad_response(reply: Canned, call: str) -> None:
    with canned_server(reply) as url:
        async with client_of(url) as client:
            method = getattr(client, call)
            with pytest.raises(BadResponse) as caught:
                await (method("abc" * 7) if call == "revoke_key" else method())
    assert str(caught.value) == "the server's answer is nested too deeply to read"
    assert caught.value.status == reply.status


RETRY_NOW = datetime(2026, 10, 21, 7, 27, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("7", 7.0),
        ("1.5", 1.5),
        ("-3", 0.0),
        ("Wed, 21 Oct 2026 07:28:00 GMT", 30.0),  # IMF-fixdate
        ("Wednesday, 21-Oct-26 07:28:00 GMT", 30.0),  # the obsolete RFC 850 form
        ("Wed Oct 21 07:28:00 2026", 30.0),  # asctime, no zone: GMT
        ("Wed, 21 Oct 2026 07:28:00 -0000", 30.0),
        ("Wed, 21 Oct 2026 07:00:00 GMT", 0.0),  # already past: no wait, never negative
        ("soon", None),
        ("Wed, 32 Oct 2026 07:28:00 GMT", None),
        ("inf", None),
        ("nan", None),
        ("", None),
    ],
)
def test_retry_after_reads_seconds_and_http_dates(value: str, seconds: float | None) -> None:
    response = httpx.Response(429, headers={"Retry-After": value})
    assert _retry_after(response, now=RETRY_NOW) == seconds
    assert _retry_after(httpx.Response(429), now=RETRY_NOW) is None


async def test_a_retry_after_date_reaches_the_error() -> None:
    future = Canned(429, b"{}", {"Retry-After": "Fri, 01 Jan 2100 00:00:00 GMT"})
    with canned_server(future) as url:
        async with client_of(url) as client:
            with pytest.raises(RateLimited) as caught:
                await client.revoke_key("abc" * 7)
    assert caught.value.retry_after is not None and caught.value.retry_after > 0


async def test_unknown_fields_are_ignored() -> None:
    body = (
        b'{"data": [{"id": "abc", "name": "n", "description": null, "createdAt": '
        b'"2026-08-22T17:48:47.123Z", "expiresAt": null, "lastUsedAt": null, "revokedAt": null, '
        b'"roleBindings": [{"id": "b", "role": "CUSTOM", "scopeType": "ORGANIZATION", '
        b'"scopeId": "o", "extra": 1}], "futureField": {"x": 1}}], "meta": 3}'
    )
    with canned_server(Canned(200, body)) as url:
        async with client_of(url) as client:
            (key,) = await client.list_keys()
    assert key.role_bindings[0].role == "CUSTOM"


async def test_refused_connection_was_not_sent() -> None:
    server = FakeServer(admin_scenario(FIXED_NOW).app).start()
    url = server.url
    server.stop()
    async with client_of(url) as client:
        with pytest.raises(TransportError) as caught:
            await client.revoke_key("abc" * 7)
    assert caught.value.maybe_sent is False


async def test_read_timeout_may_have_been_sent(admin_world: World) -> None:
    admin_world.server.latency_ms = 400
    timeout = httpx.Timeout(connect=2.0, read=0.05, write=2.0, pool=2.0)
    async with admin_world.client(timeout=timeout) as client:
        with pytest.raises(TransportError) as caught:
            await client.revoke_key("abc" * 7)
    assert caught.value.maybe_sent and caught.value.timed_out


async def test_a_trickled_answer_ends_at_the_total_time_limit() -> None:
    with trickle_server() as trickle:
        host = trickle.url.removeprefix("http://")
        async with client_of(trickle.url, total_timeout=0.5) as client:
            with pytest.raises(TransportError) as caught:
                await client.list_keys()
    assert str(caught.value) == f"no complete answer from {host} within 0.5 s"
    assert caught.value.maybe_sent and caught.value.timed_out


def test_the_key_never_shows_in_reprs() -> None:
    key = ApiKey(SECRET)
    assert SECRET not in repr(key) and SECRET not in str(key)
    assert repr(BearerAuth(key)) == f"BearerAuth(ApiKey('…{SECRET[-4:]}'))"
    client = LangWatchClient("http://127.0.0.1:1", key)
    assert SECRET not in repr(vars(client))


async def test_dates_without_a_zone_are_read_as_utc() -> None:
    body = (
        b'{"data": [{"id": "abc", "name": "n", "createdAt": "2026-08-22T17:48:47.123", '
        b'"expiresAt": "2026-09-01T00:00:00", "lastUsedAt": null, "revokedAt": null, '
        b'"roleBindings": []}]}'
    )
    with canned_server(Canned(200, body)) as url:
        async with client_of(url) as client:
            (key,) = await client.list_keys()
    assert key.created_at.utcoffset() is not None
    assert key.expires_at is not None and key.expires_at > key.created_at


async def test_projects_and_teams_are_named_from_the_fake(admin_world: World) -> None:
    async with client_for(admin_world) as client:
        projects, teams = await client.list_projects(), await client.list_teams()
    org = admin_world.fake.org
    assert {p.id: p.name for p in projects}.items() <= {p.id: p.name for p in org.projects}.items()
    assert {t.id for t in teams} == {t.id for t in org.teams}
    assert all(p.team_id for p in projects)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (
            b'{"data": [{"id": 1, "name": "p"}]}',
            "expected shape (Expected str, got int at $.data[0].id)",
        ),
        (b'{"pagination": {"total": 1}}', "expected shape (Object missing required field data)"),
        (b'{"data": [{"id": "p"', "cut short"),
        (b"<html>login</html>", "HTML page"),
    ],
)
async def test_broken_scope_pages_give_clear_errors(body: bytes, words: str) -> None:
    with canned_server(Canned(200, body)) as url:
        async with client_of(url) as client:
            with pytest.raises(BadResponse) as caught:
                await client.list_projects()
    assert words in str(caught.value)
