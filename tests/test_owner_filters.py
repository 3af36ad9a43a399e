"""The rules that depend on owners, alone: the text filter over owners and its `!`, the type and
owner filters, the picker's choices, what the filter line says is not known, and the own-key
clue the details give."""

from __future__ import annotations

from datetime import timedelta

from lwadmin_tui.api.models import ApiKeyInfo, RoleBinding
from lwadmin_tui.api.people import Person
from lwadmin_tui.bulk.own_key import candidates_from_details, guess_own_key
from lwadmin_tui.keys.attention import Reason, review
from lwadmin_tui.keys.filters import UNKNOWN_OWNER, QuickFilters
from lwadmin_tui.keys.owners import owner_cell, owner_choices, type_cell
from lwadmin_tui.keys.ownership import PERSONAL, SERVICE, Ownership
from lwadmin_tui.keys.state import KeysState
from tests.conftest import FIXED_NOW

ORG = RoleBinding("b1", "ADMIN", "ORGANIZATION", "org")
PROJECT = RoleBinding("b2", "MEMBER", "PROJECT", "project_1")


def key(key_id: str, name: str, *bindings: RoleBinding) -> ApiKeyInfo:
    return ApiKeyInfo(key_id, name, FIXED_NOW - timedelta(days=3), role_bindings=bindings)


KEYS = [
    key("k1", "luis dev", PROJECT),
    key("k2", "copilot load test", PROJECT),
    key("k3", "ci-runner", ORG),
    key("k4", "maya laptop", ORG),
    key("k5", "grafana"),
]
OWNERS = {
    "k1": Ownership(PERSONAL, "user_luis", "user_luis", "all"),
    "k2": Ownership(PERSONAL, "user_luis", "user_luis", "readonly"),
    "k3": Ownership(SERVICE, None, "user_maya", "all"),
    "k4": Ownership(PERSONAL, "user_maya", "user_maya", "restricted"),
}
PEOPLE = {
    "user_luis": Person("user_luis", "Luis Ortega", "luis@acme.example"),
    "user_maya": Person("user_maya", "Maya Chen", None),
}


def state(owners: dict[str, Ownership] | None = None) -> KeysState:
    built = KeysState(clock=lambda: FIXED_NOW)
    built.load(KEYS)
    built.add_owners(OWNERS if owners is None else owners)
    built.set_people(PEOPLE)
    return built


def shown(s: KeysState) -> list[str]:
    return [k.id for k in s.visible()]


def test_the_text_filter_finds_a_person_by_owner_name_email_and_id() -> None:
    s = state()
    s.filter_text = "luis"
    assert shown(s) == ["k1", "k2"]  # "copilot load test" is Luis's too
    s.filter_text = "LUIS@ACME"
    assert shown(s) == ["k1", "k2"]
    s.filter_text = "user_maya"
    assert shown(s) == ["k4"]  # the creator is not the owner: k3 is a service key


def test_the_text_filter_follows_owners_read_later() -> None:
    s = state(owners={})
    s.filter_text = "luis"
    assert shown(s) == ["k1"]
    assert s.owners_incomplete  # the line says owners are not all known
    s.add_owners(OWNERS)
    assert shown(s) == ["k1", "k2"]


def test_a_leading_bang_keeps_the_keys_without_the_text() -> None:
    s = state()
    s.filter_text = "!ci-"
    assert shown(s) == ["k1", "k2", "k4", "k5"]
    assert s.rules()[0].describe() == 'text without "ci-"'
    s.filter_text = "!"
    assert shown(s) == ["k1", "k2", "k3", "k4", "k5"]  # nothing after ! filters nothing
    s.filter_text = " ! luis"
    assert shown(s) == ["k3", "k4", "k5"]


def test_type_and_owner_filters_match_known_keys_only() -> None:
    s = state()
    s.quick = QuickFilters(key_type=SERVICE)
    assert shown(s) == ["k3"]
    s.quick = QuickFilters(key_type=PERSONAL)
    assert shown(s) == ["k1", "k2", "k4"]
    assert s.owners_incomplete  # k5 is not known: it matches neither type
    s.quick = QuickFilters(owner="user_luis", owner_label="Luis Ortega")
    assert shown(s) == ["k1", "k2"]
    assert s.rules()[0].describe() == "owner Luis Ortega"
    s.quick = QuickFilters(owner=UNKNOWN_OWNER)
    assert shown(s) == ["k5"]


def test_stale_personal_keys_are_one_filter_not_a_search() -> None:
    s = state()
    s.quick = QuickFilters(unused_days=1, key_type=PERSONAL)
    assert shown(s) == ["k1", "k2", "k4"]


def test_the_picker_lists_every_owner_by_name_with_counts_then_the_unknown() -> None:
    choices = owner_choices(KEYS, OWNERS, PEOPLE)
    assert [(c.label, c.count) for c in choices] == [
        ("Luis Ortega", 2),
        ("Maya Chen", 1),
        ("unknown owner", 1),
    ]
    assert choices[-1].owner == UNKNOWN_OWNER


def test_cells_say_service_unknown_or_a_short_id_without_a_name() -> None:
    assert owner_cell(OWNERS["k3"], PEOPLE) == "service"
    assert owner_cell(None, PEOPLE) == "?"
    assert type_cell(None) == "?"
    stranger = Ownership(PERSONAL, "user_0123456789abcdef", None)
    assert owner_cell(stranger, PEOPLE) == "user_01234…"
    hostile = {"u": Person("u", "[bold]x[/bold]\x1b[31m", None)}
    shown_name = owner_cell(Ownership(PERSONAL, "u"), hostile)
    assert shown_name.startswith("[bold]x[/bold]") and "\x1b" not in shown_name


def test_nothing_is_said_about_owners_without_a_filter_that_needs_them() -> None:
    s = state(owners={})
    assert not s.owners_incomplete
    s.quick = QuickFilters(expired=True)
    assert not s.owners_incomplete
    s.quick = QuickFilters(owner="user_luis")
    assert s.owners_incomplete and s.owners_known == 0


def test_a_service_key_is_flagged_in_the_confirmation_from_the_reads() -> None:
    flagged = review(KEYS, None, FIXED_NOW, OWNERS)
    assert Reason.SERVICE in flagged.reasons["k3"]
    assert "k5" not in flagged.reasons


def test_the_details_narrow_the_own_key_to_the_only_org_wide_service_key() -> None:
    owners = {**OWNERS, "k5": Ownership(SERVICE, None, None)}
    narrowed = candidates_from_details(KEYS, owners)
    assert narrowed is not None and narrowed[0] == ["k3"]  # k5 has no org-wide binding
    assert candidates_from_details(KEYS, OWNERS) is None  # k5 not known: no conclusion
    one_person = {k: v for k, v in owners.items() if v.owner_id != "user_maya"}
    assert candidates_from_details([k for k in KEYS if k.id in one_person], one_person) is None


async def test_a_unique_candidate_needs_no_watch() -> None:
    class NoLists:
        async def list_keys(self) -> tuple[ApiKeyInfo, ...]:
            raise AssertionError("no list is needed")

    owners = {**OWNERS, "k5": Ownership(SERVICE, None, None)}
    key_id, why = await guess_own_key(NoLists(), keys=KEYS, owners=owners)
    assert key_id == "k3" and why.startswith("a guess:") and "2 people" in why


def test_a_bang_alone_is_no_filter_at_all() -> None:
    s = state()
    s.filter_text = "!"
    assert s.rules() == []
