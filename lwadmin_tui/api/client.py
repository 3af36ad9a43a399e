"""The async LangWatch API-key client: one `httpx.AsyncClient` for the app's lifetime.

Answers are classified by HTTP status first, then by the body's `error` code (see `errors.py`).
Redirects are never followed: a 3xx is an error naming the Location host.
"""

from __future__ import annotations

import asyncio
import math
import re
import ssl
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import urlsplit
from urllib.request import getproxies

import httpx
import msgspec
from pydantic import BaseModel, ValidationError

from lwadmin_tui import __version__
from lwadmin_tui.api.auth import ApiKey, BearerAuth
from lwadmin_tui.api.errors import (
    NESTED_TOO_DEEPLY,
    AlreadyRevoked,
    ApiError,
    BadResponse,
    Forbidden,
    InvalidKeyId,
    InvalidTeamId,
    LangWatchError,
    NotFound,
    PlanRequired,
    RateLimited,
    RedirectRefused,
    ServerError,
    TransportError,
    Unauthorized,
    Unprocessable,
)
from lwadmin_tui.api.keepalive import Answer, KeepAliveLane
from lwadmin_tui.api.key_ids import is_key_id
from lwadmin_tui.api.key_list import parse_key_list
from lwadmin_tui.api.models import (
    ApiKeyDetail,
    ApiKeyInfo,
    ApiKeyList,
    CreatedKeyModel,
    Member,
    OrganizationMember,
    OrganizationMemberPage,
    Project,
    ProjectPage,
    RevokeResult,
    Team,
    TeamMembers,
    TeamPage,
)
from lwadmin_tui.api.new_key import CreatedKey, NewKey, token_digest, unusable_answer

PAGE_LIMIT = 1000  # the server's maximum for /api/projects and /api/teams
MAX_PAGES = 50  # a server that never says "last page" cannot keep the client reading forever
MEMBER_PAGE_LIMIT = 200  # the server's maximum for /api/organization/members
# An organization key's token, as the server mints it: `sk-lw-{lookup id}_{secret}`.
_TOKEN = re.compile(r"sk-lw-[0-9A-Za-z]{16}_[0-9A-Za-z]{48}")
# A team id goes into a URL path: only these characters, so no `/`, `..`, `%` or `?` ever does.
_TEAM_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=30.0, write=10.0, pool=30.0)
# httpx's timeouts are per operation: a server sending one byte every few seconds never trips
# the read timeout. This bounds a whole request, the answer fully read.
DEFAULT_TOTAL_TIMEOUT = 120.0
# Keep-alive beyond ~20 connections makes httpcore's pool bookkeeping dominate client CPU.
MAX_KEEPALIVE = 20

_M = TypeVar("_M", bound=BaseModel)
_Answer = httpx.Response | Answer  # what httpx read, or what the keep-alive lane read
_Page = TypeVar("_Page", ProjectPage, TeamPage)
_Shape = TypeVar("_Shape", ProjectPage, TeamPage, TeamMembers, OrganizationMemberPage)

_STATUS_ERRORS: dict[int, type[ApiError]] = {
    401: Unauthorized,
    402: PlanRequired,
    403: Forbidden,
    404: NotFound,
    409: AlreadyRevoked,
    422: Unprocessable,
    429: RateLimited,
}


