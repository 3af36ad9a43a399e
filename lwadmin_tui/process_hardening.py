"""Keep the key out of core dumps, as ssh-agent and gpg-agent do.

A crash under `ulimit -c unlimited` would otherwise write the whole process memory, key
included, to a `core` file in the working directory. Called first by every command that reads
or writes a key: `lwadmin-tui` and the fake server.
"""

from __future__ import annotations

import contextlib
import ctypes
import sys

PR_SET_DUMPABLE = 4


def disable_core_dumps() -> None:
    """Core size limit 0 and, on Linux, not dumpable (that also covers a `|handler` pattern,
    which ignores the size limit, and keeps other processes of the user from ptrace).

    Failures are ignored: a platform or sandbox without these calls runs on as before.
    """
    with contextlib.suppress(ImportError, OSError, ValueError):
        import resource  # not on Windows

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
