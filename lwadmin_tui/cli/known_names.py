"""Theme and binding names the command checks before it imports Textual.

The command sends the first list request before it imports Textual (`early_list.py`), and a typo
in `--theme` or `[keymap]` must stop it before the key has been sent anywhere. Importing Textual
to read these names would take 0.15-0.2 s first. `tests/test_known_names.py` keeps them in step
with Textual's themes and the app's bindings.
"""

from __future__ import annotations

TEXTUAL_THEMES = frozenset(
    {
        "ansi-dark", "ansi-light", "atom-one-dark", "atom-one-light", "catppuccin-frappe",
        "catppuccin-latte", "catppuccin-macchiato", "catppuccin-mocha", "dracula", "flexoki",
        "gruvbox", "monokai", "nord", "rose-pine", "rose-pine-dawn", "rose-pine-moon",
        "solarized-dark", "solarized-light", "textual-dark", "textual-light", "tokyo-night",
    }
)  # fmt: skip
"""`textual.theme.BUILTIN_THEMES` of the pinned Textual."""

BINDING_IDS = frozenset(
    {
        "batches", "cancel_batch", "cancel_range", "clear_filters", "clear_marks", "create_key",
        "cutover", "details", "detect_own_key", "export_shown", "filter", "filter_expired",
        "filter_key_type", "filter_never_used", "help", "invert_marks", "mark", "mark_all",
        "mark_down", "mark_up", "owner_filter", "quick_filters", "quit_app", "quit_ctrl_c",
        "quit_ctrl_q", "range", "read_owners", "reload", "retry_failed", "revoke", "roll",
        "sort", "sort_reverse", "write_plan",
    }
)  # fmt: skip
"""The ids of `LwAdminApp.BINDINGS` and `KeysScreen.BINDINGS`: what `[keymap]` may rebind."""
