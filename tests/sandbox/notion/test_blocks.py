"""Block children: append (limits, nesting, placement per version), list with pagination, block types."""

from __future__ import annotations

import httpx
import pytest
from notion_client import APIResponseError, Client
from notion_client.helpers import collect_paginated_api

from sync.sandbox.notion import NotionState
from tests.sandbox.notion import shapes
from tests.sandbox.notion.conftest import FakeClock
from tests.support.specs import assert_matches

V2025, V2026 = "2025-09-03", "2026-03-11"


def rt(content: str) -> list[dict]:
    return [{"type": "text", "text": {"content": content}}]


EVERY_TYPE = [
    {"paragraph": {"rich_text": rt("Intro"), "color": "gray"}},
    {"heading_1": {"rich_text": rt("H1")}},
    {"heading_2": {"rich_text": rt("H2"), "is_toggleable": True}},
    {"heading_3": {"rich_text": rt("H3")}},
    {"bulleted_list_item": {"rich_text": rt("bullet")}},
    {"numbered_list_item": {"rich_text": rt("number")}},
    {"to_do": {"rich_text": rt("check the card"), "checked": True}},
    {"toggle": {"rich_text": rt("more")}},
    {"quote": {"rich_text": rt("said")}},
    {"callout": {"rich_text": rt("note")}},
    {"code": {"rich_text": rt("print(1)"), "language": "python"}},
    {"divider": {}},
    {
        "table": {
            "table_width": 2,
            "has_column_header": True,
            "children": [
                {"table_row": {"cells": [rt("Step"), rt("Result")]}},
                {"table_row": {"cells": [rt("1"), rt("ok")]}},
            ],
        }
    },
    {"image": {"type": "external", "external": {"url": "https://img.example/a.png"}}},
    {"video": {"external": {"url": "https://video.example/v.mp4"}}},
    {"file": {"external": {"url": "https://files.example/guide.pdf"}, "caption": rt("PDF")}},
    {"bookmark": {"url": "https://example.com"}},
    {"embed": {"url": "https://embed.example"}},
]


@pytest.fixture
def page_id(state: NotionState) -> str:
    return state.create_page({"page_id": state.root_page_id}, {"title": [{"text": {"content": "Walkthrough"}}]}).id


def test_append_every_block_type_and_read_back(client: Client, page_id: str) -> None:
    appended = client.blocks.children.append(page_id, children=EVERY_TYPE)
    assert_matches("notion", "/v1/blocks/{block_id}/children", "patch", 200, appended)
    shapes.check(shapes.listing("block", {"type": "object"}), appended)
    listed = client.blocks.children.list(page_id)
    assert_matches("notion", "/v1/blocks/{block_id}/children", "get", 200, listed)
    assert listed["results"] == appended["results"]
    for block in listed["results"]:
        shapes.check_block(block, V2025)
        assert block["parent"] == {"type": "page_id", "page_id": page_id}
    by_type = {b["type"]: b for b in listed["results"]}
    assert [b["type"] for b in listed["results"]] == [next(iter(b)) for b in EVERY_TYPE]
    assert by_type["paragraph"]["paragraph"]["color"] == "gray"
    assert by_type["heading_2"]["heading_2"]["is_toggleable"] is True
    assert by_type["to_do"]["to_do"]["checked"] is True
    assert by_type["callout"]["callout"]["icon"] == {"type": "emoji", "emoji": "💡"}
    assert by_type["code"]["code"] == {
        "caption": [],
        "rich_text": by_type["code"]["code"]["rich_text"],
        "language": "python",
    }
    assert by_type["divider"]["divider"] == {}
    assert by_type["table"]["has_children"] is True
    assert by_type["table"]["table"] == {"table_width": 2, "has_column_header": True, "has_row_header": False}
    assert by_type["image"]["image"] == {
        "caption": [],
        "type": "external",
        "external": {"url": "https://img.example/a.png"},
    }
    assert by_type["file"]["file"]["name"] == "guide.pdf"
    rows = client.blocks.children.list(by_type["table"]["id"])["results"]
    assert [r["table_row"]["cells"][1][0]["plain_text"] for r in rows] == ["Result", "ok"]
    assert rows[0]["parent"] == {"type": "block_id", "block_id": by_type["table"]["id"]}


