"""The owner cache: ids and types only, one private file per host, written whole or not at all,
and anything odd where it should be ignored in one sentence, never raised, never waited on."""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import stat
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import msgspec
import pytest

from lwadmin_tui.cli.demo import start_demo
from lwadmin_tui.cli.main import build_parser, settings_from
from lwadmin_tui.keys import owner_cache
from lwadmin_tui.keys.owner_cache import (
    CacheRead,
    forget_owner_cache,
    load_owner_cache,
    owner_cache_path,
    save_owner_cache,
)
from lwadmin_tui.keys.ownership import Ownership
from lwadmin_tui.settings.config import load_settings
from lwadmin_tui.settings.files import NotOurFile
from lwadmin_tui.settings.paths import cache_dir

HOST = "app.langwatch.ai"
T0 = datetime(2025, 6, 1, 12, 30, 15, 123456, tzinfo=UTC)
OWNERS = {
    "k_personal_0000000001": Ownership("personal", "user_alice", "user_alice", "all", T0),
    "k_personal_0000000002": Ownership(
        "personal", "user_bob", "user_admin", "readonly", T0 + timedelta(days=1)
    ),
    "k-service-00000000003": Ownership("service", None, "user_admin", "restricted", T0),
    "k_service_00000000004": Ownership(
        "service",
        None,
        None,
        None,
        datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2))),
    ),
    "k_unread_mode_0000005": Ownership("personal", "user_carol"),
}


