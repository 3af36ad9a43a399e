"""Two people of one name are told apart in N's owner list."""

from __future__ import annotations

import dataclasses

from textual.widgets import Select

from tests.app_driver import make_app, settle
from tests.conftest import World


async def test_two_people_of_one_name_can_be_told_apart(admin_world: World) -> None:
    org = admin_world.fake.org
    (a, ua), (b, ub) = list(org.users.items())[:2]
    org.users[a] = dataclasses.replace(ua, name="Alex Kim")
    org.users[b] = dataclasses.replace(ub, name="Alex Kim")
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        labels = [str(p) for p, _ in app.screen.query_one("#owner", Select)._options]
    alexes = [label for label in labels if "Alex Kim" in label]
    assert len(alexes) == 2 and alexes[0] != alexes[1], labels
