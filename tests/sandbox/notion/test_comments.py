"""Comments on pages: create with a user mention, reply in a discussion, list with pagination."""

from __future__ import annotations

import pytest
from notion_client import APIResponseError, Client

from sync.sandbox.notion import NotionState
from tests.sandbox.notion import shapes


@pytest.fixture
def page_id(state: NotionState, scenarios: str) -> str:
    return state.create_page({"data_source_id": scenarios}, {"Name": {"title": [{"text": {"content": "S1"}}]}}).id


def test_comment_with_user_mention(client: Client, page_id: str, person, state: NotionState) -> None:
    made = client.comments.create(
        parent={"page_id": page_id},
        rich_text=[
            {"type": "text", "text": {"content": "Published, thanks "}},
            {"type": "mention", "mention": {"type": "user", "user": {"id": person.id}}},
        ],
    )
    shapes.check(shapes.COMMENT, made)
    assert made["parent"] == {"type": "page_id", "page_id": page_id}
    assert made["created_by"] == {"object": "user", "id": state.bot_id}
    assert made["display_name"] == {"type": "integration", "resolved_name": "Scenario Sync"}
    mention = made["rich_text"][1]
    assert mention["mention"]["user"]["id"] == person.id and mention["plain_text"] == "@Ada Lovelace"
    listed = client.comments.list(block_id=page_id)
    shapes.check(shapes.listing("comment", shapes.COMMENT), listed)
    assert listed["results"] == [shapes.content(made)]


def test_reply_in_discussion_and_pagination(client: Client, page_id: str) -> None:
    first = client.comments.create(parent={"page_id": page_id}, rich_text=[{"text": {"content": "0"}}])
    for i in range(1, 5):
        reply = client.comments.create(discussion_id=first["discussion_id"], rich_text=[{"text": {"content": str(i)}}])
        assert reply["discussion_id"] == first["discussion_id"] and reply["parent"] == first["parent"]
    page1 = client.comments.list(block_id=page_id, page_size=3)
    page2 = client.comments.list(block_id=page_id, page_size=3, start_cursor=page1["next_cursor"])
    assert page1["has_more"] is True and page2["has_more"] is False
    texts = [c["rich_text"][0]["plain_text"] for c in page1["results"] + page2["results"]]
    assert texts == ["0", "1", "2", "3", "4"]


def test_comment_on_unknown_page(client: Client) -> None:
    with pytest.raises(APIResponseError) as caught:
        client.comments.create(parent={"page_id": "6f1c2d58-0c5a-4a53-9f5e-1b2a3c4d5e6f"}, rich_text=[])
    assert caught.value.code == "object_not_found"


def test_comment_mentioning_unknown_user(client: Client, page_id: str) -> None:
    with pytest.raises(APIResponseError) as caught:
        client.comments.create(
            parent={"page_id": page_id},
            rich_text=[{"mention": {"user": {"id": "6f1c2d58-0c5a-4a53-9f5e-1b2a3c4d5e6f"}}}],
        )
    assert caught.value.code == "validation_error"
