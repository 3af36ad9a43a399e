"""Settings sources in order, profiles, the config file's rules, and private files."""

from __future__ import annotations

import ast
import inspect
import itertools
import os
import re
import stat
import textwrap
from pathlib import Path

import pytest

from lwadmin_tui.cli.main import build_parser
from lwadmin_tui.settings.config import (
    SETTING_FLAGS,
    ConfigError,
    Settings,
    default_config_path,
    is_insecure,
    load_settings,
    validate_endpoint,
)
from lwadmin_tui.settings.files import open_private_append

PLANTED = "sk-lw-PLANTEDplanted0001_" + "s3cr3tS3CR3Ts3cr3tS3CR3Ts3cr3tS3CR3Ts3cr3tS3CR3"


def write_config(path: Path, text: str, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in list(os.environ):
        if name.startswith(("LWADMIN_", "LANGWATCH_")):
            monkeypatch.delenv(name)
    return monkeypatch


def test_every_field_says_why() -> None:
    (settings_class,) = ast.parse(textwrap.dedent(inspect.getsource(Settings))).body
    body = settings_class.body  # type: ignore[attr-defined]
    documented = {
        field.target.id
        for field, after in itertools.pairwise(body)
        if isinstance(field, ast.AnnAssign)
        and isinstance(field.target, ast.Name)
        and isinstance(after, ast.Expr)
        and isinstance(after.value, ast.Constant)
        and isinstance(after.value.value, str)
    }
    for name in Settings.model_fields:
        assert name in documented, f"Settings.{name} has no docstring"


def test_sources_in_order(tmp_path: Path, clean_env: pytest.MonkeyPatch) -> None:
    config = write_config(default_config_path(), 'endpoint = "https://file.example"\n')
    assert load_settings({}).settings.endpoint == "https://file.example"
    assert load_settings({}).config_path == config
    clean_env.setenv("LANGWATCH_ENDPOINT", "https://langwatch-env.example")
    assert load_settings({}).settings.endpoint == "https://langwatch-env.example"
    clean_env.setenv("LWADMIN_ENDPOINT", "https://lwadmin-env.example")
    assert load_settings({}).settings.endpoint == "https://lwadmin-env.example"
    flagged = load_settings({"endpoint": "https://flag.example", "concurrency": None})
    assert flagged.settings.endpoint == "https://flag.example"
    config.unlink()
    clean_env.delenv("LWADMIN_ENDPOINT")
    clean_env.delenv("LANGWATCH_ENDPOINT")
    assert load_settings({}).settings.endpoint == "https://app.langwatch.ai"


def test_only_endpoint_comes_from_langwatch_variables(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("LANGWATCH_CONCURRENCY", "3")
    clean_env.setenv("LANGWATCH_THEME", "ansi-dark")
    settings = load_settings({}).settings
    assert settings.concurrency == 8 and settings.theme == "textual-dark"


def test_no_implicit_dotenv(tmp_path: Path, clean_env: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("LWADMIN_ENDPOINT=https://dotenv.example\n")
    clean_env.chdir(tmp_path)
    assert load_settings({}).settings.endpoint == "https://app.langwatch.ai"


PROFILES = """
concurrency = 4
theme = "ansi-dark"

[profiles.acme]
endpoint = "https://lw.acme.example"
keyring_entry = "acme-admin"
own_key_id = "key_acme_0001"
concurrency = 2

[profiles.lab]
endpoint = "https://lw.lab.example"
"""


def test_profiles(tmp_path: Path, clean_env: pytest.MonkeyPatch) -> None:
    config = write_config(tmp_path / "c.toml", PROFILES)
    base = load_settings({}, config_path=config).settings
    assert (base.profile, base.concurrency, base.keyring_username) == ("default", 4, "default")
    acme = load_settings({"profile": "acme"}, config_path=config)
    assert acme.profiles == ("acme", "lab")
    settings = acme.settings
    assert settings.endpoint == "https://lw.acme.example"
    assert (settings.concurrency, settings.theme) == (2, "ansi-dark")
    assert (settings.keyring_username, settings.own_key_id) == ("acme-admin", "key_acme_0001")
    clean_env.setenv("LWADMIN_PROFILE", "lab")
    clean_env.setenv("LWADMIN_CONFIG", str(config))
    lab = load_settings({}).settings
    assert (lab.profile, lab.endpoint, lab.keyring_username) == (
        "lab",
        "https://lw.lab.example",
        "lab",
    )
    assert load_settings({"profile": "acme"}).settings.profile == "acme"  # flag beats env
    with pytest.raises(ConfigError, match=r"no profile 'nope'.*profiles there: acme, lab"):
        load_settings({"profile": "nope"})


def test_a_missing_explicit_config_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings({}, config_path=tmp_path / "missing.toml")


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620])
def test_a_config_others_can_read_is_refused(tmp_path: Path, mode: int) -> None:
    config = write_config(tmp_path / "c.toml", "concurrency = 3\n", mode)
    with pytest.raises(ConfigError) as caught:
        load_settings({}, config_path=config)
    assert f"chmod 600 {config}" in str(caught.value)
    assert f"mode {mode:04o}" in str(caught.value)


def test_a_key_in_the_config_file_is_refused_without_echo(tmp_path: Path) -> None:
    config = write_config(tmp_path / "c.toml", f'[profiles.x]\napi_key = "{PLANTED}"\n')
    with pytest.raises(ConfigError, match="holds an API key") as caught:
        load_settings({}, config_path=config)
    assert PLANTED[-20:] not in str(caught.value)


@pytest.mark.parametrize(
    ("where", "words"),
    [
        ("env", "concurrency"),
        ("file", "concurrency"),
        ("unknown", "unknown setting"),
        ("keymap", "not binding ids"),
    ],
)
def test_bad_values_are_named_never_echoed(
    tmp_path: Path, clean_env: pytest.MonkeyPatch, where: str, words: str
) -> None:
    config = tmp_path / "c.toml"
    text = {
        "env": "",
        "file": f'concurrency = "{PLANTED}"\n',
        "unknown": f'tokenish = "{PLANTED}"\n',
        "keymap": f'[keymap]\n"{PLANTED}" = "x"\n',
    }[where]
    write_config(config, text)
    if where == "env":
        clean_env.setenv("LWADMIN_CONCURRENCY", PLANTED)
    with pytest.raises(ConfigError) as caught:
        load_settings({}, config_path=config)
    message = str(caught.value)
    assert words in message
    assert "s3cr3t" not in message


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("profiles = 3\n", "profiles must be tables like [profiles.work]"),
        ('profiles = "x"\n', "profiles must be tables like [profiles.work]"),
        ("profiles = [1, 2]\n", "profiles must be tables like [profiles.work]"),
        ('[[profiles]]\nendpoint = "https://a.example"\n', "profiles must be tables"),
        ("[profiles]\na = 1\n", "profiles must be tables like [profiles.work]"),
        ("profile = 3\n", "profile must be a name in quotes"),
        ('profile = ["a"]\n', "profile must be a name in quotes"),
        ("keymap = 3\n", "keymap: Input should be a valid dictionary"),
        ("[keymap]\nrevoke = 3\n", "keymap.revoke: Input should be a valid string"),
        ('[profiles.a]\nkeymap = "x"\n', "keymap: Input should be a valid dictionary"),
    ],
)
def test_a_value_of_the_wrong_type_is_one_sentence(
    tmp_path: Path, clean_env: pytest.MonkeyPatch, text: str, words: str
) -> None:
    config = write_config(tmp_path / "c.toml", text)
    profile = "a" if "[profiles.a]" in text else None
    with pytest.raises(ConfigError, match=re.escape(words)):
        load_settings({"profile": profile}, config_path=config)


