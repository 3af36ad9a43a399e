"""The one error type for anything the app cannot start with (no Textual, no httpx)."""

from __future__ import annotations


class ConfigError(Exception):
    """A setting, file or credential the app cannot use; the message is plain sentences.

    Messages never hold the API key: at most its last 4 characters.
    """
