"""Deterministic demo and test worlds: same `now` and seed, byte-identical data.

Every date is an offset from `now`, every id comes from a seeded RNG, so screenshots and
snapshot tests stay stable while the data still looks like a real organization.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple, cast

from lwadmin_tui.fake.org import (
    ENTERPRISE,
    FakeBinding,
    FakeKey,
    FakeOrg,
    FakeProject,
    FakeTeam,
    FakeUser,
    PermissionMode,
    Role,
    ScopeType,
    nanoid,
    random_alnum,
)
from lwadmin_tui.fake.rules import FakeLangWatch


@dataclass(frozen=True)
class Scenario:
    """A ready world: `app` holds it, `token` is the credential the client runs with."""

    name: str
    app: FakeLangWatch
    token: str
    credential_key_id: str
    doomed_ids: frozenset[str]  # listed once, then revoked by "another admin" (409 later)
    expected_list_count: int  # keys the credential's first list returns
    description: str


class _K(NamedTuple):
    """One key spec: ages in days, expiry in days from now (negative = expired), use in hours."""

    name: str
    description: str | None
    age_days: float
    expires_days: float | None
    used_hours: float | None
    bindings: str  # "ROLE@scope[|perm,perm]" joined by " + "; scope: org, t:<team>, p:<project>
    mode: PermissionMode = "all"


SERVICE_KEYS = [
    _K("github-actions ci", "Runs the evaluation suites on every pull request", 210, None, 0.5,
       "MEMBER@p:pick-and-place-agent + MEMBER@p:vision-evals"),
    _K("deploy-bot (prod)", "Argo CD post-deploy smoke traces", 150, None, 3, "ADMIN@t:platform"),
    _K("grafana exporter", "Pulls analytics into the ops Grafana", 320, None, 0.1, "VIEWER@org"),
    _K("[bold]release[/bold] bot", None, 45, None, 30, "MEMBER@p:fleet-telemetry"),
    _K("nightly-dataset-sync", "Copies labelled traces to the research bucket", 95, -10, 260,
       "CUSTOM@org|organization:view,datasets:manage", "restricted"),
    _K("terraform langwatch provider", "Infra as code: projects and teams", 400, None, 700,
       "ADMIN@org"),
    _K("staging smoke tests", None, 60, None, None, "MEMBER@t:platform"),
    _K("old jenkins", "Pre-GitHub-Actions CI; should be gone", 700, -200, 5000, "ADMIN@p:sandbox"),
]  # fmt: skip

ADMIN_PEOPLE: list[tuple[str, str, bool, list[_K]]] = [
    ("Maya Chen", "ADMIN", False, [
        _K("maya laptop", "Local development on the MacBook", 30, None, 2, "ADMIN@org"),
        _K("maya notebook experiments", None, 120, None, 400, "MEMBER@p:vision-evals"),
        _K("maya - cli", "langwatch CLI login", 5, 85, 1, "ADMIN@org"),
        _K("quarterly audit export", "One-off for the Q2 audit", 80, -20, 1500, "VIEWER@org",
           "readonly"),
        _K("maya test key", None, 2, None, None, "VIEWER@t:perception"),
        _K("eval harness (maya)", "Grasp-success evaluator runs", 200, None, 50,
           "MEMBER@p:pick-and-place-agent + VIEWER@t:research"),
    ]),
    ("Luis Ortega", "MEMBER", False, [
        _K("luis dev", "Telemetry pipeline development", 40, None, 5, "MEMBER@p:fleet-telemetry"),
        _K("fleet replay tool", "Replays robot logs into traces", 100, None, 20,
           "MEMBER@p:fleet-telemetry + MEMBER@p:support-copilot"),
        _K("luis temp", None, 10, -1, None, "VIEWER@p:fleet-telemetry"),
        _K("copilot load test", "k6 load test, March", 170, None, 3000, "MEMBER@p:support-copilot"),
        _K("luis jupyter", None, 15, None, 100, "VIEWER@t:platform"),
        _K("on-call dashboards", "Read access for the on-call rotation", 70, None, 12,
           "CUSTOM@org|organization:view,analytics:view", "restricted"),
    ]),
    ("Priya Raman", "MEMBER", False, [
        _K("priya research", "Research cluster jobs", 55, None, 8, "MEMBER@t:research"),
        _K("docs-assistant prod", "Production tracing for the docs bot", 260, None, 0.2,
           "MEMBER@p:docs-assistant"),
        _K("priya sandbox", None, 3, None, None, "ADMIN@p:sandbox"),
        _K("prompt regression suite", "Nightly prompt regressions", 130, 30, 48,
           "MEMBER@p:docs-assistant + VIEWER@p:vision-evals"),
        _K("priya colab", None, 300, -100, 4000, "VIEWER@t:research"),
        _K("ablation runner", "Sweeps for the grasp paper", 25, None, 72,
           "CUSTOM@t:research|project:view,traces:view", "restricted"),
    ]),
    ("Tomasz Nowak", "EXTERNAL", False, [
        _K("tomasz read-only", "Looking at dashboards", 20, None, 6, "VIEWER@org"),
        _K("tomasz scripts", None, 90, None, None, "VIEWER@t:perception"),
        _K("label review", "Reviewing annotation queues", 12, None, 30, "VIEWER@p:vision-evals"),
        _K("tomasz export", "CSV export for finance", 200, -60, 2000, "VIEWER@org", "readonly"),
    ]),
    ("Amara Okafor", "ADMIN", False, [
        _K("amara admin cli", "Organization admin tooling", 8, None, 0.7, "ADMIN@org"),
        _K("billing reconciliation", "Monthly usage vs invoice check", 140, None, 170,
           "CUSTOM@org|organization:view,organization:billing", "restricted"),
        _K("amara onboarding demo", None, 35, None, None, "MEMBER@p:sandbox"),
        _K("support-copilot hotfix", "Hotfix tracing, May incident", 18, None, 9,
           "ADMIN@p:support-copilot"),
        _K("security scan", "Quarterly key hygiene check", 65, None, 900,
           "VIEWER@org + VIEWER@t:platform"),
    ]),
    ("Jonas Berg", "MEMBER", True, [
        _K("jonas perception dev", "Left the company in June", 240, None, 1800,
           "MEMBER@t:perception"),
        _K("jonas grasp-model evals", None, 180, None, 2200, "MEMBER@p:pick-and-place-agent"),
        _K("jonas personal", None, 300, None, None, "VIEWER@p:pick-and-place-agent"),
        _K("jonas ci fallback", "When GitHub Actions is down", 220, 40, 2000,
           "MEMBER@p:vision-evals + MEMBER@p:pick-and-place-agent"),
    ]),
]  # fmt: skip

TEAMS = {"perception": 500, "platform": 480, "research": 300}  # name -> age in days
PROJECTS = [  # name, team, language, framework, age in days
    ("pick-and-place-agent", "perception", "python", "langgraph", 450),
    ("vision-evals", "perception", "python", "dspy", 380),
    ("fleet-telemetry", "platform", "typescript", "vercel-ai", 470),
    ("support-copilot", "platform", "python", "openai", 330),
    ("docs-assistant", "research", "python", "langchain", 280),
    ("sandbox", "research", "python", "other", 120),
]


EMAIL_DOMAIN = "acme-robotics.example"
# name -> (days since joining the organization, days since deactivation or None)
MEMBERSHIP_DAYS: dict[str, tuple[float, float | None]] = {
    "Maya Chen": (720, None),
    "Amara Okafor": (700, None),
    "Jonas Berg": (650, 70),
    "Luis Ortega": (600, None),
    "Priya Raman": (520, None),
    "Tomasz Nowak": (410, None),
    "Dana Whitfield": (300, None),
}
# team -> its members and their roles in that team (only the people a scenario has)
TEAM_MEMBERS: dict[str, list[tuple[str, Role]]] = {
    "perception": [("Maya Chen", "ADMIN"), ("Tomasz Nowak", "VIEWER"), ("Jonas Berg", "MEMBER")],
    "platform": [("Luis Ortega", "ADMIN"), ("Amara Okafor", "MEMBER"),
                 ("Dana Whitfield", "MEMBER")],
    "research": [("Priya Raman", "ADMIN"), ("Maya Chen", "VIEWER")],
}  # fmt: skip
NOT_ENTERPRISE = "growth"


class _World:
    """Builds one deterministic organization; every random draw happens in a fixed order."""

    def __init__(self, now: datetime, seed: int, salt: int) -> None:
        self.now = now
        self.rng = random.Random(seed * 7919 + salt)
        self.org = FakeOrg(id=f"organization_{random_alnum(self.rng, 21)}", name="Acme Robotics")
        self.teams: dict[str, FakeTeam] = {}
        self.projects: dict[str, FakeProject] = {}
        self.people: dict[str, FakeUser] = {}
        for name, age in TEAMS.items():
            team = FakeTeam(self._id("team"), name.title(), name, self.org.id, *self._times(age))
            self.teams[name] = team
            self.org.teams.append(team)
        for name, team_name, language, framework, age in PROJECTS:
            team_id = self.teams[team_name].id
            project = FakeProject(
                self._id("project"), name, name, team_id, *self._times(age), language, framework
            )
            self.projects[name] = project
            self.org.projects.append(project)

    def _id(self, prefix: str) -> str:
        return f"{prefix}_{random_alnum(self.rng, 21)}"

    def _ago(self, days: float) -> datetime:
        jitter = timedelta(seconds=self.rng.randint(0, 3599), milliseconds=self.rng.randint(0, 999))
        return self.now - timedelta(days=days) + jitter

    def _times(self, age_days: float) -> tuple[datetime, datetime]:
        created = self._ago(age_days)
        return created, created + (self.now - created) / 3

    def user(self, name: str, role: str, deactivated: bool = False) -> FakeUser:
        """Add a member."""
        user = self.org.add_user(FakeUser(self._id("user"), name, role, deactivated))
        self.people[name] = user
        return user

    def memberships(self, plan: str = ENTERPRISE, teamless: frozenset[str] = frozenset()) -> None:
        """Emails, membership dates, teams and plan; no random draw, so ids and dates stay
        the same whatever is set here. `teamless` names people left out of every team."""
        self.org.plan = plan
        for name, user in self.people.items():
            user.email = name.lower().replace(" ", ".") + "@" + EMAIL_DOMAIN
            joined, left = MEMBERSHIP_DAYS.get(name, (365, None))
            user.joined_at = self.now - timedelta(days=joined)
            if user.deactivated:
                user.deactivated_at = self.now - timedelta(days=left or 1)
        for team_name, members in TEAM_MEMBERS.items():
            for name, role in members:
                if name in self.people and name not in teamless:
                    self.org.add_member(self.teams[team_name].id, self.people[name].id, role)

    def _bindings(self, spec: str) -> list[FakeBinding]:
        result = []
        for part in spec.split(" + "):
            role_scope, _, perms = part.partition("|")
            role, _, scope = role_scope.partition("@")
            kind, _, target = scope.partition(":")
            scope_type: ScopeType = "ORGANIZATION"
            scope_id = self.org.id
            if kind == "t":
                scope_type, scope_id = "TEAM", self.teams[target].id
            elif kind == "p":
                scope_type, scope_id = "PROJECT", self.projects[target].id
            permissions = frozenset(perms.split(",")) if perms else frozenset()
            binding_id = nanoid(self.rng, 25)
            result.append(
                FakeBinding(binding_id, cast(Role, role), scope_type, scope_id, permissions)
            )
        return result

    def key(self, spec: _K, owner: FakeUser | None, creator: FakeUser, **extra: object) -> FakeKey:
        """Add a key from a spec; ids are forced to show `_` and `-` now and then."""
        key_id = list(nanoid(self.rng))
        if len(self.org.keys) % 4 == 1:
            key_id[7] = "_"
        if len(self.org.keys) % 4 == 2:
            key_id[12] = "-"
        created = self._ago(spec.age_days)
        used = expires = None
        if spec.used_hours is not None:
            jitter = timedelta(seconds=self.rng.random())
            used = max(created, self.now - timedelta(hours=spec.used_hours) - jitter)
        if spec.expires_days is not None:
            expires = self.now + timedelta(days=spec.expires_days)
        key = FakeKey(
            id="".join(key_id),
            name=spec.name,
            organization_id=self.org.id,
            lookup_id=random_alnum(self.rng, 16),
            secret=random_alnum(self.rng, 48),
            created_at=created,
            description=spec.description,
            expires_at=expires,
            last_used_at=used,
            bindings=self._bindings(spec.bindings),
            owner_user_id=owner.id if owner else None,
            created_by_user_id=creator.id,
            permission_mode=spec.mode,
        )
        for name, value in extra.items():
            setattr(key, name, value)
        return self.org.add_key(key)


def _fixed(now: datetime) -> Callable[[], datetime]:
    return lambda: now


def admin_scenario(
    now: datetime,
    seed: int = 7,
    clock: Callable[[], datetime] | None = None,
    *,
    last_used_every_request: bool = False,
) -> Scenario:
    """An org-wide incident-response service key (ADMIN@org) that sees and revokes every key;
    the organization is on the Enterprise plan, so its member list names every key's owner."""
    return _acme(
        "admin",
        "Acme Robotics seen by an org-wide ADMIN service key: every key is listed.",
        now,
        seed,
        clock,
        plan=ENTERPRISE,
        teamless=frozenset(),
        last_used_every_request=last_used_every_request,
    )


