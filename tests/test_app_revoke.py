"""Pilot tests: the confirmation dialog and the batch, checked against the fake's state."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import Input

from lwadmin_tui.ui.screens.batches import BatchesScreen
from lwadmin_tui.ui.screens.confirm_revoke import ConfirmRevokeScreen
from lwadmin_tui.ui.screens.key_details import KeyDetailsScreen
from lwadmin_tui.ui.widgets.key_list_view import KeyListView
from tests.app_driver import (
    cell,
    keys_screen,
    make_app,
    mark,
    message_line,
    move_to,
    revoke,
    row_ids,
    settle,
)
from tests.bulk_checks import audit_records, ordinary_ids
from tests.conftest import World

pytestmark = pytest.mark.pilot


def deletes(world: World) -> int:
    return sum(1 for r in world.fake.requests if r.method == "DELETE")


@pytest.mark.parametrize("answer", ["enter", "escape", "n"])
async def test_cancel_sends_nothing(admin_world: World, answer: str) -> None:
    app = make_app(admin_world)
    async with app.run_test() as pilot:
        await settle(pilot)
        await mark(pilot, ordinary_ids(admin_world, row_ids(pilot))[:2])
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmRevokeScreen)
        assert app.focused is not None and app.focused.id == "cancel"
        await pilot.press(answer)
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmRevokeScreen)
        assert deletes(admin_world) == 0
        assert "nothing was sent" in message_line(pilot)


async def test_y_revokes_exactly_the_marked_keys(admin_world: World) -> None:
    app = make_app(admin_world)
    async with app.run_test() as pilot:
        await settle(pilot)
        before = admin_world.fake.revoked_ids()
        chosen = ordinary_ids(admin_world, row_ids(pilot))[3:6]
        await mark(pilot, chosen)
        await pilot.press("d", "y")
        await settle(pilot)
        for key_id in chosen:
            assert cell(pilot, key_id, "result") == "revoked"
        assert keys_screen(pilot).state.marked == set()
        assert "3 keys: 3 revoked" in message_line(pilot)
    assert admin_world.fake.revoked_ids() - before == set(chosen)
    assert deletes(admin_world) == 3


async def test_d_without_marks_revokes_the_key_under_the_cursor(admin_world: World) -> None:
    app = make_app(admin_world)
    async with app.run_test() as pilot:
        await settle(pilot)
        target = ordinary_ids(admin_world, row_ids(pilot))[0]
        await move_to(pilot, target)
        await pilot.press("d")
        dialog = app.screen
        assert isinstance(dialog, ConfirmRevokeScreen)
        assert [k.id for k in dialog.keys] == [target]
        await pilot.press("y")
        await settle(pilot)
    assert admin_world.fake.key(target).revoked_at is not None


async def test_409_and_404_show_in_their_rows(admin_world: World) -> None:
    app = make_app(admin_world)
    async with app.run_test() as pilot:
        await settle(pilot)
        doomed = sorted(admin_world.scenario.doomed_ids)
        vanished = ordinary_ids(admin_world, row_ids(pilot))[0]
        fine = ordinary_ids(admin_world, row_ids(pilot))[1]
        del admin_world.fake.org.keys[vanished]  # gone from the organization: 404
        await mark(pilot, [*doomed, vanished, fine])
        await pilot.press("d", "y")
        await settle(pilot)
        for key_id in doomed:
            assert cell(pilot, key_id, "result") == "409 already revoked"
        assert cell(pilot, vanished, "result") == "404 not found"
        assert cell(pilot, fine, "result") == "revoked"
        assert "5 keys: 1 revoked, 3 already revoked, 1 not found" in message_line(pilot)


async def test_403_not_allowed_shows_the_server_message(manager_world: World) -> None:
    app = make_app(manager_world)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        state = keys_screen(pilot).state
        service = next(k.id for k in state.keys.values() if k.name == "github-actions ci")
        own = next(k.id for k in state.keys.values() if k.name == "dana laptop")
        await mark(pilot, [service, own])
        await pilot.press("d", "y")
        await settle(pilot)
        assert cell(pilot, service, "result") == (
            "403 not allowed: Not authorized to modify this API Key"
        )
        assert cell(pilot, own, "result") == "revoked"
        assert service in state.marked  # a failed key stays marked for another try
    assert manager_world.fake.key(service).revoked_at is None
    assert manager_world.fake.key(own).revoked_at is not None


async def test_401_mid_batch_stops_and_the_rest_are_not_attempted(admin_world: World) -> None:
    app = make_app(admin_world, concurrency=1)
    async with app.run_test() as pilot:
        await settle(pilot)
        chosen = ordinary_ids(admin_world, row_ids(pilot))[:4]
        await mark(pilot, chosen)
        # Another admin revokes this app's own key after the list was read.
        admin_world.fake.revoke_out_of_band(admin_world.scenario.credential_key_id)
        await pilot.press("d", "y")
        await settle(pilot)
        results = [cell(pilot, key_id, "result") for key_id in chosen]
        assert results[0] == "401 credential rejected"
        assert results[1:] == ["not attempted"] * 3
        assert "rejected the API key" in message_line(pilot)
    assert deletes(admin_world) == 1
    assert not admin_world.fake.revoked_ids() & set(chosen)


async def test_ten_or_more_keys_need_the_count_typed(admin_world: World) -> None:
    app = make_app(admin_world)
    async with app.run_test() as pilot:
        await settle(pilot)
        chosen = ordinary_ids(admin_world, row_ids(pilot))[:12]
        await mark(pilot, chosen)
        await pilot.press("d", "y")
        dialog = app.screen
        assert isinstance(dialog, ConfirmRevokeScreen)
        assert "type 12" in str(dialog.query_one("#why").render())
        await pilot.press("1", "1", "enter")
        assert app.screen is dialog
        assert "11 is not 12" in str(dialog.query_one("#why").render())
        await pilot.press("backspace", "backspace", "1", "2", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmRevokeScreen)
    assert set(chosen) <= admin_world.fake.revoked_ids()


async def test_early_type_ahead_is_ignored(admin_world: World) -> None:
    now = [0.0]
    app = make_app(admin_world, confirm_guard_seconds=0.3)
    app.monotonic = lambda: now[0]  # type: ignore[attr-defined]
    async with app.run_test() as pilot:
        await settle(pilot)
        target = ordinary_ids(admin_world, row_ids(pilot))[0]
        await move_to(pilot, target)
        await pilot.press("d", "y", "enter", "escape")
        assert isinstance(app.screen, ConfirmRevokeScreen)
        now[0] = 0.31
        await pilot.press("y")
        await settle(pilot)
        assert cell(pilot, target, "result") == "revoked"


async def test_hidden_marked_keys_are_listed_and_said_so(admin_world: World) -> None:
    app = make_app(admin_world)
    async with app.run_test() as pilot:
        await settle(pilot)
        hidden, shown = ordinary_ids(admin_world, row_ids(pilot))[:2]
        await mark(pilot, [hidden, shown])
        await pilot.press("slash", *shown, "enter", "d")
        dialog = app.screen
        assert isinstance(dialog, ConfirmRevokeScreen)
        assert {k.id for k in dialog.keys} == {hidden, shown}
        view = dialog.query_one(KeyListView)
        lines = [view.line_text(i).plain for i in range(view.line_count)]
        assert sum("(hidden by filter)" in line for line in lines) == 1
        assert "1 key of these is hidden by the filter" in str(dialog.query_one("#note").render())


async def test_results_stay_until_reload(admin_world: World) -> None:
    app = make_app(admin_world)
    async with app.run_test() as pilot:
        await settle(pilot)
        target = ordinary_ids(admin_world, row_ids(pilot))[0]
        await move_to(pilot, target)
        await pilot.press("d", "y")
        await settle(pilot)
        assert cell(pilot, target, "result") == "revoked"
        assert target in row_ids(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert target not in row_ids(pilot)


async def test_a_refusal_is_final_and_t_does_not_offer_to_send_it_again(
    manager_world: World,
) -> None:
    app = make_app(manager_world)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        state = keys_screen(pilot).state
        service = next(k.id for k in state.keys.values() if k.name == "github-actions ci")
        await mark(pilot, [service])
        await pilot.press("d", "y")
        await settle(pilot)
        said = message_line(pilot)
        assert "t retries" not in said
        assert "1 key answered 403 not allowed: final for this credential" in said
        await pilot.press("t")
        assert not isinstance(app.screen, ConfirmRevokeScreen)
        assert "Nothing to retry" in message_line(pilot)
        assert "final for this credential" in message_line(pilot)
    assert manager_world.server.delete_count(service) == 1


NOT_OWNED = "Not authorized to modify this API Key"
NOT_OWNED_TIP = "Ask the key's owner or an organization admin to make this change"


async def test_a_result_is_read_in_full_in_the_details_and_the_batches_view(
    manager_world: World, isolated_state: Path
) -> None:
    app = make_app(manager_world)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        service = next(
            k.id for k in keys_screen(pilot).state.keys.values() if k.name == "github-actions ci"
        )
        await revoke(pilot, [service])
        assert cell(pilot, service, "result") == f"403 not allowed: {NOT_OWNED}"  # before the cut
        await move_to(pilot, service)
        await pilot.press("enter")
        await settle(pilot)
        details = app.screen
        assert isinstance(details, KeyDetailsScreen)
        text = "\n".join(str(line.render()) for line in details.query(".detail-line"))
        assert f"403 not allowed: {NOT_OWNED}" in text
        assert "api_key_not_owned" in text
        assert NOT_OWNED_TIP in text
        assert "1 DELETE request sent" in text
        await pilot.press("escape", "b")
        await settle(pilot)
        view = app.screen
        assert isinstance(view, BatchesScreen)
        shown = str(view.query_one("#key-result").render())
        assert f"403 not allowed: {NOT_OWNED}" in shown.replace("\n", " ")
        assert NOT_OWNED_TIP in shown.replace("\n", " ")
        assert view.query_one("#key-result").region.width <= 80  # wrapped, not scrolled
    outcome = next(r for r in audit_records(isolated_state) if r["event"] == "outcome")
    assert outcome["label"] == f"403 not allowed: {NOT_OWNED}"
    assert outcome["tips"] == [NOT_OWNED_TIP]


async def test_the_keys_to_check_are_listed_first_and_counted(admin_world: World) -> None:
    own = admin_world.scenario.credential_key_id
    app = make_app(admin_world, own_key_id=own)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        state = keys_screen(pilot).state
        now = app.clock()
        recent = {
            k.id
            for k in state.keys.values()
            if k.last_used_at and now - k.last_used_at < timedelta(hours=24)
        }
        chosen = [*ordinary_ids(admin_world, row_ids(pilot))[:12], own]
        await mark(pilot, chosen)
        await pilot.press("d")
        dialog = app.screen
        assert isinstance(dialog, ConfirmRevokeScreen)
        listed = dialog.query_one(KeyListView)
        assert listed.keys[0].id == own  # first, though marked last
        checked = {own} | (recent & set(chosen))
        assert {k.id for k in listed.keys[: len(checked)]} == checked
        used = len(recent & set(chosen))
        assert f"first: {used} used in the last 24 h" in str(
            dialog.query_one(KeyListView).border_title
        )
        assert "(used in the last 24 h" in listed.line_text(1).plain


async def test_a_reason_goes_on_every_record_of_the_batch_and_its_export(
    admin_world: World, isolated_state: Path
) -> None:
    app = make_app(admin_world)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        chosen = ordinary_ids(admin_world, row_ids(pilot))[:2]
        await mark(pilot, chosen)
        await pilot.press("d", "shift+tab", *"INC-42 offboarding jonas")
        dialog = app.screen
        assert isinstance(dialog, ConfirmRevokeScreen)  # y and n in the text answered nothing
        await pilot.press("enter")
        await settle(pilot)
        assert [cell(pilot, k, "result") for k in chosen] == ["revoked"] * 2
        await pilot.press("b")
        await settle(pilot)
        assert "Reason: INC-42 offboarding jonas" in str(
            app.screen.query_one("#key-result").render()
        )
        await pilot.press("e")
        await settle(pilot)
    records = audit_records(isolated_state)
    assert records and {r.get("reason") for r in records} == {"INC-42 offboarding jonas"}
    export = next((isolated_state / "lwadmin-tui" / "exports").glob("*.json"))
    assert json.loads(export.read_text())["reason"] == "INC-42 offboarding jonas"


async def test_digits_of_a_reason_do_not_go_to_the_count_box(admin_world: World) -> None:
    app = make_app(admin_world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        chosen = ordinary_ids(admin_world, row_ids(pilot))[:12]
        await mark(pilot, chosen)
        await pilot.press("d", "shift+tab", *"INC 12")
        dialog = app.screen
        assert isinstance(dialog, ConfirmRevokeScreen)
        assert dialog.reason == "INC 12"
        assert dialog.query_one("#count", Input).value == ""
        await pilot.press("enter")  # asks for the count first
        assert app.screen is dialog
        await pilot.press("escape")
    assert admin_world.server.delete_count(chosen[0]) == 0


async def test_a_long_pasted_reason_is_cut_not_dropped(
    admin_world: World, isolated_state: Path
) -> None:
    app = make_app(admin_world)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        chosen = ordinary_ids(admin_world, row_ids(pilot))[:1]
        await mark(pilot, chosen)
        await pilot.press("d", "shift+tab")
        dialog = app.screen
        assert isinstance(dialog, ConfirmRevokeScreen)
        dialog.query_one("#reason", Input).insert_text_at_cursor("INC-7 " + "x" * 250)
        assert dialog.reason.startswith("INC-7 ") and len(dialog.reason) == 200
        await pilot.press("enter")
        await settle(pilot)
    records = audit_records(isolated_state)
    assert {len(r.get("reason", "")) for r in records} == {200}
