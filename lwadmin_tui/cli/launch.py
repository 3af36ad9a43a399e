"""From loaded settings to the running app: checks, endpoint, TLS, key, the first list, the app.

`cli.main` imports this once the arguments and settings are read. The first list request leaves
here on a thread before Textual is imported (`early_list.py`), after everything that could still
stop the command: theme and keymap names (`known_names.py`), endpoint, CA bundle and key.
"""

from __future__ import annotations

import argparse
import getpass
import ssl
import sys
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit

import httpx

from lwadmin_tui.api.client import LangWatchClient
from lwadmin_tui.api.early_list import EarlyList
from lwadmin_tui.cli.known_names import BINDING_IDS, TEXTUAL_THEMES
from lwadmin_tui.runbook.plan import Plan, PlanError, read_plan
from lwadmin_tui.settings.config import (
    ConfigError,
    LoadedSettings,
    is_insecure,
    validate_endpoint,
)
from lwadmin_tui.settings.credentials import KeyringStore, resolve_for_settings
from lwadmin_tui.settings.debug_log import LoggingTransport
from lwadmin_tui.settings.paths import DEFAULT_PROFILE
from lwadmin_tui.settings.tls import tls_settings
from lwadmin_tui.text import register_secret, safe_text
from lwadmin_tui.ui.session import Session

THEME_ALIASES = {"ansi": "ansi-dark", "dark": "textual-dark", "light": "textual-light"}


def ask_hidden(prompt: str) -> str:
    """The terminal prompt: no echo, read from the terminal itself."""
    return getpass.getpass(prompt, stream=sys.stderr)


def run_tui(args: argparse.Namespace, loaded: LoadedSettings, store: KeyringStore) -> NoReturn:
    """Checks, endpoint, TLS and key; the first list on its way; then the app until it quits."""
    settings = loaded.settings
    # Checked first: no key is asked for, and nothing is sent, for a command that will not run.
    theme = check_theme(settings.theme)
    check_keymap(settings.keymap)
    timeout = httpx.Timeout(
        connect=settings.connect_timeout,
        read=settings.read_timeout,
        write=settings.connect_timeout,
        pool=settings.read_timeout,
    )
    with ExitStack() as stack:
        verify: ssl.SSLContext | bool = True
        if args.demo:
            from lwadmin_tui.cli.demo import start_demo

            demo = stack.enter_context(start_demo(args.demo, latency_ms=args.demo_latency))
            endpoint, api_key = demo.endpoint, demo.api_key
            session = Session(
                endpoint,
                api_key,
                label=f"demo: {args.demo}",
                key_source="the demo",
                own_key_id=demo.own_key_id,
                temporary_files=True,
            )
        else:
            endpoint = validate_endpoint(
                settings.endpoint, allow_insecure_http=settings.allow_insecure_http
            )
            verify = tls_settings(settings.ca_bundle).context
            credential = resolve_for_settings(
                settings,
                store,
                prompt=ask_hidden,
                on_notice=lambda sentence: print(f"lwadmin-tui: {sentence}", file=sys.stderr),
            )
            api_key = credential.key
            session = Session(
                endpoint,
                api_key,
                # The header names the profile unless it is the implicit one (80 columns are few).
                profile="" if settings.profile == DEFAULT_PROFILE else settings.profile,
                key_source=credential.source,
                insecure=is_insecure(endpoint),
                own_key_id=settings.own_key_id,
            )
        plan = read_review_plan(args.plan, endpoint) if getattr(args, "plan", None) else None
        # A server echoing the key back, even one not shaped like a token, shows [redacted].
        register_secret(api_key.reveal())

        if verify is True:  # the demo: one context for both clients, as httpx would build it
            verify = httpx.create_ssl_context()

        def transport() -> httpx.AsyncBaseTransport | None:
            if settings.debug_log is None:
                return None
            return LoggingTransport(
                httpx.AsyncHTTPTransport(
                    verify=verify,
                    limits=httpx.Limits(
                        max_connections=settings.concurrency,
                        max_keepalive_connections=min(settings.concurrency, 20),
                    ),
                )
            )

        # Sent now, before Textual is imported: the answer is often ready when the screen is.
        early_list = EarlyList(
            lambda: LangWatchClient(
                endpoint,
                api_key,
                timeout=timeout,
                total_timeout=settings.request_timeout,
                verify=verify,
                transport=transport(),
            )
        )
        from lwadmin_tui.ui.app import LwAdminApp

        session = replace(
            session,
            concurrency=settings.concurrency,
            theme=theme,
            keymap=settings.keymap,
            timeout=timeout,
            request_timeout=settings.request_timeout,
            verify=verify,
            transport=transport(),
            owner_cache=settings.owner_cache,
            secret_command=settings.secret_command,
            plan=plan,
        )
        app = LwAdminApp(session, early_list=early_list)
        app.run(mouse=settings.mouse)
    raise SystemExit(app.return_code or 0)


def read_review_plan(path: Path, endpoint: str) -> Plan:
    """The plan `--plan` names, for this endpoint's host only (ConfigError says why not)."""
    try:
        plan = read_plan(path)
    except PlanError as error:
        raise ConfigError(str(error)) from None
    host = urlsplit(endpoint).netloc
    if plan.host.lower() != host.lower():
        raise ConfigError(
            f"the plan {path} was made for {safe_text(plan.host, 80)}, not {host}: refused."
        )
    return plan


def check_theme(name: str) -> str:
    """A known Textual theme name (aliases resolved), else a plain error listing the choices."""
    name = THEME_ALIASES.get(name, name)
    if name not in TEXTUAL_THEMES:
        choices = ", ".join(sorted(TEXTUAL_THEMES))
        raise ConfigError(f"Unknown theme {name!r}; choose one of: {choices}.")
    return name


def check_keymap(keymap: dict[str, str]) -> None:
    """Every `[keymap]` name must be the id of a real binding: a typo would silently do nothing."""
    unknown = sorted(set(keymap) - BINDING_IDS)
    if unknown:
        raise ConfigError(
            f"Unknown binding in keymap: {', '.join(unknown)}. "
            f"Known: {', '.join(sorted(BINDING_IDS))}."
        )