def test_errors_name_a_flag_only_for_settings_that_have_one(
    tmp_path: Path, clean_env: pytest.MonkeyPatch
) -> None:
    config = write_config(tmp_path / "c.toml", 'own_key_id = 3\nread_timeout = "x"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings({}, config_path=config)
    message = str(caught.value)
    assert "--own-key-id" not in message and "--read-timeout" not in message
    where = f"LWADMIN_OWN_KEY_ID, LWADMIN_READ_TIMEOUT and own_key_id, read_timeout in {config}"
    assert where in message
    with pytest.raises(ConfigError) as caught:
        load_settings({"concurrency": 0, "keyring": "maybe"}, config_path=config)
    assert "--concurrency / LWADMIN_CONCURRENCY" in str(caught.value)
    assert "--no-keyring / LWADMIN_KEYRING" in str(caught.value)


def test_the_settings_with_flags_are_the_parsers_flags() -> None:
    parser = build_parser()
    flags = {
        action.dest: set(action.option_strings)
        for action in parser._actions
        if action.dest in Settings.model_fields
    }
    assert set(flags) == set(SETTING_FLAGS)
    for name, flag in SETTING_FLAGS.items():
        assert flag in flags[name]


def test_invalid_toml_is_one_sentence(tmp_path: Path) -> None:
    config = write_config(tmp_path / "c.toml", "endpoint = \n")
    with pytest.raises(ConfigError, match="is not valid TOML"):
        load_settings({}, config_path=config)


def test_paths_expand_the_home_directory(clean_env: pytest.MonkeyPatch) -> None:
    settings = load_settings({"api_key_file": Path("~/k")}).settings
    assert settings.api_key_file == Path.home() / "k"


def test_plain_http_needs_loopback_or_the_flag() -> None:
    with pytest.raises(ConfigError, match="--allow-insecure-http"):
        validate_endpoint("http://lw.corp.example")
    endpoint = validate_endpoint("http://lw.corp.example/", allow_insecure_http=True)
    assert endpoint == "http://lw.corp.example"
    assert is_insecure(endpoint)
    assert not is_insecure("http://127.0.0.1:8080")
    assert not is_insecure("https://lw.corp.example")


def test_created_files_are_private(tmp_path: Path) -> None:
    log = tmp_path / "new" / "deeper" / "debug.log"
    with open_private_append(log, "debug log") as stream:
        stream.write("x\n")
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert stat.S_IMODE(log.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o700
    log.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        open_private_append(log, "debug log")
