"""Pages: create in a data source or under a page, read back every property type, update, trash."""

from __future__ import annotations

import pytest
from notion_client import APIResponseError, Client

from sync.sandbox.notion import NotionState
from tests.sandbox.notion import shapes
from tests.sandbox.notion.conftest import FakeClock
from tests.support.specs import assert_matches

V2025, V2026 = "2025-09-03", "2026-03-11"
PLAIN = {"bold": False, "italic": False, "strikethrough": False, "underline": False, "code": False, "color": "default"}


def _text(content: str, **marks: object) -> dict:
    return (
        {"type": "text", "text": {"content": content}, "annotations": marks}
        if marks
        else {"text": {"content": content}}
    )


def _full_values(person_id: str) -> dict:
    return {
        "Name": {"title": [_text("Reset a password")]},
        "Summary": {"rich_text": [_text("Bold", bold=True, color="red"), _text(" and plain")]},
        "Score": {"number": 4.5},
        "Product": {"select": {"name": "Billing"}},
        "Tags": {"multi_select": [{"name": "urgent"}, {"name": "brand-new"}]},
        "Review": {"status": {"name": "In progress"}},
        "Due": {"date": {"start": "2025-10-03T14:00:00Z", "end": None}},
        "Owner": {"people": [{"object": "user", "id": person_id}]},
        "Published": {"checkbox": True},
        "Link": {"url": "https://support.example.com/kb/1"},
        "Contact": {"email": "help@example.com"},
    }


def test_every_property_type_round_trips(client: Client, scenarios: str, person, state: NotionState) -> None:
    made = client.pages.create(
        parent={"type": "data_source_id", "data_source_id": scenarios}, properties=_full_values(person.id)
    )
    assert_matches("notion", "/v1/pages", "post", 200, made)
    shapes.check(shapes.page(V2025), made)
    page = client.pages.retrieve(made["id"])
    assert_matches("notion", "/v1/pages/{page_id}", "get", 200, page)
    assert shapes.content(page) == shapes.content(made)
    props = page["properties"]
    assert props["Name"]["id"] == "title"
    assert props["Name"]["title"] == [
        {
            "type": "text",
            "text": {"content": "Reset a password", "link": None},
            "annotations": PLAIN,
            "plain_text": "Reset a password",
            "href": None,
        }
    ]
    assert props["Summary"]["rich_text"][0]["annotations"] == PLAIN | {"bold": True, "color": "red"}
    assert [t["plain_text"] for t in props["Summary"]["rich_text"]] == ["Bold", " and plain"]
    assert props["Score"]["number"] == 4.5
    assert props["Product"]["select"]["name"] == "Billing" and props["Product"]["select"]["color"] == "blue"
    assert [t["name"] for t in props["Tags"]["multi_select"]] == ["urgent", "brand-new"]
    assert props["Review"]["status"]["name"] == "In progress"
    assert props["Due"]["date"] == {"start": "2025-10-03T14:00:00.000+00:00", "end": None, "time_zone": None}
    assert props["Owner"]["people"] == [
        {
            "object": "user",
            "id": person.id,
            "name": "Ada Lovelace",
            "avatar_url": None,
            "type": "person",
            "person": {"email": "ada@example.com"},
        }
    ]
    assert props["Published"]["checkbox"] is True
    assert props["Link"]["url"] == "https://support.example.com/kb/1"
    assert props["Contact"]["email"] == "help@example.com"
    assert props["Key"]["unique_id"] == {"prefix": "SC", "number": 1}
    assert props["Created"]["created_time"] == page["created_time"] == "2025-10-01T09:00:00.000Z"
    assert props["Edited"]["last_edited_time"] == page["last_edited_time"]
    assert props["Editor"]["last_edited_by"]["id"] == state.bot_id
    assert page["parent"] == {
        "type": "data_source_id",
        "data_source_id": scenarios,
        "database_id": state.data_sources[scenarios].database_id,
    }
    assert page["url"] == f"https://www.notion.so/Reset-a-password-{page['id'].replace('-', '')}"


def test_unknown_multi_select_option_is_created(client: Client, scenarios: str, person) -> None:
    client.pages.create(parent={"data_source_id": scenarios}, properties=_full_values(person.id))
    options = client.data_sources.retrieve(scenarios)["properties"]["Tags"]["multi_select"]["options"]
    assert [o["name"] for o in options] == ["urgent", "mobile", "brand-new"]


