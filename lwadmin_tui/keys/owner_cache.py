"""Key types and owners kept between sessions: one private file per server host.

Each `GET /api/api-keys/{id}` is recorded in the organization's audit log, so what was read is
kept. Type, owner and creator never change for a key; the permission mode is kept with the time
it was read. Only ids, types, modes and times are written: never a key name, a description, a
person's name or email, never a secret. The file is `owners-<16 hex of sha256(host)>.json`
(a name no host can turn into a path elsewhere), 0600 in a 0700 cache directory:

    {"version": 1, "host": "app.langwatch.ai",
     "keys": {"<key id>": ["personal", "<owner id>", "<creator id>", "all", "<read at>"]}}

A key entry is a list (type, owner id, creator id, permission mode, read time, each but the type
possibly null) rather than an object: 10,000 of them load in 10-20 ms (msgspec, in C). A
value after these five is ignored, so a later version can add one without making this one drop
every entry.

It is written whole beside its place and renamed into it, so a crash or a full disk never leaves
a cut file, and only a regular file of this user is read or replaced: never through a link, and a
named pipe is never opened. Anything wrong with the file gives an empty cache and one sentence,
never an exception: the app then reads owners from the server as it would without a cache. An
entry with a bad value is dropped alone.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import stat
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec

from lwadmin_tui.keys.ownership import PERSONAL, SERVICE, Ownership
from lwadmin_tui.settings.files import (
    NotOurFile,
    open_own_file,
    os_reason,
    private_dir,
    write_all,
)
from lwadmin_tui.settings.paths import cache_dir

__all__ = [
    "CACHE_VERSION",
    "MAX_CACHE_BYTES",
    "CacheRead",
    "forget_owner_cache",
    "load_owner_cache",
    "owner_cache_path",
    "save_owner_cache",
]

CACHE_VERSION = 1
MAX_CACHE_BYTES = 64 << 20
"""A file larger than this is ignored unread (100,000 keys take about 12 MiB)."""
WHAT = "owner cache"
# A temporary file a crashed save left behind is removed by a later save once it is this old
# (a younger one may be another process's save in progress).
STALE_TEMP_SECONDS = 3600

_KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_ID_CHARACTERS = re.compile(r"[A-Za-z0-9_-]*")
_USER_ID_MAX = 256
_MODE_MAX = 32

# Checked by msgspec as it decodes (lengths, types); the characters of the key ids are checked
# at once over all of them, which is 5 times faster than a pattern per id.
_KeyId = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
_UserId = Annotated[str, msgspec.Meta(min_length=1, max_length=_USER_ID_MAX)]
_Mode = Annotated[str, msgspec.Meta(min_length=1, max_length=_MODE_MAX)]
_Moment = Annotated[datetime, msgspec.Meta(tz=True)]


class _Row(msgspec.Struct, array_like=True, frozen=True, gc=False):
    """One key's entry, a JSON list; its field names are Ownership's, which it is converted to."""

    key_type: Literal["personal", "service"]
    owner_id: _UserId | None
    creator_id: _UserId | None
    permission_mode: _Mode | None
    read_at: _Moment | None


class _File(msgspec.Struct):
    version: int
    host: str
    keys: dict[_KeyId, _Row]


class _Head(msgspec.Struct):
    """The frame of a file that is not all valid, to say why or keep its valid entries."""

    version: Any = None
    host: Any = None
    keys: msgspec.Raw = msgspec.Raw(b"{}")


_FILE = msgspec.json.Decoder(_File)  # the usual case: one pass in C
_HEAD = msgspec.json.Decoder(_Head)
_LOOSE_KEYS = msgspec.json.Decoder(dict[str, msgspec.Raw])
_ROW = msgspec.json.Decoder(_Row)
_ENCODER = msgspec.json.Encoder()


@dataclass(frozen=True, slots=True)
class CacheRead:
    """What `load_owner_cache` found: owners by key id, and why the file was ignored ("" if not)."""

    owners: dict[str, Ownership] = field(default_factory=dict)
    problem: str = ""
    """One plain sentence naming the file when it was ignored; "" when it was read (or absent)."""
    dropped: int = 0
    """Entries left out for a bad value (the rest of the file was kept)."""


def owner_cache_path(host: str, directory: Path | None = None) -> Path:
    """The cache file of `host` (netloc, port included) in `directory` (default `cache_dir()`)."""
    digest = hashlib.sha256(host.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return (cache_dir() if directory is None else directory) / f"owners-{digest}.json"


# --- reading -----------------------------------------------------------------------------


def load_owner_cache(host: str, directory: Path | None = None) -> CacheRead:
    """The owners kept for `host`; a missing file is an empty cache, anything wrong with it an
    empty cache and a sentence. Never raises, never blocks (a named pipe is not opened)."""
    path = owner_cache_path(host, directory)
    if path.parent.is_symlink():  # saving refuses a linked directory: reading does too
        return _ignored(path, "its directory is a symbolic link")
    try:
        data = _read_own(path)
    except FileNotFoundError:
        return CacheRead()
    except NotOurFile as error:
        why = _not_ours(path)
        return _ignored(path, f"it is {why}") if why else CacheRead(problem=error.sentence)
    except _TooLarge:
        return _ignored(path, f"it is larger than {MAX_CACHE_BYTES >> 20} MiB")
    except OSError as error:
        return _ignored(path, f"it could not be read ({os_reason(error)})")
    try:
        return _decode(data, host, path)
    except RecursionError:
        return _ignored(path, "it is nested too deeply to be an owner cache")
    except msgspec.MsgspecError:  # rows Ownership no longer takes: read again, like a new cache
        return _ignored(path, "its entries do not fit this lwadmin-tui")


class _TooLarge(Exception):
    pass


def _read_own(path: Path) -> bytes:
    """The whole file, if it is a regular file of this user no larger than MAX_CACHE_BYTES."""
    fd = open_own_file(path, os.O_RDONLY, WHAT)
    try:
        size = os.fstat(fd).st_size
        if size > MAX_CACHE_BYTES:
            raise _TooLarge
        chunks: list[bytes] = []
        read = 0
        want = size + 1  # one byte more: a file that grew since fstat is read to its end
        while read <= MAX_CACHE_BYTES:
            chunk = os.read(fd, want)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            read += len(chunk)
            want = 1 << 20
        raise _TooLarge
    finally:
        os.close(fd)


_KINDS = {"d": "a directory", "l": "a symbolic link", "p": "a named pipe", "s": "a socket"}


def _not_ours(path: Path) -> str:
    """What stands at `path` when it is not a regular file of this user ("" when it is)."""
    try:
        info = os.lstat(path)
    except OSError:
        return ""
    if not stat.S_ISREG(info.st_mode):
        return _KINDS.get(stat.filemode(info.st_mode)[0], "a device or special file")
    if info.st_uid != os.geteuid():
        return f"a file of another user (uid {info.st_uid})"
    return ""


def _ignored(path: Path, why: str) -> CacheRead:
    return CacheRead(problem=f"The {WHAT} {path} was ignored: {why}.")


def _decode(data: bytes, host: str, path: Path) -> CacheRead:
    try:
        whole = _FILE.decode(data)
    except msgspec.DecodeError:  # a ValidationError too: said below, or read entry by entry
        pass
    else:
        if whole.version == CACHE_VERSION and whole.host == host:
            if _ID_CHARACTERS.fullmatch("".join(whole.keys)):
                return CacheRead(_as_ownership(whole.keys))
            return _decode_loosely(whole.keys, path)
    try:
        head = _HEAD.decode(data)
    except msgspec.ValidationError:
        return _ignored(path, "it is not an owner cache (wrong shape)")
    except msgspec.DecodeError:
        return _ignored(path, "it is not valid JSON")
    version = head.version
    if type(version) is not int:  # `true` is no version
        return _ignored(path, "it is not an owner cache (no format version)")
    if version != CACHE_VERSION:
        shown = f" {version}" if abs(version) < 1_000_000 else ""
        return _ignored(
            path, f"its format version{shown} is unknown here (a newer lwadmin-tui wrote it?)"
        )
    if not isinstance(head.host, str):
        return _ignored(path, "it is not an owner cache (no host)")
    if head.host != host:
        return _ignored(path, f"it holds the owners of another server, not {host}")
    return _decode_loosely(head.keys, path)


def _decode_loosely(keys: msgspec.Raw | dict[str, _Row], path: Path) -> CacheRead:
    """Entry by entry: those with a bad id or value are left out, the others kept."""
    if isinstance(keys, dict):
        rows: Mapping[str, _Row | msgspec.Raw] = keys
    else:
        try:
            rows = _LOOSE_KEYS.decode(keys)
        except msgspec.DecodeError:
            return _ignored(path, "it is not an owner cache (its keys are not an object)")
    kept: dict[str, _Row] = {}
    for key_id, row in rows.items():
        if not _KEY_ID.fullmatch(key_id):
            continue
        with contextlib.suppress(msgspec.DecodeError):
            kept[key_id] = row if isinstance(row, _Row) else _ROW.decode(row)
    return CacheRead(_as_ownership(kept), dropped=len(rows) - len(kept))


def _as_ownership(rows: dict[str, _Row]) -> dict[str, Ownership]:
    """In C, from the rows' attributes: twice as fast as calling Ownership 10,000 times."""
    return msgspec.convert(rows, dict[str, Ownership], from_attributes=True)


