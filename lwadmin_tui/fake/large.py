"""A large organization for benchmarks: thousands of keys, same seed and `now`, same bytes.

The mix follows what big orgs have: mostly CI and personal keys, some service keys, a share of
expired and never-used ones, bindings spread over teams and projects. Ids use `rng.choices`
(not one `rng.choice` per character) so 100,000 keys build in about a second.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from lwadmin_tui.fake.org import (
    ALNUM,
    NANOID_ALPHABET,
    FakeBinding,
    FakeKey,
    FakeOrg,
    FakeProject,
    FakeTeam,
    FakeUser,
    Role,
    ScopeType,
)
from lwadmin_tui.fake.rules import FakeLangWatch
from lwadmin_tui.fake.scenarios import Scenario

SIZES = (1_000, 10_000, 100_000)
WORDS = (
    "ci", "deploy", "eval", "laptop", "notebook", "export", "sync", "staging", "prod", "test",
    "grafana", "runner", "nightly", "sandbox", "replay", "bot", "agent", "dashboard", "script",
)  # fmt: skip
ROLES: tuple[Role, ...] = ("ADMIN", "MEMBER", "VIEWER", "MEMBER", "VIEWER", "MEMBER")


def _text(rng: random.Random, alphabet: str, length: int) -> str:
    return "".join(rng.choices(alphabet, k=length))


def large_scenario(
    n_keys: int, now: datetime, seed: int = 7, clock: Callable[[], datetime] | None = None
) -> Scenario:
    """`n_keys` listed keys (the credential included): an org-wide ADMIN service key lists all."""
    rng = random.Random(seed * 104729 + n_keys)
    org = FakeOrg(id=f"organization_{_text(rng, ALNUM, 21)}", name="Megacorp Robotics")
    teams = [
        FakeTeam(f"team_{_text(rng, ALNUM, 21)}", f"Team {i}", f"team-{i}", org.id, now, now)
        for i in range(12)
    ]
    projects = [
        FakeProject(
            f"project_{_text(rng, ALNUM, 21)}", f"project-{i}", f"project-{i}",
            teams[i % len(teams)].id, now, now,
        )
        for i in range(40)
    ]  # fmt: skip
    org.teams, org.projects = teams, projects
    users = [
        org.add_user(FakeUser(f"user_{_text(rng, ALNUM, 21)}", f"User {i}", "MEMBER"))
        for i in range(max(1, n_keys // 20))
    ]

    def key(name: str, owner: FakeUser | None, age_days: float) -> FakeKey:
        created = now - timedelta(days=age_days, seconds=rng.randint(0, 86_399))
        used = expires = None
        if rng.random() > 0.15:  # 15 % never used
            used = max(created, now - timedelta(hours=rng.uniform(0.05, age_days * 24)))
        if rng.random() < 0.2:  # 20 % expire; half of those already have
            expires = now + timedelta(days=rng.uniform(-200, 200))
        bindings = []
        for _ in range(1 + (rng.random() < 0.25)):
            scope = rng.random()
            kind: ScopeType
            if scope < 0.15:
                kind, scope_id = "ORGANIZATION", org.id
            elif scope < 0.45:
                kind, scope_id = "TEAM", rng.choice(teams).id
            else:
                kind, scope_id = "PROJECT", rng.choice(projects).id
            bindings.append(
                FakeBinding(_text(rng, NANOID_ALPHABET, 25), rng.choice(ROLES), kind, scope_id)
            )
        return org.add_key(
            FakeKey(
                id=_text(rng, NANOID_ALPHABET, 21),
                name=name,
                organization_id=org.id,
                lookup_id=_text(rng, ALNUM, 16),
                secret=_text(rng, ALNUM, 48),
                created_at=created,
                description=None if rng.random() < 0.4 else f"{name}: {rng.choice(WORDS)} duty",
                expires_at=expires,
                last_used_at=used,
                bindings=bindings,
                owner_user_id=owner.id if owner else None,
                created_by_user_id=(owner or users[0]).id,
            )
        )

    credential = key("lwadmin-tui incident response", None, 45)
    admin = FakeBinding(_text(rng, NANOID_ALPHABET, 25), "ADMIN", "ORGANIZATION", org.id)
    credential.bindings = [admin]
    credential.expires_at = None
    for i in range(n_keys - 1):
        service = rng.random() < 0.1
        owner = None if service else rng.choice(users)
        words = f"{rng.choice(WORDS)}-{rng.choice(WORDS)}"
        name = f"{words} {i}" if service else f"{owner.name.lower()} {words}"  # type: ignore[union-attr]
        key(name, owner, rng.uniform(0.1, 900))
    fake = FakeLangWatch(org, clock or (lambda: now))
    fake.list_body(credential)  # built now, so the first list costs what later ones do
    return Scenario(
        name=f"large-{n_keys}",
        app=fake,
        token=credential.token,
        credential_key_id=credential.id,
        doomed_ids=frozenset(),
        expected_list_count=n_keys,
        description=f"{n_keys:,} keys seen by an org-wide ADMIN service key (benchmarks).",
    )


def large_factory(n_keys: int) -> Callable[..., Scenario]:
    """A `SCENARIOS` entry: same signature as `admin_scenario`."""

    def build(
        now: datetime, seed: int = 7, clock: Callable[[], datetime] | None = None
    ) -> Scenario:
        return large_scenario(n_keys, now, seed, clock)

    return build
