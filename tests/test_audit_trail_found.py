"""The audit trail can be found from the app: the help and the batches view name its files, and
the demo says that its own are temporary."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from textual.screen import Screen
from textual.widgets import Static

from lwadmin_tui.ui.screens.batches import BatchesScreen
from lwadmin_tui.ui.screens.help import HelpScreen
from tests.app_driver import make_app, message_line, revoke, row_ids, settle
from tests.bulk_checks import ordinary_ids
from tests.conftest import World

pytestmark = pytest.mark.pilot


def shown_text(screen: Screen[object]) -> str:
    """Every Static's text, tables included, as a wide terminal would print it."""
    console = Console(width=300, record=True, file=io.StringIO())
    for static in screen.query(Static):
        console.print(static.content)
    return console.export_text()


async def test_the_help_names_the_audit_log_and_the_exports(
    admin_world: World, isolated_state: Path
) -> None:
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = shown_text(app.screen)
        assert str(isolated_state / "lwadmin-tui" / "audit.jsonl") in text
        assert str(isolated_state / "lwadmin-tui" / "exports") in text
        assert "temporary" not in text


async def test_the_demo_says_its_files_are_temporary(admin_world: World) -> None:
    app = make_app(admin_world, temporary_files=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "deleted when the app quits" in message_line(pilot)
        await pilot.press("question_mark")
        assert "temporary folder, deleted when the app quits" in shown_text(app.screen)
        await pilot.press("escape")
        await revoke(pilot, ordinary_ids(admin_world, row_ids(pilot))[:1])
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, BatchesScreen)
        await pilot.press("e")
        assert "deleted when the app quits" in str(app.screen.query_one("#why").render())


async def test_no_batch_yet_says_where_the_log_is(admin_world: World, isolated_state: Path) -> None:
    async with make_app(admin_world).run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        said = message_line(pilot).replace("\n", "")
        assert "No batch has been recorded" in said
        assert "audit.jsonl" in said


def test_the_readme_shows_pictures_at_the_sizes_it_speaks_of() -> None:
    import re

    root = Path(__file__).parent.parent
    pictures = re.findall(r"\]\((screenshots/[^)]+\.svg)\)", (root / "README.md").read_text())
    assert pictures
    for picture in pictures:
        assert (root / picture).is_file(), picture
        assert picture.endswith(("-120x40.svg", "-80x24.svg")), picture
