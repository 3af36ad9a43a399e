"""Plans in the TUI: `P` writes the marked keys as a plan for `revoke apply` (or for a second
admin to review), and `lwadmin-tui --plan PLAN.json` opens the table with exactly the plan's keys
marked; keys that changed since the plan are flagged in their row and left unmarked.

A plain object the keys screen owns; the plan format and the drift check are `runbook/plan.py`.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual.binding import Binding

from lwadmin_tui.keys.export import free_stem
from lwadmin_tui.runbook.plan import Drift, Plan, drift_of, make_plan, write_plan
from lwadmin_tui.settings.files import os_reason, private_dir
from lwadmin_tui.settings.paths import DEFAULT_PROFILE, exports_dir
from lwadmin_tui.text import plural, safe_text
from lwadmin_tui.ui.messages import PlanWritten
from lwadmin_tui.ui.widgets.filter_bar import filter_summary

if TYPE_CHECKING:
    from lwadmin_tui.keys.state import KeysState
    from lwadmin_tui.ui.screens.keys_screen import KeysScreen

PLAN_BINDINGS = [
    Binding(
        "P",
        "write_plan",
        "Plan",
        id="write_plan",
        show=False,
        tooltip="Write the marked keys as a plan for lwadmin-tui revoke apply (nothing is sent)",
    ),
]


def plan_path(directory: Path, now: datetime) -> Path:
    private_dir(directory, "exports directory")
    stem = free_stem(directory, f"plan-{now.astimezone().strftime('%Y%m%d-%H%M%S')}")
    return directory / f"{stem}.json"


def write_marked(plan: Plan, directory: Path, now: datetime) -> Path:
    path = plan_path(directory, now)
    write_plan(plan, path)
    return path


class PlanFlow:
    def __init__(self, screen: KeysScreen) -> None:
        self.screen = screen
        self.opened = False

    @property
    def state(self) -> KeysState:
        return self.screen.state

    def write(self) -> None:
        """`P`: the marked keys as a plan, on a thread (a plan may hold 100,000 keys)."""
        keys = self.state.marked_keys()
        if not keys:
            self.screen.say("Nothing to plan: no key is marked.", passing=True)
            return
        app = self.screen.lw_app
        profile = app.session.profile or DEFAULT_PROFILE
        words = filter_summary(self.state, len(self.state.visible())).plain
        plan = make_plan(keys, host=app.host, profile=profile, now=app.clock(), filters=words)
        work = partial(write_marked, plan, exports_dir(), app.clock())

        def written() -> None:
            try:
                path = work()
            except (OSError, ValueError) as error:
                reason = os_reason(error) if isinstance(error, OSError) else str(error)
                self.screen.post_message(PlanWritten(None, safe_text(reason, 300), len(keys)))
            else:
                self.screen.post_message(PlanWritten(path, "", len(keys)))

        self.screen.run_worker(written, thread=True, group="plan", exit_on_error=False)

    def written(self, message: PlanWritten) -> None:
        if message.path is None:
            problem = message.problem.rstrip(".")
            self.screen.say(f"Could not write the plan: {problem}. Nothing was written.")
            return
        gone = ""
        if self.screen.lw_app.session.temporary_files:
            gone = " (the demo's temporary folder: deleted when the app quits)"
        self.screen.say(
            f"Wrote a plan of {plural(message.count)} to {safe_text(message.path, 160)}{gone}: "
            f"lwadmin-tui revoke apply {safe_text(message.path.name, 60)} revokes them after "
            "a review. Nothing was sent."
        )

    def open(self, plan: Plan) -> None:
        """After the first list: mark the plan's keys that are as planned, flag the others."""
        if self.opened:
            return
        self.opened = True
        state = self.state
        marked: list[str] = []
        drifted = gone = 0
        for planned in plan.keys:
            drift = drift_of(planned, state.keys.get(planned.id))
            if drift is Drift.AS_PLANNED:
                marked.append(planned.id)
            elif drift is Drift.GONE:
                gone += 1
            else:
                drifted += 1
                state.flags[planned.id] = f"drifted: {drift.value}"
        state.mark(marked)
        self.screen.table.update_marks(state)
        self.screen.refresh_status()
        parts = [f"{len(marked)} marked as planned"]
        if drifted:
            parts.append(f"{drifted} drifted (flagged in their row, not marked)")
        if gone:
            parts.append(f"{gone} gone since the plan")
        made = safe_text(plan.created, 40)
        self.screen.say(
            f"Plan of {plural(len(plan.keys))} made {made} ({safe_text(plan.filters, 80)}): "
            f"{', '.join(parts)}. d revokes the marked keys after the usual question."
        )
