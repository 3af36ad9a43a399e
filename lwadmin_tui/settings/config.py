"""Settings, validated before the app starts, from five sources (highest first):

command-line flags > `LWADMIN_*` environment > `LANGWATCH_ENDPOINT` > the TOML config file
(`$XDG_CONFIG_HOME/lwadmin-tui/config.toml`, or `--config PATH` / `LWADMIN_CONFIG`) > defaults.

The config file holds top-level defaults plus `[profiles.NAME]` tables; the chosen profile's table
overrides the top level. No implicit `.env` file is read, the API key is never a setting (see
`secrets.py`), and a bad value never echoes its input in an error.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shlex
import tomllib
import unicodedata
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from pydantic import Field, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from lwadmin_tui.bulk.engine import DEFAULT_CONCURRENCY
from lwadmin_tui.settings.errors import ConfigError
from lwadmin_tui.settings.files import check_private
from lwadmin_tui.settings.paths import DEFAULT_PROFILE, config_dir

__all__ = [
    "DEFAULT_ENDPOINT",
    "MAX_CONCURRENCY",
    "SETTING_FLAGS",
    "ConfigError",
    "LoadedSettings",
    "Settings",
    "default_config_path",
    "load_settings",
    "validate_endpoint",
]

DEFAULT_ENDPOINT = "https://app.langwatch.ai"
MAX_CONCURRENCY = 64
# A `[keymap]` binding id (the app checks it names a real binding before it starts).
_BINDING_ID = re.compile(r"[a-z][a-z0-9_]{0,40}")
# Keys that must never sit in a config file: it is a settings file, not a secret store.
SECRET_KEYS = frozenset({"api_key", "apikey", "key", "token", "langwatch_api_key"})
_PROFILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")
# The settings that have a command-line flag (cli.py defines them), by field name; the others
# are set only by their LWADMIN_* variable or config key, and errors must not name a flag.
SETTING_FLAGS: Mapping[str, str] = {
    "profile": "--profile",
    "endpoint": "--endpoint",
    "concurrency": "--concurrency",
    "api_key_file": "--api-key-file",
    "keyring": "--no-keyring",
    "ca_bundle": "--ca-bundle",
    "allow_insecure_http": "--allow-insecure-http",
    "debug_log": "--debug-log",
    "theme": "--theme",
    "mouse": "--mouse",
    "owner_cache": "--no-owner-cache",
}

# The chosen config file's values, handed to `_FileSource` while `load_settings` builds Settings.
_FILE_VALUES: ContextVar[Mapping[str, Any] | None] = ContextVar("lwadmin_file_values", default=None)


class Settings(BaseSettings):
    """Everything the app can be told; each field is also `LWADMIN_<NAME>` and a config key."""

    model_config = SettingsConfigDict(
        env_prefix="LWADMIN_",
        env_file=None,
        hide_input_in_errors=True,
        extra="forbid",
        validate_default=True,
        # No `use_attribute_docstrings`: reading them back parses this file's source at every
        # start (20-30 ms) and nothing shows them; tests/test_settings.py checks each exists.
    )

    profile: str = DEFAULT_PROFILE
    """Which `[profiles.NAME]` table applies; also the keyring entry unless `keyring_entry` says."""

    endpoint: str = DEFAULT_ENDPOINT
    """Base URL of the LangWatch server (self-hosted installs set their own)."""

    allow_insecure_http: bool = False
    """Allow plain http:// to a non-loopback host (the key then crosses the network in clear)."""

    ca_bundle: Path | None = None
    """PEM file of the CAs that sign the server's certificate (corporate TLS inspection)."""

    api_key_file: Path | None = None
    """A file holding the API key (mode 0600); used when no API key variable is set."""

    keyring: bool = True
    """Look the key up in the system keyring (service `lwadmin-tui`); `--no-keyring` skips it."""

    keyring_entry: str | None = None
    """The keyring entry (user name) for this profile's key; defaults to the profile name."""

    keyring_timeout: float = Field(default=5.0, gt=0, le=60)
    """Seconds to wait for the keyring: a locked desktop keyring must never hang the start."""

    own_key_id: str | None = None
    """The API id of the key this profile uses (the API cannot tell), to flag it in the list."""

    concurrency: int = Field(default=DEFAULT_CONCURRENCY, ge=1, le=MAX_CONCURRENCY)
    """How many revocations may be in flight at once."""

    connect_timeout: float = Field(default=10.0, gt=0, le=300)
    """Seconds to wait for a connection to the server."""

    read_timeout: float = Field(default=30.0, gt=0, le=600)
    """Seconds to wait for an answer once a request is sent."""

    request_timeout: float = Field(default=120.0, gt=0, le=3600)
    """Seconds a whole request may take, answer fully read: a server that trickles its answer
    byte by byte never trips the read timeout."""

    theme: str = "textual-dark"
    """Colour theme; `ansi-dark` / `ansi-light` use the terminal's own 16 colours."""

    mouse: bool = False
    """Capture the mouse; off by default so selecting text works over SSH and in tmux."""

    debug_log: Path | None = None
    """Append redacted debug logs (requests included) to this file, created 0600."""

    owner_cache: bool = True
    """Keep key types and owners (ids only) per host in the cache directory, so the next start
    shows them without reading each key again; `--no-owner-cache` reads them again each session."""

    secret_command: str | None = None
    """A command that receives each new key's token on its stdin when keys are rolled (e.g.
    `vault kv put secret/langwatch token=-`); split as a shell would, never run by one."""

    keymap: dict[str, str] = Field(default_factory=dict)
    """Key overrides: binding id (e.g. `revoke`) to keys (e.g. `x,delete`)."""

    @field_validator("profile")
    @classmethod
    def _profile_name(cls, value: str) -> str:
        if not _PROFILE_NAME.fullmatch(value):
            raise ValueError("a profile name is letters, digits, '_', '.' or '-'")
        return value

    @field_validator("ca_bundle", "api_key_file", "debug_log")
    @classmethod
    def _expand_user(cls, value: Path | None) -> Path | None:
        return value.expanduser() if value is not None else None

    @field_validator("secret_command")
    @classmethod
    def _secret_command(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            argv = shlex.split(value)
        except ValueError as error:  # "No closing quotation"
            raise ValueError(
                f"the secret command cannot be split as a shell would: {error}"
            ) from None
        if not argv:
            raise ValueError("the secret command is empty")
        return value

    @field_validator("keymap")
    @classmethod
    def _binding_ids(cls, value: dict[str, str]) -> dict[str, str]:
        bad = sorted(name for name in value if not _BINDING_ID.fullmatch(name))
        if bad:
            raise ValueError(f"{len(bad)} keymap name(s) are not binding ids like revoke")
        if not all(keys.strip() for keys in value.values()):
            raise ValueError('every keymap entry needs keys, e.g. revoke = "x,delete"')
        return value

    @property
    def keyring_username(self) -> str:
        return self.keyring_entry or self.profile

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Flags (init), LWADMIN_*, LANGWATCH_ENDPOINT, the config file; no .env, no secrets dir."""
        return (
            init_settings,
            env_settings,
            _LangWatchEnvSource(settings_cls, env_prefix="LANGWATCH_"),
            _FileSource(settings_cls),
        )


class _LangWatchEnvSource(EnvSettingsSource):
    """Only `LANGWATCH_ENDPOINT`: the one setting LangWatch's own tools share with this app."""

    def __call__(self) -> dict[str, Any]:
        values = super().__call__()
        return {name: value for name, value in values.items() if name == "endpoint"}


class _FileSource(PydanticBaseSettingsSource):
    """The config file's values for the chosen profile (see `load_settings`)."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return (_FILE_VALUES.get() or {}).get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(_FILE_VALUES.get() or {})


@dataclass(frozen=True)
class LoadedSettings:
    """The settings plus where they came from, for `doctor` and error messages."""

    settings: Settings
    config_path: Path
    config_found: bool
    profiles: tuple[str, ...]


def default_config_path(env: Mapping[str, str] | None = None) -> Path:
    return config_dir(env) / "config.toml"


def load_settings(
    flags: Mapping[str, Any],
    *,
    config_path: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> LoadedSettings:
    """Build Settings from flags (None values ignored), environment and config file.

    Raises ConfigError with plain sentences; never echoes a value.
    """
    env = os.environ if env is None else env
    explicit = config_path or (Path(env["LWADMIN_CONFIG"]) if env.get("LWADMIN_CONFIG") else None)
    path = (explicit or default_config_path(env)).expanduser()
    found = path.exists()
    raw: dict[str, Any] = {}
    if found:
        raw = _read_config(path)
    elif explicit is not None:
        raise ConfigError(f"The config file {path} does not exist.")

    profiles = raw.pop("profiles", {})  # checked by _read_config: tables by name
    flags = {name: value for name, value in flags.items() if value is not None}
    profile = str(
        flags.get("profile") or env.get("LWADMIN_PROFILE") or raw.get("profile") or DEFAULT_PROFILE
    )
    file_values = dict(raw)
    if profile in profiles:
        table = dict(profiles[profile])
        if "profile" in table:
            raise ConfigError(f"In {path}, [profiles.{profile}] must not set profile.")
        file_values.update(table)
    elif profile != DEFAULT_PROFILE:
        known = ", ".join(sorted(profiles)) or "none"
        raise ConfigError(
            f"There is no profile {profile!r}: {path} has no [profiles.{profile}] table "
            f"(profiles there: {known})."
        )

    token = _FILE_VALUES.set(file_values)
    try:
        settings = Settings(**flags)
    except ValidationError as error:
        raise ConfigError(_describe(error, path)) from None
    except SettingsError as error:
        raise ConfigError(
            f"A setting could not be read ({_first_line(error)}); keymap in the environment "
            'must be JSON, e.g. LWADMIN_KEYMAP=\'{"revoke": "x"}\'.'
        ) from None
    finally:
        _FILE_VALUES.reset(token)
    return LoadedSettings(settings, path, found, tuple(sorted(profiles)))


def _read_config(path: Path) -> dict[str, Any]:
    check_private(path, "config file")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except RecursionError:
        raise ConfigError(f"The config file {path} is nested too deeply to read.") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"The config file {path} is not valid TOML: {error}.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"Cannot read the config file {path}: {error}.") from None
    # The shapes the profile lookup relies on, checked before anything reads them.
    profiles = raw.get("profiles", {})
    if not isinstance(profiles, dict) or not all(isinstance(t, dict) for t in profiles.values()):
        raise ConfigError(f"In {path}, profiles must be tables like [profiles.work].")
    if not isinstance(raw.get("profile", ""), str):
        raise ConfigError(f'In {path}, profile must be a name in quotes, like profile = "work".')
    tables = [raw, *profiles.values()]
    if any(name.lower() in SECRET_KEYS for table in tables for name in table):
        raise ConfigError(
            f"The config file {path} holds an API key; remove it. Keys belong in the system "
            "keyring (lwadmin-tui auth set), a 0600 key file (--api-key-file) or LWADMIN_API_KEY."
        )
    return raw


def _describe(error: ValidationError, path: Path) -> str:
    """Name each bad setting and why, without its value, and where it can be set."""
    problems = []
    for item in error.errors():
        name = ".".join(str(part) for part in item["loc"]) or "settings"
        reason = "unknown setting" if item["type"] == "extra_forbidden" else item["msg"]
        problems.append(f"{name}: {reason}")
    names = sorted({str(item["loc"][0]) for item in error.errors() if item["loc"]})
    return f"Invalid setting ({'; '.join(problems)}). Check {_where(names, path)}."


def _where(names: list[str], path: Path) -> str:
    """Where these settings are given: a flag only for those that have one, the variable, and
    the config key (the only place an unknown name can come from)."""
    variables = [
        f"{SETTING_FLAGS[name]} / LWADMIN_{name.upper()}"
        if name in SETTING_FLAGS
        else f"LWADMIN_{name.upper()}"
        for name in names
        if name in Settings.model_fields
    ]
    keys = f"{', '.join(names)} in {path}"
    return f"{', '.join(variables)} and {keys}" if variables else keys


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0][:120] if str(error) else type(error).__name__


def is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def validate_endpoint(endpoint: str, *, allow_insecure_http: bool = False) -> str:
    """The endpoint without a trailing slash; plain http only to this machine or when allowed.

    Everything httpx would refuse is refused here first, in one sentence, so a pasted URL with
    a stray character never reaches the client as a traceback.
    """
    text = endpoint.strip()
    shown = text[:80]
    stray = _stray_character(text)
    if stray:
        raise ConfigError(
            f"The endpoint {shown!r} holds an invisible or control character ({stray}); "
            "type it again without it."
        )
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - reading it checks it: a port that is not 0-65535 raises
    except ValueError:
        raise ConfigError(
            f"The endpoint {shown!r} is not a valid URL (check the host and the port)."
        ) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"The endpoint must be an http(s) URL such as {DEFAULT_ENDPOINT}, not {shown!r}."
        )
    if parts.username or parts.password:
        raise ConfigError("The endpoint must not contain a user name or password.")
    if "?" in text or "#" in text:
        raise ConfigError(
            f"The endpoint must be the server's base URL without a query (?...) or a fragment "
            f"(#...), such as {DEFAULT_ENDPOINT}: the API paths are added after it."
        )
    if not _readable_host(text, parts.hostname):
        raise ConfigError(f"The endpoint's host {parts.hostname[:60]!r} is not a valid host name.")
    if parts.scheme == "http" and not is_loopback(parts.hostname) and not allow_insecure_http:
        raise ConfigError(
            f"Refusing plain http:// to {parts.hostname}: the API key would cross the network "
            "unencrypted. Use https:// (or --allow-insecure-http if you really must)."
        )
    return text.rstrip("/")


# Characters no URL holds: controls, zero-width and bidi formatting, spaces, unassigned.
_STRAY_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"})
_CONTROL_NAMES = {"\t": "a tab", "\n": "a line break", "\r": "a carriage return"}
_ASCII_HOST = re.compile(r"[A-Za-z0-9_.\-]+")


def _stray_character(text: str) -> str:
    """The first character that does not belong in a URL, described; "" if there is none."""
    for position, char in enumerate(text, 1):
        if unicodedata.category(char) in _STRAY_CATEGORIES:
            name = _CONTROL_NAMES.get(char) or unicodedata.name(char, "a control character")
            return f"U+{ord(char):04X} {name} at character {position}"
    return ""


def _readable_host(url: str, hostname: str) -> bool:
    """True when httpx reads the host as the client will (IDNA labels included)."""
    if hostname.isascii() and ":" not in hostname and not _ASCII_HOST.fullmatch(hostname):
        return False  # httpx would send "host%00" or 'ho"st' on to DNS
    try:
        httpx.URL(url).host  # noqa: B018 - an invalid A-label (xn--...) raises only when read
    except (httpx.InvalidURL, ValueError):  # idna's IDNAError is a ValueError
        return False
    return True


def is_insecure(endpoint: str) -> bool:
    """True for plain http to a host that is not this machine: the header warns about it."""
    parts = urlsplit(endpoint)
    return parts.scheme == "http" and not is_loopback(parts.hostname or "")