# --- writing -----------------------------------------------------------------------------


def save_owner_cache(
    host: str, owners: Mapping[str, Ownership], directory: Path | None = None
) -> None:
    """Replace the cache of `host` with `owners` (everything the caller knows: nothing is merged).

    Written to a new file beside it, synced, then renamed over it: the old file stays whole
    until the new one is. Raises OSError (NotOurFile when a link, a pipe, a directory or
    another user's file stands there, or the cache directory is not this user's own).
    """
    path = owner_cache_path(host, directory)
    data = _encode(host, owners)
    private_dir(path.parent, "cache directory")
    why = _not_ours(path)
    if why:  # never replaced: whoever put it there may need it
        raise NotOurFile(
            f"The {WHAT} {path} is {why}, not a file of lwadmin-tui's own; move it away."
        )
    _remove_stale_temps(path)
    temp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    fd = open_own_file(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, WHAT)
    try:
        try:
            write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, path)  # renames over the name itself: never follows a link there
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _sync_directory(path.parent)


def forget_owner_cache(host: str, directory: Path | None = None) -> None:
    """Delete the cache of `host` (nothing to do when there is none); raises OSError."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(owner_cache_path(host, directory))


def _encode(host: str, owners: Mapping[str, Ownership]) -> bytes:
    """The file's bytes; an entry the loader would drop is not written."""
    keys: dict[str, tuple[str, str | None, str | None, str | None, datetime | None]] = {}
    for key_id, owned in owners.items():
        read_at = owned.read_at
        if read_at is not None and read_at.tzinfo is None:
            read_at = read_at.replace(tzinfo=UTC)  # as the API models read a zone-less time
        if _KEY_ID.fullmatch(key_id) and _writable(owned, read_at):
            keys[key_id] = (
                owned.key_type,
                owned.owner_id,
                owned.creator_id,
                owned.permission_mode,
                read_at,
            )
    return _ENCODER.encode({"version": CACHE_VERSION, "host": host, "keys": keys})


