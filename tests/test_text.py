"""The safe-text path: whatever a key name holds, it becomes one line of inert text."""

import pytest

from lwadmin_tui.text import safe_text


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("[/oops]", "[/oops]"),
        ("[@click=app.quit]x[/]", "[@click=app.quit]x[/]"),
        ("a\x1b]0;pwned\x07b", "a␛]0;pwned␇b"),
        ("\x1b[2J\x1b[31mred", "␛[2J␛[31mred"),
        ("evil\u202egnp.exe", "evil\ufffdgnp.exe"),
        ("zero\u200bwidth", "zero\ufffdwidth"),
        ("line\nbreak\ttab\r", "line break tab "),
        ("\x9b31m", "\ufffd31m"),
        ("del\x7f", "del␡"),
        ("日本語 ok é", "日本語 ok é"),
        (None, ""),
    ],
)
def test_hostile_strings_become_literal(raw: str | None, shown: str) -> None:
    assert safe_text(raw) == shown


def test_long_names_are_cut_with_an_ellipsis() -> None:
    shown = safe_text("x" * 300, 50)
    assert len(shown) == 50
    assert shown.endswith("…")


def test_no_control_character_survives() -> None:
    every_control = "".join(chr(c) for c in [*range(0, 32), *range(127, 160)])
    assert all(ch.isprintable() for ch in safe_text(every_control, 500))