class LangWatchClient:
    """List, read and revoke organization API keys."""

    def __init__(
        self,
        endpoint: str,
        api_key: ApiKey,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        total_timeout: float = DEFAULT_TOTAL_TIMEOUT,
        max_connections: int = 16,
        verify: bool | str | ssl.SSLContext = True,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.host = urlsplit(self.endpoint).netloc or self.endpoint
        self.total_timeout = total_timeout
        self._api_key = api_key
        self._tokens_seen: set[str] = set()
        """Digests of the tokens created keys were given: a repeat is no new secret."""
        headers = {"User-Agent": f"lwadmin-tui/{__version__}", "Accept": "application/json"}
        self._http = httpx.AsyncClient(
            base_url=self.endpoint,
            auth=BearerAuth(api_key),
            timeout=timeout,
            follow_redirects=False,
            verify=verify,
            transport=transport,
            headers=headers,
            limits=httpx.Limits(
                max_connections=max_connections,
                max_keepalive_connections=min(max_connections, MAX_KEEPALIVE),
            ),
        )
        self._lane = (
            _keepalive_lane(self.endpoint, headers, api_key, timeout, verify, max_connections)
            if transport is None
            else None
        )
        """The DELETE and GET of one key go here when it can carry them (keepalive.py)."""

    async def list_keys(self) -> tuple[ApiKeyInfo, ...]:
        """Every key this credential can see, newest first (the server does not paginate)."""
        response = await self._request("GET", "/api/api-keys")
        keys = parse_key_list(response.content, status=response.status_code)
        if keys is None:  # anything unusual: the validating models decide and word it
            keys = tuple(row.to_info() for row in _parse(response, ApiKeyList).data)
        return keys

    async def get_key(self, key_id: str) -> ApiKeyDetail:
        """One key with owner and permissions (server 3.13+); revoked keys included.

        Each call writes an entry in the organization's audit log on the server.
        """
        response = await self._request("GET", _key_path(key_id), one_key=True)
        return _parse(response, ApiKeyDetail)

    async def list_projects(self) -> tuple[Project, ...]:
        """Every project this credential may view, all pages (for naming binding scopes)."""
        return await self._all_pages("/api/projects", ProjectPage)

    async def list_teams(self) -> tuple[Team, ...]:
        """Every team of the organization, all pages (needs `team:view`)."""
        return await self._all_pages("/api/teams", TeamPage)

    async def list_team_members(self, team_id: str) -> tuple[Member, ...]:
        """The members of one team with their team roles (needs `team:view`).

        InvalidTeamId, before any request, for an id of other characters than the server's."""
        response = await self._request("GET", f"{_team_path(team_id)}/members")
        return tuple(_rows(_decode(response, TeamMembers).data, Member))

    async def list_organization_members(self) -> tuple[Member, ...]:
        """Every member of the organization, deactivated people included, all pages.

        Enterprise plan only: on any other plan the server answers 402 (PlanRequired)."""
        rows: list[Member] = []
        offset = 0  # rows the server sent, kept or not: the next page starts after them
        for _ in range(MAX_PAGES):
            response = await self._request(
                "GET",
                "/api/organization/members?includeDisabled=true"
                f"&offset={offset}&limit={MEMBER_PAGE_LIMIT}",
            )
            page = _decode(response, OrganizationMemberPage)
            offset += len(page.members)
            rows += (member.to_member() for member in _rows(page.members, OrganizationMember))
            if not page.members or offset >= page.total_count:
                break
        return tuple(rows)

    async def _all_pages(self, path: str, shape: type[_Page]) -> tuple[Any, ...]:
        rows: list[Any] = []
        for number in range(1, MAX_PAGES + 1):
            response = await self._request("GET", f"{path}?page={number}&limit={PAGE_LIMIT}")
            page = _decode(response, shape)
            rows += page.data
            if not page.data or len(rows) >= page.pagination.total:
                break
        return tuple(rows)

    async def revoke_key(self, key_id: str) -> None:
        """Revoke one key; raises a typed error for anything but 2xx."""
        response = await self._request("DELETE", _key_path(key_id), one_key=True)
        result = _parse(response, RevokeResult)
        if not result.success:
            raise BadResponse("the server answered success: false", status=response.status_code)

    async def create_key(self, new: NewKey) -> CreatedKey:
        """Create a key; its token is in this answer only (held as an `ApiKey`).

        A lost answer (TransportError with `maybe_sent`) or a 5xx may have made the key anyway:
        the caller finds it by listing (`roll/orphans.py`)."""
        response = await self._request("POST", "/api/api-keys", body=new.body())
        created = _parse(response, CreatedKeyModel)
        if not is_key_id(created.api_key.id) or not _TOKEN.fullmatch(created.token):
            # A key was made (2xx), but this answer cannot be used: the caller finds the key.
            raise BadResponse(
                "the server's create answer has no usable key id or token",
                status=response.status_code,
                made_id=created.api_key.id if is_key_id(created.api_key.id) else None,
            )
        made = CreatedKey(
            created.api_key.id,
            created.api_key.name,
            created.api_key.created_at,
            ApiKey(created.token),
        )
        odd = unusable_answer(new, made, self._api_key, self._tokens_seen)
        if odd:
            raise BadResponse(odd, status=response.status_code, made_id=made.key_id)
        self._tokens_seen.add(token_digest(made.token))
        return made

    async def update_key(self, key_id: str, changes: dict[str, Any]) -> ApiKeyDetail:
        """PATCH name, description, permissionMode, permissions or bindings (never the expiry)."""
        response = await self._request("PATCH", _key_path(key_id), body=changes)
        return _parse(response, ApiKeyDetail)

    async def aclose(self) -> None:
        if self._lane is not None:
            await self._lane.aclose()
        await self._http.aclose()

    async def __aenter__(self) -> LangWatchClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _request(
        self,
        method: str,
        path: str,
        *,
        one_key: bool = False,
        body: dict[str, Any] | None = None,
    ) -> _Answer:
        try:
            async with asyncio.timeout(self.total_timeout):
                if one_key and self._lane is not None:
                    authorization = f"Authorization: Bearer {self._api_key.reveal()}"
                    response: _Answer = await self._lane.request(method, path, authorization)
                elif body is not None:
                    response = await self._http.request(method, path, json=body)
                else:
                    response = await self._http.request(method, path)  # the body is read too
        except TimeoutError:  # the total limit, not one of httpx's (those are not TimeoutError)
            raise TransportError(
                f"no complete answer from {self.host} within {self.total_timeout:g} s",
                maybe_sent=True,
                timed_out=True,
            ) from None
        except httpx.TimeoutException as exc:
            maybe_sent = not isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout)
            raise TransportError(
                f"timed out talking to {self.host}", maybe_sent=maybe_sent, timed_out=True
            ) from None
        except (httpx.ConnectError, httpx.UnsupportedProtocol, httpx.ProxyError) as exc:
            raise TransportError(
                f"could not connect to {self.host}: {_reason(exc)}", maybe_sent=False
            ) from None
        except httpx.TransportError as exc:
            raise TransportError(
                f"connection to {self.host} lost: {_reason(exc)}", maybe_sent=True
            ) from None
        except httpx.InvalidURL:
            raise LangWatchError(f"the endpoint {self.endpoint!r} is not a valid URL") from None
        _raise_for_status(response)
        return response


