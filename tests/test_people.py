"""Owner names: the client's member routes and `PeopleDirectory`, against the fake over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta

import pytest

from lwadmin_tui.api.auth import ApiKey
from lwadmin_tui.api.client import MEMBER_PAGE_LIMIT
from lwadmin_tui.api.errors import ApiError, Forbidden, InvalidTeamId, LangWatchError, PlanRequired
from lwadmin_tui.api.models import Member
from lwadmin_tui.api.people import ENTERPRISE_ONLY, PeopleDirectory, Person, short_user_id
from lwadmin_tui.api.scopes import ScopeDirectory
from lwadmin_tui.fake import FakeBinding, FakeKey, FakeUser
from lwadmin_tui.fake.scenarios import starter_scenario
from lwadmin_tui.text import safe_text
from tests.conftest import FIXED_NOW, World, serve

MEMBERS = "/api/organization/members"


@pytest.fixture
def starter_world() -> Iterator[World]:
    yield from serve(starter_scenario(FIXED_NOW))


def requests_to(world: World, prefix: str) -> int:
    return sum(1 for r in world.server.wire_requests if r.path.startswith(prefix))


def named(world: World) -> dict[str, str | None]:
    """User id -> name, as the fake holds them."""
    return {u.id: u.name for u in world.fake.org.users.values()}


def user_id(world: World, name: str) -> str:
    return next(u.id for u in world.fake.org.users.values() if u.name == name)


async def load_people(world: World, api_key: ApiKey | None = None) -> PeopleDirectory:
    """What the app does: scope names first, then the people, given the teams it read."""
    async with world.client(api_key) as client:
        scopes = await ScopeDirectory().load(client)
        return await PeopleDirectory().load(client, scopes.team_ids)


def add_service_key(world: World, key_id: str, binding: FakeBinding) -> ApiKey:
    credential = world.fake.key(world.scenario.credential_key_id)
    key = FakeKey(
        id=key_id,
        name=key_id,
        organization_id=credential.organization_id,
        lookup_id="L" * 16,
        secret="S" * 48,
        created_at=FIXED_NOW - timedelta(days=1),
        bindings=[binding],
    )
    world.fake.org.add_key(key)
    return ApiKey(key.token)


def without_team_view(world: World) -> ApiKey:
    """A service key with organization:view and :manage but not team:view."""
    grants = frozenset({"organization:view", "organization:manage"})
    org_id = world.fake.org.id
    return add_service_key(
        world, "custom_no_teams", FakeBinding("b_c", "CUSTOM", "ORGANIZATION", org_id, grants)
    )


# ---- the client's routes -----------------------------------------------------------------------


async def test_the_organization_members_include_deactivated_people(admin_world: World) -> None:
    async with admin_world.client() as client:
        members = await client.list_organization_members()
    assert {m.user_id: m.name for m in members} == named(admin_world)
    jonas = next(m for m in members if m.name == "Jonas Berg")
    assert jonas.disabled and jonas.email == "jonas.berg@acme-robotics.example"
    assert jonas.role == "MEMBER"
    assert requests_to(admin_world, MEMBERS) == 1


async def test_the_organization_members_are_read_page_by_page(admin_world: World) -> None:
    for i in range(450):
        admin_world.fake.org.add_user(FakeUser(f"user_bulk{i:04d}", f"Bulk {i}", email=None))
    async with admin_world.client() as client:
        members = await client.list_organization_members()
    assert len(members) == 456 == len({m.user_id for m in members})
    assert next(m for m in members if m.user_id == "user_bulk0449").email is None
    assert requests_to(admin_world, MEMBERS) == 3  # 200 + 200 + 56
    assert MEMBER_PAGE_LIMIT == 200


async def test_team_members_with_their_team_roles(admin_world: World) -> None:
    team = next(t for t in admin_world.fake.org.teams if t.slug == "research")
    async with admin_world.client() as client:
        members = await client.list_team_members(team.id)
    assert {(m.name, m.role) for m in members} == {
        ("Priya Raman", "ADMIN"),
        ("Maya Chen", "VIEWER"),
    }
    assert all(isinstance(m, Member) and m.email for m in members)


async def test_an_unknown_team_is_not_found(admin_world: World) -> None:
    async with admin_world.client() as client:
        with pytest.raises(ApiError) as caught:
            await client.list_team_members("team_nope")
    assert (caught.value.status, caught.value.code) == (404, "team_not_found")


@pytest.mark.parametrize(
    "team_id",
    ["", "..", "../api-keys", "team/../../x", "a/b", "a%2Fb", "t?x=1", "t#x", "tëam", "x" * 65,
     "team\n", "team id"],
)  # fmt: skip
async def test_a_team_id_of_other_characters_is_never_sent(
    admin_world: World, team_id: str
) -> None:
    async with admin_world.client() as client:
        with pytest.raises(InvalidTeamId) as caught:
            await client.list_team_members(team_id)
    assert isinstance(caught.value, LangWatchError)
    assert caught.value.message == "not a LangWatch team id: never sent"
    assert admin_world.server.wire_requests == []


async def test_off_enterprise_the_organization_members_are_402(starter_world: World) -> None:
    async with starter_world.client() as client:
        with pytest.raises(PlanRequired) as caught:
            await client.list_organization_members()
    error = caught.value
    assert isinstance(error, ApiError) and error.status == 402
    assert error.code == "enterprise_plan_required" and error.enterprise
    assert error.message == "This feature requires an Enterprise plan"


# ---- PeopleDirectory ---------------------------------------------------------------------------


async def test_on_enterprise_every_owner_is_named_from_the_organization(admin_world: World) -> None:
    people = await load_people(admin_world)
    assert people.loaded and people.notes == []
    assert {uid: p.name for uid, p in people.people.items()} == named(admin_world)
    jonas = user_id(admin_world, "Jonas Berg")  # deactivated: still named
    assert people.people[jonas] == Person(jonas, "Jonas Berg", "jonas.berg@acme-robotics.example")
    assert people.name_of(jonas) == "Jonas Berg"
    assert people.name_of("user_nobody") is None
    assert requests_to(admin_world, "/api/teams/") == 0  # the teams were not needed


async def test_off_enterprise_owners_are_named_from_teams(starter_world: World) -> None:
    people = await load_people(starter_world)
    assert people.loaded and people.notes == [ENTERPRISE_ONLY]
    assert "Enterprise plan" in people.notes[0]
    tomasz = user_id(starter_world, "Tomasz Nowak")  # in no team
    assert set(people.people) == set(named(starter_world)) - {tomasz}
    assert people.name_of(tomasz) is None
    assert people.name_of(user_id(starter_world, "Jonas Berg")) == "Jonas Berg"
    assert requests_to(starter_world, MEMBERS) == 1
    assert requests_to(starter_world, "/api/teams/") == len(starter_world.fake.org.teams)


async def test_a_second_load_reads_nothing(starter_world: World) -> None:
    people = await load_people(starter_world)
    before = len(starter_world.server.wire_requests)
    async with starter_world.client() as client:
        assert await people.load(client, ["team_other"]) is people
    assert len(starter_world.server.wire_requests) == before


async def test_without_team_view_the_notes_say_why_and_nothing_raises(
    starter_world: World,
) -> None:
    people = await load_people(starter_world, without_team_view(starter_world))
    assert people.loaded and people.people == {}
    assert people.notes == [ENTERPRISE_ONLY, "owner names unavailable (no team could be read)"]
    team_ids = [t.id for t in starter_world.fake.org.teams]
    async with starter_world.client(without_team_view(starter_world)) as client:
        given = await PeopleDirectory().load(client, team_ids)
    assert given.people == {}
    assert given.notes == [
        ENTERPRISE_ONLY,
        "owner names unavailable (403 Insufficient permissions. Required: team:view)",
    ]


async def test_without_organization_view_the_teams_still_name_owners(admin_world: World) -> None:
    grants = frozenset({"team:view"})
    org_id = admin_world.fake.org.id
    key = add_service_key(
        admin_world, "custom_teams", FakeBinding("b_t", "CUSTOM", "ORGANIZATION", org_id, grants)
    )
    people = await load_people(admin_world, key)
    assert people.notes == [
        "the organization's member list is unavailable (403 Insufficient permissions. "
        "Required: organization:view); owner names come from team members only"
    ]
    assert set(people.people) == set(named(admin_world))  # everyone is in a team here


async def test_one_teams_failure_is_one_note(starter_world: World) -> None:
    team_ids = [t.id for t in starter_world.fake.org.teams]
    async with starter_world.client() as client:
        people = await PeopleDirectory().load(client, [*team_ids, "team_gone", "../etc"])
    assert people.notes == [
        ENTERPRISE_ONLY,
        "members of team team_gone unavailable (404 Team not found: team_gone)",
        "members of team ../etc unavailable (not a LangWatch team id: never sent)",
    ]
    assert len(people.people) == len(named(starter_world)) - 1


async def test_hostile_names_and_emails_come_through_as_data(admin_world: World) -> None:
    hostile = {
        "Maya Chen": ("[bold]x[/bold]", "[@click=app.quit]@evil.example"),
        "Luis Ortega": ("\x1b]0;owned\x07Luis\x1b[2J", "luis\u202e@example"),
        "Priya Raman": (None, "priya@acme-robotics.example"),
        "Amara Okafor": ("", None),
    }
    ids = {}
    for user in admin_world.fake.org.users.values():
        if user.name in hostile:
            ids[user.name] = user.id
            user.name, user.email = hostile[user.name]
    people = await load_people(admin_world)
    for name, (shown, email) in hostile.items():
        person = people.people[ids[name]]
        assert (person.name, person.email) == (shown, email)
    luis = people.name_of(ids["Luis Ortega"])
    assert luis == "\x1b]0;owned\x07Luis\x1b[2J"  # kept as given...
    assert "\x1b" not in safe_text(luis) and "Luis" in safe_text(luis)  # ...shown inert
    assert people.name_of(ids["Priya Raman"]) == "priya@acme-robotics.example"  # no name
    assert people.name_of(ids["Amara Okafor"]) is None  # neither


async def test_team_members_are_read_at_most_four_at_a_time() -> None:
    class Slow:
        def __init__(self) -> None:
            self.running = self.most = 0

        async def list_organization_members(self) -> tuple[Member, ...]:
            raise Forbidden(403, "no")

        async def list_team_members(self, team_id: str) -> tuple[Member, ...]:
            self.running += 1
            self.most = max(self.most, self.running)
            await asyncio.sleep(0.01)
            self.running -= 1
            if team_id == "t3":
                raise Forbidden(403, "not this one")
            return (Member(f"user_{team_id}", team_id, None, "MEMBER"),)

    client = Slow()
    people = await PeopleDirectory().load(client, [f"t{i}" for i in range(12)])  # type: ignore[arg-type]
    assert client.most == 4
    assert len(people.people) == 11
    assert people.notes[-1] == "members of team t3 unavailable (403 not this one)"


@pytest.mark.parametrize(
    ("user_id", "shown"),
    [
        ("user_Ab3dEfGhIjKlMnOp", "user_Ab3dE…"),
        ("user_Ab3dE", "user_Ab3dE"),
        ("u1", "u1"),
        ("\x1b[31mred\x1b[0m", "␛[31mred␛[…"),
        ("[bold]x[/bold]", "[bold]x[/b…"),
        ("a\u202eb", "a\ufffdb"),
        ("", ""),
    ],
)
def test_short_user_id_is_short_and_safe(user_id: str, shown: str) -> None:
    assert short_user_id(user_id) == shown


async def test_one_malformed_member_leaves_the_others_named(admin_world: World) -> None:
    """A name of the wrong type used to fail the whole list: every owner became an id."""
    maya = next(u for u in admin_world.fake.org.users.values() if u.name == "Maya Chen")
    maya.name = 123  # type: ignore[assignment]  # a server bug, or a hostile one
    people = await load_people(admin_world)
    assert maya.id not in people.people
    named = {p.name for p in people.people.values()}
    assert {"Luis Ortega", "Priya Raman", "Amara Okafor"} <= named
    assert not people.notes
