"""Big key lists: the msgspec decoder agrees with pydantic, and the benchmark world is stable."""

from __future__ import annotations

import contextlib
import gc
import json

from pydantic import ValidationError

from lwadmin_tui.api.key_list import parse_key_list
from lwadmin_tui.api.models import ApiKeyList
from lwadmin_tui.fake.large import large_scenario
from tests.conftest import FIXED_NOW


def listed(n_keys: int) -> bytes:
    world = large_scenario(n_keys, FIXED_NOW)
    answer = world.app.handle("GET", "/api/api-keys", {"Authorization": f"Bearer {world.token}"})
    return answer.payload()


def test_the_fast_parser_reads_what_pydantic_reads() -> None:
    body = listed(2_500)
    keys = parse_key_list(body)
    assert keys == tuple(row.to_info() for row in ApiKeyList.model_validate_json(body).data)
    assert keys is not None and len(keys) == 2_500


def test_other_shapes_are_left_to_the_full_parser() -> None:
    for body in (
        b'{"data": [{"id": 1}]}',  # not a key: the full parser words the error
        b'{"data": [{"id": "a"',  # cut short
        b"<html><body>502</body></html>",
        b"\xff\xfe",
    ):
        assert parse_key_list(body) is None
    assert parse_key_list(b' {"data" : [ ] } ') == ()
    assert parse_key_list(b'{"data": [], "next": null}') == ()  # ignored, as pydantic


def test_the_collector_runs_again_after_parsing_whatever_the_answer() -> None:
    for body in (listed(50), b'{"data": [{"id": 1}]}', b"<html>"):
        parse_key_list(body)
        assert gc.isenabled()


def test_the_large_world_is_deterministic_and_lists_every_key() -> None:
    first, second = large_scenario(300, FIXED_NOW), large_scenario(300, FIXED_NOW)
    assert list(first.app.org.keys) == list(second.app.org.keys)
    assert first.token == second.token
    body = json.loads(listed(300))
    assert len(body["data"]) == 300


def test_unusual_rows_fall_back_to_pydantic_and_read_the_same() -> None:
    for unusual in (
        b'{"data": [{"id": "a", "name": "n", "createdAt": "2026-08-22T12:00:00.000"}]}',
        b'{"data": [{"id": "a", "name": "n", "createdAt": "2026-08-22 12:00:00"}]}',
        b'{"data": [{"id": "a", "name": "n", "createdAt": 1787400000}]}',
        b'{"data": [{"id": "a", "name": "n", "createdAt": "2026-08-22T12:00:00Z",'
        b' "roleBindings": null}]}',
    ):
        assert parse_key_list(unusual) is None
        with contextlib.suppress(ValidationError):
            (row,) = ApiKeyList.model_validate_json(unusual).data
            assert row.to_info().created_at.tzinfo is not None


def test_a_zone_less_date_is_utc_never_local_time() -> None:
    zone_less = b'{"data": [{"id": "a", "name": "n", "createdAt": "2026-08-22T12:00:00.000"}]}'
    (row,) = ApiKeyList.model_validate_json(zone_less).data
    assert row.to_info().created_at == FIXED_NOW


def test_unknown_roles_and_fields_are_kept_or_ignored_as_pydantic_does() -> None:
    body = (
        b'{"data": [{"id": "a", "name": "n", "createdAt": "2026-08-22T14:00:00+02:00",'
        b' "future": {"x": 1}, "roleBindings": [{"id": "b", "role": "OWNER",'
        b' "scopeType": "GALAXY", "scopeId": "g", "extra": true}]}]}'
    )
    (fast,) = parse_key_list(body) or ()
    assert fast.created_at == FIXED_NOW
    assert fast.role_bindings[0].role == "OWNER" and fast.role_bindings[0].scope_type == "GALAXY"
    assert (fast,) == tuple(row.to_info() for row in ApiKeyList.model_validate_json(body).data)
