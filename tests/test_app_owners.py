"""Owners in the app (Pilot, real HTTP): `o` asks and reads, the Owner and Type columns, the owner
picker and offboarding, what the filter line and the confirmation say while owners are unknown,
the owner cache across starts, a cancel, and the own-key guess on the newest server."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from lwadmin_tui.fake import admin_scenario
from lwadmin_tui.fake.org import FakeUser
from lwadmin_tui.fake.scenarios import starter_scenario
from lwadmin_tui.keys.owner_cache import load_owner_cache, owner_cache_path, save_owner_cache
from lwadmin_tui.keys.ownership import Ownership
from lwadmin_tui.ui.screens.confirm_revoke import ConfirmRevokeScreen
from lwadmin_tui.ui.screens.help import HelpScreen
from lwadmin_tui.ui.screens.owner_picker import OwnerPickerScreen
from lwadmin_tui.ui.screens.read_details_question import ReadDetailsQuestion
from tests.app_driver import (
    cell,
    filter_bar,
    keys_screen,
    make_app,
    message_line,
    move_to,
    row_ids,
    settle,
    status_line,
    wait_until,
)
from tests.conftest import FIXED_NOW, World, serve


def detail_reads(world: World) -> list[str]:
    return [
        r.path.rsplit("/", 1)[-1]
        for r in world.fake.requests
        if r.method == "GET" and r.path.startswith("/api/api-keys/")
    ]


def person(world: World, name: str) -> FakeUser:
    return next(u for u in world.fake.org.users.values() if u.name == name)


def listed_ids(world: World) -> list[str]:
    return [
        k.id
        for k in world.fake.org.keys.values()
        if k.revoked_at is None and not k.is_langy_session
    ]


async def read_all(pilot: Pilot[Any]) -> None:
    await pilot.press("o")
    assert isinstance(pilot.app.screen, ReadDetailsQuestion)
    await pilot.press("y")
    await settle(pilot)


async def test_o_asks_first_and_n_reads_nothing(admin_world: World) -> None:
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        question = app.screen
        assert isinstance(question, ReadDetailsQuestion)
        said = str(question.query_one("#read-question").render())
        assert "40 keys" in said and "audit log" in said
        await pilot.press("n")
        await settle(pilot)
        assert detail_reads(admin_world) == []
        assert "no detail was read" in message_line(pilot)


async def test_o_fills_owner_and_type_for_every_key(admin_world: World) -> None:
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert {cell(pilot, k, "owner") for k in row_ids(pilot)} == {"?"}
        await read_all(pilot)
        assert sorted(detail_reads(admin_world)) == sorted(keys_screen(pilot).state.keys)
        for key_id in row_ids(pilot):
            stored = admin_world.fake.key(key_id)
            owner = admin_world.fake.org.users.get(stored.owner_user_id or "")
            assert cell(pilot, key_id, "owner") == (owner.name if owner else "service")
            assert cell(pilot, key_id, "type") == ("service" if stored.is_service else "personal")
        assert "40 read" in message_line(pilot)
        # Everything is known now: o offers to read them again for their access, nothing less.
        await pilot.press("o")
        assert "again, to refresh" in str(app.screen.query_one("#read-question").render())


async def test_offboarding_marks_every_key_of_the_person_and_nothing_else(
    admin_world: World,
) -> None:
    luis = person(admin_world, "Luis Ortega")
    his = {k.id for k in admin_world.fake.org.keys.values() if k.owner_user_id == luis.id}
    his -= admin_world.fake.revoked_ids()
    app = make_app(admin_world)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await read_all(pilot)
        first = next(k for k in row_ids(pilot) if k in his)
        await move_to(pilot, first)
        await pilot.press("O")
        picker = app.screen
        assert isinstance(picker, OwnerPickerScreen)
        labels = [c.label for c in picker.choices]
        assert labels == sorted(labels, key=str.casefold)  # by name, no unknown left
        await pilot.press("enter")  # the picker starts on the cursor's owner
        await settle(pilot)
        assert set(row_ids(pilot)) == his
        assert "owner Luis Ortega" in filter_bar(pilot)
        assert f"all {len(his)} of Luis Ortega's keys" in message_line(pilot)
        await pilot.press("a", "d")
        dialog = app.screen
        assert isinstance(dialog, ConfirmRevokeScreen)
        assert {k.id for k in dialog.keys} == his
        assert "Owners are known" not in str(dialog.query_one("#note").render())
        await pilot.press("y")
        await settle(pilot)
    deletes = {r.path.rsplit("/", 1)[-1] for r in admin_world.fake.requests if r.method == "DELETE"}
    assert deletes == his


@pytest.fixture
def partly_cached(admin_world: World) -> Iterator[tuple[World, set[str]]]:
    """The owner cache holds 10 of the 40 keys, as a start after an earlier session would."""
    known = listed_ids(admin_world)[:10]
    owners = {
        k: Ownership(
            "service" if (s := admin_world.fake.key(k)).is_service else "personal",
            s.owner_user_id,
            s.created_by_user_id,
            s.permission_mode,
            FIXED_NOW,
        )
        for k in known
    }
    host = admin_world.url.split("://", 1)[1]
    save_owner_cache(host, owners)
    yield admin_world, set(known)


async def test_a_start_shows_cached_owners_and_o_reads_only_the_rest(
    partly_cached: tuple[World, set[str]],
) -> None:
    world, known = partly_cached
    app = make_app(world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert detail_reads(world) == []
        assert {k for k in row_ids(pilot) if cell(pilot, k, "owner") != "?"} == known
        await pilot.press("O")
        await pilot.press("end", "enter")  # "unknown owner" is last
        await settle(pilot)
        assert "owners known for 10 of 40 — press o" in filter_bar(pilot)
        assert len(row_ids(pilot)) == 30
        await pilot.press("F", "p")  # personal keys only: some are unknown
        await settle(pilot)
        assert "owners known for 10 of 40" in filter_bar(pilot)
        await pilot.press("a", "d")
        dialog = pilot.app.screen
        assert isinstance(dialog, ConfirmRevokeScreen)
        assert "Owners are known for 10 of 40 keys: 30 listed keys have no known owner" in str(
            dialog.query_one("#note").render()
        )
        await pilot.press("escape")
        await pilot.press("o")
        assert "30 keys not yet known" in str(pilot.app.screen.query_one("#read-question").render())
        await pilot.press("y")
        await settle(pilot)
        listed = set(keys_screen(pilot).state.keys)
        assert set(detail_reads(world)) == listed - known
        assert "owners known" not in filter_bar(pilot)
    host = world.url.split("://", 1)[1]
    assert set(load_owner_cache(host).owners) == listed


async def test_with_the_cache_off_nothing_is_kept(admin_world: World) -> None:
    host = admin_world.url.split("://", 1)[1]
    app = make_app(admin_world, owner_cache=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await read_all(pilot)
    assert not owner_cache_path(host).exists()


async def test_a_corrupt_cache_is_said_in_one_sentence_and_ignored(admin_world: World) -> None:
    host = admin_world.url.split("://", 1)[1]
    path = owner_cache_path(host)
    path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
    path.write_bytes(b'{"version": 1, "host": ')
    path.chmod(0o600)
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await wait_until(pilot, lambda: "owner cache" in message_line(pilot))
        assert "ignored" in message_line(pilot)
        assert {cell(pilot, k, "owner") for k in row_ids(pilot)} == {"?"}
        await read_all(pilot)
        assert "40 read" in message_line(pilot)


async def test_x_cancels_the_reads_and_keeps_what_arrived(admin_world: World) -> None:
    gate = admin_world.server.faults.hold_reads_after(3)
    app = make_app(admin_world, concurrency=1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("o", "y")
        flow = keys_screen(pilot).owners
        await wait_until(pilot, lambda: flow.reads is not None and flow.reads.counts.done >= 3)
        assert "reading details" in status_line(pilot)
        await pilot.press("x")
        gate.set()  # x lets the read in flight finish
        await settle(pilot)
        said = message_line(pilot)
        assert said.startswith("Reading stopped"), said
        read = len(detail_reads(admin_world))
        assert read in (3, 4)
        known = [k for k in row_ids(pilot) if cell(pilot, k, "owner") != "?"]
        assert len(known) == read
        assert "reading details" not in status_line(pilot)


async def test_the_text_filter_finds_every_key_of_a_person_once_owners_are_read(
    admin_world: World,
) -> None:
    luis = person(admin_world, "Luis Ortega")
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("/", *"luis", "enter")
        await settle(pilot)
        by_name = set(row_ids(pilot))
        assert "owners known for 0 of 40 — press o" in filter_bar(pilot)
        await read_all(pilot)
        listed = keys_screen(pilot).state.keys
        his = {k for k in listed if admin_world.fake.key(k).owner_user_id == luis.id}
        assert by_name < his == set(row_ids(pilot))


@pytest.fixture
def newest_world() -> Iterator[World]:
    """The newest server (lastUsedAt at most once a minute) on a clock the test moves."""
    now = [FIXED_NOW]
    yield from serve(admin_scenario(FIXED_NOW, clock=lambda: now[0]))


async def test_w_watches_a_minute_on_the_newest_server_and_says_it_is_a_guess(
    newest_world: World,
) -> None:
    clock_cell = newest_world.fake.now

    def later(seconds: float) -> None:
        moment = clock_cell() + timedelta(seconds=seconds)
        newest_world.fake.now = lambda: moment

    app = make_app(newest_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        batches = keys_screen(pilot).batches
        waits: list[float] = []

        async def minute_passes(seconds: float) -> None:
            waits.append(seconds)
            later(seconds)
            await asyncio.sleep(0)

        batches.own_key_sleep = minute_passes
        await pilot.press("w")
        await settle(pilot)
        own = newest_world.scenario.credential_key_id
        assert waits and waits[0] > 60  # a moment would show nothing on this server
        assert batches.own_key_guess == own
        said = message_line(pilot)
        assert "probably" in said and "a guess" in said


async def test_w_after_o_narrows_to_the_service_keys_that_can_list_everyone(
    admin_world: World, tmp_path: Path
) -> None:
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await read_all(pilot)
        batches = keys_screen(pilot).batches
        batches.own_key_sleep = lambda seconds: asyncio.sleep(0)
        await pilot.press("w")
        await settle(pilot)
        # Three service keys hold an org-wide binding; on a fixed clock no last use moves.
        assert batches.own_key_guess is None
        assert "could not tell" in message_line(pilot)


@pytest.fixture
def starter_world() -> Iterator[World]:
    yield from serve(starter_scenario(FIXED_NOW))


async def test_without_enterprise_names_come_from_teams_and_the_rest_say_why(
    starter_world: World,
) -> None:
    tomasz = person(starter_world, "Tomasz Nowak")  # in no team on this plan
    app = make_app(starter_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await read_all(pilot)
        his = [k for k in row_ids(pilot) if starter_world.fake.key(k).owner_user_id == tomasz.id]
        assert his
        assert {cell(pilot, k, "owner") for k in his} == {tomasz.id[:10] + "…"}
        luis = person(starter_world, "Luis Ortega")
        assert any(cell(pilot, k, "owner") == "Luis Ortega" for k in row_ids(pilot))
        assert luis.id
        await move_to(pilot, his[0])
        await pilot.press("enter")
        await settle(pilot)
        details = " ".join(str(w.render()) for w in app.screen.query("Static"))
        assert tomasz.id in details and "(no name known)" in details
        assert "Enterprise plan" in details
        await pilot.press("escape", "question_mark")
        await settle(pilot)
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        assert any("Enterprise plan" in note for _, note in help_screen.owner_notes)


async def test_the_scope_column_names_the_project_or_team(admin_world: World) -> None:
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        names = {admin_world.fake.key(k).name: k for k in row_ids(pilot)}
        assert cell(pilot, names["label review"], "scope") == "VIEWER@vision-evals"
        assert cell(pilot, names["deploy-bot (prod)"], "scope") == "ADMIN@Platform"
        assert cell(pilot, names["maya laptop"], "scope") == "ADMIN@org"
        assert cell(pilot, names["security scan"], "scope") == "VIEWER@org +1"


async def test_a_key_gone_since_the_list_is_marked_gone_and_not_read_again(
    admin_world: World,
) -> None:
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        vanished = row_ids(pilot)[0]
        del admin_world.fake.org.keys[vanished]
        await read_all(pilot)
        assert cell(pilot, vanished, "status") == "gone"
        assert "1 gone" in message_line(pilot)
        await pilot.press("o")  # every other key is known: a refresh, without the gone one
        said = str(app.screen.query_one("#read-question").render())
        assert f"{len(row_ids(pilot)) - 1} keys again" in said


async def test_o_again_refreshes_an_access_changed_since_and_the_cache_keeps_it(
    admin_world: World,
) -> None:
    host = admin_world.url.split("://", 1)[1]
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await read_all(pilot)
        key_id = next(k for k in row_ids(pilot) if admin_world.fake.key(k).permission_mode == "all")
        assert load_owner_cache(host).owners[key_id].permission_mode == "all"
        admin_world.fake.key(key_id).permission_mode = "readonly"  # a PATCH by someone else
        await read_all(pilot)  # everything known: o reads every key again
        assert keys_screen(pilot).state.owners[key_id].access == "read-only"
    assert load_owner_cache(host).owners[key_id].permission_mode == "readonly"


async def test_d_while_the_reads_run_sends_nothing_and_says_why(admin_world: World) -> None:
    gate = admin_world.server.faults.hold_reads_after(1)
    app = make_app(admin_world, concurrency=1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("o", "y")
        flow = keys_screen(pilot).owners
        await wait_until(pilot, lambda: flow.reads is not None and flow.reads.counts.done >= 1)
        await pilot.press("space", "d")
        assert not isinstance(app.screen, ConfirmRevokeScreen)
        assert "x stops the reads, then d revokes" in message_line(pilot)
        await pilot.press("x")
        gate.set()
        await settle(pilot)
    assert not any(r.method == "DELETE" for r in admin_world.fake.requests)


async def partly_read(pilot: Pilot[Any], world: World, read: int) -> None:
    """`o`, then a cancel once `read` keys are known (the rest held at the server till then)."""
    gate = world.server.faults.hold_reads_after(read)
    await pilot.press("o", "y")
    flow = keys_screen(pilot).owners
    await wait_until(pilot, lambda: flow.reads is not None and flow.reads.counts.done >= read)
    await pilot.press("x")
    gate.set()
    await settle(pilot)
    world.server.faults.read_gate = None


async def test_an_owner_picked_while_owners_are_unknown_never_says_all(
    admin_world: World,
) -> None:
    app = make_app(admin_world, concurrency=1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await partly_read(pilot, admin_world, 8)
        state = keys_screen(pilot).state
        known = next(k for k, o in state.owners.items() if o.owner_id)
        await move_to(pilot, known)
        await pilot.press("O", "enter")
        await settle(pilot)
        said = message_line(pilot)
        assert "all" not in said.split(":")[0] and "known to be" in said, said
        assert "may be theirs too" in said
        # Marked under that filter, then the filter cleared: the confirmation still warns.
        await pilot.press("a", "F", "d")
        dialog = app.screen
        assert isinstance(dialog, ConfirmRevokeScreen)
        assert "Owners are known for" in str(dialog.query_one("#note").render())


async def test_o_on_a_service_key_highlights_no_one(admin_world: World) -> None:
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await read_all(pilot)
        await move_to(pilot, admin_world.scenario.credential_key_id)  # a service key
        await pilot.press("O")
        picker = app.screen
        assert isinstance(picker, OwnerPickerScreen)
        assert "service key: no one owns it" in picker.coverage
        await pilot.press("enter")  # nothing highlighted: nothing is picked
        await settle(pilot)
        assert app.screen is picker
        assert keys_screen(pilot).state.quick.owner is None


async def test_a_text_filter_says_when_some_owners_have_no_known_name(
    starter_world: World,
) -> None:
    app = make_app(starter_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await read_all(pilot)
        await pilot.press("/", *"tomasz", "enter")
        await settle(pilot)
        assert "1 owner without a known name" in filter_bar(pilot)


@pytest.fixture
def legacy_world() -> Iterator[World]:
    scenario = admin_scenario(FIXED_NOW)
    scenario.app.legacy = True  # before 3.13: no GET /api/api-keys/{id}
    yield from serve(scenario)


async def test_a_server_without_the_detail_route_is_named_as_such(legacy_world: World) -> None:
    app = make_app(legacy_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await read_all(pilot)
        said = message_line(pilot)
        assert said.startswith("Every read answered 404") and "before 3.13" in said, said
        await pilot.press("o")
        assert "No key left to read" in message_line(pilot)


async def test_w_again_while_watching_does_not_restart_the_minute(admin_world: World) -> None:
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        batches = keys_screen(pilot).batches
        release = asyncio.Event()

        async def held(seconds: float) -> None:
            await release.wait()

        batches.own_key_sleep = held
        await pilot.press("w")
        await pilot.pause()
        assert "watching whose last use moves" in status_line(pilot)
        await pilot.press("w")
        assert "Still watching" in message_line(pilot)
        release.set()
        await settle(pilot)
        assert "watching" not in status_line(pilot)