def starter_scenario(
    now: datetime,
    seed: int = 7,
    clock: Callable[[], datetime] | None = None,
    *,
    last_used_every_request: bool = False,
) -> Scenario:
    """The admin scenario's organization on a plan without the organization's member list
    (402): owners are named from team members only, and Tomasz is in no team."""
    return _acme(
        "starter",
        "Acme Robotics on the Growth plan, seen by an org-wide ADMIN service key: owner names "
        "come from team members only, and Tomasz Nowak is in no team.",
        now,
        seed,
        clock,
        plan=NOT_ENTERPRISE,
        teamless=frozenset({"Tomasz Nowak"}),
        last_used_every_request=last_used_every_request,
    )


def _acme(
    name: str,
    description: str,
    now: datetime,
    seed: int,
    clock: Callable[[], datetime] | None,
    *,
    plan: str,
    teamless: frozenset[str],
    last_used_every_request: bool,
) -> Scenario:
    w = _World(now, seed, salt=1)
    people = [(w.user(name, role, off), keys) for name, role, off, keys in ADMIN_PEOPLE]
    maya, amara = people[0][0], people[4][0]
    credential = w.key(
        _K("lwadmin-tui incident response", "Break-glass key for bulk revocation", 45, None, None,
           "ADMIN@org"),
        None, amara,
    )  # fmt: skip
    service = [w.key(spec, None, maya if i % 2 else amara) for i, spec in enumerate(SERVICE_KEYS)]
    personal = {spec.name: w.key(spec, user, user) for user, specs in people for spec in specs}
    w.key(_K("legacy ci token", "Replaced by github-actions ci", 400, None, 800, "ADMIN@org"),
          None, maya, revoked_at=now - timedelta(days=30))  # fmt: skip
    w.key(_K("maya old laptop", None, 365, None, 900, "ADMIN@org"), maya, maya,
          revoked_at=now - timedelta(days=5))  # fmt: skip
    w.key(_K("langy-session", "Langy assistant session", 0.2, 0.8, 0.1,
             "CUSTOM@org|organization:view"), maya, maya, is_langy_session=True)  # fmt: skip
    doomed = {service[1].id, personal["fleet replay tool"].id, personal["jonas perception dev"].id}
    w.memberships(plan, teamless)
    app = FakeLangWatch(
        w.org,
        clock or _fixed(now),
        revoke_after_first_list=doomed,
        last_used_every_request=last_used_every_request,
    )
    return Scenario(
        name=name,
        app=app,
        token=credential.token,
        credential_key_id=credential.id,
        doomed_ids=frozenset(doomed),
        expected_list_count=1 + len(service) + len(personal),
        description=description,
    )


