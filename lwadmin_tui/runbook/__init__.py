"""Runbooks: list, plan and revoke keys from a script, on the TUI's filters, engine and audit log.

`selection.py` turns filter flags into the TUI's rules, `listing.py` prints keys, `plan.py`
writes and checks reviewed plans, `apply.py` runs a batch without a screen. The command line
that wires them is `cli/runbook.py`.
"""
