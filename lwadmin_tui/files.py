"""Private files: refuse ones other users can read, create new ones 0600 in 0700 directories.

A config file, a key file or a debug log that another account on a shared admin host can read
(or change) would leak the credential or redirect it, so the app stops and says how to fix it.
"""

from __future__ import annotations

import os
import shlex
import stat
from pathlib import Path
from typing import IO

from lwadmin_tui.errors import ConfigError

# Read or write for group or others; execute bits do not expose anything.
_SHARED_BITS = stat.S_IRGRP | stat.S_IWGRP | stat.S_IROTH | stat.S_IWOTH


def check_private(path: Path, what: str) -> None:
    """Raise ConfigError unless `path` is a regular file only its owner can read and write."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ConfigError(f"The {what} {path} does not exist.") from None
    except OSError as error:
        raise ConfigError(f"Cannot read the {what} {path}: {error.strerror}.") from None
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError(f"The {what} {path} is not a regular file.")
    if info.st_mode & _SHARED_BITS:
        mode = stat.S_IMODE(info.st_mode)
        raise ConfigError(
            f"The {what} {path} can be read or changed by other users (mode {mode:04o}); "
            f"refusing to use it. Fix it with: chmod 600 {shlex.quote(str(path))}"
        )


def ensure_private_dir(directory: Path) -> None:
    """Create `directory` (and missing parents) as 0700; existing directories are left alone."""
    missing = []
    for parent in (directory, *directory.parents):
        if parent.exists():
            break
        missing.append(parent)
    for parent in reversed(missing):
        parent.mkdir(mode=0o700)
        os.chmod(parent, 0o700)  # mkdir's mode is reduced by the umask


def open_private_append(path: Path, what: str) -> IO[str]:
    """Open `path` for appending; a new file is 0600, an existing one must already be private."""
    ensure_private_dir(path.parent)
    if path.exists():
        check_private(path, what)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o600)
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, "a", encoding="utf-8", buffering=1)