def manager_scenario(
    now: datetime,
    seed: int = 7,
    clock: Callable[[], datetime] | None = None,
    *,
    last_used_every_request: bool = False,
) -> Scenario:
    """A non-admin member's personal key with CUSTOM organization:view+manage at org scope."""
    w = _World(now, seed, salt=2)
    maya, luis = w.user("Maya Chen", "ADMIN"), w.user("Luis Ortega", "MEMBER")
    dana = w.user("Dana Whitfield", "MEMBER")
    credential = w.key(
        _K("dana cli", "Key-hygiene cleanup", 20, None, None,
           "CUSTOM@org|organization:view,organization:manage", "restricted"),
        dana, dana,
    )  # fmt: skip
    own = [
        _K("dana laptop", "Local development", 30, None, 4, "MEMBER@p:fleet-telemetry"),
        _K("dana notebook", None, 90, -5, 300, "VIEWER@t:platform"),
        _K("dana staging", "Staging traces for the copilot", 14, None, None,
           "MEMBER@p:support-copilot"),
        _K("dana old script", None, 250, None, 4000, "VIEWER@p:fleet-telemetry"),
    ]  # fmt: skip
    mine = [w.key(spec, dana, dana) for spec in own]
    service = [w.key(spec, None, maya) for spec in SERVICE_KEYS]
    for owner, spec in [
        (maya, _K("maya laptop", "Local development on the MacBook", 30, None, 2, "ADMIN@org")),
        (maya, _K("maya - cli", "langwatch CLI login", 5, 85, 1, "ADMIN@org")),
        (luis, _K("luis dev", "Telemetry pipeline development", 40, None, 5,
                  "MEMBER@p:fleet-telemetry")),
        (luis, _K("luis jupyter", None, 15, None, 100, "VIEWER@t:platform")),
    ]:  # fmt: skip
        w.key(spec, owner, owner)
    w.memberships()
    app = FakeLangWatch(
        w.org, clock or _fixed(now), last_used_every_request=last_used_every_request
    )
    return Scenario(
        name="manager",
        app=app,
        token=credential.token,
        credential_key_id=credential.id,
        doomed_ids=frozenset(),
        expected_list_count=1 + len(mine) + len(service),
        description="Dana's personal key (not an org admin): her keys plus service keys; "
        "revoking a service key answers 403 api_key_not_owned.",
    )


SCENARIOS: dict[str, Callable[..., Scenario]] = {
    "admin": admin_scenario,
    "manager": manager_scenario,
    "starter": starter_scenario,
}
