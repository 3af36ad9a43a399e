"""Servers that misbehave on purpose, built around the faithful fake."""
