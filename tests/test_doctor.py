"""`lwadmin-tui doctor` and `auth status` as a person runs them, against the fake on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import World
from tests.terminal import run_cli as run
from tests.terminal import secret_fragments

pytestmark = pytest.mark.e2e


def test_doctor_reports_every_line_and_a_live_list(admin_world: World) -> None:
    token = admin_world.scenario.token
    result = run(["doctor"], {"LWADMIN_ENDPOINT": admin_world.url, "LWADMIN_API_KEY": token})
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "profile:      default" in out
    assert "config file:" in out and "not present, defaults used" in out
    assert f"endpoint:     {admin_world.url}" in out
    assert f"credential:   LWADMIN_API_KEY (key …{token[-4:]})" in out
    assert "keyring:      keyring.backends.fail.Keyring: No system keyring" in out
    assert "TLS:          always verified; CAs from" in out
    count = admin_world.scenario.expected_list_count
    assert f"live check:   GET /api/api-keys: HTTP 200, {count} keys visible" in out
    assert not secret_fragments(out + result.stderr, token)


def test_doctor_says_when_the_key_is_rejected(admin_world: World) -> None:
    token = "sk-lw-REJECTEDrejected0_" + "r" * 48
    result = run(["doctor"], {"LWADMIN_ENDPOINT": admin_world.url, "LANGWATCH_API_KEY": token})
    assert result.returncode == 1
    assert "credential:   LANGWATCH_API_KEY (key …rrrr)" in result.stdout
    assert "HTTP 401" in result.stdout and "the key was rejected" in result.stdout
    assert not secret_fragments(result.stdout + result.stderr, token)


def test_doctor_without_a_key_lists_what_was_tried(admin_world: World) -> None:
    result = run(["doctor", "--no-keyring"], {"LWADMIN_ENDPOINT": admin_world.url})
    assert result.returncode == 1
    assert "none found; tried:" in result.stdout
    assert "system keyring: skipped (--no-keyring)" in result.stdout
    assert "live check:   skipped" in result.stdout


def test_doctor_uses_the_profile_from_the_config_file(admin_world: World, tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(f'[profiles.lab]\nendpoint = "{admin_world.url}"\n')
    config.chmod(0o600)
    result = run(
        ["--config", str(config), "--profile", "lab", "doctor"],
        {"LWADMIN_API_KEY": admin_world.scenario.token},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "profile:      lab" in result.stdout
    assert f"{config} (found)" in result.stdout


def test_auth_status_names_the_source_only(admin_world: World, tmp_path: Path) -> None:
    token = admin_world.scenario.token
    key_file = tmp_path / "key"
    key_file.write_text(token + "\n")
    key_file.chmod(0o600)
    result = run(["auth", "status", "--api-key-file", str(key_file)], {})
    assert result.returncode == 0, result.stderr
    assert f"credential: key file {key_file} (key …{token[-4:]})" in result.stdout
    assert not secret_fragments(result.stdout + result.stderr, token)


def test_auth_set_refuses_on_a_headless_host() -> None:
    result = run(["auth", "set"], {})
    assert result.returncode == 2
    assert "No system keyring is available" in result.stderr
    assert "dbus-run-session" in result.stderr and "Traceback" not in result.stderr


def test_a_loose_key_file_is_refused_with_the_fix(tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    key_file.write_text("sk-lw-x_y\n")
    key_file.chmod(0o644)
    result = run(["auth", "status", "--api-key-file", str(key_file)], {})
    assert result.returncode == 2
    assert f"chmod 600 {key_file}" in result.stderr
