"""The finding rules without a screen: each filter, their combination, the sort, range marks."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from lwadmin_tui.api.models import ApiKeyInfo, ApiKeyInfoModel
from lwadmin_tui.keys.filters import (
    BindingFilter,
    CreatedBeforeFilter,
    ExpiredFilter,
    FilterContext,
    NeverUsedFilter,
    QuickFilters,
    TextFilter,
    UnusedForFilter,
    parse_day,
    parse_days,
)
from lwadmin_tui.keys.sorting import SortSpec, sort_keys
from lwadmin_tui.keys.state import KeysState
from tests.conftest import FIXED_NOW

NOW = FIXED_NOW


def key(
    key_id: str,
    name: str = "k",
    *,
    age: float = 10,
    used: float | None = 1,
    expires: float | None = None,
    bindings: tuple[tuple[str, str, str], ...] = (("ADMIN", "ORGANIZATION", "org1"),),
    description: str | None = None,
) -> ApiKeyInfo:
    """A list row; ages in days before NOW, `expires` in days after it (negative: past)."""
    data: dict[str, Any] = {
        "id": key_id,
        "name": name,
        "description": description,
        "createdAt": NOW - timedelta(days=age),
        "lastUsedAt": None if used is None else NOW - timedelta(days=used),
        "expiresAt": None if expires is None else NOW + timedelta(days=expires),
        "roleBindings": [
            {"id": f"b{i}", "role": r, "scopeType": t, "scopeId": s}
            for i, (r, t, s) in enumerate(bindings)
        ],
    }
    return ApiKeyInfoModel.model_validate(data).to_info()


CTX = FilterContext(NOW, {"p1": "vision-evals", "t1": "perception"})


def test_text_filter_matches_name_description_and_id_case_insensitively() -> None:
    row = key("AbC123", "Deploy Bot", description="Argo CD")
    assert TextFilter("deploy").matches(row, CTX)
    assert TextFilter("ARGO").matches(row, CTX)
    assert TextFilter("abc1").matches(row, CTX)
    assert not TextFilter("jenkins").matches(row, CTX)


def test_expired_and_never_used() -> None:
    assert ExpiredFilter().matches(key("a", expires=-1), CTX)
    assert not ExpiredFilter().matches(key("a", expires=1), CTX)
    assert not ExpiredFilter().matches(key("a", expires=None), CTX)
    assert NeverUsedFilter().matches(key("a", used=None), CTX)
    assert not NeverUsedFilter().matches(key("a", used=400), CTX)


def test_unused_for_counts_never_used_keys_from_their_creation() -> None:
    rule = UnusedForFilter(90)
    assert rule.matches(key("a", used=91), CTX)
    assert not rule.matches(key("a", used=89), CTX)
    assert rule.matches(key("a", age=200, used=None), CTX)  # old and never used: stale
    assert not rule.matches(key("a", age=2, used=None), CTX)  # new and never used: not yet


def test_created_before_is_a_utc_day() -> None:
    rule = CreatedBeforeFilter(date(2026, 8, 12))
    assert rule.matches(key("a", age=11), CTX)  # 2026-08-11
    assert not rule.matches(key("a", age=10), CTX)  # 2026-08-12 12:00


def test_binding_filter_needs_one_binding_to_hold_every_part() -> None:
    row = key("a", bindings=(("ADMIN", "PROJECT", "p1"), ("VIEWER", "ORGANIZATION", "org1")))
    assert BindingFilter(role="ADMIN").matches(row, CTX)
    assert BindingFilter(scope_type="ORGANIZATION").matches(row, CTX)
    assert not BindingFilter(role="ADMIN", scope_type="ORGANIZATION").matches(row, CTX)
    assert BindingFilter(role="ADMIN", scope="VISION").matches(row, CTX)  # by project name
    assert BindingFilter(scope="organization").matches(row, CTX)
    assert not BindingFilter(scope="perception").matches(row, CTX)
    unnamed = key("b", bindings=(("MEMBER", "TEAM", "team_zz9"),))
    assert BindingFilter(scope="zz9").matches(unnamed, CTX)  # no name known: the id matches


def test_quick_filters_combine_with_the_text_filter() -> None:
    state = KeysState(clock=lambda: NOW)
    state.load([key("a", "old ci", used=200), key("b", "old ci", used=1), key("c", "x", used=300)])
    state.quick = QuickFilters(unused_days=90)
    assert [k.id for k in state.visible()] == ["a", "c"]
    state.filter_text = "ci"
    assert [k.id for k in state.visible()] == ["a"]
    assert [r.describe() for r in state.rules()] == ['text "ci"', "unused > 90d"]
    state.clear_filters()
    assert len(state.visible()) == 3 and not state.filtered


@pytest.mark.parametrize(
    ("text", "days"), [("", None), ("90", 90), (" 7 ", 7)], ids=["off", "90", "spaces"]
)
def test_parse_days(text: str, days: int | None) -> None:
    assert parse_days(text) == days


@pytest.mark.parametrize("text", ["-1", "ninety", "1e3", "99999999"])
def test_parse_days_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="days"):
        parse_days(text)


def test_parse_day() -> None:
    assert parse_day("2026-01-31") == date(2026, 1, 31)
    assert parse_day("") is None
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_day("31/01/2026")


def test_sort_is_stable_in_both_directions() -> None:
    rows = [key("a", "b"), key("b", "a"), key("c", "b"), key("d", "a")]
    up = sort_keys(rows, SortSpec("name"), now=NOW)
    down = sort_keys(rows, SortSpec("name", descending=True), now=NOW)
    assert [k.id for k in up] == ["b", "d", "a", "c"]  # equal names keep the server's order
    assert [k.id for k in down] == ["a", "c", "b", "d"]
    assert sort_keys(rows, SortSpec(), now=NOW) == rows


def test_never_used_is_oldest_and_never_expires_is_latest() -> None:
    rows = [key("used", used=1), key("never", used=None), key("old", used=50)]
    assert [k.id for k in sort_keys(rows, SortSpec("last_used"), now=NOW)] == [
        "never",
        "old",
        "used",
    ]
    rows = [key("none", expires=None), key("soon", expires=1), key("past", expires=-1)]
    assert [k.id for k in sort_keys(rows, SortSpec("expires"), now=NOW)] == [
        "past",
        "soon",
        "none",
    ]


def test_sort_spec_cycles_flips_and_follows_header_clicks() -> None:
    spec = SortSpec()
    assert spec.next_column() == SortSpec("name")
    assert SortSpec("result").next_column() == SortSpec()
    assert SortSpec("name").reversed() == SortSpec("name", descending=True)
    assert SortSpec("name").on_column("name") == SortSpec("name", descending=True)
    assert SortSpec("name").on_column("created") == SortSpec("created")
    assert "last used ↓ descending" in SortSpec("last_used", descending=True).describe()


def test_range_marks_between_anchor_and_cursor_in_either_direction() -> None:
    state = KeysState(clock=lambda: NOW)
    state.load([key(i) for i in "abcdef"])
    state.range_anchor = "e"
    assert state.mark_range(list("abcdef"), "c") == ["c", "d", "e"]
    assert state.marked == {"c", "d", "e"} and state.range_anchor is None
    state.range_anchor = "zz"  # hidden since: only the cursor's key
    assert state.mark_range(list("abcdef"), "a") == ["a"]


def test_ids_listed_more_than_once_are_one_key_each_and_counted() -> None:
    state = KeysState(clock=lambda: NOW)
    state.load([key("a", "first"), key("b"), key("a", "last"), key("c"), key("c"), key("c")])
    assert list(state.keys) == ["a", "b", "c"] and state.keys["a"].name == "last"
    assert (state.repeated_ids, state.surplus_entries) == (2, 3)
    state.load(key(i) for i in "abc")  # any iterable, and a clean list counts nothing
    assert (state.repeated_ids, state.surplus_entries) == (0, 0)


def test_invert_touches_only_shown_keys() -> None:
    state = KeysState(clock=lambda: NOW)
    state.load([key(i) for i in "abcd"])
    state.marked = {"a", "d"}
    state.invert_shown(["a", "b"])  # c and d are hidden by a filter
    assert state.marked == {"b", "d"}


def test_marks_survive_filters_sort_and_count_as_hidden() -> None:
    state = KeysState(clock=lambda: NOW)
    state.load([key("a", expires=-1), key("b"), key("c", expires=-3)])
    state.marked = {"a", "b"}
    state.quick = QuickFilters(expired=True)
    state.sort = SortSpec("expires", descending=True)
    assert [k.id for k in state.visible()] == ["a", "c"]
    assert state.marked == {"a", "b"}
    assert state.hidden_marked_count() == 1


def test_now_is_the_state_clock() -> None:
    later = datetime(2030, 1, 1, tzinfo=NOW.tzinfo)
    state = KeysState(clock=lambda: later)
    state.load([key("a", expires=1)])
    state.quick = QuickFilters(expired=True)
    assert [k.id for k in state.visible()] == ["a"]


def test_a_list_read_after_own_changes_keeps_rows_with_results_until_a_plain_reload() -> None:
    from lwadmin_tui.outcomes import OutcomeKind, RevokeOutcome

    state = KeysState(clock=lambda: NOW)
    state.load(key(i) for i in "abcd")
    state.results["a"] = RevokeOutcome("a", OutcomeKind.REVOKED, 200)
    state.results["b"] = RevokeOutcome("b", OutcomeKind.FORBIDDEN, 403)
    state.flags["c"] = "rolled → new c"
    state.load_keeping_results([key("b"), key("d"), key("e")], also=["c"])
    assert set(state.keys) == {"a", "b", "c", "d", "e"}  # e joined; a and c stay unlisted
    assert state.unlisted == {"a", "c"} and state.listed_count == 3
    assert set(state.results) == {"a", "b"} and state.flags == {"c": "rolled → new c"}
    assert [k for k in state.keys if state.is_active(k)] == ["b", "d", "e"]
    state.load([key("b"), key("d"), key("e")])  # `r`: only what the server lists
    assert set(state.keys) == {"b", "d", "e"} and not state.results and not state.unlisted
