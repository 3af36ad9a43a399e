"""`python -m benchmarks.redaction [--tree PATH]`: masking a credential a server echoes back.

An error answer that repeats pieces of the admin's credential thousands of times is cleaned
(`safe_text`, on the event loop) before it is shown. Prints the time of `safe_text` (what the
screen shows, 300 characters) and of `redact_secrets` (the whole text, as the debug log masks
it) for 0.25 MB and 1 MB of echoes. `--tree PATH` imports `lwadmin_tui` from another source
tree, to measure the code before a change.
"""

from __future__ import annotations

import argparse
import sys
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tree", default=None)
    args = parser.parse_args()
    if args.tree:
        sys.path.insert(0, args.tree)
    from lwadmin_tui.text import redact_secrets, register_secret, safe_text

    credential = "sk-lw-" + "AbCdEfGhIjKlMnOp" + "_" + "Qr" * 24
    register_secret(credential)
    for echoes in (10_000, 40_000):
        message = (credential[6:30] + " ") * echoes
        started = time.perf_counter()
        safe_text(message, 300)
        shown = time.perf_counter() - started
        started = time.perf_counter()
        redact_secrets(message)
        whole = time.perf_counter() - started
        size = len(message) / 1e6
        print(f"{size:.2f} MB, {echoes} echoes: safe_text {shown:.3f} s, whole {whole:.3f} s")


if __name__ == "__main__":
    main()
