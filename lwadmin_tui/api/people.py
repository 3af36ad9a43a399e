"""Names for key owners: the organization's members, read once and kept.

A key's detail carries only its owner's user id. The organization's member list
(`/api/organization/members`, Enterprise plan only) names everyone, deactivated people too; on
other plans, or when it cannot be read, the members of each team fill in what they can. Whoever
is in no readable team stays an id, and `notes` says why. Names and emails are kept exactly as
the server sent them: whoever shows them passes them through `safe_text`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field

from lwadmin_tui.api.client import LangWatchClient
from lwadmin_tui.api.errors import LangWatchError, PlanRequired
from lwadmin_tui.api.models import Member
from lwadmin_tui.text import ELLIPSIS, safe_text

TEAM_READS_AT_ONCE = 4
"""Team member lists read concurrently when the organization's list is not available."""
SHORT_ID_LENGTH = 10

ENTERPRISE_ONLY = (
    "owner names come from team members only: "
    "the organization's member list needs the Enterprise plan"
)


@dataclass(frozen=True)
class Person:
    """A member of the organization, as the server names them (either may be missing)."""

    user_id: str
    name: str | None
    email: str | None


@dataclass
class PeopleDirectory:
    people: dict[str, Person] = field(default_factory=dict)
    """User id -> the person."""
    notes: list[str] = field(default_factory=list)
    """Plain sentences saying why some owners cannot be named."""
    loaded: bool = False

    async def load(self, client: LangWatchClient, team_ids: Iterable[str]) -> PeopleDirectory:
        """Read the members once (never raises a client error); later calls return the cache.

        `team_ids` are the teams already read for scope names, used only if the organization's
        member list cannot be read.
        """
        if self.loaded:
            return self
        try:
            members = await client.list_organization_members()
        except PlanRequired:
            self.notes.append(ENTERPRISE_ONLY)
        except LangWatchError as error:
            self.notes.append(
                f"the organization's member list is unavailable ({error}); "
                "owner names come from team members only"
            )
        else:
            self._add(members)
            self.loaded = True
            return self
        await self._load_teams(client, list(dict.fromkeys(team_ids)))
        self.loaded = True
        return self

    async def _load_teams(self, client: LangWatchClient, team_ids: list[str]) -> None:
        if not team_ids:
            self.notes.append("owner names unavailable (no team could be read)")
            return
        gate = asyncio.Semaphore(TEAM_READS_AT_ONCE)

        async def read(team_id: str) -> tuple[Member, ...] | LangWatchError:
            async with gate:
                try:
                    return await client.list_team_members(team_id)
                except LangWatchError as error:
                    return error

        answers = await asyncio.gather(*(read(team_id) for team_id in team_ids))
        failed: dict[str, list[str]] = {}  # error sentence -> the teams it came from
        for team_id, answer in zip(team_ids, answers, strict=True):
            if isinstance(answer, LangWatchError):
                failed.setdefault(str(answer), []).append(team_id)
            else:
                self._add(answer)
        for reason, teams in failed.items():
            if len(teams) == len(team_ids):
                self.notes.append(f"owner names unavailable ({reason})")
            elif len(teams) == 1:
                self.notes.append(
                    f"members of team {short_user_id(teams[0])} unavailable ({reason})"
                )
            else:
                self.notes.append(f"members of {len(teams)} teams unavailable ({reason})")

    def _add(self, members: Iterable[Member]) -> None:
        for member in members:
            if member.user_id not in self.people:
                self.people[member.user_id] = Person(member.user_id, member.name, member.email)

    def name_of(self, user_id: str) -> str | None:
        """The person's name, else their email, else None (unknown or unnamed); not yet safe
        for display."""
        person = self.people.get(user_id)
        if person is None:
            return None
        return person.name or person.email or None


def short_user_id(user_id: str) -> str:
    """A short, recognisable, display-safe form of an id for a table cell: `user_Ab3dE…`."""
    text = safe_text(user_id)
    if len(text) > SHORT_ID_LENGTH:
        return text[:SHORT_ID_LENGTH] + ELLIPSIS
    return text
