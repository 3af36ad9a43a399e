"""A new key's token is gone from memory once its screen has closed: no object still holds it.

Searched like the other secret checks (`secret_fragments`): any 16-character piece of the token,
so a token cut into two drawn lines is found too. The list read after a create freezes what is
alive (`gc_tuning`), the token screen with it: frozen objects are searched as well.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

from lwadmin_tui.fake.org import FakeKey
from lwadmin_tui.ui.screens.token_screen import TokenScreen
from tests.app_driver import make_app, mark, row_ids, settle
from tests.conftest import World
from tests.test_app_roll import ordinary, wait_roll
from tests.test_app_roll_guards import wait_for
from tests.test_create_key import create_service_key

WINDOW = 16


def texts_in(obj: object, depth: int = 0) -> Iterator[str]:
    """The strings `obj` holds, also inside the tuples the collector does not track (a
    Segment of plain text is one)."""
    for ref in gc.get_referents(obj):
        if isinstance(ref, str):
            yield ref
        elif isinstance(ref, tuple) and not gc.is_tracked(ref) and depth < 4:
            yield from texts_in(ref, depth + 1)


def holders(secret: str, own: set[int]) -> list[object]:
    """Every object the collector sees that holds a piece of `secret` in a string; `own`:
    ids of strings that are the fake server's or this search's."""
    pieces = [secret[i : i + WINDOW] for i in range(len(secret) - WINDOW + 1)]
    blocks = [secret[i : i + 8] for i in range(0, len(secret) - 7, 8)]  # one in every piece
    own = own | {id(text) for text in (*pieces, *blocks)}
    found = []
    for obj in gc.get_objects():
        for text in texts_in(obj):
            if id(text) in own or len(text) < WINDOW or not any(b in text for b in blocks):
                continue
            if any(piece in text for piece in pieces):
                found.append(obj)
                break
    return found


def planted(key: FakeKey) -> tuple[str, set[int]]:
    """The token of the fake's `key`, as a copy of its own, and the ids of the strings that are
    not the app's: the copy and the fake's parts of it."""
    token = "_".join(("sk-lw-" + key.lookup_id, key.secret))
    return token, {id(token), id(key.lookup_id), id(key.secret)}


def left_after_close(token: str, own: set[int]) -> list[str]:
    """What still holds the token once its screen has closed: frozen garbage is never collected,
    so it is searched as it is, unfrozen but not collected."""
    gc.collect()
    gc.unfreeze()
    try:
        return [type(obj).__qualname__ for obj in holders(token, own)]
    finally:
        gc.collect()


async def test_the_token_is_gone_from_memory_once_its_screen_closes(admin_world: World) -> None:
    fake = admin_world.fake
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = set(fake.org.keys)
        await create_service_key(pilot, admin_world, "forgotten")
        assert isinstance(app.screen, TokenScreen)
        await settle(pilot)  # drawn, and the list read again (and frozen) behind it
        (made,) = set(fake.org.keys) - before
        token, own = planted(fake.key(made))
        gc.unfreeze()  # to search the frozen objects too; frozen again after, and more of them
        try:
            assert holders(token, own), "the search does not find the token on screen"
        finally:
            gc.freeze()
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, TokenScreen)
        left = left_after_close(token, own)
    assert not left, left


async def test_a_rolled_keys_token_is_gone_once_its_screen_closes(admin_world: World) -> None:
    fake = admin_world.fake
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = set(fake.org.keys)
        await mark(pilot, ordinary(admin_world, row_ids(pilot), 1))
        await pilot.press("R")
        await settle(pilot)
        await pilot.press("s", "o", "y")  # to this screen; the old key revoked once seen
        await wait_for(pilot, lambda: isinstance(app.screen, TokenScreen))
        (made,) = set(fake.org.keys) - before
        token, own = planted(fake.key(made))
        await pilot.press("enter")
        await wait_roll(pilot)
        left = left_after_close(token, own)
    assert not left, left
