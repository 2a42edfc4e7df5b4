"""An integration's content capabilities, taken away through `/_sandbox/deny`: refused with 403
`restricted_resource` as Notion does, while user information stays readable."""

from __future__ import annotations

import httpx
import pytest
from notion_client import APIResponseError, Client

from sync.sandbox.notion import NotionState


def test_capabilities_taken_away_are_refused_as_notion_refuses_them(
    client: Client, http: httpx.Client, state: NotionState, scenarios: str
) -> None:
    page = state.create_page({"data_source_id": scenarios}, {})
    assert http.post("/_sandbox/deny", json={"permission": "update_content"}).json()["denied"] == ["update_content"]
    with pytest.raises(APIResponseError) as caught:
        client.pages.update(page.id, properties={})
    assert caught.value.status == 403 and caught.value.code == "restricted_resource"
    assert str(caught.value) == "Insufficient permissions for this endpoint."
    client.data_sources.query(scenarios)  # reading is still allowed, and so is who the bot is
    assert client.users.me()["type"] == "bot"

    http.post("/_sandbox/deny", json={"permission": "insert_content"})
    with pytest.raises(APIResponseError) as caught:
        client.pages.create(parent={"data_source_id": scenarios}, properties={})
    assert caught.value.code == "restricted_resource"
    http.post("/_sandbox/deny", json={"permission": "read_content"})
    with pytest.raises(APIResponseError) as caught:
        client.data_sources.query(scenarios)
    assert caught.value.code == "restricted_resource"

    assert http.delete("/_sandbox/deny").json()["denied"] == []
    client.pages.update(page.id, properties={})


def test_comments_are_capabilities_of_their_own(client: Client, http: httpx.Client, state: NotionState, scenarios: str):
    page = state.create_page({"data_source_id": scenarios}, {})
    text = [{"type": "text", "text": {"content": "Revalidation due"}}]
    http.post("/_sandbox/deny", json={"permission": "insert_comments"})
    with pytest.raises(APIResponseError) as caught:
        client.comments.create(parent={"page_id": page.id}, rich_text=text)
    assert caught.value.status == 403 and caught.value.code == "restricted_resource"
    assert client.comments.list(block_id=page.id)["results"] == []  # reading them is another capability
    http.post("/_sandbox/deny", json={"permission": "read_comments"})
    with pytest.raises(APIResponseError) as caught:
        client.comments.list(block_id=page.id)
    assert caught.value.code == "restricted_resource"
    client.pages.update(page.id, properties={})  # content stays writable without comment capabilities

    http.delete("/_sandbox/deny")
    http.post("/_sandbox/deny", json={"permission": "insert_content"})
    client.comments.create(parent={"page_id": page.id}, rich_text=text)  # not a content capability
    assert len(client.comments.list(block_id=page.id)["results"]) == 1
