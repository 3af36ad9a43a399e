"""Mouse off by default, NO_COLOR, the ANSI theme, and theme names checked before start."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from textual.strip import Strip

from lwadmin_tui.cli import launch
from lwadmin_tui.cli import main as cli
from lwadmin_tui.cli.launch import check_keymap, check_theme
from lwadmin_tui.settings.config import ConfigError
from lwadmin_tui.ui.app import LwAdminApp
from tests.app_driver import make_app, settle, table
from tests.conftest import World
from tests.terminal import WAIT, Terminal

MOUSE_ON = "\x1b[?1000h"  # xterm: report button presses


@pytest.mark.e2e
@pytest.mark.parametrize(("args", "captured"), [([], False), (["--mouse"], True)])
def test_mouse_is_off_unless_asked(args: list[str], captured: bool) -> None:
    with Terminal(["--demo", *args]) as term:
        term.wait_for("visible to this credential", timeout=WAIT)
        term.press("q")
        assert term.wait_exit(WAIT) == 0
        assert (MOUSE_ON in term.all_output) is captured


@pytest.mark.pilot
async def test_no_color_is_honoured(admin_world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(admin_world)
    async with app.run_test() as pilot:
        await settle(pilot)
        assert app.no_color


@pytest.mark.pilot
async def test_the_ansi_theme_uses_the_terminals_colours(admin_world: World) -> None:
    app: LwAdminApp = make_app(admin_world, theme="ansi-dark")
    async with app.run_test() as pilot:
        await settle(pilot)
        assert app.theme == "ansi-dark"
        assert app.current_theme.ansi and app.native_ansi_color


def test_theme_names() -> None:
    assert check_theme("ansi") == "ansi-dark"
    assert check_theme("textual-light") == "textual-light"
    with pytest.raises(ConfigError, match=r"Unknown theme 'neon'; choose one of: .*ansi-dark"):
        check_theme("neon")


@pytest.mark.e2e
def test_an_unknown_theme_stops_before_the_app() -> None:
    with Terminal(["--demo", "--theme", "neon"]) as term:
        assert term.wait_exit(WAIT) == 2
        assert "Unknown theme 'neon'" in term.plain_output


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--theme", "neon"], "Unknown theme 'neon'"),
        (["--config", "keymap.toml"], "Unknown binding in keymap: revok"),
    ],
)
def test_a_bad_theme_or_keymap_asks_and_sends_nothing(
    admin_world: World,
    tmp_path: Path,
    args: list[str],
    words: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = tmp_path / "keymap.toml"
    config.write_text('[keymap]\nrevok = "x"\n')
    config.chmod(0o600)  # a config file others can change is refused before anything else
    args = [str(config) if arg == "keymap.toml" else arg for arg in args]
    monkeypatch.setenv("LWADMIN_ENDPOINT", admin_world.url)
    monkeypatch.delenv("LWADMIN_API_KEY", raising=False)
    monkeypatch.delenv("LANGWATCH_API_KEY", raising=False)
    asked: list[str] = []
    monkeypatch.setattr(launch, "ask_hidden", lambda prompt: asked.append(prompt) or "")
    for stream in (sys.stdin, sys.stdout):
        monkeypatch.setattr(stream, "isatty", lambda: True)
    started: list[object] = []
    monkeypatch.setattr(launch, "EarlyList", lambda make_client: started.append(make_client))
    monkeypatch.setattr(cli, "disable_core_dumps", lambda: None)  # pytest keeps its core limit
    with pytest.raises(SystemExit) as stopped:
        cli.main(["--no-keyring", *args])
    assert stopped.value.code == 2
    assert words in capsys.readouterr().err
    assert asked == []  # no key was asked for
    assert started == []  # nor sent: the first list starts after these checks
    assert admin_world.server.wire_requests == []


def test_keymap_names_must_be_real_bindings() -> None:
    check_keymap({"revoke": "x", "quit_app": "ctrl+x"})
    with pytest.raises(ConfigError, match=r"Unknown binding in keymap: revok\. Known: .*revoke"):
        check_keymap({"revok": "x"})


@pytest.mark.pilot
async def test_the_keymap_remaps_a_binding(admin_world: World) -> None:
    app = make_app(admin_world, keymap={"quit_app": "ctrl+x"})
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("q")
        assert app.is_running
        await pilot.press("ctrl+x")
    assert app.return_code == 0


def underlined(strip: Strip) -> bool:
    """Whether the line's visible text is underlined (it survives NO_COLOR's grey filter)."""
    visible = [seg for seg in strip if seg.text.strip()]
    return bool(visible) and all(seg.style is not None and seg.style.underline for seg in visible)


@pytest.mark.pilot
async def test_without_colour_the_cursor_row_differs_from_the_header(
    admin_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """NO_COLOR greys the header and the cursor row alike (both bold, white on grey, as the
    terminal showed them): the cursor row is underlined."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(admin_world)
    async with app.run_test(size=(120, 24)) as pilot:
        await settle(pilot)
        shown = table(pilot)
        assert shown.has_focus and shown.cursor_row == 0
        header, cursor_row = shown.render_line(0), shown.render_line(1)
        assert underlined(cursor_row) and not underlined(header)
        assert not underlined(shown.render_line(2))


@pytest.mark.pilot
async def test_an_open_dropdown_stands_out_in_the_ansi_theme(admin_world: World) -> None:
    from textual.widgets import Select
    from textual.widgets._select import SelectOverlay

    app: LwAdminApp = make_app(admin_world, theme="ansi-dark")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        scope_type = app.screen.query_one("#qf-scope-type", Select)
        scope_type.expanded = True
        await pilot.pause()
        overlay = scope_type.query_one(SelectOverlay)
        assert overlay.display
        assert overlay.styles.border_top[0] == "round"