def _keepalive_lane(
    endpoint: str,
    headers: dict[str, str],
    api_key: ApiKey,
    timeout: httpx.Timeout,
    verify: bool | str | ssl.SSLContext,
    max_connections: int,
) -> KeepAliveLane | None:
    """The lane for this endpoint, or None where httpx must carry every request: a proxy set
    in the environment (httpx honours it), or a URL or key the lane would not send as is."""
    if any(getproxies().get(scheme) for scheme in ("http", "https", "all")):
        return None
    if not KeepAliveLane.usable_for(endpoint, {**headers, "Authorization": api_key.reveal()}):
        return None
    tls = None
    if endpoint.startswith("https:"):
        tls = verify if isinstance(verify, ssl.SSLContext) else httpx.create_ssl_context(verify)
    return KeepAliveLane(
        endpoint,
        headers,
        tls=tls,
        connect_timeout=timeout.connect or DEFAULT_TOTAL_TIMEOUT,
        read_timeout=timeout.read or DEFAULT_TOTAL_TIMEOUT,
        max_connections=max_connections,
    )


def _key_path(key_id: str) -> str:
    """`/api/api-keys/{id}`, only for an id of the server's own characters (see key_ids.py)."""
    if not is_key_id(key_id):
        raise InvalidKeyId(key_id)
    return f"/api/api-keys/{key_id}"


def _team_path(team_id: str) -> str:
    """`/api/teams/{id}`, only for an id of safe characters (never `/`, `..` or an escape)."""
    if not _TEAM_ID.fullmatch(team_id):
        raise InvalidTeamId(team_id)
    return f"/api/teams/{team_id}"


def _reason(exc: Exception) -> str:
    return str(exc) or type(exc).__name__


