"""Widgets of the keys screen, one per file."""
