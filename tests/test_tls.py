"""TLS against a real local TLS server signed by a throwaway CA; redirects and plain http."""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
import trustme

from lwadmin_tui.api.auth import ApiKey
from lwadmin_tui.api.client import LangWatchClient
from lwadmin_tui.api.errors import TransportError
from lwadmin_tui.settings.errors import ConfigError
from lwadmin_tui.settings.tls import tls_settings
from lwadmin_tui.ui.app import LwAdminApp
from lwadmin_tui.ui.session import Session
from tests.app_driver import message_line, row_ids, settle, top_bar
from tests.canned_server import Canned, canned_server
from tests.conftest import FIXED_NOW
from tests.loopback import loopback_server

KEY = ApiKey("sk-lw-TLStlsTLStlsTLSt_" + "t" * 48)
ONE_KEY = {
    "data": [
        {
            "id": "key_tls_000000000001",
            "name": "behind a corporate CA",
            "createdAt": "2026-08-01T10:00:00.000Z",
            "roleBindings": [],
        }
    ]
}


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Path) -> Path:
    path = tmp_path / "corp-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture
def tls_url(ca: trustme.CA) -> Iterator[str]:
    """https://127.0.0.1:PORT answering the list with one key; certificate from `ca`."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            body = json.dumps(ONE_KEY).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    with loopback_server(Handler, tls=context) as url:
        yield url


async def list_with(url: str, context: ssl.SSLContext) -> int:
    async with LangWatchClient(url, KEY, verify=context) as client:
        return len(await client.list_keys())


async def test_ca_bundle_flag_trusts_the_corporate_ca(tls_url: str, ca_file: Path) -> None:
    tls = tls_settings(ca_file, env={})
    assert str(ca_file) in tls.description
    assert await list_with(tls_url, tls.context) == 1


async def test_ssl_cert_file_is_honoured(tls_url: str, ca_file: Path) -> None:
    tls = tls_settings(None, env={"SSL_CERT_FILE": str(ca_file)})
    assert "SSL_CERT_FILE" in tls.description
    assert await list_with(tls_url, tls.context) == 1


async def test_an_unknown_ca_is_refused(tls_url: str) -> None:
    tls = tls_settings(None, env={})  # certifi: does not know the throwaway CA
    assert "certifi" in tls.description
    with pytest.raises(
        TransportError, match=r"CERTIFICATE_VERIFY_FAILED|certificate verify failed"
    ):
        await list_with(tls_url, tls.context)


def test_verification_always_checks_chain_and_host_name(ca_file: Path) -> None:
    for tls in (tls_settings(ca_file, env={}), tls_settings(None, env={})):
        assert tls.context.check_hostname and tls.context.verify_mode == ssl.CERT_REQUIRED


def test_a_missing_or_broken_bundle_is_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        tls_settings(tmp_path / "nope.pem", env={})
    broken = tmp_path / "broken.pem"
    broken.write_text("not a certificate\n")
    with pytest.raises(ConfigError, match="cannot be loaded"):
        tls_settings(broken, env={})


@pytest.mark.pilot
async def test_the_app_lists_over_verified_tls(tls_url: str, ca_file: Path) -> None:
    app = LwAdminApp(
        Session(tls_url, KEY, verify=tls_settings(ca_file, env={}).context),
        clock=lambda: FIXED_NOW,
        cursor_blink=False,
    )
    async with app.run_test() as pilot:
        await settle(pilot)
        assert row_ids(pilot) == ["key_tls_000000000001"]
        assert "INSECURE" not in top_bar(pilot)


@pytest.mark.pilot
async def test_the_app_never_follows_a_redirect() -> None:
    reply = Canned(302, headers={"Location": "https://collector.evil.example/steal"})
    with canned_server(reply) as url:
        app = LwAdminApp(Session(url, KEY), clock=lambda: FIXED_NOW, cursor_blink=False)
        async with app.run_test() as pilot:
            await settle(pilot)
            line = message_line(pilot)
            assert row_ids(pilot) == []
    assert "302 redirecting to collector.evil.example; not followed" in line


@pytest.mark.pilot
async def test_insecure_http_shows_a_warning_in_the_header() -> None:
    with canned_server(Canned(200, json.dumps(ONE_KEY).encode())) as url:
        app = LwAdminApp(
            Session(url, KEY, insecure=True, profile="lab"),
            clock=lambda: FIXED_NOW,
            cursor_blink=False,
        )
        async with app.run_test(size=(120, 30)) as pilot:
            await settle(pilot)
            bar = top_bar(pilot)
    assert bar.startswith("INSECURE http: key sent unencrypted")
    assert "profile lab · 127.0.0.1" in bar
