"""The fake's member routes and its once-a-minute `lastUsedAt`, against reference/langwatch-api.md.

Over the pure handler (`FakeLangWatch.handle`) and over real HTTP with the standard library's
http.client, so the answers are checked independently of the app's client.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from lwadmin_tui.fake import SCENARIOS, FakeBinding, FakeKey, FakeServer, Scenario
from lwadmin_tui.fake.scenarios import admin_scenario, starter_scenario
from tests.conftest import FIXED_NOW

MEMBERS = "/api/organization/members"
ORG_MEMBER_FIELDS = {"userId", "role", "disabled", "disabledAt", "createdAt", "updatedAt", "user"}


def call(scenario: Scenario, path: str, token: str | None = None) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token or scenario.token}"}
    response = scenario.app.handle("GET", path, headers)
    return response.status, response.json()


def over_http(server: FakeServer, token: str, path: str) -> tuple[int, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


def team_id(scenario: Scenario, slug: str) -> str:
    return next(t.id for t in scenario.app.org.teams if t.slug == slug)


def user_named(scenario: Scenario, name: str) -> str:
    return next(u.id for u in scenario.app.org.users.values() if u.name == name)


def add_key(scenario: Scenario, key_id: str, binding: FakeBinding) -> FakeKey:
    """A service key of the scenario's organization with one binding (a copy of the credential's
    lookup id and secret shapes, new values)."""
    credential = scenario.app.key(scenario.credential_key_id)
    key = FakeKey(
        id=key_id,
        name=key_id,
        organization_id=credential.organization_id,
        lookup_id=key_id[:1].upper() * 16,
        secret="s" * 48,
        created_at=FIXED_NOW - timedelta(days=1),
        bindings=[binding],
    )
    return scenario.app.org.add_key(key)


# ---- GET /api/teams/{id}/members -------------------------------------------------------------


def test_team_members_are_the_teams_people_with_their_team_roles() -> None:
    scenario = admin_scenario(FIXED_NOW)
    status, body = call(scenario, f"/api/teams/{team_id(scenario, 'perception')}/members")
    assert status == 200
    assert set(body) == {"data"}
    rows = {row["name"]: row for row in body["data"]}
    assert set(rows) == {"Maya Chen", "Tomasz Nowak", "Jonas Berg"}
    maya = rows["Maya Chen"]
    assert maya == {
        "userId": user_named(scenario, "Maya Chen"),
        "name": "Maya Chen",
        "email": "maya.chen@acme-robotics.example",
        "role": "ADMIN",
    }
    assert rows["Tomasz Nowak"]["role"] == "VIEWER"
    research = call(scenario, f"/api/teams/{team_id(scenario, 'research')}/members")[1]
    assert {r["name"]: r["role"] for r in research["data"]}["Maya Chen"] == "VIEWER"


def test_an_unknown_team_or_another_organizations_is_404() -> None:
    scenario = admin_scenario(FIXED_NOW)
    status, body = call(scenario, "/api/teams/team_nope/members")
    assert status == 404
    assert body["error"] == "team_not_found" and "team_nope" in body["message"]
    other = admin_scenario(FIXED_NOW, seed=8)  # another organization's team ids
    foreign = other.app.org.teams[0].id
    assert call(scenario, f"/api/teams/{foreign}/members")[0] == 404


def test_team_members_need_team_view() -> None:
    scenario = admin_scenario(FIXED_NOW)
    org_id = scenario.app.org.id
    custom = FakeBinding(
        "b_custom", "CUSTOM", "ORGANIZATION", org_id, frozenset({"organization:view"})
    )
    key = add_key(scenario, "no_team_view", custom)
    status, body = call(scenario, f"/api/teams/{team_id(scenario, 'platform')}/members", key.token)
    assert (status, body) == (
        403,
        {"error": "Forbidden", "message": "Insufficient permissions. Required: team:view"},
    )
    assert call(scenario, "/api/teams/team_nope/members", key.token)[0] == 403  # before lookup


def test_a_teamless_person_is_in_no_teams_members() -> None:
    scenario = starter_scenario(FIXED_NOW)
    names = {
        row["name"]
        for team in scenario.app.org.teams
        for row in call(scenario, f"/api/teams/{team.id}/members")[1]["data"]
    }
    everyone = {u.name for u in scenario.app.org.users.values()}
    assert everyone - names == {"Tomasz Nowak"}


# ---- GET /api/organization/members -----------------------------------------------------------


def test_the_organization_members_are_listed_on_enterprise() -> None:
    scenario = admin_scenario(FIXED_NOW)
    status, body = call(scenario, MEMBERS)
    assert status == 200
    assert set(body) == {"members", "totalCount"}
    users = scenario.app.org.users.values()
    active = [u for u in users if not u.deactivated]
    assert body["totalCount"] == len(active) == len(body["members"])
    row = body["members"][0]
    assert set(row) == ORG_MEMBER_FIELDS
    assert set(row["user"]) == {"id", "name", "email"}
    assert row["user"]["id"] == row["userId"]
    assert row["disabled"] is False and row["disabledAt"] is None
    assert row["createdAt"].endswith("Z")
    assert "Jonas Berg" not in {m["user"]["name"] for m in body["members"]}
    # Organization roles are not team roles: an outside collaborator is EXTERNAL, not VIEWER.
    assert {m["role"] for m in body["members"]} == {"ADMIN", "MEMBER", "EXTERNAL"}


def test_deactivated_people_only_with_include_disabled() -> None:
    scenario = admin_scenario(FIXED_NOW)
    status, body = call(scenario, f"{MEMBERS}?includeDisabled=true")
    assert status == 200
    assert body["totalCount"] == len(scenario.app.org.users) == len(body["members"])
    jonas = next(m for m in body["members"] if m["user"]["name"] == "Jonas Berg")
    assert jonas["disabled"] is True
    assert jonas["disabledAt"] == "2026-06-13T12:00:00.000Z"  # 70 days before FIXED_NOW
    assert jonas["user"]["email"] == "jonas.berg@acme-robotics.example"
    assert call(scenario, f"{MEMBERS}?includeDisabled=false")[1]["totalCount"] == 5


def test_organization_members_page_by_offset_and_limit() -> None:
    scenario = admin_scenario(FIXED_NOW)
    everyone = call(scenario, f"{MEMBERS}?includeDisabled=true")[1]["members"]
    pages = [
        call(scenario, f"{MEMBERS}?includeDisabled=true&offset={offset}&limit=4")[1]
        for offset in (0, 4, 8)
    ]
    assert [len(p["members"]) for p in pages] == [4, 2, 0]
    assert {p["totalCount"] for p in pages} == {6}
    assert [m for p in pages for m in p["members"]] == everyone
    assert len(call(scenario, f"{MEMBERS}?limit=200")[1]["members"]) == 5


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=201", "limit"),
        ("limit=0", "limit"),
        ("limit=ten", "limit"),
        ("offset=-1", "offset"),
        ("includeDisabled=yes", "includeDisabled"),
    ],
)
def test_a_bad_member_query_is_422(query: str, field: str) -> None:
    status, body = call(admin_scenario(FIXED_NOW), f"{MEMBERS}?{query}")
    assert status == 422
    assert body["error"] == "validation_error" and set(body["fields"]) == {field}
    assert body["message"] in body["fields"][field]


def test_organization_members_need_the_enterprise_plan() -> None:
    scenario = starter_scenario(FIXED_NOW)
    status, body = call(scenario, f"{MEMBERS}?includeDisabled=true&limit=200")
    assert status == 402
    assert body["error"] == "enterprise_plan_required"
    assert body["message"] == "This feature requires an Enterprise plan"


def test_organization_members_need_organization_view() -> None:
    scenario = admin_scenario(FIXED_NOW)
    project = scenario.app.org.projects[0].id
    key = add_key(scenario, "project_only", FakeBinding("b_p", "MEMBER", "PROJECT", project))
    status, body = call(scenario, MEMBERS, key.token)
    assert (status, body["message"]) == (
        403,
        "Insufficient permissions. Required: organization:view",
    )


def test_the_starter_scenario_is_the_admin_organization_on_another_plan() -> None:
    admin, starter = admin_scenario(FIXED_NOW), starter_scenario(FIXED_NOW)
    assert SCENARIOS["starter"] is starter_scenario
    assert starter.name == "starter" and starter.token == admin.token
    assert starter.app.org.plan != admin.app.org.plan == "enterprise"
    listed = [call(s, "/api/api-keys")[1] for s in (admin, starter)]
    assert listed[0] == listed[1]
    assert starter.expected_list_count == len(listed[1]["data"])


def test_the_member_routes_over_http() -> None:
    admin, starter = admin_scenario(FIXED_NOW), starter_scenario(FIXED_NOW)
    with FakeServer(admin.app) as server:
        status, body = over_http(server, admin.token, f"{MEMBERS}?includeDisabled=true")
        assert (status, body["totalCount"]) == (200, 6)
        status, body = over_http(
            server, admin.token, f"/api/teams/{team_id(admin, 'platform')}/members"
        )
        assert status == 200
        assert {r["name"] for r in body["data"]} == {"Luis Ortega", "Amara Okafor"}
        assert over_http(server, admin.token, "/api/teams/team_nope/members")[0] == 404
    with FakeServer(starter.app) as server:
        status, body = over_http(server, starter.token, MEMBERS)
        assert (status, body["error"]) == (402, "enterprise_plan_required")
        assert server.errors == []


# ---- lastUsedAt: once a minute per key (the newest server) -----------------------------------


@dataclass
class Clock:
    """A clock the test moves by hand."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def used_at(scenario: Scenario) -> datetime | None:
    return scenario.app.key(scenario.credential_key_id).last_used_at


