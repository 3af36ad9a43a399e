"""Private files: refuse ones other users can read, create new ones 0600 in 0700 directories.

A config file, a key file or a debug log that another account on a shared admin host can read
(or change) would leak the credential or redirect it, so the app stops and says how to fix it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shlex
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from lwadmin_tui.settings.errors import ConfigError

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
    """Open a file of ours for appending (`open_own_file`); an existing one that other users
    could read is refused rather than fixed: what it held may already have been read."""
    ensure_private_dir(path.parent)
    with contextlib.suppress(FileNotFoundError):
        info = os.lstat(path)
        if stat.S_ISREG(info.st_mode) and info.st_mode & _SHARED_BITS:
            check_private(path, what)  # says how to fix it
    fd = open_own_file(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, what)
    return os.fdopen(fd, "a", encoding="utf-8", buffering=1)


class NotOurFile(OSError):
    """Where a file of ours should be, there is something else: a link, a FIFO, a device, a
    directory, or another user's file. Refused in one sentence, never followed or changed."""

    def __init__(self, sentence: str) -> None:
        super().__init__(errno.EPERM, sentence)
        self.sentence = sentence

    def __str__(self) -> str:
        return self.sentence


_KINDS = (
    (stat.S_ISDIR, "directory"),
    (stat.S_ISFIFO, "named pipe"),
    (stat.S_ISCHR, "character device"),
    (stat.S_ISBLK, "block device"),
    (stat.S_ISSOCK, "socket"),
    (stat.S_ISLNK, "symbolic link"),
)


def _check_own(info: os.stat_result, path: Path, what: str) -> None:
    """Raise NotOurFile unless `info` is a regular file of this user."""
    if stat.S_ISLNK(info.st_mode):
        raise NotOurFile(
            f"The {what} {path} is a symbolic link; lwadmin-tui writes only to a regular file "
            "of its own there, never through a link. Move the link away."
        )
    if not stat.S_ISREG(info.st_mode):
        kind = next((name for test, name in _KINDS if test(info.st_mode)), "special file")
        raise NotOurFile(f"The {what} {path} is a {kind}, not a regular file; move it away.")
    if info.st_uid != os.geteuid():
        raise NotOurFile(
            f"The {what} {path} belongs to another user (uid {info.st_uid}); lwadmin-tui uses "
            "only files of the user it runs as."
        )


def open_own_file(path: Path, flags: int, what: str) -> int:
    """Open a file of ours and return its descriptor: never through a symbolic link, only a
    regular file this user owns (a new one is created 0600; an existing one is made 0600).

    The path is checked before opening (so a FIFO or a device is never opened) and the open
    descriptor again (so nothing swapped in between is used). O_NONBLOCK keeps an open of a
    FIFO from waiting for a peer; it changes nothing for a regular file.
    """
    with contextlib.suppress(FileNotFoundError):
        _check_own(os.lstat(path), path, what)
    extra = os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags | extra, 0o600)
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.ENXIO, errno.EISDIR):
            _check_own(os.lstat(path), path, what)  # says which it is
        raise
    try:
        info = os.fstat(fd)
        _check_own(info, path, what)
        if stat.S_IMODE(info.st_mode) != 0o600:
            os.fchmod(fd, 0o600)
    except BaseException:
        os.close(fd)
        raise
    return fd


def private_dir(directory: Path, what: str = "state directory") -> None:
    """Create `directory` (0700, parents too) or check the existing one: a real directory of
    this user, not a link to one, made 0700 through its own descriptor (never through a link)."""
    ensure_private_dir(directory.parent)
    with contextlib.suppress(FileExistsError):
        os.mkdir(directory, 0o700)
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.ENOTDIR) and os.path.islink(directory):
            raise NotOurFile(
                f"The {what} {directory} is a symbolic link; lwadmin-tui keeps its files only "
                "in a directory of its own. Move the link away."
            ) from None
        if error.errno == errno.ENOTDIR:
            raise NotOurFile(f"The {what} {directory} is not a directory; move it away.") from None
        raise
    try:
        info = os.fstat(fd)
        if info.st_uid != os.geteuid():
            raise NotOurFile(f"The {what} {directory} belongs to another user (uid {info.st_uid}).")
        if stat.S_IMODE(info.st_mode) & 0o077:
            os.fchmod(fd, 0o700)
    finally:
        os.close(fd)


def write_all(fd: int, data: bytes) -> None:
    """Write every byte (a full disk can accept only part of a write) or raise OSError."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view = view[written:]


def write_private(path: Path, data: bytes, what: str) -> None:
    """Replace the content of a file of ours (0600, see `open_own_file`), synced to disk; a
    write that fails (a full disk) removes the file rather than leave part of it."""
    private_dir(path.parent, f"{what} directory")
    fd = open_own_file(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, what)
    try:
        write_all(fd, data)
        os.fsync(fd)
    except OSError:
        with contextlib.suppress(OSError):  # ours: `open_own_file` opened no link, no other's
            os.unlink(path)
        raise
    finally:
        os.close(fd)


def write_private_files(files: Sequence[tuple[Path, bytes]], what: str) -> None:
    """Write every file or none: when one fails, those written before it are removed too (an
    export is its CSV and its JSON together)."""
    written: list[Path] = []
    try:
        for path, data in files:
            write_private(path, data, what)
            written.append(path)
    except OSError:
        for path in written:
            with contextlib.suppress(OSError):
                os.unlink(path)
        raise


def read_own_tail(path: Path, what: str, limit: int) -> tuple[bytes, bool]:
    """The last `limit` bytes of a file of ours, and whether anything before them was left out.

    A missing file reads as empty. Only a regular file of this user is read, so a FIFO cannot
    block and a link to /dev/zero cannot fill the memory.
    """
    try:
        fd = open_own_file(path, os.O_RDONLY, what)
    except FileNotFoundError:
        return b"", False
    try:
        size = os.fstat(fd).st_size
        start = max(0, size - limit)
        chunks, remaining, offset = [], size - start, start
        while remaining > 0:
            chunk = os.pread(fd, min(remaining, 1 << 20), offset)
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
            offset += len(chunk)
        return b"".join(chunks), start > 0
    finally:
        os.close(fd)


def os_reason(error: OSError) -> str:
    """Why a file could not be used, in words: our own sentence, or the system's ("No space
    left on device"), without the errno and the path Python puts around it."""
    return str(error) if isinstance(error, NotOurFile) else error.strerror or str(error)
