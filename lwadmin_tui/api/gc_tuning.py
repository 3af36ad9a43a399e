"""Keep the garbage collector off the key list: while it is built, and once it is loaded.

Loading 10,000 keys creates hundreds of thousands of objects, and each burst of allocations starts
a collection that walks all of them: with the collector running, `json.loads` and building the rows
in Python took 2-3 times longer (100,000 keys: 1.7 s instead of 0.56 s). msgspec now decodes the
rows as untracked structs, and the pause no longer changes its time (about 0.1 s either way at
100,000 keys), but building the table's rows still allocates, so the collector is paused while a
list is parsed and shown (`paused`). Afterwards `gc.freeze()` moves the list to the permanent
generation, which collections skip; one gen-2 collection landing inside a repaint was the UI's
longest stall during a batch. The keys hold no reference cycles, so an old list is still freed by
reference counting when a reload replaces it; the cyclic garbage other code left while the
collector was paused is frozen too (about 1,000 objects a load at 10,000 keys), so a reload first
unfreezes and collects once (`reloading`: ~30 ms at 10,000 keys).
`benchmarks/` measures both ways (`--no-gc-freeze`).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

FREEZE = True


@contextmanager
def paused() -> Iterator[None]:
    """No collection inside the block; what it built is frozen after it (if `FREEZE`)."""
    if not FREEZE or not gc.isenabled():  # off, or already paused by an enclosing block
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def reloading() -> None:
    """Before a reload: collect what earlier loads froze and has become garbage since."""
    if FREEZE:
        gc.unfreeze()
        gc.collect()


def collect_now() -> None:
    """Collect the garbage now, frozen garbage too, and freeze the rest again: a closed screen
    that showed a secret, frozen with the list read behind it, must not keep its drawing of the
    secret (reference cycles in what Textual drew) until the next reload."""
    if FREEZE:
        gc.unfreeze()
    gc.collect()
    if FREEZE:
        gc.freeze()
