"""The names the command checks without importing Textual are Textual's and the app's own."""

from __future__ import annotations

from textual.binding import Binding
from textual.theme import BUILTIN_THEMES

from lwadmin_tui.cli.known_names import BINDING_IDS, TEXTUAL_THEMES
from lwadmin_tui.ui.app import LwAdminApp
from lwadmin_tui.ui.screens.keys_screen import KeysScreen


def test_the_themes_are_textuals_builtin_themes() -> None:
    assert set(BUILTIN_THEMES) == TEXTUAL_THEMES


def test_the_binding_ids_are_the_apps_bindings() -> None:
    declared = {
        binding.id
        for binding in [*LwAdminApp.BINDINGS, *KeysScreen.BINDINGS]
        if isinstance(binding, Binding) and binding.id
    }
    assert declared == BINDING_IDS