def test_empty_values_read_back_as_notion_empties(client: Client, scenarios: str) -> None:
    page = client.pages.create(parent={"data_source_id": scenarios}, properties={})
    props = page["properties"]
    assert props["Name"]["title"] == [] and props["Summary"]["rich_text"] == []
    assert props["Score"]["number"] is None and props["Product"]["select"] is None
    assert props["Tags"]["multi_select"] == [] and props["Review"]["status"] is None
    assert props["Due"]["date"] is None and props["Owner"]["people"] == []
    assert props["Published"]["checkbox"] is False and props["Link"]["url"] is None


def test_mentions_in_rich_text(client: Client, scenarios: str, person, state: NotionState) -> None:
    target = state.create_page({"page_id": state.root_page_id}, {"title": [{"text": {"content": "Runbook"}}]})
    rich = [
        {"type": "mention", "mention": {"type": "user", "user": {"id": person.id}}},
        {"mention": {"page": {"id": target.id}}},
        {"mention": {"date": {"start": "2025-10-05", "end": "2025-10-06"}}},
        {"type": "equation", "equation": {"expression": "E=mc^2"}},
        {"text": {"content": "docs", "link": {"url": "https://example.com"}}},
    ]
    page = client.pages.create(parent={"data_source_id": scenarios}, properties={"Summary": {"rich_text": rich}})
    shapes.check(shapes.page(V2025), page)
    items = page["properties"]["Summary"]["rich_text"]
    assert items[0]["mention"]["user"]["name"] == "Ada Lovelace" and items[0]["plain_text"] == "@Ada Lovelace"
    assert items[1]["mention"] == {"type": "page", "page": {"id": target.id}}
    assert items[1]["plain_text"] == "Runbook" and items[1]["href"].endswith(target.id.replace("-", ""))
    assert items[2]["mention"]["date"] == {"start": "2025-10-05", "end": "2025-10-06", "time_zone": None}
    assert items[3]["plain_text"] == "E=mc^2" and items[3]["href"] is None
    assert items[4]["href"] == "https://example.com"


def test_page_under_page_with_children(client: Client, state: NotionState) -> None:
    page = client.pages.create(
        parent={"page_id": state.root_page_id},
        properties={"title": [{"text": {"content": "Guide"}}]},
        children=[{"heading_2": {"rich_text": [_text("Steps")]}}, {"to_do": {"rich_text": [_text("Log in")]}}],
    )
    assert page["parent"] == {"type": "page_id", "page_id": state.root_page_id}
    assert list(page["properties"]) == ["title"]
    assert page["properties"]["title"]["title"][0]["plain_text"] == "Guide"
    kinds = [b["type"] for b in client.blocks.children.list(page["id"])["results"]]
    assert kinds == ["heading_2", "to_do"]
    as_block = client.blocks.retrieve(page["id"])
    assert as_block["type"] == "child_page" and as_block["child_page"] == {"title": "Guide"}
    assert as_block["has_children"] is True


def test_filter_properties_on_retrieve(client: Client, scenarios: str, person) -> None:
    made = client.pages.create(parent={"data_source_id": scenarios}, properties=_full_values(person.id))
    score_id = made["properties"]["Score"]["id"]
    page = client.pages.retrieve(made["id"], filter_properties=["title", score_id])
    assert set(page["properties"]) == {"Name", "Score"}


def test_update_properties_moves_last_edited_time(client: Client, scenarios: str, clock: FakeClock, person) -> None:
    made = client.pages.create(parent={"data_source_id": scenarios}, properties={"Name": {"title": [_text("v1")]}})
    clock.advance(minutes=3, seconds=10)
    updated = client.pages.update(made["id"], properties={"Score": {"number": 9}, "Product": {"select": None}})
    assert_matches("notion", "/v1/pages/{page_id}", "patch", 200, updated)
    assert updated["last_edited_time"] == "2025-10-01T09:03:00.000Z" != made["last_edited_time"]
    assert updated["created_time"] == made["created_time"]
    assert updated["properties"]["Score"]["number"] == 9
    assert updated["properties"]["Name"]["title"][0]["plain_text"] == "v1"
    clock.advance(seconds=15)  # same minute: Notion's last_edited_time does not move below a minute
    again = client.pages.update(made["id"], properties={"Score": {"number": 10}})
    assert again["last_edited_time"] == "2025-10-01T09:03:00.000Z"


