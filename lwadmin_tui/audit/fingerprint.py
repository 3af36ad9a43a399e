"""Which credential made a batch, without writing the credential down.

Verifying an interrupted batch with another user's key reads someone else's keys: a key that
credential may not read answers 404, an older server's list leaves it out, and either would be
recorded as a falsehood. So each batch record names its credential by a keyed fingerprint
(HMAC-SHA256 of the key under a random salt kept in the state directory, 0600), and only a batch
with the same fingerprint is verified. The log alone cannot confirm a guessed key: the salt is
another file, random per machine.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from lwadmin_tui.api.auth import ApiKey
from lwadmin_tui.settings.files import open_own_file, private_dir, write_all

SALT_NAME = "credential-salt"
SALT_BYTES = 32
WHAT = "credential salt file"


def credential_fingerprint(key: ApiKey, directory: Path) -> str:
    """24 hex characters naming `key` in the audit log of `directory` (OSError if no salt)."""
    salt = _salt(directory)
    return hmac.new(salt, key.reveal().encode(), hashlib.sha256).hexdigest()[:24]


def _salt(directory: Path) -> bytes:
    """The salt, made on first use. A salt file of the wrong size was never used to name a
    batch (no fingerprint can come from it): it is made again rather than kept, so a full disk
    on the first start does not leave every later batch without its credential."""
    path = directory / SALT_NAME
    private_dir(directory)
    damaged = False
    for _ in range(2):
        with contextlib.suppress(FileNotFoundError):
            fd = open_own_file(path, os.O_RDONLY, WHAT)
            try:
                salt = os.pread(fd, SALT_BYTES + 1, 0)
            finally:
                os.close(fd)
            if len(salt) == SALT_BYTES:
                return salt
            damaged = True
        _write_salt(path, replace=damaged)
    raise OSError(f"the {WHAT} {path} could not be made")


def _write_salt(path: Path, *, replace: bool) -> None:
    """Written whole beside it, then put in place: a full disk leaves no cut salt, and of two
    processes making the first salt at once, the first to link it wins for both."""
    new = path.with_name(f"{path.name}.{os.getpid()}.new")
    fd = open_own_file(new, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, WHAT)
    try:
        write_all(fd, secrets.token_bytes(SALT_BYTES))
        os.fsync(fd)
        os.close(fd)
        fd = -1
        if replace:
            os.replace(new, path)
        else:
            with contextlib.suppress(FileExistsError):
                os.link(new, path)
    finally:
        if fd >= 0:
            os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(new)
