"""Subcommands that run without the TUI: `auth set|status|delete` and `doctor`. No Textual."""
