"""Property-based hostile-input sweep: any name or description, no crash, no escape byte out.

hypothesis feeds arbitrary unicode mixed with markup, ANSI/OSC sequences, C1 controls and bidi
overrides through `safe_text`, the table's cells, the audit log and the real keys table; the
text that would reach the terminal never holds a control character.
"""

from __future__ import annotations

import asyncio
import json
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console
from textual.app import App, ComposeResult

from lwadmin_tui.api.models import ApiKeyInfo
from lwadmin_tui.audit.log import AuditLog, BatchAudit
from lwadmin_tui.keys.display import key_name
from lwadmin_tui.keys.state import KeysState
from lwadmin_tui.outcomes import OutcomeKind, RevokeOutcome
from lwadmin_tui.text import safe_text
from lwadmin_tui.ui.widgets.keys_table import KeysTable, result_cell
from lwadmin_tui.ui.widgets.literal import literal

NOW = datetime(2026, 8, 22, 12, 0, tzinfo=UTC)
HOSTILE_PIECES = [
    "\x1b]0;pwned\x07",
    "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\",
    "\x1b[2J\x1b[31m",
    "\x9b31m",
    "\x90qdcs\x9c",
    "[/oops]",
    "[@click=app.quit]x[/]",
    "[bold red]",
    "\u202e\u2066\u200f",
    "\u200b\ufeff",
    "\r\n\t\x00\x7f",
]
hostile_text = st.lists(
    st.one_of(st.text(max_size=40), st.sampled_from(HOSTILE_PIECES)), max_size=8
).map("".join)


def is_control(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn") or char in "\u2028\u2029"


def assert_inert(text: str) -> None:
    bad = [hex(ord(c)) for c in text if is_control(c)]
    assert not bad, f"control characters survive: {bad[:5]}"


@given(hostile_text, st.integers(min_value=1, max_value=200))
@settings(database=None)
def test_safe_text_leaves_no_control_character(raw: str, limit: int) -> None:
    shown = safe_text(raw, limit)
    assert len(shown) <= limit
    assert_inert(shown)


@given(hostile_text)
@settings(database=None)
def test_a_rendered_cell_sends_no_escape_of_its_own(raw: str) -> None:
    """Printed with styles off, a cell is only its characters: no ESC, no C1, no markup."""
    console = Console(width=300, color_system=None, force_terminal=True, legacy_windows=False)
    for cell in (
        literal(raw),
        result_cell(RevokeOutcome("k", OutcomeKind.FORBIDDEN, 403, message=raw)),
    ):
        with console.capture() as capture:
            console.print(cell, end="")
        printed = capture.get()
        assert "\x1b" not in printed and "\x9b" not in printed
        assert_inert(printed)


@given(hostile_text)
@settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60, database=None
)
def test_the_audit_log_keeps_names_inert(tmp_path: Path, raw: str) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    log.write_many([BatchAudit(log, "h").intent_record("k", raw, 1)])
    line = (tmp_path / "audit.jsonl").read_text().splitlines()[-1]
    assert line.isascii()
    assert_inert(json.loads(line)["key_name"])


class TableApp(App[None]):
    def __init__(self, keys: list[ApiKeyInfo]) -> None:
        super().__init__()
        self.keys = keys

    def compose(self) -> ComposeResult:
        yield KeysTable(id="keys")

    def on_mount(self) -> None:
        state = KeysState()
        state.load(self.keys)
        state.results = {
            k.id: RevokeOutcome(k.id, OutcomeKind.FORBIDDEN, 403, message=k.name) for k in self.keys
        }
        self.query_one(KeysTable).show(self.keys, state, NOW)


def table_text(keys: list[ApiKeyInfo]) -> list[str]:
    async def run() -> list[str]:
        app = TableApp(keys)
        async with app.run_test(size=(160, 20)) as pilot:
            await pilot.pause()
            table = app.query_one(KeysTable)
            return [
                "".join(segment.text for segment in table.render_line(y))
                for y in range(table.size.height)
            ]

    return asyncio.run(run())


@pytest.mark.pilot
@given(
    st.lists(st.tuples(hostile_text, st.one_of(st.none(), hostile_text)), min_size=1, max_size=6)
)
@settings(max_examples=15, deadline=None, database=None)
def test_the_keys_table_draws_any_name_as_text(names: list[tuple[str, str | None]]) -> None:
    keys = [
        ApiKeyInfo(id=f"key{i}", name=name, description=description, created_at=NOW)
        for i, (name, description) in enumerate(names)
    ]
    lines = table_text(keys)
    for line in lines:
        assert_inert(line)
    screen = "\n".join(lines)
    for key in keys:
        assert key_name(key, 12)[:4].strip() in screen  # the name is there, as text