Builder = Callable[..., Scenario]


@pytest.mark.parametrize("build", [admin_scenario, starter_scenario])
def test_last_used_is_written_at_most_once_a_minute(build: Builder) -> None:
    clock = Clock(FIXED_NOW)
    scenario = build(FIXED_NOW, clock=clock)
    assert used_at(scenario) is None  # the credential was never used before
    assert call(scenario, "/api/api-keys")[0] == 200
    assert used_at(scenario) == FIXED_NOW  # never written by this fake: due at once
    clock.advance(30)
    status, body = call(scenario, "/api/api-keys")
    assert status == 200
    row = next(r for r in body["data"] if r["id"] == scenario.credential_key_id)
    assert row["lastUsedAt"] == "2026-08-22T12:00:00.000Z"  # computed before the write
    assert used_at(scenario) == FIXED_NOW  # 30 s later: not moved
    clock.advance(31)
    assert call(scenario, "/api/projects")[0] == 200
    assert used_at(scenario) == FIXED_NOW + timedelta(seconds=61)  # 61 s after the write
    clock.advance(59)
    call(scenario, "/api/teams")
    assert used_at(scenario) == FIXED_NOW + timedelta(seconds=61)


def test_the_window_is_per_key_and_only_after_2xx() -> None:
    clock = Clock(FIXED_NOW)
    scenario = admin_scenario(FIXED_NOW, clock=clock)
    org_id = scenario.app.org.id
    other = add_key(scenario, "second_key", FakeBinding("b_v", "VIEWER", "ORGANIZATION", org_id))
    assert call(scenario, "/api/api-keys", other.token)[0] == 403  # VIEWER lacks manage
    assert other.last_used_at is None
    call(scenario, "/api/teams")
    clock.advance(10)
    assert call(scenario, "/api/teams", other.token)[0] == 200
    assert other.last_used_at == FIXED_NOW + timedelta(seconds=10)
    assert used_at(scenario) == FIXED_NOW