def test_nested_children_two_levels(client: Client, page_id: str) -> None:
    nested = {
        "toggle": {
            "rich_text": rt("level 0"),
            "children": [
                {
                    "bulleted_list_item": {
                        "rich_text": rt("level 1"),
                        "children": [
                            {"paragraph": {"rich_text": rt("level 2")}},
                        ],
                    }
                },
            ],
        }
    }
    top = client.blocks.children.append(page_id, children=[nested])["results"]
    assert len(top) == 1 and top[0]["has_children"] is True
    level1 = client.blocks.children.list(top[0]["id"])["results"]
    assert level1[0]["has_children"] is True
    level2 = client.blocks.children.list(level1[0]["id"])["results"]
    assert level2[0]["paragraph"]["rich_text"][0]["plain_text"] == "level 2" and level2[0]["has_children"] is False


def test_three_levels_of_nesting_are_refused(client: Client, page_id: str) -> None:
    deep = {
        "toggle": {
            "rich_text": [],
            "children": [
                {
                    "toggle": {
                        "rich_text": [],
                        "children": [{"toggle": {"rich_text": [], "children": [{"paragraph": {"rich_text": []}}]}}],
                    }
                }
            ],
        }
    }
    with pytest.raises(APIResponseError) as caught:
        client.blocks.children.append(page_id, children=[deep])
    assert caught.value.code == "validation_error"
    assert "body.children[0].toggle.children[0].toggle.children[0].toggle.children should be not present" in str(
        caught.value
    )
    assert client.blocks.children.list(page_id)["results"] == []  # nothing of a refused request is stored


def test_230_blocks_in_three_batches_then_listed(client: Client, page_id: str) -> None:
    numbers = iter(range(230))
    for size in (100, 100, 30):
        batch = [{"paragraph": {"rich_text": rt(f"Line {next(numbers)}")}} for _ in range(size)]
        assert len(client.blocks.children.append(page_id, children=batch)["results"]) == size
    first = client.blocks.children.list(page_id)
    assert len(first["results"]) == 100 and first["has_more"] is True
    second = client.blocks.children.list(page_id, start_cursor=first["next_cursor"])
    third = client.blocks.children.list(page_id, start_cursor=second["next_cursor"], page_size=100)
    assert len(second["results"]) == 100 and len(third["results"]) == 30 and third["has_more"] is False
    every = collect_paginated_api(client.blocks.children.list, block_id=page_id, page_size=64)
    assert [b["paragraph"]["rich_text"][0]["plain_text"] for b in every] == [f"Line {i}" for i in range(230)]


def test_more_than_100_blocks_per_append_is_refused(client: Client, page_id: str) -> None:
    with pytest.raises(APIResponseError) as caught:
        client.blocks.children.append(page_id, children=[{"divider": {}}] * 101)
    assert str(caught.value) == "body failed validation: body.children.length should be ≤ `100`, instead was `101`."


def test_rich_text_limits(client: Client, page_id: str) -> None:
    too_long = [{"paragraph": {"rich_text": rt("x" * 2001)}}]
    with pytest.raises(APIResponseError) as caught:
        client.blocks.children.append(page_id, children=too_long)
    assert str(caught.value) == (
        "body failed validation: body.children[0].paragraph.rich_text[0].text.content.length should be ≤ `2000`, "
        "instead was `2001`."
    )
    client.blocks.children.append(page_id, children=[{"paragraph": {"rich_text": rt("x" * 2000)}}])
    too_many = [{"paragraph": {"rich_text": rt("a") * 101}}]
    with pytest.raises(APIResponseError) as caught:
        client.blocks.children.append(page_id, children=too_many)
    assert "rich_text.length should be ≤ `100`" in str(caught.value)


@pytest.mark.parametrize(
    ("block", "fragment"),
    [
        ({"code": {"rich_text": [], "language": "klingon"}}, "body.children[0].code.language should be"),
        ({"table": {"table_width": 2, "children": [{"table_row": {"cells": [[]]}}]}}, "the table width"),
        ({"divider": {"children": [{"divider": {}}]}}, "body.children[0].divider.children should be not present"),
        ({"form": {}}, "body.children[0].type should be a block type"),
        ({"paragraph": {"rich_text": [{"text": {"content": 3}}]}}, "text.content should be a string"),
    ],
)
def test_invalid_blocks(client: Client, page_id: str, block: dict, fragment: str) -> None:
    with pytest.raises(APIResponseError) as caught:
        client.blocks.children.append(page_id, children=[block])
    assert caught.value.code == "validation_error" and fragment in str(caught.value)


