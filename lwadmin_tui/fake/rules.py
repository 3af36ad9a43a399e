"""The LangWatch API-key rules as a pure request handler, independent of sockets.

Every status, body and the order of checks follow reference/langwatch-api.md; keeping this free
of HTTP plumbing lets unit tests call it directly and the HTTP wrapper stay trivial.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import random
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from operator import attrgetter
from urllib.parse import parse_qs, unquote, urlsplit

from lwadmin_tui.fake.key_writes import create_key, update_key
from lwadmin_tui.fake.listed_rows import ListedRows
from lwadmin_tui.fake.org import (
    ENTERPRISE,
    FakeKey,
    FakeOrg,
    key_detail,
    organization_member_json,
    project_json,
    team_json,
    team_member_json,
)
from lwadmin_tui.fake.responses import (
    FakeResponse,
    RequestRecord,
    already_revoked,
    forbidden,
    json_response,
    key_not_found,
    key_not_owned,
    legacy_conflict,
    legacy_not_found,
    member_paging,
    missing_permission,
    page,
    paging,
    plan_required,
    route_not_found,
    team_not_found,
    unauthorized,
)

_ORG_TOKEN = re.compile(r"sk-lw-([0-9A-Za-z]{16})_([0-9A-Za-z]{48})")
_PROJECT_TOKEN = re.compile(r"sk-lw-[0-9A-Za-z]{48}")
_KEY_PATH = re.compile(r"/api/api-keys/([^/]+)/?")
_TEAM_MEMBERS_PATH = re.compile(r"/api/teams/([^/]+)/members/?")
_NEWEST_FIRST = attrgetter("created_at", "id")
MANAGE, VIEW, TEAM_VIEW = "organization:manage", "organization:view", "team:view"
# The newest server writes a key's `lastUsedAt` at most once in this window per process.
LAST_USED_WINDOW = timedelta(seconds=60)


def _system_now() -> datetime:
    return datetime.now(UTC)


class FakeLangWatch:
    """The fake server's state and rules; one lock makes every request atomic."""

    def __init__(
        self,
        org: FakeOrg,
        now: Callable[[], datetime] = _system_now,
        *,
        legacy: bool = False,
        revoke_after_first_list: Iterable[str] = (),
        last_used_every_request: bool = False,
    ) -> None:
        self.org = org
        self.now = now
        self.legacy = legacy  # pre-3.13: no GET by id, no ownership 403, reason-phrase bodies
        # Servers up to 3.16 write `lastUsedAt` after every 2xx; the newest at most once a
        # minute per key (`LAST_USED_WINDOW`), measured from this fake's own last write.
        self.last_used_every_request = last_used_every_request
        self._last_used_written: dict[str, datetime] = {}
        # Keys "another admin" revokes right after the first list is computed (409 later).
        self.revoke_after_first_list: set[str] = set(revoke_after_first_list)
        self._first_list_done = False
        self._lock = threading.RLock()
        self.rng = random.Random()  # ids, lookup ids and secrets of the keys it creates
        self._log: list[RequestRecord] = []
        self._lookup: dict[str, FakeKey] = {}
        self.listed_rows = ListedRows()

    # ---- the request entry point -------------------------------------------------------

    def handle(
        self, method: str, path_with_query: str, headers: Mapping[str, str], body: bytes = b""
    ) -> FakeResponse:
        """Answer one request exactly as the real server would (`body`: a POST's or PATCH's)."""
        method = method.upper()
        parts = urlsplit(path_with_query)
        lowered = {k.lower(): v for k, v in headers.items()}
        with self._lock:
            response, caller = self._dispatch(
                method, parts.path, parse_qs(parts.query), lowered, body
            )
            if caller is not None and 200 <= response.status < 300:
                self._note_use(caller)
            self._log.append(RequestRecord(method, parts.path, response.status))
            return response

    def _note_use(self, caller: FakeKey) -> None:
        """Set the caller's `lastUsedAt` to now, unless this fake wrote it less than a minute
        ago (the newest server); every time with `last_used_every_request`."""
        now = self._now()
        last = self._last_used_written.get(caller.id)
        if self.last_used_every_request or last is None or now - last >= LAST_USED_WINDOW:
            caller.last_used_at = now
            self._last_used_written[caller.id] = now

    def _dispatch(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        headers: dict[str, str],
        body: bytes,
    ) -> tuple[FakeResponse, FakeKey | None]:
        route = self._route(method, path, body)
        if route is None:
            return route_not_found(method, path), None
        handler, needs, arg = route
        caller = self._authenticate(headers)
        if isinstance(caller, FakeResponse):
            return caller, None
        if needs and needs not in self.permissions(caller):
            return missing_permission(needs), caller
        return handler(caller, arg, query), caller

    def _route(
        self, method: str, path: str, body: bytes
    ) -> tuple[Callable[[FakeKey, str, dict[str, list[str]]], FakeResponse], str, str] | None:
        if method == "GET" and path in ("/api/api-keys", "/api/api-keys/"):
            return self._list, VIEW, ""
        if method == "POST" and path in ("/api/api-keys", "/api/api-keys/"):  # every version
            return (lambda caller, _arg, _query: create_key(self, caller, body)), MANAGE, ""
        if method == "GET" and path == "/api/projects":
            return self._projects, "", ""
        if method == "GET" and path == "/api/teams":
            return self._teams, TEAM_VIEW, ""
        if method == "GET" and path in ("/api/organization/members", "/api/organization/members/"):
            return self._organization_members, VIEW, ""
        team = _TEAM_MEMBERS_PATH.fullmatch(path)
        if method == "GET" and team is not None:
            return self._team_members, TEAM_VIEW, unquote(team.group(1))
        match = _KEY_PATH.fullmatch(path)
        if match is None:
            return None
        key_id = unquote(match.group(1))
        if method == "GET" and not self.legacy:
            return self._get, VIEW, key_id
        if method == "DELETE":
            return self._revoke, MANAGE, key_id
        if method == "PATCH" and not self.legacy:

            def update(caller: FakeKey, key_id: str, _query: dict[str, list[str]]) -> FakeResponse:
                return update_key(self, caller, self._in_scope(caller, key_id), key_id, body)

            return update, MANAGE, key_id
        return None

    # ---- authentication and permissions ------------------------------------------------

    def _authenticate(self, headers: Mapping[str, str]) -> FakeKey | FakeResponse:
        token = self._token_from(headers)
        if token is None:
            return unauthorized("Authentication required. Use Authorization: Bearer <api-key>.")
        if _PROJECT_TOKEN.fullmatch(token):
            return unauthorized(
                "This endpoint needs an organization API key. The key sent is a project API key."
            )
        match = _ORG_TOKEN.fullmatch(token)
        if match is None:
            return unauthorized()
        lookup_id, secret = match.groups()
        key = self._by_lookup_id(lookup_id)
        if key is None or not hmac.compare_digest(key.secret, secret):
            return unauthorized()
        if key.revoked_at is not None or self._expired(key):
            return unauthorized()
        owner = self.org.users.get(key.owner_user_id) if key.owner_user_id else None
        if key.owner_user_id is not None and (owner is None or owner.deactivated):
            return unauthorized()
        return key

    def _by_lookup_id(self, lookup_id: str) -> FakeKey | None:
        """The key with this lookup id, from an index: a scan per request is O(N) at 100k keys.

        A miss or a stale hit rebuilds the index, so tests that edit keys in place stay right.
        """
        key = self._lookup.get(lookup_id)
        if key is None or key.lookup_id != lookup_id or self.org.keys.get(key.id) is not key:
            self._lookup = {k.lookup_id: k for k in self.org.keys.values()}
            key = self._lookup.get(lookup_id)
        return key

    @staticmethod
    def _token_from(headers: Mapping[str, str]) -> str | None:
        scheme, _, rest = headers.get("authorization", "").strip().partition(" ")
        token = ""
        if scheme.lower() == "bearer":
            token = rest.strip()
        elif scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(rest.strip(), validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                decoded = "invalid"
            token = decoded.rpartition(":")[2] or "invalid"
        token = token or headers.get("x-auth-token", "").strip()
        return token or None

    def _expired(self, key: FakeKey) -> bool:
        return key.expires_at is not None and key.expires_at <= self._now()

    def permissions(self, key: FakeKey) -> frozenset[str]:
        """Organization-level permissions: org-scope bindings only, readonly keeps `:view`."""
        granted: set[str] = set()
        for binding in key.bindings:
            if binding.scope_type == "ORGANIZATION" and binding.scope_id == key.organization_id:
                granted |= binding.grants()
        if key.permission_mode == "readonly":
            granted = {p for p in granted if p.endswith(":view")}
        return frozenset(granted)

    def is_real_admin(self, key: FakeKey) -> bool:
        """Owner has a direct org ADMIN role, or the service key has an org-scope ADMIN binding."""
        if key.owner_user_id is not None:
            owner = self.org.users.get(key.owner_user_id)
            return owner is not None and owner.org_role == "ADMIN"
        return any(
            b.role == "ADMIN"
            and b.scope_type == "ORGANIZATION"
            and b.scope_id == key.organization_id
            for b in key.bindings
        )

    def _in_scope(self, caller: FakeKey, key_id: str) -> FakeKey | None:
        """The target key if it exists for this caller's organization (langy keys never do)."""
        key = self.org.keys.get(key_id)
        if key is None or key.organization_id != caller.organization_id or key.is_langy_session:
            return None
        return key

    # ---- routes ------------------------------------------------------------------------

    def _list(self, caller: FakeKey, _arg: str, _query: dict[str, list[str]]) -> FakeResponse:
        if caller.is_service and MANAGE not in self.permissions(caller):
            return forbidden(
                "Listing every API key in the organization requires the "
                "organization:manage permission"
            )
        response = json_response(200, self.list_body(caller))
        if not self._first_list_done:
            self._first_list_done = True
            for key_id in sorted(self.revoke_after_first_list):
                self.revoke_out_of_band(key_id)
        return response

    def list_body(self, caller: FakeKey) -> bytes:
        """The keys `caller` may list, newest first, as the JSON body of the answer."""
        view = (caller.organization_id, caller.is_service, caller.owner_user_id)
        return self.listed_rows.body(view, lambda: self._listed(caller), len(self.org.keys))

    def _listed(self, caller: FakeKey) -> list[FakeKey]:
        rows = [
            k
            for k in self.org.keys.values()
            if k.organization_id == caller.organization_id
            and k.revoked_at is None
            and not k.is_langy_session
            and (caller.is_service or k.is_service or k.owner_user_id == caller.owner_user_id)
        ]
        rows.sort(key=_NEWEST_FIRST, reverse=True)
        return rows

    def _get(self, caller: FakeKey, key_id: str, _query: dict[str, list[str]]) -> FakeResponse:
        key = self._in_scope(caller, key_id)
        own = key is not None and (
            key.id == caller.id
            or (not caller.is_service and key.owner_user_id == caller.owner_user_id)
        )
        any_key = self.is_real_admin(caller) and MANAGE in self.permissions(caller)
        if key is None or not (own or any_key):
            return key_not_found(key_id)  # another's key answers as if it did not exist
        return json_response(200, key_detail(key))

    def _revoke(self, caller: FakeKey, key_id: str, _query: dict[str, list[str]]) -> FakeResponse:
        key = self._in_scope(caller, key_id)
        if key is None:
            if self.legacy:
                return legacy_not_found()
            return key_not_found(key_id)
        others = key.is_service or key.owner_user_id != caller.owner_user_id
        if not self.legacy and others and not self.is_real_admin(caller):
            return key_not_owned(key_id)
        if key.revoked_at is not None:
            if self.legacy:
                return legacy_conflict()
            return already_revoked(key_id)
        key.revoked_at = self._now()
        return json_response(200, {"success": True})

    def _projects(self, caller: FakeKey, _arg: str, query: dict[str, list[str]]) -> FakeResponse:
        window = paging(query)
        if isinstance(window, FakeResponse):
            return window
        org_wide = any(
            b.scope_type == "ORGANIZATION" and "project:view" in b.grants() for b in caller.bindings
        )
        scopes = {b.scope_id for b in caller.bindings if "project:view" in b.grants()}
        teams = {t.id for t in self.org.teams if t.organization_id == caller.organization_id}
        rows = [
            p
            for p in self.org.projects
            if p.team_id in teams and (org_wide or p.id in scopes or p.team_id in scopes)
        ]
        rows.sort(key=lambda p: (p.created_at, p.id), reverse=True)
        return page([project_json(p) for p in rows], *window)

    def _teams(self, caller: FakeKey, _arg: str, query: dict[str, list[str]]) -> FakeResponse:
        window = paging(query)
        if isinstance(window, FakeResponse):
            return window
        rows = [t for t in self.org.teams if t.organization_id == caller.organization_id]
        rows.sort(key=lambda t: (t.created_at, t.id), reverse=True)
        return page([team_json(t) for t in rows], *window)

    def _team_members(
        self, caller: FakeKey, team_id: str, _query: dict[str, list[str]]
    ) -> FakeResponse:
        known = any(
            t.id == team_id and t.organization_id == caller.organization_id for t in self.org.teams
        )
        if not known:
            return team_not_found(team_id)
        members = self.org.team_members.get(team_id, {})
        rows = [
            team_member_json(self.org.users[user_id], role)
            for user_id, role in members.items()
            if user_id in self.org.users
        ]
        return json_response(200, {"data": rows})

    def _organization_members(
        self, caller: FakeKey, _arg: str, query: dict[str, list[str]]
    ) -> FakeResponse:
        if self.org.plan != ENTERPRISE:
            return plan_required()
        window = member_paging(query)
        if isinstance(window, FakeResponse):
            return window
        include_disabled, offset, limit = window
        users = [
            u
            for u in self.org.users.values()
            if caller.organization_id == self.org.id and (include_disabled or not u.deactivated)
        ]
        rows = [organization_member_json(u, self._now) for u in users[offset : offset + limit]]
        return json_response(200, {"members": rows, "totalCount": len(users)})

    # ---- test helpers ------------------------------------------------------------------

    def _now(self) -> datetime:
        return self.now().astimezone(UTC)

    def now_utc(self) -> datetime:
        """The fake's current time in UTC (for the key-writing rules)."""
        return self._now()

    def key(self, key_id: str) -> FakeKey:
        """The live record of a key (KeyError if unknown)."""
        with self._lock:
            return self.org.keys[key_id]

    def revoked_ids(self) -> set[str]:
        """Ids of every key with `revokedAt` set, whoever revoked it."""
        with self._lock:
            return {k.id for k in self.org.keys.values() if k.revoked_at is not None}

    def revoke_out_of_band(self, key_id: str, at: datetime | None = None) -> None:
        """Revoke as another admin would, without a request (no-op if already revoked)."""
        with self._lock:
            key = self.org.keys[key_id]
            if key.revoked_at is None:
                key.revoked_at = at or self._now()

    @property
    def requests(self) -> list[RequestRecord]:
        """A copy of the request log, oldest first."""
        with self._lock:
            return list(self._log)

    def delete_count(self, key_id: str) -> int:
        """How many DELETEs named this key, whatever they answered."""
        with self._lock:
            return sum(
                1
                for r in self._log
                if r.method == "DELETE"
                and (m := _KEY_PATH.fullmatch(r.path))
                and unquote(m.group(1)) == key_id
            )