def test_the_old_switch_writes_after_every_2xx() -> None:
    clock = Clock(FIXED_NOW)
    scenario = admin_scenario(FIXED_NOW, clock=clock, last_used_every_request=True)
    for seconds in (0, 1, 30):
        clock.advance(seconds)
        assert call(scenario, "/api/api-keys")[0] == 200
        assert used_at(scenario) == clock.now


def test_the_window_over_http_and_the_servers_switch() -> None:
    clock = Clock(FIXED_NOW)
    scenario = admin_scenario(FIXED_NOW, clock=clock)
    with FakeServer(scenario.app) as server:
        assert server.last_used_every_request is False
        over_http(server, scenario.token, "/api/api-keys")
        clock.advance(1.5)
        over_http(server, scenario.token, "/api/api-keys")
        assert used_at(scenario) == FIXED_NOW
        server.last_used_every_request = True
        clock.advance(1.5)
        over_http(server, scenario.token, "/api/api-keys")
        assert used_at(scenario) == FIXED_NOW + timedelta(seconds=3)


def test_the_demo_server_has_the_old_switch() -> None:
    from lwadmin_tui.fake.__main__ import _parser

    assert _parser().parse_args([]).last_used_every_request is False
    args = _parser().parse_args(["--scenario", "starter", "--last-used-every-request"])
    assert (args.scenario, args.last_used_every_request) == ("starter", True)
