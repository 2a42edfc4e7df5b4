"""Databases and data sources: create, retrieve, schema changes, versions."""

from __future__ import annotations

import pytest
from notion_client import APIResponseError, Client

from sync.sandbox.notion import NotionState
from tests.sandbox.notion import shapes
from tests.sandbox.notion.conftest import SCHEMA
from tests.support.specs import assert_matches

V2025, V2026 = "2025-09-03", "2026-03-11"


def _create(client: Client, state: NotionState) -> dict:
    return client.databases.create(
        parent={"type": "page_id", "page_id": state.root_page_id},
        title=[{"type": "text", "text": {"content": "Scenario walkthroughs"}}],
        initial_data_source={"properties": SCHEMA},
    )


def test_create_database_with_initial_data_source(client: Client, state: NotionState) -> None:
    db = _create(client, state)
    shapes.check(shapes.database(V2025), db)
    assert db["parent"] == {"type": "page_id", "page_id": state.root_page_id}
    assert db["archived"] is False and db["in_trash"] is False
    assert [ref["name"] for ref in db["data_sources"]] == ["Scenario walkthroughs"]
    again = client.databases.retrieve(db["id"])
    assert_matches("notion", "/v1/databases/{database_id}", "get", 200, again)
    assert shapes.content(again) == shapes.content(db)
    source = client.data_sources.retrieve(db["data_sources"][0]["id"])
    assert_matches("notion", "/v1/data_sources/{data_source_id}", "get", 200, source)
    shapes.check(shapes.data_source(V2025), source)
    assert list(source["properties"]) == list(SCHEMA)
    assert source["parent"] == {"type": "database_id", "database_id": db["id"]}
    assert source["database_parent"] == {"type": "page_id", "page_id": state.root_page_id}


def test_property_schema_shapes(client: Client, state: NotionState) -> None:
    source = client.data_sources.retrieve(_create(client, state)["data_sources"][0]["id"])
    props = source["properties"]
    assert props["Name"] == {"id": "title", "name": "Name", "description": None, "type": "title", "title": {}}
    for name, prop in props.items():
        assert prop["name"] == name and prop["type"] in prop
        assert name == "Name" or (len(prop["id"]) >= 4 and prop["id"] != "title")
    assert [o["name"] for o in props["Product"]["select"]["options"]] == ["Billing", "Login"]
    assert props["Product"]["select"]["options"][0]["color"] == "blue"
    assert set(props["Product"]["select"]["options"][0]) == {"id", "name", "color", "description"}
    status = props["Review"]["status"]
    assert [o["name"] for o in status["options"]] == ["Not started", "In progress", "Done"]
    assert [g["name"] for g in status["groups"]] == ["To-do", "In progress", "Complete"]
    assert status["groups"][2]["option_ids"] == [status["options"][2]["id"]]
    assert props["Key"]["unique_id"] == {"prefix": "SC"}
    assert props["Score"]["number"] == {"format": "number"}


def test_database_without_title_property_gets_name(client: Client, state: NotionState) -> None:
    db = client.databases.create(parent={"page_id": state.root_page_id}, initial_data_source={"properties": {}})
    source = client.data_sources.retrieve(db["data_sources"][0]["id"])
    assert list(source["properties"]) == ["Name"]


def test_database_appears_as_child_database_block(client: Client, state: NotionState) -> None:
    db = _create(client, state)
    children = client.blocks.children.list(state.root_page_id)["results"]
    assert [(c["id"], c["type"]) for c in children] == [(db["id"], "child_database")]
    assert children[0]["child_database"] == {"title": "Scenario walkthroughs"}


def test_update_data_source_adds_renames_and_removes(client: Client, scenarios: str) -> None:
    updated = client.data_sources.update(
        scenarios,
        properties={
            "Summary": {"name": "Abstract"},
            "Contact": None,
            "Severity": {"select": {"options": [{"name": "High", "color": "red"}]}},
            "Product": {"select": {"options": [{"name": "Payments"}]}},
        },
        title=[{"text": {"content": "Walkthroughs"}}],
    )
    assert_matches("notion", "/v1/data_sources/{data_source_id}", "patch", 200, updated)
    shapes.check(shapes.data_source(V2025), updated)
    props = updated["properties"]
    assert "Abstract" in props and "Summary" not in props and "Contact" not in props
    assert props["Severity"]["select"]["options"][0]["name"] == "High"
    assert [o["name"] for o in props["Product"]["select"]["options"]] == ["Billing", "Login", "Payments"]
    assert updated["title"][0]["plain_text"] == "Walkthroughs"
    by_id = client.data_sources.update(scenarios, properties={props["Abstract"]["id"]: {"name": "Summary"}})
    assert "Summary" in by_id["properties"]


def test_title_property_cannot_be_removed(client: Client, scenarios: str) -> None:
    with pytest.raises(APIResponseError) as caught:
        client.data_sources.update(scenarios, properties={"Name": None})
    assert caught.value.code == "validation_error"


def test_create_second_data_source(client: Client, state: NotionState, scenarios: str) -> None:
    db_id = state.data_sources[scenarios].database_id
    made = client.data_sources.create(
        parent={"type": "database_id", "database_id": db_id},
        properties={"Title": {"title": {}}, "Done": {"checkbox": {}}},
        title=[{"text": {"content": "Archive"}}],
    )
    assert_matches("notion", "/v1/data_sources", "post", 200, made)
    db = client.databases.retrieve(db_id)
    assert [ref["name"] for ref in db["data_sources"]] == ["Scenarios", "Archive"]
    with pytest.raises(APIResponseError) as caught:  # a database parent is ambiguous now
        client.pages.create(parent={"database_id": db_id}, properties={})
    assert caught.value.code == "validation_error"


def test_latest_version_drops_archived(client_latest: Client, state: NotionState, scenarios: str) -> None:
    source = client_latest.data_sources.retrieve(scenarios)
    shapes.check(shapes.data_source(V2026), source)
    assert "archived" not in source
    db = client_latest.databases.retrieve(source["parent"]["database_id"])
    shapes.check(shapes.database(V2026), db)
    assert "archived" not in db and db["in_trash"] is False


def test_trash_database(client: Client, state: NotionState, scenarios: str) -> None:
    db_id = state.data_sources[scenarios].database_id
    trashed = client.databases.update(db_id, in_trash=True)
    assert trashed["in_trash"] is True and trashed["archived"] is True
    assert client.blocks.children.list(state.root_page_id)["results"] == []


def test_relation_property(client: Client, state: NotionState, scenarios: str) -> None:
    _, other = state.create_database(state.root_page_id, "Products", {"Name": {"title": {}}})
    source = client.data_sources.update(
        scenarios,
        properties={
            "Products": {"relation": {"data_source_id": other.id, "type": "single_property", "single_property": {}}}
        },
    )
    relation = source["properties"]["Products"]["relation"]
    assert relation == {
        "database_id": other.database_id,
        "data_source_id": other.id,
        "type": "single_property",
        "single_property": {},
    }