def test_after_places_blocks_under_2025(client: Client, page_id: str) -> None:
    first, _ = client.blocks.children.append(page_id, children=[{"divider": {}}, {"divider": {}}])["results"]
    client.blocks.children.append(page_id, children=[{"paragraph": {"rich_text": rt("mid")}}], after=first["id"])
    kinds = [b["type"] for b in client.blocks.children.list(page_id)["results"]]
    assert kinds == ["divider", "paragraph", "divider"]


def test_position_places_blocks_under_2026(client_latest: Client, page_id: str) -> None:
    made = client_latest.blocks.children.append(page_id, children=[{"divider": {}}, {"divider": {}}])["results"]
    for block in made:
        shapes.check_block(block, V2026)
        assert "archived" not in block
    client_latest.blocks.children.append(
        page_id, children=[{"quote": {"rich_text": rt("q")}}], position={"type": "start"}
    )
    client_latest.blocks.children.append(
        page_id,
        children=[{"paragraph": {"rich_text": rt("p")}}],
        position={"type": "after_block", "after_block": {"id": made[0]["id"]}},
    )
    kinds = [b["type"] for b in client_latest.blocks.children.list(page_id)["results"]]
    assert kinds == ["quote", "divider", "paragraph", "divider"]
    with pytest.raises(APIResponseError) as caught:
        client_latest.blocks.children.append(page_id, children=[{"divider": {}}], after=made[0]["id"])
    assert "body.after should be not present" in str(caught.value)


def test_meeting_notes_renamed_between_versions(
    client: Client, client_latest: Client, state: NotionState, page_id: str
) -> None:
    state.append_blocks(
        page_id, [{"type": "transcription", "transcription": {"title": []}}, {"form": {}}], strict=False
    )
    old = client.blocks.children.list(page_id)["results"]
    new = client_latest.blocks.children.list(page_id)["results"]
    assert [b["type"] for b in old] == ["transcription", "unsupported"]
    assert [b["type"] for b in new] == ["meeting_notes", "unsupported"]
    assert old[0]["transcription"] == new[0]["meeting_notes"] == {"title": []}
    assert new[1]["unsupported"] == {"block_type": "form"}


def test_retrieve_update_and_delete_block(client: Client, page_id: str, clock: FakeClock, state: NotionState) -> None:
    block = client.blocks.children.append(page_id, children=[{"to_do": {"rich_text": rt("step")}}])["results"][0]
    got = client.blocks.retrieve(block["id"])
    assert_matches("notion", "/v1/blocks/{block_id}", "get", 200, got)
    assert shapes.content(got) == block
    clock.advance(minutes=2)
    done = client.blocks.update(block["id"], to_do={"checked": True})
    assert done["to_do"]["checked"] is True and done["to_do"]["rich_text"][0]["plain_text"] == "step"
    assert done["last_edited_time"] == "2025-10-01T09:02:00.000Z"
    assert state.pages[page_id].last_edited_time == "2025-10-01T09:02:00.000Z"
    deleted = client.blocks.delete(block["id"])
    assert deleted["in_trash"] is True and deleted["archived"] is True
    assert client.blocks.children.list(page_id)["results"] == []


def test_children_of_unknown_block(client: Client) -> None:
    with pytest.raises(APIResponseError) as caught:
        client.blocks.children.list("6f1c2d58-0c5a-4a53-9f5e-1b2a3c4d5e6f")
    assert caught.value.status == 404 and "Could not find block with ID" in str(caught.value)


def test_invalid_id_in_path(http: httpx.Client) -> None:
    response = http.get("/v1/blocks/not-an-id/children")
    body = response.json()
    assert response.status_code == 400 and body["code"] == "validation_error"
    assert body["message"] == 'path failed validation: path.block_id should be a valid uuid, instead was `"not-an-id"`.'


def test_page_size_in_query_string(http: httpx.Client, page_id: str) -> None:
    response = http.get(f"/v1/blocks/{page_id}/children", params={"page_size": 101})
    assert response.status_code == 400
    assert (
        response.json()["message"] == "query failed validation: query.page_size should be ≤ `100`, instead was `101`."
    )


def test_more_than_1000_block_elements_per_request(client: Client, page_id: str) -> None:
    bullet = {"bulleted_list_item": {"rich_text": [], "children": [{"divider": {}}] * 10}}
    with pytest.raises(APIResponseError) as caught:
        client.blocks.children.append(page_id, children=[bullet] * 91)
    assert "at most `1000` block elements, instead was `1001`" in str(caught.value)
