"""Masking without backtracking or blind spots: a "Basic A-A-…" name, a zero-width space before
`Bearer` or a short token, names with "sk-lw" inside a word. And `t` leaves out only the old
keys whose new key went away, retrying the rest."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from lwadmin_tui.settings.debug_log import redact
from lwadmin_tui.text import forget_secrets, safe_text
from tests.app_driver import keys_screen, make_app, mark, message_line, row_ids, settle, wait_until
from tests.conftest import World
from tests.terminal import secret_fragments
from tests.test_app_roll import ordinary, roll_marked

# --- the "plain word" check after Bearer/Basic backtracks exponentially ------------------


def test_a_name_with_basic_and_single_letter_words_does_not_freeze_safe_text() -> None:
    """A one-capital part could match two shapes of the "plain word" check after `Basic`, so a
    name "Basic A-A-…-A1" took 2^n steps. Run in a child with a bound only so the suite ends."""
    name = "Basic " + "A-" * 40 + "1"
    code = f"from lwadmin_tui.text import safe_text\nprint(safe_text({name!r}, 200))\n"
    try:
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=Path(__file__).resolve().parents[1],
            capture_output=True,
            text=True,
            timeout=60,
        )
    except subprocess.TimeoutExpired:
        raise AssertionError(
            "safe_text('Basic A-A-…-A1') did not return (regex backtracking)"
        ) from None
    assert done.returncode == 0, done.stderr[-500:]


# --- removing invisible characters can also *remove* a match (regressions) ---------------

OPAQUE_BEARER = "eyJhbGciOiJIUzI1NiJ9abcdefghijklmnop"
BASIC = "dXNlcjpwYXNzd29yZDEyMzQ1Ng=="


def test_a_zero_width_space_before_bearer_does_not_unmask_its_value() -> None:
    """ "token\u200bBearer X": the value after Bearer is masked whether or not the invisible
    character is counted."""
    forget_secrets()
    cases = {
        "screen, bearer": safe_text(f"echo: token\u200bBearer {OPAQUE_BEARER}", 200),
        "debug log, bearer": redact(f"echo: token\u200bBearer {OPAQUE_BEARER}"),
        "screen, basic": safe_text(f"hdr\u200bBasic {BASIC}", 200),
    }
    leaks = {
        where: shown
        for where, shown in cases.items()
        if secret_fragments(shown, OPAQUE_BEARER) or secret_fragments(shown, BASIC)
    }
    assert not leaks, f"the value after Bearer/Basic shows: {leaks}"


def test_a_zero_width_space_before_a_short_token_does_not_unmask_it() -> None:
    """ "x\u200bsk-lw-<15>": masked as in the text without the invisible character removed."""
    forget_secrets()
    shown = safe_text("x\u200bsk-lw-abcdefghijklmno", 200)
    assert "sk-lw-abc" not in shown, f"the token shows: {shown!r}"


# --- ordinary key names with "sk-lw-" inside a word are mangled ---------------------------


def test_ordinary_names_with_sk_lw_inside_a_word_keep_their_name() -> None:
    """A hyphenated name with "sk-lw-" inside a word, nothing like a token's shape, keeps
    its name."""
    forget_secrets()
    names = ["risk-lw-model-evaluation", "task-lw-integration-tests", "desk-lw-support-chatbot"]
    mangled = {n: safe_text(n) for n in names if safe_text(n) != n}
    assert not mangled, f"key names mangled: {mangled}"


# --- t: one old key of a gone pair blocks the retry of every other failed key ------------


async def test_t_still_retries_failed_keys_that_are_not_old_keys_of_a_pair(
    admin_world: World, isolated_state: Path
) -> None:
    """R on A (old kept); d on A and an unrelated key K, both 429; the new key is revoked out of
    band and the list read again. `t` leaves A out (it is the key that works) and retries K."""
    from lwadmin_tui.ui.screens.confirm_revoke import ConfirmRevokeScreen
    from lwadmin_tui.ui.screens.token_screen import TokenScreen
    from tests.test_create_key import create_service_key

    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        old, other = ordinary(admin_world, row_ids(pilot), 2)
        await roll_marked(pilot, [old])
        screen = keys_screen(pilot)
        (pair,) = screen.rolls.pairs
        await pilot.press("u")
        await mark(pilot, [old, other])
        faults = admin_world.server.faults
        faults.rate_limit_times, faults.retry_after = 1000, "0"
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmRevokeScreen)
        await pilot.press("y")
        await settle(pilot)
        faults.rate_limit_times = 0
        assert admin_world.fake.key(other).revoked_at is None
        admin_world.scenario.app.revoke_out_of_band(pair.new_id)
        await create_service_key(pilot, admin_world, "meanwhile")
        assert isinstance(app.screen, TokenScreen)
        await pilot.press("enter")
        await wait_until(pilot, lambda: pair.new_id not in screen.state.keys)
        await settle(pilot)
        await pilot.press("t")
        await pilot.pause()
        asked = isinstance(app.screen, ConfirmRevokeScreen)
        if asked:
            await pilot.press("y")
            await settle(pilot)
        said = message_line(pilot)
    assert admin_world.fake.key(old).revoked_at is None
    assert asked, f"t refused to retry {other}, which is in no rolled pair: {said!r}"