def test_trash_and_restore_with_in_trash_and_archived(client: Client, scenarios: str) -> None:
    made = client.pages.create(parent={"data_source_id": scenarios}, properties={})
    trashed = client.pages.update(made["id"], in_trash=True)
    assert trashed["in_trash"] is True and trashed["archived"] is True
    assert client.data_sources.query(scenarios)["results"] == []
    restored = client.pages.update(made["id"], archived=False)
    assert restored["in_trash"] is False
    assert len(client.data_sources.query(scenarios)["results"]) == 1


def test_editing_a_trashed_page_is_refused(client: Client, scenarios: str) -> None:
    made = client.pages.create(parent={"data_source_id": scenarios}, properties={})
    client.pages.update(made["id"], in_trash=True)
    with pytest.raises(APIResponseError) as caught:
        client.pages.update(made["id"], properties={"Score": {"number": 1}})
    assert caught.value.code == "validation_error"


def test_latest_version_page_shape_and_no_archived(client_latest: Client, scenarios: str) -> None:
    made = client_latest.pages.create(parent={"data_source_id": scenarios}, properties={})
    shapes.check(shapes.page(V2026), made)
    assert "archived" not in made
    with pytest.raises(APIResponseError) as caught:
        client_latest.pages.update(made["id"], archived=True)
    assert caught.value.code == "validation_error" and "body.archived should be not present" in str(caught.value)
    assert client_latest.pages.update(made["id"], in_trash=True)["in_trash"] is True


@pytest.mark.parametrize(
    ("values", "fragment"),
    [
        ({"Created": {"created_time": "2025-01-01T00:00:00Z"}}, "Created is a created_time property"),
        ({"Edited": {"last_edited_time": "2025-01-01T00:00:00Z"}}, "Edited is a last_edited_time property"),
        ({"Editor": {"last_edited_by": {"id": "6f1c2d58-0c5a-4a53-9f5e-1b2a3c4d5e6f"}}}, "last_edited_by property"),
        ({"Key": {"unique_id": {"number": 3}}}, "Key is a unique_id property"),
        ({"Review": {"status": {"name": "Shipped"}}}, 'Status option "Shipped" does not exist'),
        ({"Score": {"rich_text": []}}, "Score is expected to be number."),
        ({"Nope": {"number": 1}}, "Nope is not a property that exists."),
        ({"Product": {"select": {"name": "a,b"}}}, "commas not allowed"),
        ({"Link": {"url": "https://x.example/" + "a" * 2000}}, "body.properties.Link.url.length should be ≤ `2000`"),
        ({"Contact": {"email": "a" * 201}}, "should be ≤ `200`"),
    ],
)
def test_invalid_property_writes(client: Client, scenarios: str, values: dict, fragment: str) -> None:
    with pytest.raises(APIResponseError) as caught:
        client.pages.create(parent={"data_source_id": scenarios}, properties=values)
    assert caught.value.status == 400 and caught.value.code == "validation_error"
    assert fragment in str(caught.value)


def test_page_in_unknown_data_source(client: Client) -> None:
    with pytest.raises(APIResponseError) as caught:
        client.pages.create(parent={"data_source_id": "6f1c2d58-0c5a-4a53-9f5e-1b2a3c4d5e6f"}, properties={})
    assert caught.value.status == 404
    assert str(caught.value) == (
        "Could not find data source with ID: 6f1c2d58-0c5a-4a53-9f5e-1b2a3c4d5e6f. "
        "Make sure the relevant pages and databases are shared with your integration."
    )


def test_relation_values_round_trip(client: Client, state: NotionState, scenarios: str) -> None:
    _, products = state.create_database(state.root_page_id, "Products", {"Name": {"title": {}}})
    billing = state.create_page({"data_source_id": products.id}, {"Name": {"title": [{"text": {"content": "B"}}]}})
    client.data_sources.update(scenarios, properties={"Products": {"relation": {"data_source_id": products.id}}})
    made = client.pages.create(
        parent={"data_source_id": scenarios}, properties={"Products": {"relation": [{"id": billing.id}]}}
    )
    shapes.check(shapes.page(V2025), made)
    value = client.pages.retrieve(made["id"])["properties"]["Products"]
    assert value == {"id": value["id"], "type": "relation", "relation": [{"id": billing.id}], "has_more": False}
    related = client.data_sources.query(
        scenarios, filter={"property": "Products", "relation": {"contains": billing.id}}
    )
    assert [r["id"] for r in related["results"]] == [made["id"]]
