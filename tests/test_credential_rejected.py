"""A 401 at start-up: a panel that says the key was rejected and what to check."""

from __future__ import annotations

import pytest

from lwadmin_tui.api.auth import ApiKey
from lwadmin_tui.ui.app import LwAdminApp
from lwadmin_tui.ui.screens.credential_rejected import CredentialRejectedScreen
from lwadmin_tui.ui.session import Session
from tests.app_driver import row_ids, settle
from tests.conftest import FIXED_NOW, World

pytestmark = pytest.mark.pilot


async def test_a_rejected_key_gets_a_panel_naming_its_source(admin_world: World) -> None:
    app = LwAdminApp(
        Session(
            admin_world.url,
            ApiKey("sk-lw-AAAAbbbbCCCCdddd_" + "x" * 44 + "WXYZ"),
            key_source="keyring entry 'acme' (service lwadmin-tui)",
        ),
        clock=lambda: FIXED_NOW,
        cursor_blink=False,
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, CredentialRejectedScreen)
        text = " ".join(str(w.render()) for w in app.screen.query("Static"))
        assert "The server rejected the API key (401)" in text
        assert "It said: Invalid credentials." in text
        assert "…WXYZ from keyring entry 'acme'" in text
        assert admin_world.server.url.split("//")[1] in text
        assert "x" * 16 not in text
        await pilot.press("escape")
        assert not isinstance(app.screen, CredentialRejectedScreen)
        assert row_ids(pilot) == []
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, CredentialRejectedScreen)
        await pilot.press("q")
    assert app.return_code == 0
