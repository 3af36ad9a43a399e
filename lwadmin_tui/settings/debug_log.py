"""Logging that can never show the key, and never under the TUI.

Without `--debug-log` nothing is logged anywhere (Python's last-resort stderr handler would draw
over the TUI). With it, every record from this app, httpx and httpcore goes to a 0600 file through
a filter that masks `Authorization`, `X-Auth-Token`, cookies and anything shaped like a token.
"""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path

import httpx

from lwadmin_tui.settings.files import open_private_append
from lwadmin_tui.text import REDACTED, redact_secrets

LOGGER = logging.getLogger("lwadmin_tui")
# A header written as "Name: value", "'name': 'value'" or "(b'name', b'value')".
_SECRET_HEADER = re.compile(
    r"""(?ix)
    (?P<name>authorization|proxy-authorization|x-auth-token|cookie|set-cookie|x-api-key)
    (?P<sep>['"]?\s*[:=,]\s*b?['"]?)
    (?P<value>[^'"\r\n,)]*)
    """
)
SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "x-auth-token", "cookie", "set-cookie", "x-api-key"}
)


def redact(text: str) -> str:
    """Mask secret header values, then what `safe_text` masks: tokens and the key in use."""
    text = _SECRET_HEADER.sub(lambda m: f"{m['name']}{m['sep']}{REDACTED}", text)
    return redact_secrets(text)


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (and exception text) with `redact` before any handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class RedactingFormatter(logging.Formatter):
    """A second line of defence: the final formatted line is redacted too."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def configure_logging(debug_log: Path | None) -> None:
    """Silence stderr for good; with `debug_log`, write redacted DEBUG records to that file."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, logging.StreamHandler) and not isinstance(
            handler, logging.FileHandler
        ):
            root.removeHandler(handler)
    # A handler on the root means Python's last-resort stderr handler is never used.
    root.addHandler(logging.NullHandler())
    if debug_log is None:
        return
    stream = open_private_append(debug_log, "debug log")
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.DEBUG)
    for name in ("lwadmin_tui", "httpx", "httpcore"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
        logger.propagate = False


def _headers(headers: httpx.Headers) -> str:
    return ", ".join(
        f"{name}: {REDACTED if name.lower() in SECRET_HEADERS else value}"
        for name, value in headers.multi_items()
    )


class LoggingTransport(httpx.AsyncBaseTransport):
    """Logs each request and answer (headers masked) and remembers the last status."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.last_status: int | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        LOGGER.debug(
            "request %s %s headers: %s", request.method, request.url, _headers(request.headers)
        )
        started = time.monotonic()
        response = await self.inner.handle_async_request(request)
        seconds = time.monotonic() - started
        self.last_status = response.status_code
        LOGGER.debug(
            "answer %s to %s %s in %.3f s headers: %s",
            response.status_code,
            request.method,
            request.url,
            seconds,
            _headers(response.headers),
        )
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()
