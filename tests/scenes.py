"""Fixed scenes of the app, shared by the snapshot tests and `screenshots/make_screenshots.py`.

Same data, same clock, same theme, no cursor blink and a fixed host name, so a picture only
changes when what the admin sees changes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from textual.pilot import Pilot

from lwadmin_tui.api.auth import ApiKey
from lwadmin_tui.fake import SCENARIOS, Scenario
from lwadmin_tui.fake.in_process import InProcessTransport
from lwadmin_tui.ui.app import LwAdminApp
from lwadmin_tui.ui.session import Session
from tests.app_driver import move_cursor_to, settle
from tests.conftest import FIXED_NOW

PICTURE_ENDPOINT = "https://langwatch.acme.example"

Steps = Callable[[Pilot[Any], Scenario], Awaitable[None]]


def key_id(scenario: Scenario, name: str) -> str:
    return next(k.id for k in scenario.app.org.keys.values() if k.name == name)


async def mark(pilot: Pilot[Any], scenario: Scenario, *names: str) -> None:
    app: LwAdminApp = pilot.app  # type: ignore[assignment]
    screen = app.keys_screen
    assert screen is not None
    for name in names:
        move_cursor_to(screen.table, key_id(scenario, name))
        await pilot.press("space")


async def loaded(pilot: Pilot[Any], scenario: Scenario) -> None:
    await settle(pilot)


async def owners_read(pilot: Pilot[Any], scenario: Scenario) -> None:
    """Every key's owner and type, read with `o`."""
    await settle(pilot)
    await pilot.press("o", "y")
    await settle(pilot)


async def offboarding(pilot: Pilot[Any], scenario: Scenario) -> None:
    """One person's keys, whatever their names, all marked: `O` on one of them, enter, `a`."""
    await owners_read(pilot, scenario)
    app: LwAdminApp = pilot.app  # type: ignore[assignment]
    screen = app.keys_screen
    assert screen is not None
    move_cursor_to(screen.table, key_id(scenario, "luis dev"))
    await pilot.press("O", "enter", "a")
    await settle(pilot)


async def marked_and_filtered(pilot: Pilot[Any], scenario: Scenario) -> None:
    await settle(pilot)
    await mark(pilot, scenario, "luis temp", "luis jupyter", "luis dev", "old jenkins")
    await pilot.press("slash", *"luis", "enter")


async def confirm_dialog(pilot: Pilot[Any], scenario: Scenario) -> None:
    await marked_and_filtered(pilot, scenario)
    await pilot.press("d")


async def confirm_typed_count(pilot: Pilot[Any], scenario: Scenario) -> None:
    await settle(pilot)
    await pilot.press("slash", *"jonas", "enter", "a", "slash", "escape")
    await mark(pilot, scenario, *("luis temp", "luis jupyter", "luis dev", "old jenkins"))
    await mark(pilot, scenario, "tomasz scripts", "tomasz export")
    await pilot.press("d", "y")


async def mixed_results(pilot: Pilot[Any], scenario: Scenario) -> None:
    await settle(pilot)
    vanished = key_id(scenario, "luis dev")
    await mark(pilot, scenario, "luis temp", "luis jupyter", "luis dev", "fleet replay tool")
    await mark(pilot, scenario, "deploy-bot (prod)", "jonas perception dev", "old jenkins")
    del scenario.app.org.keys[vanished]  # deleted on the server after the list: 404
    await pilot.press("d", "y")
    await settle(pilot)
    await sorted_by_result(pilot)


async def sorted_by_result(pilot: Pilot[Any]) -> None:
    """The keys with a result first, so the picture shows the rows its counts speak of."""
    app: LwAdminApp = pilot.app  # type: ignore[assignment]
    screen = app.keys_screen
    assert screen is not None
    screen.action_sort_by("result", descending=True)
    screen.table.move_cursor(row=0)
    await pilot.pause()


async def manager_results(pilot: Pilot[Any], scenario: Scenario) -> None:
    await settle(pilot)
    await mark(pilot, scenario, "dana notebook", "dana old script", "github-actions ci")
    await mark(pilot, scenario, "grafana exporter")
    await pilot.press("d", "y")
    await settle(pilot)
    await sorted_by_result(pilot)


async def manager_result_details(pilot: Pilot[Any], scenario: Scenario) -> None:
    """The 403's whole answer: the row has room for its start only."""
    await manager_results(pilot, scenario)
    app: LwAdminApp = pilot.app  # type: ignore[assignment]
    screen = app.keys_screen
    assert screen is not None
    move_cursor_to(screen.table, key_id(scenario, "github-actions ci"))
    await pilot.press("enter")
    await settle(pilot)


async def help_screen(pilot: Pilot[Any], scenario: Scenario) -> None:
    await settle(pilot)
    await pilot.press("question_mark")


