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
    path = directory / SALT_NAME
    private_dir(directory)
    with contextlib.suppress(FileExistsError):
        fd = open_own_file(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, WHAT)
        try:
            write_all(fd, secrets.token_bytes(SALT_BYTES))
            os.fsync(fd)
        finally:
            os.close(fd)
    fd = open_own_file(path, os.O_RDONLY, WHAT)
    try:
        salt = os.pread(fd, SALT_BYTES, 0)
    finally:
        os.close(fd)
    if len(salt) != SALT_BYTES:
        raise OSError(f"the {WHAT} {path} is damaged ({len(salt)} bytes); move it away")
    return salt
