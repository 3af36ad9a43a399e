"""Servers that break the contract on purpose, each in its own module beside the faithful fake."""
