"""Names for role-binding scopes: project and team names, read once and kept.

A key's bindings carry only scope ids. Two list calls (`/api/projects`, `/api/teams`) name them
all, so the directory is loaded once per app run, not per key. What cannot be read (a credential
without `team:view`, a project it may not view) stays an id, and `problems` says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lwadmin_tui.api.client import LangWatchClient
from lwadmin_tui.api.errors import LangWatchError


@dataclass
class ScopeDirectory:
    names: dict[str, str] = field(default_factory=dict)
    """Scope id -> project or team name."""
    project_team: dict[str, str] = field(default_factory=dict)
    """Project id -> its team id."""
    team_ids: list[str] = field(default_factory=list)
    """Every team read, in the server's order (whose members can name key owners)."""
    problems: list[str] = field(default_factory=list)
    loaded: bool = False

    async def load(self, client: LangWatchClient) -> ScopeDirectory:
        """Read projects and teams once; later calls return the cached directory."""
        if self.loaded:
            return self
        try:
            for project in await client.list_projects():
                self.names[project.id] = project.name
                if project.team_id:
                    self.project_team[project.id] = project.team_id
        except LangWatchError as error:
            self.problems.append(f"project names unavailable ({error})")
        try:
            for team in await client.list_teams():
                self.names[team.id] = team.name
                self.team_ids.append(team.id)
        except LangWatchError as error:
            self.problems.append(f"team names unavailable ({error})")
        self.loaded = True
        return self
