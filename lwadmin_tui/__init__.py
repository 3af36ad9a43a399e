"""lwadmin-tui: find, mark and bulk-revoke LangWatch organization API keys."""

__version__ = "0.1.0"
