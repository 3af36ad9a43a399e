"""The safe-text path: whatever a key name holds, it becomes one line of inert text."""

import subprocess
import sys

import pytest

from lwadmin_tui.settings.debug_log import redact
from lwadmin_tui.text import REDACTED, forget_secrets, redact_secrets, register_secret, safe_text
from tests.terminal import secret_fragments


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


# --- credentials: a server or proxy may echo the Authorization header back -------------------

TOKEN = "sk-lw-AbCdEfGh12345678_" + "Zq81mN03Xc77LpQ4" * 3
OPAQUE = "opaque-credential-Zq81mN03Xc77LpQ4"  # a key not shaped like a LangWatch token


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (f"caller Bearer {TOKEN}", "caller Bearer [redacted]"),
        (f"token={TOKEN}; retry", "token=[redacted]; retry"),
        (f"key_{TOKEN}", "key_[redacted]"),
        ("ingest ik-lw-ingest_abcdef and pat-lw-old_123456", "ingest [redacted] and [redacted]"),
        ("task-lw-runner", "task-lw-runner"),  # not a token: "sk" inside a word
    ],
)
def test_langwatch_tokens_are_redacted(raw: str, shown: str) -> None:
    assert safe_text(raw) == shown


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("caller Bearer abc.DEF-123", "caller Bearer [redacted]"),
        ("authorization: bEaReR Zm9vOmJhcg==", "authorization: bEaReR [redacted]"),
        ("BASIC dXNlcjpwYXNz sent", "BASIC [redacted] sent"),
        ("Basic monitoring key", "Basic monitoring key"),  # a word: a name, not a credential
        ("basic read-only bot", "basic read-only bot"),
        ("Bearer Token Service", "Bearer Token Service"),
    ],
)
def test_the_value_after_bearer_or_basic_is_redacted(raw: str, shown: str) -> None:
    assert safe_text(raw) == shown


def test_the_registered_credential_and_any_16_character_piece_are_redacted() -> None:
    register_secret(OPAQUE)
    assert safe_text(f"no such key: {OPAQUE}.") == "no such key: [redacted]."
    assert safe_text(f"<{OPAQUE[3:19]}> and <{OPAQUE[-20:]}>") == "<[redacted]> and <[redacted]>"
    assert safe_text(f"{OPAQUE}{OPAQUE}") == "[redacted]"
    assert safe_text(OPAQUE[:15]) == OPAQUE[:15]  # shorter pieces are ordinary text
    assert safe_text("user 3694 dashboard") == "user 3694 dashboard"
    forget_secrets()
    assert safe_text(OPAQUE) == OPAQUE


def test_a_short_credential_is_masked_whole_and_a_tiny_one_is_not_registered() -> None:
    register_secret("k3y-Short9")
    register_secret("abc")  # would mask every "abc" in every name
    assert safe_text("sent k3y-Short9 to abc") == "sent [redacted] to abc"


def test_redaction_comes_before_the_cut() -> None:
    register_secret(OPAQUE)
    for secret in (TOKEN, OPAQUE):
        for prefix in range(0, 60, 7):
            shown = safe_text(f"{'x' * prefix} {secret}", 60)
            assert not secret_fragments(shown, secret), (prefix, shown)


def test_the_debug_log_masks_what_safe_text_masks() -> None:
    register_secret(OPAQUE)
    assert redact(f"body: no key {OPAQUE} here") == "body: no key [redacted] here"
    assert redact(f"sent {TOKEN}") == "sent [redacted]"


@pytest.mark.e2e
def test_the_safe_text_module_stays_below_the_client_and_the_log() -> None:
    code = "import sys, lwadmin_tui.text; print(sorted({'httpx', 'logging'} & set(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_plural_is_the_one_place_a_count_gets_its_noun() -> None:
    from lwadmin_tui.text import plural

    assert [plural(1), plural(2), plural(0, "batch"), plural(1, "batch")] == [
        "1 key",
        "2 keys",
        "0 batches",
        "1 batch",
    ]


def test_an_echo_of_the_key_in_another_case_is_masked() -> None:
    from lwadmin_tui.text import forget_secrets, register_secret

    token = "sk-lw-Dj0JkvVxsa5dRyfG_k8BoCuZvJf6DvYpPtRyYvVnMfIxIkIqOuAtF97hTzUvOhXhC"
    opaque = "Opaque-Credential-Value-0123456789"
    register_secret(opaque)
    try:
        for echo in (token.upper(), token.lower(), opaque.upper(), opaque.lower()):
            shown = safe_text(f"403 caller {echo}", 200)
            assert echo[6:30] not in shown and "[redacted]" in shown, shown
    finally:
        forget_secrets()


def test_every_echo_of_the_credential_is_masked_however_many() -> None:
    register_secret(OPAQUE)
    echoes = " ".join([OPAQUE[2:26]] * 5000)  # pieces, each masked on its own
    shown = redact_secrets(echoes)
    assert shown == " ".join([REDACTED] * 5000)
    long_shown = safe_text((OPAQUE + " ") * 20_000 + "end", 200)
    assert not secret_fragments(long_shown, OPAQUE)
    assert long_shown.startswith(REDACTED)
