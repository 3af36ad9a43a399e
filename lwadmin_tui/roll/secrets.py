"""Where a new key's token goes, once: a private file of its own, or a command that takes it on
its standard input (to put it into a secret manager: `vault`, `op`, `pass`).

A delivery either is complete (the line written, flushed and synced; the command read all of it
and exited 0) or raises `NotDelivered` with a sentence, and the roll then revokes the new key: a
token that reached nobody must not stay valid. The token is never in argv, in the environment of the
command, in the sentence, or anywhere else on disk.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import shlex
import signal
import struct
import subprocess
import termios
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from lwadmin_tui.api.auth import ApiKey
from lwadmin_tui.settings.credentials import ENV_NAMES
from lwadmin_tui.settings.files import open_own_file, os_reason, private_dir, write_all
from lwadmin_tui.settings.paths import state_dir
from lwadmin_tui.text import safe_text

COMMAND_TIMEOUT = 60.0  # seconds; a secret manager asking for a password on a terminal waits


class NotDelivered(Exception):
    """The token did not reach its destination; the message says why (never the token)."""


@dataclass(frozen=True)
class Delivery:
    old_id: str
    new_id: str
    name: str
    token: ApiKey = field(repr=False)


class SecretSink(Protocol):
    @property
    def where(self) -> str:
        """Where the tokens go, in words: a path, or the command's name."""
        ...

    def deliver(self, delivery: Delivery) -> None:
        """Blocking: call it off the event loop. Raises NotDelivered."""
        ...


class SecretFile:
    """A new file, 0600 in a 0700 directory: one line per key, tab-separated:
    old id, new id, name, token. Each line is synced before `deliver` returns."""

    def __init__(self, path: Path | None = None) -> None:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        self.path = path or state_dir() / "secrets" / f"rolled-{stamp}-{secrets.token_hex(3)}.tsv"
        self._created = False

    @property
    def where(self) -> str:
        return str(self.path)

    def deliver(self, delivery: Delivery) -> None:
        name = safe_text(delivery.name, 200).replace("\t", " ")
        line = f"{delivery.old_id}\t{delivery.new_id}\t{name}\t{delivery.token.reveal()}\n"
        try:
            new_file = not self._created
            fd = self._open()
            try:
                size = os.fstat(fd).st_size
                try:
                    write_all(fd, line.encode())
                    os.fsync(fd)
                except OSError:
                    # A whole line or none: a piece of a token left behind would glue itself to
                    # the next key's line, and is a secret on disk that reached nobody.
                    self._cut_back(fd, size, new_file)
                    raise
            finally:
                os.close(fd)
        except OSError as error:
            raise NotDelivered(
                f"the secrets file {self.path} could not be written: {os_reason(error)}"
            ) from None

    def _cut_back(self, fd: int, size: int, new_file: bool) -> None:
        with contextlib.suppress(OSError):
            os.ftruncate(fd, size)
            os.fsync(fd)
        if new_file:  # nothing of ours in it: no empty file stays behind either
            with contextlib.suppress(OSError):
                os.unlink(self.path)
            self._created = False

    def _open(self) -> int:
        if self._created:
            return open_own_file(self.path, os.O_WRONLY | os.O_APPEND, "secrets file")
        private_dir(self.path.parent, "secrets directory")
        # O_EXCL: a new file, never one that stands there already (or a link planted there).
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
        fd = os.open(self.path, flags, 0o600)
        self._created = True
        try:
            dir_fd = os.open(self.path.parent, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(dir_fd)  # the new name survives a crash too
            finally:
                os.close(dir_fd)
        except OSError:
            os.close(fd)
            raise
        return fd


class SecretCommand:
    """Runs `command` (split as a shell would, not run by one) once per key, the token on its
    standard input followed by a line break. Old id, new id and name are in its environment
    (`LWADMIN_ROLL_OLD_ID`, `LWADMIN_ROLL_NEW_ID`, `LWADMIN_ROLL_NAME`); the admin's credential
    is taken out of it. Its output is discarded: it could echo the token onto the screen. It runs
    without the terminal (log in to the secret manager first). It has delivered the token when it
    exited 0 having read all of it."""

    def __init__(self, command: str, *, timeout: float = COMMAND_TIMEOUT) -> None:
        self.argv = shlex.split(command)
        if not self.argv:
            raise ValueError("the secret command is empty")
        self.timeout = timeout

    @property
    def where(self) -> str:
        return f"the command {safe_text(os.path.basename(self.argv[0]), 60)}"

    def deliver(self, delivery: Delivery) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
        env |= {
            "LWADMIN_ROLL_OLD_ID": delivery.old_id,
            "LWADMIN_ROLL_NEW_ID": delivery.new_id,
            "LWADMIN_ROLL_NAME": safe_text(delivery.name, 200),
        }
        # Our own pipe, whose read end this process keeps: the token (far smaller than a pipe's
        # buffer) is written at once, and what the command left in the pipe when it exited is
        # counted. A command that exits 0 without reading the token has not delivered it.
        try:
            read_end, write_end = os.pipe()
            try:
                process, status = self._run(env, read_end, write_end, delivery.token)
                unread = _unread(read_end)
                if status != 0 or unread:
                    # Not delivered: nothing the command started may read the token later.
                    _end_session(process)
            finally:
                os.close(read_end)
        except OSError as error:  # no pipe (too many open files), or it could not be read
            why = os_reason(error)
            raise NotDelivered(f"{self.where} could not be given the secret: {why}") from None
        if status != 0:
            raise NotDelivered(f"{self.where} exited with status {status}")
        if unread:
            raise NotDelivered(f"{self.where} exited 0 but did not read the whole secret")

    def _run(
        self, env: dict[str, str], read_end: int, write_end: int, token: ApiKey
    ) -> tuple[subprocess.Popen[bytes], int]:
        try:
            try:
                process = subprocess.Popen(
                    self.argv,
                    stdin=read_end,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    env=env,
                    # A session of its own, without the terminal: a manager asking for a password
                    # on /dev/tty would fight the app for the keyboard and the screen.
                    start_new_session=True,
                )
            except (OSError, ValueError) as error:  # ValueError: a NUL in an argument or a value
                reason = os_reason(error) if isinstance(error, OSError) else str(error)
                raise NotDelivered(f"{self.where} could not be run: {reason}") from None
            try:
                write_all(write_end, (token.reveal() + "\n").encode())
            except OSError:
                _end_session(process)
                raise
        finally:
            os.close(write_end)  # the command reads to its end of file
        try:
            return process, process.wait(self.timeout)
        except subprocess.TimeoutExpired:
            _end_session(process)
            raise NotDelivered(f"{self.where} did not finish within {self.timeout:g} s") from None


def _end_session(process: subprocess.Popen[bytes]) -> None:
    """Kill the command and all it started in its session (its process group), and reap it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _unread(read_end: int) -> int:
    """Bytes still in the pipe (FIONREAD)."""
    answer = fcntl.ioctl(read_end, termios.FIONREAD, b"\0\0\0\0")
    return int(struct.unpack("i", answer)[0])
