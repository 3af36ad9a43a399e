"""Keep the garbage collector off the loaded key list while a batch runs.

At 10,000+ keys the parsed list is hundreds of thousands of long-lived objects; every gen-2
collection walks all of them, and one landing inside a repaint was the UI's longest stall
during a batch (issue 6). `gc.freeze()` after loading moves them to the permanent generation,
which collections skip; `gc.unfreeze()` before a reload lets the old list be collected again.
`benchmarks/` measures both ways (`--no-gc-freeze`).
"""

from __future__ import annotations

import gc

FREEZE = True


def list_replaced() -> None:
    """Before a new list replaces the old one: the old one may become garbage."""
    if FREEZE:
        gc.unfreeze()


def list_loaded() -> None:
    """After the list is loaded and shown: collections stop walking it."""
    if FREEZE:
        gc.freeze()
