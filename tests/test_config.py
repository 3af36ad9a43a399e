"""Endpoint and key from the environment; plain http only on loopback."""

from __future__ import annotations

import re

import pytest

from lwadmin_tui.settings.config import ConfigError, Settings, validate_endpoint
from lwadmin_tui.settings.debug_log import redact


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://app.langwatch.ai",
        "https://lw.corp.example/",
        "http://127.0.0.1:5560",
        "http://localhost:3000",
        "http://[::1]:8080",
        "https://lw.corp.example/langwatch/",
        "https://xn--hllo-bpa.example",
        "https://h\u00e9llo.example",
    ],
)
def test_accepted_endpoints(endpoint: str) -> None:
    assert validate_endpoint(endpoint) == endpoint.rstrip("/")


@pytest.mark.parametrize(
    ("endpoint", "words"),
    [
        ("http://lw.corp.example", "Refusing plain http://"),
        ("ftp://lw.corp.example", "must be an http(s) URL"),
        ("app.langwatch.ai", "must be an http(s) URL"),
        ("https://user:pw@lw.corp.example", "user name or password"),
        ("https://app.langwatch.ai\u200b", "invisible or control character (U+200B"),
        ("https://app.lang\twatch.ai", "invisible or control character (U+0009 a tab"),
        ("http://[::1\u200b]:8080", "invisible or control character (U+200B"),
        ("https://lw.corp example", "invisible or control character (U+0020"),
        ("https://xn--zz", "host 'xn--zz' is not a valid host name"),
        ("https://host%00.example", "is not a valid host name"),
        ("http://[::zz]:8080", "is not a valid URL"),
        ("https://lw.corp.example:99999", "is not a valid URL"),
        ("https://lw.corp.example/?a=b", "without a query"),
        ("https://lw.corp.example/?", "without a query"),
        ("https://lw.corp.example/#top", "or a fragment"),
    ],
)
def test_refused_endpoints(endpoint: str, words: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(words)):
        validate_endpoint(endpoint)


def test_environment_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """LWADMIN_ENDPOINT beats LANGWATCH_ENDPOINT beats the default (the key: test_secrets.py)."""
    for name in ("LWADMIN_ENDPOINT", "LANGWATCH_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    assert Settings().endpoint == "https://app.langwatch.ai"
    monkeypatch.setenv("LANGWATCH_ENDPOINT", "https://b.example")
    assert Settings().endpoint == "https://b.example"
    monkeypatch.setenv("LWADMIN_ENDPOINT", "https://a.example")
    assert Settings().endpoint == "https://a.example"


def test_a_bad_value_never_echoes_input(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LWADMIN_CONCURRENCY", "sk-lw-secretvalue_abc")
    with pytest.raises(Exception) as caught:
        Settings()
    assert "secretvalue" not in str(caught.value)


def test_tokens_are_redacted_from_usage_errors() -> None:
    assert redact("unrecognized arguments: sk-lw-abc_DEF123") == (
        "unrecognized arguments: [redacted]"
    )
