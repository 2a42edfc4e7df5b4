"""The state's plain Python API: seeding, validation shared with HTTP, time, persistence."""

from __future__ import annotations

import json

import pytest

from sync.sandbox.notion import NotionState, make_app, render
from sync.sandbox.notion.errors import ObjectNotFound, RestrictedResource, ValidationError
from tests.sandbox.notion.conftest import SCHEMA, FakeClock


def test_new_state_has_bot_and_shared_root_page(state: NotionState) -> None:
    assert state.bot_user.type == "bot"
    root = state.pages[state.root_page_id]
    assert root.parent == {"type": "workspace", "workspace": True}
    assert state.title_of(root) == "Sandbox"
    state.guard(root.id, "page")


def test_seed_database_with_pages(state: NotionState, clock: FakeClock) -> None:
    editor = state.add_user("Grace Hopper", "grace@example.com")
    db, source = state.create_database(state.root_page_id, "Scenarios", SCHEMA, created_by=editor.id)
    page = state.create_page(
        {"data_source_id": source.id},
        {"Name": {"title": [{"text": {"content": "Refund"}}]}, "Review": {"status": {"name": "Done"}}},
        children=[{"paragraph": {"rich_text": [{"text": {"content": "Step 1"}}]}}],
        created_by=editor.id,
    )
    assert db.data_source_ids == [source.id] and page.created_by == editor.id
    assert [b.type for b in state.children_of(page.id)] == ["paragraph"]
    assert [p.id for p in state.query(source.id, {"property": "Review", "status": {"equals": "Done"}})] == [page.id]
    clock.advance(minutes=5)
    state.append_blocks(page.id, [{"divider": {}}], edited_by=editor.id)
    assert page.last_edited_time == "2025-10-01T09:05:00.000Z" and page.last_edited_by == editor.id


def test_state_api_validates_like_http(state: NotionState, scenarios: str) -> None:
    with pytest.raises(ValidationError, match="Score is expected to be number"):
        state.create_page({"data_source_id": scenarios}, {"Score": {"rich_text": []}})
    with pytest.raises(ValidationError, match="is a created_time property"):
        state.update_page(state.create_page({"data_source_id": scenarios}).id, {"Created": {"created_time": "x"}})
    with pytest.raises(ObjectNotFound):
        state.create_page({"page_id": "6f1c2d58-0c5a-4a53-9f5e-1b2a3c4d5e6f"})


def test_trash_and_guards(state: NotionState, scenarios: str) -> None:
    page = state.create_page({"data_source_id": scenarios})
    state.trash(page.id)
    assert page.in_trash and state.query(scenarios) == []
    state.set_restricted(page.id)
    with pytest.raises(RestrictedResource):
        state.guard(page.id, "page")
    state.set_shared(page.id, False)
    with pytest.raises(ObjectNotFound):
        state.guard(page.id, "page")


def test_dump_and_load_round_trip(state: NotionState, scenarios: str, person) -> None:
    page = state.create_page(
        {"data_source_id": scenarios},
        {"Owner": {"people": [{"id": person.id}]}, "Tags": {"multi_select": [{"name": "new"}]}},
        children=[{"toggle": {"rich_text": [], "children": [{"divider": {}}]}}],
    )
    state.add_comment({"page_id": page.id}, [{"text": {"content": "hi"}}])
    state.set_restricted(page.id)
    data = json.loads(json.dumps(state.dump()))
    loaded = NotionState.load(data, clock=state.clock)
    assert loaded.dump() == data
    for version in ("2025-09-03", "2026-03-11"):
        assert render.page(loaded, loaded.pages[page.id], version) == render.page(state, page, version)
    assert loaded.root_page_id == state.root_page_id and loaded.bot_id == state.bot_id


def test_seeded_ids_are_reproducible(clock: FakeClock) -> None:
    assert NotionState(clock=clock, seed=3).dump() == NotionState(clock=clock, seed=3).dump()


def test_make_app_defaults() -> None:
    app = make_app()
    assert app.token == "secret_sandbox_token" and app.state.root_page_id in app.state.pages
    assert app.traffic.rate is None
