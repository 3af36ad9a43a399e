"""Connection settings from the environment, validated before the app starts.

Endpoint: `--endpoint`, `LWADMIN_ENDPOINT`, `LANGWATCH_ENDPOINT`, then LangWatch Cloud.
API key: `LWADMIN_API_KEY`, then `LANGWATCH_API_KEY` (the name LangWatch's own tools use).
No implicit `.env` file is read, and a bad value never echoes a secret in an error.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from lwadmin_tui.revoke import DEFAULT_CONCURRENCY

DEFAULT_ENDPOINT = "https://app.langwatch.ai"
MAX_CONCURRENCY = 64


class ConfigError(Exception):
    """A setting the app cannot start with; the message is one plain sentence."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=None, hide_input_in_errors=True, extra="ignore", populate_by_name=True
    )

    endpoint: str = Field(
        default=DEFAULT_ENDPOINT,
        validation_alias=AliasChoices("LWADMIN_ENDPOINT", "LANGWATCH_ENDPOINT"),
    )
    """Base URL of the LangWatch server (self-hosted installs set their own)."""

    api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("LWADMIN_API_KEY", "LANGWATCH_API_KEY"),
    )
    """The organization API key (`sk-lw-…_…`); never taken from the command line."""

    concurrency: int = Field(
        default=DEFAULT_CONCURRENCY,
        ge=1,
        le=MAX_CONCURRENCY,
        validation_alias=AliasChoices("LWADMIN_CONCURRENCY"),
    )
    """How many revocations may be in flight at once."""


def is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def validate_endpoint(endpoint: str) -> str:
    """Return the endpoint without a trailing slash; plain http only on this machine."""
    parts = urlsplit(endpoint.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"The endpoint must be an http(s) URL such as {DEFAULT_ENDPOINT}, "
            f"not {endpoint.strip()[:80]!r}."
        )
    if parts.username or parts.password:
        raise ConfigError("The endpoint must not contain a user name or password.")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ConfigError(
            f"Refusing plain http:// to {parts.hostname}: the API key would cross the network "
            "unencrypted. Use https://."
        )
    return endpoint.strip().rstrip("/")
