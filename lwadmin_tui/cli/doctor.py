"""`lwadmin-tui doctor`: every setting that decides where the key goes, and one live request.

Prints the endpoint, profile, config file, which credential source answered (never the key), the
keyring backend, TLS settings, and a live list (count of keys, HTTP status, time). Exit 0 when the
live check succeeds, 2 when the endpoint is refused (the app would not start with it either), 1
otherwise.
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import TextIO

import httpx

from lwadmin_tui import __version__
from lwadmin_tui.api.client import LangWatchClient
from lwadmin_tui.api.errors import ApiError, LangWatchError, Unauthorized
from lwadmin_tui.cli.credential_report import report_credential
from lwadmin_tui.settings.config import LoadedSettings, is_insecure, validate_endpoint
from lwadmin_tui.settings.credentials import Credential, KeyringStore
from lwadmin_tui.settings.debug_log import LoggingTransport
from lwadmin_tui.settings.errors import ConfigError
from lwadmin_tui.settings.tls import TlsSettings, tls_settings
from lwadmin_tui.text import register_secret, safe_text

EXIT_REFUSED_ENDPOINT = 2  # cli.py's usage status: the app exits so for this endpoint


def run_doctor(loaded: LoadedSettings, store: KeyringStore, *, out: TextIO | None = None) -> int:
    out = sys.stdout if out is None else out
    settings = loaded.settings

    def line(name: str, value: str) -> None:
        print(f"{name + ':':<13} {value}", file=out)

    print(f"lwadmin-tui {__version__} doctor", file=out)
    line("profile", settings.profile)
    state = "found" if loaded.config_found else "not present, defaults used"
    line("config file", f"{loaded.config_path} ({state})")
    problems = 0
    endpoint: str | None
    try:
        endpoint = validate_endpoint(
            settings.endpoint, allow_insecure_http=settings.allow_insecure_http
        )
        warning = " (INSECURE: plain http, key sent unencrypted)" if is_insecure(endpoint) else ""
        line("endpoint", endpoint + warning)
    except ConfigError as error:
        endpoint = None
        problems += 1
        line("endpoint", f"{safe_text(settings.endpoint, 80)} — {error}")
    report = report_credential(settings, store)
    line("credential", report.lines[0])
    for extra in report.lines[1:]:
        print(f"{'':13} {extra}", file=out)
    line("keyring", store.describe() if settings.keyring else "skipped (--no-keyring)")
    tls: TlsSettings | None
    try:
        tls = tls_settings(settings.ca_bundle)
        line("TLS", f"always verified; {tls.description}")
    except ConfigError as error:
        tls = None
        problems += 1
        line("TLS", str(error))
    if endpoint is None or tls is None or report.credential is None:
        line("live check", "skipped (fix the lines above first)")
        return EXIT_REFUSED_ENDPOINT if endpoint is None else 1
    ok, result = asyncio.run(
        live_check(
            endpoint, report.credential, tls, settings.read_timeout, settings.request_timeout
        )
    )
    line("live check", result)
    return 0 if ok and not problems else 1


async def live_check(
    endpoint: str,
    credential: Credential,
    tls: TlsSettings,
    read_timeout: float,
    request_timeout: float,
) -> tuple[bool, str]:
    """List the keys once: count, HTTP status and time, or what went wrong in one sentence."""
    register_secret(credential.key.reveal())  # a server may echo it back in its error
    transport = LoggingTransport(httpx.AsyncHTTPTransport(verify=tls.context))
    timeout = httpx.Timeout(10.0, read=read_timeout)
    started = time.monotonic()
    async with LangWatchClient(
        endpoint,
        credential.key,
        transport=transport,
        timeout=timeout,
        total_timeout=request_timeout,
    ) as client:
        try:
            keys = await client.list_keys()
        except LangWatchError as error:
            took = time.monotonic() - started
            status = f"HTTP {error.status}, " if isinstance(error, ApiError) else ""
            hint = (
                " — the key was rejected: check it is a live organization key for this endpoint"
                if isinstance(error, Unauthorized)
                else ""
            )
            reason = safe_text(str(error), 200)
            return False, f"GET /api/api-keys failed: {status}{reason}{hint} ({took:.2f} s)"
    took = time.monotonic() - started
    answered = transport.last_status or 200
    count = f"{len(keys)} keys visible to this credential"
    return True, f"GET /api/api-keys: HTTP {answered}, {count}, {took:.2f} s"
