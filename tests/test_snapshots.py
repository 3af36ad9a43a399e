"""SVG snapshots of the main states at 80x24 and 120x40 (plain sync tests, as the plugin needs).

Regenerate after a deliberate change with `pytest tests/test_snapshots.py --snapshot-update`
and look at every changed picture before committing it.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.scenes import SCENES, scene_app

pytestmark = pytest.mark.snapshot

SIZES = [(80, 24), (120, 40)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", ["list", "marks", "confirm", "results"])
def test_main_states(snap_compare: Any, name: str, size: tuple[int, int]) -> None:
    app, run_before = scene_app(SCENES[name])
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("name", ["confirm-typed", "manager-403", "help"])
def test_more_states(snap_compare: Any, name: str) -> None:
    app, run_before = scene_app(SCENES[name])
    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", ["filters", "quick-filters", "details"])
def test_finding_states(snap_compare: Any, name: str, size: tuple[int, int]) -> None:
    app, run_before = scene_app(SCENES[name])
    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_help_at_80x24(snap_compare: Any) -> None:
    app, run_before = scene_app(SCENES["help"])
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