def _raise_for_status(response: _Answer) -> None:
    status = response.status_code
    if status < 300:
        return
    if status < 400:
        location = response.headers.get("location")
        raise RedirectRefused(status, urlsplit(location).hostname if location else None)
    body = _json_or_none(response)
    fields = body if isinstance(body, dict) else {}
    code = fields.get("error") if isinstance(fields.get("error"), str) else None
    message = fields.get("message")
    if not isinstance(message, str) or not message:
        message = code or _describe_unreadable(response)
    tips_raw = fields.get("tips")
    tips = tuple(t for t in tips_raw if isinstance(t, str)) if isinstance(tips_raw, list) else ()
    named = fields.get("fields")
    refused = tuple(str(f) for f in named)[:20] if isinstance(named, dict | list) else ()
    error_type = _STATUS_ERRORS.get(status, ServerError if status >= 500 else ApiError)
    raise error_type(
        status,
        message,
        code=code,
        tips=tips,
        retry_after=_retry_after(response),
        fields=refused,
    )


def _parse(response: _Answer, model: type[_M]) -> _M:
    body = _json_or_none(response)
    if body is None:
        raise BadResponse(_describe_unreadable(response), status=response.status_code)
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        where = ", ".join(".".join(map(str, e["loc"])) for e in exc.errors()[:3])
        raise BadResponse(
            f"the server's answer does not have the expected shape (at {where})",
            status=response.status_code,
        ) from None


_Row = TypeVar("_Row", Member, OrganizationMember)


def _rows(raws: tuple[msgspec.Raw, ...], shape: type[_Row]) -> list[_Row]:
    """Each row as `shape`; a row of the wrong shape is left out, not the whole answer."""
    rows = []
    for raw in raws:
        try:
            rows.append(msgspec.json.decode(raw, type=shape, strict=False))
        except (msgspec.ValidationError, msgspec.DecodeError, RecursionError):
            continue
    return rows


def _decode(response: _Answer, shape: type[_Shape]) -> _Shape:
    """`_parse` for the msgspec shapes (scope pages, members), with the same sentences."""
    try:
        # Not strict: "3" or 3.0 for a count passes, as it did with pydantic's lax mode.
        return msgspec.json.decode(response.content, type=shape, strict=False)
    except msgspec.ValidationError as exc:
        reason, _, where = str(exc).replace("`", "").partition(" - at ")
        raise BadResponse(
            f"the server's answer does not have the expected shape ({reason}"
            f"{' at ' + where if where else ''})",
            status=response.status_code,
        ) from None
    except msgspec.DecodeError:
        raise BadResponse(_describe_unreadable(response), status=response.status_code) from None
    except RecursionError:
        raise BadResponse(NESTED_TOO_DEEPLY, status=response.status_code) from None


def _json_or_none(response: _Answer) -> Any:
    """The decoded body, None if it is not JSON; BadResponse if too deep to decode (any status:
    nothing of it can be read, not even an error's message)."""
    try:
        return response.json()
    except RecursionError:
        raise BadResponse(NESTED_TOO_DEEPLY, status=response.status_code) from None
    except (ValueError, UnicodeDecodeError):
        return None


def _describe_unreadable(response: _Answer) -> str:
    """A plain sentence for a body that is not JSON: empty, an HTML page, or cut short."""
    content = response.content
    reason = response.reason_phrase or f"HTTP {response.status_code}"
    if not content.strip():
        return f"the server answered {response.status_code} with an empty body ({reason})"
    head = content[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return f"the server answered {response.status_code} with an HTML page, not JSON ({reason})"
    if head.startswith((b"{", b"[")):
        return f"the server's JSON answer was cut short or malformed ({reason})"
    return f"the server answered {response.status_code} with something that is not JSON ({reason})"


def _retry_after(response: _Answer, *, now: datetime | None = None) -> float | None:
    """Seconds to wait: `Retry-After` as seconds or as an HTTP date (RFC 9110), never negative.

    `now` is for tests; a date is measured from the current time otherwise.
    """
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):  # not a date either: ignored
        return None
    if when.tzinfo is None:  # "-0000" parses without a zone; HTTP dates are GMT
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
