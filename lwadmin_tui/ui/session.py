"""What the app is started with, in one typed, frozen value the screens read.

The command (`cli/launch.py`) builds it from the settings and the credential; tests build it
directly. The app derives its client from it once and never changes it.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx

from lwadmin_tui.api.auth import ApiKey
from lwadmin_tui.api.client import DEFAULT_TIMEOUT, DEFAULT_TOTAL_TIMEOUT
from lwadmin_tui.bulk.engine import DEFAULT_CONCURRENCY
from lwadmin_tui.runbook.plan import Plan


@dataclass(frozen=True)
class Session:
    endpoint: str
    api_key: ApiKey
    """The credential (its repr shows the last 4 characters only)."""
    concurrency: int = DEFAULT_CONCURRENCY
    label: str = ""
    """`demo: admin` and the like, first in the header."""
    profile: str = ""
    """The profile's name for the header; empty for the implicit default profile."""
    insecure: bool = False
    """Plain http to a host that is not this machine: the header warns."""
    key_source: str = ""
    """Where the key came from, for messages (never the key)."""
    own_key_id: str | None = None
    temporary_files: bool = False
    """The audit log and exports go to a folder deleted when the app quits (the demo)."""
    owner_cache: bool = True
    secret_command: str | None = None
    """Where `R` may hand new tokens (settings: `secret_command`); None: files and the screen."""
    plan: Plan | None = None
    """A plan to open for review (`--plan`): its keys are marked once the list is shown."""
    """Keep key types and owners read from the server in the cache directory for the next start."""
    theme: str = "textual-dark"
    keymap: Mapping[str, str] = field(default_factory=dict)
    timeout: httpx.Timeout = field(default_factory=lambda: DEFAULT_TIMEOUT)
    request_timeout: float = DEFAULT_TOTAL_TIMEOUT
    verify: ssl.SSLContext | bool = True
    transport: httpx.AsyncBaseTransport | None = None
    """A transport of the app's own client (the debug log's, or an in-process fake)."""
