"""SVG snapshots of the main states at 80x24 and 120x40 (plain sync tests, as the plugin needs).

Regenerate after a deliberate change with `pytest tests/test_snapshots.py --snapshot-update`
and look at every changed picture before committing it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.scenes import SCENES, scene_app

pytestmark = pytest.mark.snapshot

SIZES = [(80, 24), (120, 40)]
MAIN = ["list", "marks", "confirm", "results"]
MORE = ["confirm-typed", "manager-403", "result-details", "help"]
FINDING = ["filters", "quick-filters", "details", "offboarding", "unread"]
STORED = Path(__file__).parent / "__snapshots__" / "test_snapshots"


def size_id(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


@pytest.mark.parametrize("size", SIZES, ids=size_id)
@pytest.mark.parametrize("name", MAIN)
def test_main_states(snap_compare: Any, name: str, size: tuple[int, int]) -> None:
    app, run_before = scene_app(SCENES[name])
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("name", MORE)
def test_more_states(snap_compare: Any, name: str) -> None:
    app, run_before = scene_app(SCENES[name])
    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=size_id)
@pytest.mark.parametrize("name", FINDING)
def test_finding_states(snap_compare: Any, name: str, size: tuple[int, int]) -> None:
    app, run_before = scene_app(SCENES[name])
    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_help_at_80x24(snap_compare: Any) -> None:
    app, run_before = scene_app(SCENES["help"])
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_every_stored_picture_has_its_test() -> None:
    """Syrupy fails a run that leaves a stored picture unused, except under pytest-xdist."""
    tests = (
        {f"test_main_states[{name}-{size_id(size)}]" for name in MAIN for size in SIZES}
        | {f"test_more_states[{name}]" for name in MORE}
        | {f"test_finding_states[{name}-{size_id(size)}]" for name in FINDING for size in SIZES}
        | {"test_help_at_80x24"}
    )
    unused = [picture.stem for picture in sorted(STORED.glob("*.svg")) if picture.stem not in tests]
    assert unused == []
