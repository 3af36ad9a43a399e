"""The runbook commands, run as the real program against the fake over HTTP: filters that equal
the TUI's, plan then apply (drift skipped, exit 3), another host refused, no terminal without
--yes, ids from a file, JSON lines a script can parse, and SIGTERM mid-apply."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from lwadmin_tui.api.models import ApiKeyInfo
from lwadmin_tui.audit.history import batches, interrupted
from lwadmin_tui.audit.log import AuditLog
from lwadmin_tui.fake import admin_scenario
from lwadmin_tui.keys.filters import QuickFilters
from lwadmin_tui.keys.state import KeysState
from tests.conftest import World, serve
from tests.terminal import app_env, child_env, run_cli

pytestmark = pytest.mark.e2e


BEFORE = (datetime.now(UTC) - timedelta(days=150)).date()


def deletes(world: World) -> list[str]:
    return [r.path.rsplit("/", 1)[-1] for r in world.fake.requests if r.method == "DELETE"]


def listed(world: World) -> list[str]:
    keys = [k for k in world.fake.org.keys.values() if k.revoked_at is None]
    keys = [k for k in keys if not k.is_langy_session]
    keys.sort(key=lambda k: (k.created_at, k.id), reverse=True)
    return [k.id for k in keys]


def json_lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize(
    ("flags", "quick", "text"),
    [
        (["--unused-days", "90"], QuickFilters(unused_days=90), ""),
        (["--expired"], QuickFilters(expired=True), ""),
        (["--role", "ADMIN", "--scope-type", "organization"],
         QuickFilters(role="ADMIN", scope_type="ORGANIZATION"), ""),
        (["--text", "!ci", "--never-used"], QuickFilters(never_used=True), "!ci"),
        (["--created-before", BEFORE.isoformat(), "--scope", "vision"],
         QuickFilters(created_before=BEFORE, scope="vision"), ""),
    ],
)  # fmt: skip
def test_keys_list_selects_what_the_tui_shows(
    live_world: World, flags: list[str], quick: QuickFilters, text: str
) -> None:
    done = run_cli(["keys", "list", "--format", "json", *flags], app_env(live_world))
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    state = KeysState(clock=lambda: datetime.now(UTC))
    state.load(_infos(live_world))
    names = {p.id: p.name for p in live_world.fake.org.projects}
    names |= {t.id: t.name for t in live_world.fake.org.teams}
    state.scopes.names.update(names)
    state.quick, state.filter_text = quick, text
    assert [row["id"] for row in rows] == [k.id for k in state.visible()]
    assert rows and set(rows[0]) >= {"id", "name", "createdAt", "lastUsedAt", "roleBindings"}


def _infos(world: World) -> list[object]:
    from lwadmin_tui.api.key_list import parse_key_list

    caller = world.fake.key(world.scenario.credential_key_id)
    parsed = parse_key_list(world.fake.list_body(caller), status=200)
    assert parsed is not None
    return list(parsed)


@pytest.fixture
def live_world() -> Iterator[World]:
    """Dated from the real clock: the program under test reads it too."""
    yield from serve(admin_scenario(datetime.now(UTC)))


def test_csv_quotes_a_cell_that_would_start_a_formula(live_world: World) -> None:
    key = live_world.fake.key(listed(live_world)[0])
    key.name = "=HYPERLINK(1)"
    done = run_cli(["keys", "list", "--format", "csv"], app_env(live_world))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].startswith("id,name,")
    assert "'=HYPERLINK(1)" in done.stdout


def test_plan_then_apply_skips_a_key_used_in_between(live_world: World, tmp_path: Path) -> None:
    env = app_env(live_world)
    plan = tmp_path / "plan.json"
    made = run_cli(["revoke", "plan", "--unused-days", "90", "--output", str(plan)], env)
    assert made.returncode == 0, made.stderr
    assert plan.stat().st_mode & 0o777 == 0o600
    body = json.loads(plan.read_text())
    assert live_world.scenario.token not in plan.read_text()
    planned = [k["id"] for k in body["keys"]]
    assert len(planned) >= 3 and body["host"] in live_world.url and deletes(live_world) == []
    used = planned[0]
    live_world.fake.key(used).last_used_at = datetime.now(UTC)  # someone used it since
    gone = planned[1]
    live_world.fake.revoke_out_of_band(gone)
    done = run_cli(["revoke", "apply", str(plan), "--yes", "--reason", "stale cleanup"], env)
    assert done.returncode == 3, done.stderr
    lines = {line["id"]: line for line in json_lines(done.stdout)}
    assert lines[used]["outcome"] == "skipped: drifted"
    assert lines[used]["message"] == "used since the plan"
    assert lines[gone]["outcome"] == "gone since the plan"
    assert sorted(deletes(live_world)) == sorted(planned[2:])
    assert {lines[k]["outcome"] for k in planned[2:]} == {"revoked"}
    assert "changed since the plan" in done.stderr
    records = list(AuditLog().records())
    assert {r.get("reason") for r in records if r.get("event") == "intent"} == {"stale cleanup"}


def test_a_plan_for_another_host_is_refused(live_world: World, tmp_path: Path) -> None:
    env = app_env(live_world)
    plan = tmp_path / "plan.json"
    assert run_cli(["revoke", "plan", "--expired", "--output", str(plan)], env).returncode == 0
    body = json.loads(plan.read_text())
    body["host"] = "app.langwatch.ai"
    plan.write_text(json.dumps(body))
    done = run_cli(["revoke", "apply", str(plan), "--yes"], env)
    assert done.returncode == 2
    assert "made for app.langwatch.ai" in done.stderr and "Nothing was sent" in done.stderr
    assert deletes(live_world) == []


def test_without_a_terminal_nothing_is_sent_without_yes(live_world: World) -> None:
    ids = listed(live_world)[:2]
    done = run_cli(["revoke", "ids", *ids], app_env(live_world))
    assert done.returncode == 2
    assert "add --yes" in done.stderr
    assert deletes(live_world) == []
    assert not any(r.get("event") == "batch" for r in AuditLog().records())


def test_ids_from_a_file_with_comments_and_the_json_lines(
    live_world: World, tmp_path: Path
) -> None:
    ids = listed(live_world)[3:6]
    own = live_world.scenario.credential_key_id
    source = tmp_path / "ids.txt"
    source.write_text(f"# incident 4711\n{ids[0]}\n\n{ids[1]}  # laptop\n{ids[2]}\n")
    dry = run_cli(["revoke", "ids", "--from-file", str(source), "--dry-run"], app_env(live_world))
    assert dry.returncode == 0 and deletes(live_world) == []
    assert [line["outcome"] for line in json_lines(dry.stdout)] == ["would be revoked"] * 3
    done = run_cli(["revoke", "ids", "--from-file", str(source), "--yes"], app_env(live_world))
    assert done.returncode == 0, done.stderr
    lines = json_lines(done.stdout)
    assert sorted(line["id"] for line in lines) == sorted(ids)
    assert all(set(line) == {"id", "name", "outcome", "status", "message", "attempts"}
               for line in lines)  # fmt: skip
    assert "3 keys: 3 revoked" in done.stderr
    assert own not in deletes(live_world)


def test_an_id_that_is_not_an_id_stops_before_anything_is_sent(live_world: World) -> None:
    done = run_cli(
        ["revoke", "ids", "--yes", listed(live_world)[0], "../teams"], app_env(live_world)
    )
    assert done.returncode == 2 and "not a LangWatch key id" in done.stderr
    assert deletes(live_world) == []


def test_a_refused_key_makes_the_run_exit_1(live_world: World) -> None:
    vanished = listed(live_world)[0]
    del live_world.fake.org.keys[vanished]
    done = run_cli(["revoke", "ids", "--yes", vanished], app_env(live_world))
    assert done.returncode == 1
    assert json_lines(done.stdout)[0]["outcome"] == "not found"


def test_sigterm_mid_apply_stops_sending_and_every_delete_has_its_intent(
    live_world: World, tmp_path: Path
) -> None:
    env = app_env(live_world)
    plan = tmp_path / "plan.json"
    own = live_world.scenario.credential_key_id
    assert (
        run_cli(["revoke", "plan", "--text", "!incident", "--output", str(plan)], env).returncode
        == 0
    )
    planned = [k["id"] for k in json.loads(plan.read_text())["keys"]]
    live_world.server.latency_ms = 150
    child = subprocess.Popen(
        [sys.executable, "-m", "lwadmin_tui", "--concurrency", "2", "revoke", "apply", str(plan),
         "--yes"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=child_env(env),
    )  # fmt: skip
    assert child.stdout is not None
    first = ""
    while '"revoked"' not in first:  # keys gone since the plan come first; then the batch
        line = child.stdout.readline()
        assert line, "the run ended before any key was revoked"
        first += line
    child.send_signal(signal.SIGTERM)
    # From the same buffered reader: communicate() reads the pipe itself and would miss the
    # lines this reader has already taken in.
    rest = child.stdout.read()
    assert child.stderr is not None
    errors = child.stderr.read()
    assert child.wait(timeout=60) == 143, errors
    outcomes = json_lines(first + rest)
    sent = deletes(live_world)
    assert 0 < len(sent) < len(planned)
    records = list(AuditLog().records())
    intents = {r["key_id"] for r in records if r.get("event") == "intent"}
    assert set(sent) <= intents
    assert {line["id"] for line in outcomes} == set(planned)  # every key has its outcome line
    assert "Stopped by a signal" in errors
    assert own not in sent


def test_a_killed_apply_is_reported_by_the_next_tui_start(
    live_world: World, tmp_path: Path
) -> None:
    env = app_env(live_world)
    plan = tmp_path / "plan.json"
    assert run_cli(["revoke", "plan", "--never-used", "--output", str(plan)], env).returncode == 0
    live_world.server.latency_ms = 300
    child = subprocess.Popen(
        [sys.executable, "-m", "lwadmin_tui", "revoke", "apply", str(plan), "--yes"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env=child_env(env),
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while not any(r.get("event") == "intent" for r in AuditLog().records()):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    child.kill()
    child.wait(timeout=30)
    host = live_world.url.split("://", 1)[1]
    open_batches = interrupted(batches(AuditLog().records()), host, "default")
    assert len(open_batches) == 1 and open_batches[0].unresolved


def test_an_ids_file_that_never_ends_is_refused(live_world: World) -> None:
    done = run_cli(["revoke", "ids", "--yes", "--from-file", "/dev/zero"], app_env(live_world))
    assert done.returncode == 2 and "larger than 64 MiB" in done.stderr
    assert deletes(live_world) == []


def test_a_plan_cut_by_a_full_disk_is_not_left_behind(tiny_disk: Path) -> None:
    from lwadmin_tui.runbook.plan import make_plan, write_plan

    keys = _infos_of_many(3000)
    plan = make_plan(keys, host="h", profile="p", now=datetime.now(UTC), filters="x")
    target = tiny_disk / "plan.json"
    with pytest.raises(OSError):
        write_plan(plan, target)  # about 400 KiB on a 64 KiB disk
    assert not target.exists()


def _infos_of_many(count: int) -> list[ApiKeyInfo]:
    now = datetime.now(UTC)
    return [ApiKeyInfo(f"key{n:018d}", f"name {n}" * 5, now) for n in range(count)]