def _writable(owned: Ownership, read_at: object) -> bool:
    return (
        owned.key_type in (PERSONAL, SERVICE)
        and all(_user_id(user) for user in (owned.owner_id, owned.creator_id))
        and (owned.permission_mode is None or _mode(owned.permission_mode))
        and (read_at is None or isinstance(read_at, datetime))
    )


_PRINTABLE_ID = re.compile(r"[!-~]+")
"""Visible ASCII only: no escape, no bidi control, no space can sit in the file as an id."""


def _user_id(value: object) -> bool:
    return value is None or (
        isinstance(value, str)
        and 0 < len(value) <= _USER_ID_MAX
        and bool(_PRINTABLE_ID.fullmatch(value))
    )


def _mode(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= _MODE_MAX


def _remove_stale_temps(path: Path) -> None:
    """Temporary files of this cache that a crashed save left, once they are old."""
    prefix, now = f".{path.name}.", time.time()
    with contextlib.suppress(OSError), os.scandir(path.parent) as entries:
        for entry in entries:
            if not (entry.name.startswith(prefix) and entry.name.endswith(".tmp")):
                continue
            with contextlib.suppress(OSError):
                info = entry.stat(follow_symlinks=False)
                if (
                    stat.S_ISREG(info.st_mode)
                    and info.st_uid == os.geteuid()
                    and now - info.st_mtime > STALE_TEMP_SECONDS
                ):
                    os.unlink(entry.path)


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable (best effort: some file systems refuse a directory fsync)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