@pytest.fixture
def directory(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "lwadmin-tui"


def ignored(read: CacheRead, path: Path, words: str) -> None:
    """Empty, and one sentence naming the file and why."""
    assert read.owners == {}
    assert read.problem.startswith(f"The owner cache {path} ")
    assert words in read.problem
    assert read.problem.endswith(".") and "\n" not in read.problem
    assert read.problem.count(". ") == 0, read.problem


def write_raw(directory: Path, data: bytes, host: str = HOST) -> Path:
    path = owner_cache_path(host, directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.chmod(0o600)
    return path


def raw_file(keys: object, *, version: object = 1, host: str = HOST) -> bytes:
    return json.dumps({"version": version, "host": host, "keys": keys}).encode()


# --- the round trip and the file --------------------------------------------------------


def test_a_missing_file_is_an_empty_cache_without_a_problem(directory: Path) -> None:
    assert load_owner_cache(HOST, directory) == CacheRead({}, "")
    assert not directory.exists()  # reading creates nothing


def test_what_is_saved_is_read_back_exactly(directory: Path) -> None:
    save_owner_cache(HOST, OWNERS, directory)
    read = load_owner_cache(HOST, directory)
    assert (read.owners, read.problem, read.dropped) == (OWNERS, "", 0)
    assert [o.read_at for o in read.owners.values()] == [o.read_at for o in OWNERS.values()]
    assert all(o.read_at is None or o.read_at.tzinfo is not None for o in read.owners.values())
    assert read.owners["k-service-00000000003"].owner_id is None
    save_owner_cache(HOST, {}, directory)  # nothing merged: the caller passes all it knows
    assert load_owner_cache(HOST, directory).owners == {}


def test_a_time_without_a_zone_is_kept_as_utc(directory: Path) -> None:
    naive = datetime(2025, 1, 1, 8, 0, 0)
    save_owner_cache(HOST, {"k1": Ownership("service", read_at=naive)}, directory)
    (read,) = load_owner_cache(HOST, directory).owners.values()
    assert read.read_at == naive.replace(tzinfo=UTC)


def test_the_file_is_0600_in_a_0700_directory(directory: Path) -> None:
    old = os.umask(0o022)
    try:
        save_owner_cache(HOST, OWNERS, directory)
    finally:
        os.umask(old)
    path = owner_cache_path(HOST, directory)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert stat.S_IMODE(directory.parent.stat().st_mode) == 0o700  # made by the save too
    assert os.listdir(directory) == [path.name]


def test_the_file_holds_only_ids_types_modes_and_times(directory: Path) -> None:
    save_owner_cache(HOST, OWNERS, directory)
    data = owner_cache_path(HOST, directory).read_bytes()
    allowed: set[str | None] = {"version", "host", "keys", HOST, "personal", "service", *OWNERS}
    times = set()
    for owned in OWNERS.values():
        allowed |= {owned.owner_id, owned.creator_id, owned.permission_mode}
        times.add(owned.read_at)
    for text in (found.decode() for found in re.findall(rb'"([^"]*)"', data)):
        assert text in allowed or datetime.fromisoformat(text) in times, text
    frame = re.sub(rb'"[^"]*"', b"", data)
    assert re.sub(rb"null|[0-9{}\[\]:,]", b"", frame) == b"", frame  # nothing else at all


def test_the_name_comes_from_the_host_and_cannot_leave_the_directory(directory: Path) -> None:
    for host in ("../../etc/passwd", "/abs", "a/b:443", "h\x00st", "\udcff", ""):
        path = owner_cache_path(host, directory)
        assert path.parent == directory
        assert re.fullmatch(r"owners-[0-9a-f]{16}\.json", path.name)
    assert owner_cache_path("lw.corp:8443", directory) != owner_cache_path("lw.corp", directory)
    assert owner_cache_path(HOST, directory) == owner_cache_path(HOST, directory)


def test_the_cache_directory_follows_xdg(tmp_path: Path) -> None:
    assert cache_dir({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "lwadmin-tui"
    assert cache_dir({"XDG_CACHE_HOME": "relative"}) == Path.home() / ".cache" / "lwadmin-tui"
    assert cache_dir({}) == Path.home() / ".cache" / "lwadmin-tui"


def test_the_default_directory_is_the_cache_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    save_owner_cache(HOST, OWNERS, None)
    assert owner_cache_path(HOST).parent == tmp_path / "xdg" / "lwadmin-tui"
    assert load_owner_cache(HOST).owners == OWNERS
    forget_owner_cache(HOST)
    assert not owner_cache_path(HOST).exists()
    forget_owner_cache(HOST)  # nothing there: nothing to do


# --- files that are not a valid cache ---------------------------------------------------


def test_a_file_of_another_host_is_ignored(directory: Path) -> None:
    save_owner_cache("other.example", OWNERS, directory)
    path = owner_cache_path(HOST, directory)
    shutil.copy(owner_cache_path("other.example", directory), path)
    ignored(load_owner_cache(HOST, directory), path, "another server")
    assert load_owner_cache("other.example", directory).owners == OWNERS


def valid_bytes() -> bytes:
    return owner_cache._encode(HOST, OWNERS)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "not valid JSON"),
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe{}", "not valid JSON"),
        (valid_bytes()[: len(valid_bytes()) // 2], "not valid JSON"),
        (b"[]", "wrong shape"),
        (b"null", "wrong shape"),
        (b"{}", "no format version"),
        (b'{"version": true, "host": "app.langwatch.ai"}', "no format version"),
        (b'{"version": "1", "host": "app.langwatch.ai"}', "no format version"),
        (b'{"version": 1}', "no host"),
        (b'{"version": 1, "host": 5}', "no host"),
        (b'{"version": 99}', "format version 99 is unknown"),
        (b'{"version": 99, "host": "app.langwatch.ai", "keys": 5}', "format version 99 is"),
        (b'{"version": 10000000000000000000000, "host": "x"}', "format version is unknown"),
        (b'{"version": 1, "host": "app.langwatch.ai", "keys": []}', "keys are not an object"),
        (b'{"version": 1, "host": "app.langwatch.ai", "keys": null}', "keys are not an object"),
        (b"[" * 100_000, "wrong shape"),
        (b"[" * 100_000 + b"]" * 100_000, "wrong shape"),
        (b'{"version": 1, "host": "h", "keys": ' + b"[" * 100_000, "nested too deeply"),
        (b'{"keys": ' + b'{"a":' * 100_000 + b"1" + b"}" * 100_001, "nested too deeply"),
    ],
    ids=lambda value: repr(value)[:40] if isinstance(value, bytes) else None,
)
def test_a_corrupt_file_is_ignored_in_one_sentence(
    directory: Path, data: bytes, words: str
) -> None:
    path = write_raw(directory, data)
    ignored(load_owner_cache(HOST, directory), path, words)


def test_a_file_too_large_is_not_read(directory: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(owner_cache, "MAX_CACHE_BYTES", 1 << 20)
    path = write_raw(directory, raw_file({}) + b" " * (1 << 20))
    ignored(load_owner_cache(HOST, directory), path, "larger than 1 MiB")


def test_entries_with_a_bad_value_are_dropped_one_by_one(directory: Path) -> None:
    good = ["personal", "user_a", "user_b", "all", "2025-06-01T12:00:00Z"]
    keys = {
        "k_good_1": good,
        "k_good_2": ["service", None, None, None, None],
        "k_future_mode": ["personal", "user_a", None, "owner_only", None],
        "bad id!": good,
        "a" * 65: good,
        "": good,
        "k\u00e9": good,
        "k_type": ["team", "user_a", None, "all", None],
        "k_owner_number": ["personal", 5, None, "all", None],
        "k_owner_empty": ["personal", "", None, "all", None],
        "k_owner_long": ["personal", "u" * 257, None, "all", None],
        "k_creator_list": ["personal", "user_a", ["x"], "all", None],
        "k_mode_number": ["personal", "user_a", None, 5, None],
        "k_time_word": ["personal", "user_a", None, "all", "yesterday"],
        "k_time_naive": ["personal", "user_a", None, "all", "2025-06-01T12:00:00"],
        "k_short": ["personal", "user_a"],
        "k_longer": [*good, "a later value"],  # ignored: a later version may add one
        "k_object": {"key_type": "personal"},
        "k_null": None,
    }
    read = load_owner_cache(HOST, write_raw(directory, raw_file(keys)).parent)
    assert read.problem == ""
    assert read.owners == {
        "k_good_1": Ownership(
            "personal", "user_a", "user_b", "all", datetime(2025, 6, 1, 12, tzinfo=UTC)
        ),
        "k_good_2": Ownership("service"),
        "k_future_mode": Ownership("personal", "user_a", None, "owner_only"),
        "k_longer": Ownership(
            "personal", "user_a", "user_b", "all", datetime(2025, 6, 1, 12, tzinfo=UTC)
        ),
    }
    assert read.dropped == len(keys) - 4


def test_a_bad_id_alone_keeps_the_rest_of_an_otherwise_valid_file(directory: Path) -> None:
    data = owner_cache._encode(HOST, OWNERS).replace(b'"k_personal_0000000001"', b'"k personal"')
    read = load_owner_cache(HOST, write_raw(directory, data).parent)
    assert read.owners == {k: v for k, v in OWNERS.items() if k != "k_personal_0000000001"}
    assert read.dropped == 1


def test_what_the_loader_would_drop_is_not_saved(directory: Path) -> None:
    save_owner_cache(
        HOST,
        {
            **OWNERS,
            "bad id": Ownership("personal", "u"),
            "k_type": Ownership("team", "u"),
            "k_owner": Ownership("personal", ""),
        },
        directory,
    )
    read = load_owner_cache(HOST, directory)
    assert (read.owners, read.dropped) == (OWNERS, 0)


# --- what stands at the path is not a file of ours ---------------------------------------


def test_a_link_at_the_path_is_refused_and_its_target_left_alone(
    directory: Path, tmp_path: Path
) -> None:
    save_owner_cache(HOST, OWNERS, tmp_path / "elsewhere")
    target = owner_cache_path(HOST, tmp_path / "elsewhere")
    target.chmod(0o644)
    before = target.read_bytes()
    directory.mkdir(parents=True)
    path = owner_cache_path(HOST, directory)
    path.symlink_to(target)
    ignored(load_owner_cache(HOST, directory), path, "symbolic link")
    with pytest.raises(NotOurFile, match="symbolic link"):
        save_owner_cache(HOST, {}, directory)
    assert path.is_symlink() and target.read_bytes() == before
    assert stat.S_IMODE(target.stat().st_mode) == 0o644  # never opened, never changed
    assert os.listdir(directory) == [path.name]


def in_thread(call: Callable[[], object], timeout: float = 5.0) -> object:
    """`call()` on a thread; fails (rather than hangs) when it does not return in time."""
    result: list[object] = []
    thread = threading.Thread(target=lambda: result.append(call()), daemon=True)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), "blocked"
    return result[0] if result else None


def test_a_fifo_at_the_path_is_refused_at_once(directory: Path) -> None:
    directory.mkdir(parents=True)
    path = owner_cache_path(HOST, directory)
    os.mkfifo(path, 0o600)
    started = time.monotonic()
    read = in_thread(lambda: load_owner_cache(HOST, directory))
    assert isinstance(read, CacheRead)
    ignored(read, path, "named pipe")
    assert time.monotonic() - started < 2

    def save() -> str:
        try:
            save_owner_cache(HOST, OWNERS, directory)
        except OSError as error:
            return str(error)
        return ""

    assert "named pipe" in str(in_thread(save))
    assert stat.S_ISFIFO(os.lstat(path).st_mode)


def test_a_directory_at_the_path_is_refused(directory: Path) -> None:
    path = owner_cache_path(HOST, directory)
    path.mkdir(parents=True)
    ignored(load_owner_cache(HOST, directory), path, "a directory")
    with pytest.raises(NotOurFile, match="a directory"):
        save_owner_cache(HOST, OWNERS, directory)
    assert path.is_dir()


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_another_users_file_at_the_path_is_refused(directory: Path) -> None:
    save_owner_cache(HOST, OWNERS, directory)
    path = owner_cache_path(HOST, directory)
    os.chown(path, 54321, 54321)
    ignored(load_owner_cache(HOST, directory), path, "another user (uid 54321)")
    with pytest.raises(NotOurFile, match="another user"):
        save_owner_cache(HOST, {}, directory)
    assert path.stat().st_uid == 54321


def test_a_cache_directory_that_is_a_link_is_refused_for_saving(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    link = tmp_path / "link"
    link.symlink_to(real)
    with pytest.raises(NotOurFile, match="symbolic link"):
        save_owner_cache(HOST, OWNERS, link)
    assert os.listdir(real) == []


# --- saving is atomic --------------------------------------------------------------------


def test_saving_over_a_file_leaves_no_temporary_file(directory: Path) -> None:
    save_owner_cache(HOST, OWNERS, directory)
    save_owner_cache(HOST, dict(list(OWNERS.items())[:2]), directory)
    assert os.listdir(directory) == [owner_cache_path(HOST, directory).name]
    assert len(load_owner_cache(HOST, directory).owners) == 2


def test_a_failed_rename_leaves_the_old_file_whole(
    directory: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_owner_cache(HOST, OWNERS, directory)
    path = owner_cache_path(HOST, directory)
    before = path.read_bytes()

    def refuse(source: object, destination: object) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(owner_cache.os, "replace", refuse)
    with pytest.raises(OSError, match="Input/output"):
        save_owner_cache(HOST, {}, directory)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert os.listdir(directory) == [path.name]


def test_a_failed_write_leaves_the_old_file_whole(
    directory: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_owner_cache(HOST, OWNERS, directory)
    path = owner_cache_path(HOST, directory)
    before = path.read_bytes()

    def full(fd: int, data: bytes) -> None:
        os.write(fd, data[:10])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(owner_cache, "write_all", full)
    with pytest.raises(OSError, match="No space left"):
        save_owner_cache(HOST, {}, directory)
    assert path.read_bytes() == before
    assert os.listdir(directory) == [path.name]


def test_an_old_temporary_file_of_a_crashed_save_is_removed(directory: Path) -> None:
    save_owner_cache(HOST, OWNERS, directory)
    name = owner_cache_path(HOST, directory).name
    old, young = directory / f".{name}.1-aaaa.tmp", directory / f".{name}.2-bbbb.tmp"
    for temp in (old, young):
        temp.write_bytes(b"{cut")
    hours_ago = time.time() - 2 * 3600
    os.utime(old, (hours_ago, hours_ago))
    save_owner_cache(HOST, OWNERS, directory)
    assert sorted(os.listdir(directory)) == sorted([name, young.name])


def test_a_full_disk_raises_and_leaves_the_old_file_whole(tiny_disk: Path) -> None:
    directory = tiny_disk / "lwadmin-tui"
    save_owner_cache(HOST, OWNERS, directory)
    path = owner_cache_path(HOST, directory)
    before = path.read_bytes()
    many = {
        f"k{n:020d}": Ownership("personal", f"user_{n}", f"user_{n}", "all", T0)
        for n in range(2000)
    }
    with pytest.raises(OSError) as caught:
        save_owner_cache(HOST, many, directory)
    assert caught.value.errno == errno.ENOSPC
    assert path.read_bytes() == before
    assert os.listdir(directory) == [path.name]
    assert load_owner_cache(HOST, directory).owners == OWNERS


# --- the setting -------------------------------------------------------------------------


def test_the_cache_is_on_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LWADMIN_OWNER_CACHE", raising=False)
    assert load_settings({}).settings.owner_cache is True
    assert settings_from(build_parser().parse_args([])).settings.owner_cache is True


def test_the_cache_can_be_turned_off_three_ways(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LWADMIN_OWNER_CACHE", raising=False)
    flagged = settings_from(build_parser().parse_args(["--no-owner-cache"]))
    assert flagged.settings.owner_cache is False
    config = tmp_path / "c.toml"
    config.write_text("owner_cache = false\n")
    config.chmod(0o600)
    assert load_settings({}, config_path=config).settings.owner_cache is False
    monkeypatch.setenv("LWADMIN_OWNER_CACHE", "false")
    assert load_settings({}).settings.owner_cache is False
    monkeypatch.setenv("LWADMIN_OWNER_CACHE", "true")
    assert load_settings({}, config_path=config).settings.owner_cache is True  # env beats file


def test_the_demo_keeps_its_owners_out_of_the_real_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "real"))
    with start_demo("admin"):
        inside = cache_dir()
        assert not inside.is_relative_to(tmp_path / "real")
    assert cache_dir() == tmp_path / "real" / "lwadmin-tui"
    assert not inside.parent.exists()  # went with the demo
    monkeypatch.delenv("XDG_CACHE_HOME")
    with start_demo("admin"):
        assert "XDG_CACHE_HOME" in os.environ
    assert "XDG_CACHE_HOME" not in os.environ


def test_a_read_error_or_an_unfitting_entry_is_a_sentence_too(
    directory: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_owner_cache(HOST, OWNERS, directory)
    path = owner_cache_path(HOST, directory)

    def unreadable(path: Path) -> bytes:
        raise OSError(errno.EIO, "Input/output error")

    with monkeypatch.context() as patched:
        patched.setattr(owner_cache, "_read_own", unreadable)
        ignored(load_owner_cache(HOST, directory), path, "could not be read (Input/output error)")

    def unfitting(rows: object) -> None:
        raise msgspec.ValidationError("Object missing required field `new_field`")

    monkeypatch.setattr(owner_cache, "_as_ownership", unfitting)
    ignored(load_owner_cache(HOST, directory), path, "do not fit")
