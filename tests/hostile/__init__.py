"""Loopback servers that misbehave on purpose in ways a faithful LangWatch never does."""
