"""Where the app keeps its files: the XDG config, state and cache directories, and the default
profile.

Relative XDG values are ignored, as the XDG spec says, so a stray `XDG_STATE_HOME=state` cannot
scatter audit logs into whatever directory the app was started from.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

APP_DIR = "lwadmin-tui"
DEFAULT_PROFILE = "default"


def _xdg(name: str, fallback: Path, env: Mapping[str, str] | None) -> Path:
    base = (os.environ if env is None else env).get(name, "").strip()
    root = Path(base) if base and Path(base).is_absolute() else fallback
    return root / APP_DIR


def config_dir(env: Mapping[str, str] | None = None) -> Path:
    """`$XDG_CONFIG_HOME/lwadmin-tui`, else `~/.config/lwadmin-tui`."""
    return _xdg("XDG_CONFIG_HOME", Path.home() / ".config", env)


def state_dir(env: Mapping[str, str] | None = None) -> Path:
    """`$XDG_STATE_HOME/lwadmin-tui`, else `~/.local/state/lwadmin-tui` (not created here)."""
    return _xdg("XDG_STATE_HOME", Path.home() / ".local" / "state", env)


def cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """`$XDG_CACHE_HOME/lwadmin-tui`, else `~/.cache/lwadmin-tui` (not created here)."""
    return _xdg("XDG_CACHE_HOME", Path.home() / ".cache", env)


def exports_dir() -> Path:
    """Where the batches view writes its CSV and JSON exports."""
    return state_dir() / "exports"