async def stale_filtered(pilot: Pilot[Any], scenario: Scenario) -> None:
    """Personal keys unused for 90 days, sorted by last use (service keys spared by the type
    filter, not by reading names): two marked, and one the filter hides."""
    await owners_read(pilot, scenario)
    await mark(pilot, scenario, "maya test key")
    await pilot.press("f", "9", "0", "enter", "p", "s", "s", "s")
    await mark(pilot, scenario, "priya colab", "copilot load test")


async def quick_filter_form(pilot: Pilot[Any], scenario: Scenario) -> None:
    await settle(pilot)
    await pilot.press("e", "f", "9", "0")


async def key_details(pilot: Pilot[Any], scenario: Scenario) -> None:
    """A service key with two project bindings, its server detail fetched on request."""
    await settle(pilot)
    app: LwAdminApp = pilot.app  # type: ignore[assignment]
    screen = app.keys_screen
    assert screen is not None
    move_cursor_to(screen.table, key_id(scenario, "github-actions ci"))
    await pilot.press("enter", "g")
    await settle(pilot)


async def roll_dialog(pilot: Pilot[Any], scenario: Scenario) -> None:
    """After an incident: three keys marked, `R`."""
    await owners_read(pilot, scenario)
    await mark(pilot, scenario, "grafana exporter", "github-actions ci", "maya laptop")
    await pilot.press("R")
    await settle(pilot)


async def cutover(pilot: Pilot[Any], scenario: Scenario) -> None:
    """The three rolled, the new keys in use, one old key still busy: `C`."""
    await roll_dialog(pilot, scenario)
    await pilot.press("y")
    await settle(pilot)
    await settle(pilot)
    org = scenario.app.org
    for name in ("grafana exporter", "github-actions ci", "maya laptop"):
        _old, new = sorted(
            (k for k in org.keys.values() if k.name == name), key=lambda k: k.created_at
        )
        new.last_used_at = FIXED_NOW
    await pilot.press("r")
    await settle(pilot)
    await pilot.press("C")
    await settle(pilot)


async def create_form(pilot: Pilot[Any], scenario: Scenario) -> None:
    """`c`, a name typed."""
    await owners_read(pilot, scenario)
    await pilot.press("c")
    await settle(pilot)
    await pilot.press(*"grafana exporter (prod)")


@dataclass(frozen=True)
class Scene:
    name: str
    scenario: str
    steps: Steps
    caption: str


SCENES = {
    scene.name: scene
    for scene in (
        Scene("list", "admin", owners_read, "The keys an admin service key sees, owners read"),
        Scene("unread", "admin", loaded, "At start: owners not read yet"),
        Scene("offboarding", "admin", offboarding, "Offboarding: one person's keys, all marked"),
        Scene("marks", "admin", marked_and_filtered, "Marks survive the filter"),
        Scene("confirm", "admin", confirm_dialog, "Confirmation lists every marked key"),
        Scene("confirm-typed", "admin", confirm_typed_count, "10 or more keys: type the count"),
        Scene("results", "admin", mixed_results, "Each key's result in its row"),
        Scene("manager-403", "manager", manager_results, "403 for keys a manager may not touch"),
        Scene(
            "result-details", "manager", manager_result_details, "A 403's whole answer, in details"
        ),
        Scene("help", "admin", help_screen, "Help, generated from the bindings"),
        Scene(
            "filters", "admin", stale_filtered, "Stale personal keys: unused for 90 days, by use"
        ),
        Scene("quick-filters", "admin", quick_filter_form, "Quick filters combine"),
        Scene("details", "admin", key_details, "Details: scopes by name, server detail on request"),
        Scene("roll", "admin", roll_dialog, "Rolling keys: what each new key keeps, three choices"),
        Scene("cutover", "admin", cutover, "Cutover: rolled pairs, each key's last use"),
        Scene("create", "admin", create_form, "A new key: its token is shown once"),
    )
}


def scene_app(scene: Scene) -> tuple[LwAdminApp, Callable[[Pilot[Any]], Awaitable[None]]]:
    """A fresh app on a fresh fake organization, and the steps that bring it to the scene."""
    scenario = SCENARIOS[scene.scenario](FIXED_NOW)
    app = LwAdminApp(
        Session(
            PICTURE_ENDPOINT,
            ApiKey(scenario.token),
            transport=InProcessTransport(scenario.app),
            owner_cache=False,  # a picture never depends on what an earlier run read
        ),
        clock=lambda: FIXED_NOW,
        confirm_guard_seconds=0.0,
        cursor_blink=False,
    )

    async def run_before(pilot: Pilot[Any]) -> None:
        await scene.steps(pilot, scenario)

    return app, run_before
