"""Fields every real response carries, the per-connection budget, 529 overload and Notion-hosted files,
against the official client (fake clocks: nothing waits)."""

from __future__ import annotations

import json

import httpx
import pytest
from notion_client import APIResponseError, Client
from notion_client.errors import HTTPResponseError

from sync.limits import NOTION_CONNECTION_LIMIT_REASON
from sync.sandbox.faults import Traffic
from sync.sandbox.notion import NotionState
from sync.sandbox.server import LoopbackServer
from tests.sandbox.notion import shapes
from tests.sandbox.notion.conftest import FakeClock, Monotonic

V2026 = "2026-03-11"


@pytest.fixture
def page_id(state: NotionState) -> str:
    return state.create_page({"page_id": state.root_page_id}, {"title": [{"text": {"content": "Walkthrough"}}]}).id


def test_every_response_body_carries_a_request_id(
    client: Client, http: httpx.Client, scenarios: str, page_id: str
) -> None:
    answers = [
        client.users.me(),
        client.users.list(),
        client.data_sources.retrieve(scenarios),
        client.data_sources.query(scenarios),
        client.pages.retrieve(page_id),
        client.blocks.children.append(page_id, children=[{"paragraph": {"rich_text": []}}]),
        client.blocks.children.list(page_id),
        client.search(),
        http.get("/v1/pages/not-an-id").json(),  # errors too
        http.get("/v1/nowhere").json(),
    ]
    ids = [answer["request_id"] for answer in answers]
    for request_id in ids:
        shapes.check(shapes.REQUEST_ID, request_id)
    assert len(set(ids)) == len(ids)  # one per response


def test_pages_answer_is_archived_beside_in_trash_where_the_version_serves_it(
    client: Client, client_latest: Client, page_id: str
) -> None:
    old, new = client.pages.retrieve(page_id), client_latest.pages.retrieve(page_id)
    assert "is_archived" not in old and old["archived"] is False and old["in_trash"] is False
    assert new["is_archived"] is False and new["in_trash"] is False and "archived" not in new
    shapes.check(shapes.page(V2026), new)
    trashed = client_latest.pages.update(page_id, in_trash=True)
    assert trashed["in_trash"] is True and trashed["is_archived"] is False  # trash is not Notion's archive


def test_icons_carry_their_type_on_data_sources_databases_and_pages(
    client: Client, state: NotionState, scenarios: str, page_id: str
) -> None:
    db = client.databases.create(
        parent={"page_id": state.root_page_id},
        title=[{"text": {"content": "Walkthroughs"}}],
        icon={"emoji": "🧯"},
        initial_data_source={"properties": {"Name": {"title": {}}}},
    )
    assert db["icon"] == {"type": "emoji", "emoji": "🧯"}
    source = client.data_sources.retrieve(db["data_sources"][0]["id"])
    assert source["icon"] == {"type": "emoji", "emoji": "🧯"}
    changed = client.data_sources.update(scenarios, icon={"external": {"url": "https://example.com/i.png"}})
    assert changed["icon"] == {"type": "external", "external": {"url": "https://example.com/i.png"}}
    page = client.pages.update(page_id, icon={"emoji": "📞"})
    assert page["icon"]["type"] == "emoji"
    shapes.check(shapes.data_source("2025-09-03"), changed)


def test_the_per_connection_budget_answers_429_until_the_window_resets(
    client: Client, server: LoopbackServer, traffic: Traffic, monotonic: Monotonic
) -> None:
    traffic.set_budget(180)
    for _ in range(180):  # any pace: all at once
        client.users.me()
    monotonic.t += 20
    with pytest.raises(APIResponseError) as caught:
        client.users.me()
    error = caught.value
    assert error.status == 429 and error.code == "rate_limited"
    assert error.headers["retry-after"] == "40"  # seconds until the window resets
    body = json.loads(error.body)
    shapes.check(shapes.ERROR, body)
    assert body["additional_data"] == {"rate_limit_reason": NOTION_CONNECTION_LIMIT_REASON}
    monotonic.t += 40
    assert client.users.me()["object"] == "user"
    assert [r.fault for r in traffic.log].count("rate_limit") == 1


def test_the_business_plan_budget(client: Client, traffic: Traffic, server: LoopbackServer) -> None:
    traffic.set_budget(600)
    for _ in range(600):
        client.users.me()
    with pytest.raises(APIResponseError):
        client.users.me()


def test_529_service_overload_has_notions_shape(client: Client, traffic: Traffic, server: LoopbackServer) -> None:
    httpx.post(f"{server.url}/_sandbox/faults", json={"status": 529, "retry_after": 3, "path": "/users/me"})
    # notion-client 3.1.0 does not know the code yet: an HTTPResponseError with the status and headers, which
    # is what the sync's retry policy reads.
    with pytest.raises(HTTPResponseError) as caught:
        client.users.me()
    assert caught.value.status == 529 and caught.value.headers["retry-after"] == "3"
    body = json.loads(caught.value.body)
    shapes.check(shapes.ERROR, body)
    assert body["code"] == "service_overload"


def test_hosted_files_are_signed_links_that_expire_within_the_hour(
    client: Client, state: NotionState, clock: FakeClock, page_id: str, traffic: Traffic, server: LoopbackServer
) -> None:
    clip = state.add_file("panic walkthrough.mp4", "video/mp4", b"\x00\x01mp4 bytes")
    made = client.blocks.children.append(
        page_id,
        children=[
            {"video": {"file_upload": {"id": clip.id}, "caption": [{"text": {"content": "the clip"}}]}},
            {"file": {"file_upload": {"id": clip.id}}},
        ],
    )["results"]
    video = made[0]["video"]
    assert video["type"] == "file" and set(video["file"]) == {"url", "expiry_time"}
    assert made[1]["file"]["name"] == "panic walkthrough.mp4"
    assert video["file"]["expiry_time"] == "2025-10-01T10:00:30.000Z"  # an hour after the clock
    url = video["file"]["url"]
    assert url.startswith(server.url + "/files/")
    traffic.set_budget(1)  # downloads are not API requests: they never spend the budget
    plain = httpx.get(url)  # no bearer token: the link is its own key
    assert plain.status_code == 200 and plain.content == b"\x00\x01mp4 bytes"
    assert plain.headers["content-type"] == "video/mp4"
    assert httpx.get(url).status_code == 200
    assert httpx.get(url.replace("signature=", "signature=0")).status_code == 403
    clock.advance(minutes=61)
    expired = httpx.get(url)
    assert expired.status_code == 403 and "Request has expired" in expired.text


def test_an_unknown_upload_is_refused(client: Client, page_id: str) -> None:
    with pytest.raises(APIResponseError) as caught:
        client.blocks.children.append(
            page_id, children=[{"image": {"file_upload": {"id": "00000000-0000-4000-8000-000000000000"}}}]
        )
    assert "body.children[0].image.file_upload.id should be the id of an uploaded file" in str(caught.value)


def test_column_lists_and_synced_blocks(client: Client, page_id: str) -> None:
    made = client.blocks.children.append(
        page_id,
        children=[
            {
                "column_list": {
                    "children": [
                        {"column": {"children": [{"paragraph": {"rich_text": [{"text": {"content": "left"}}]}}]}},
                        {"column": {"children": [{"paragraph": {"rich_text": [{"text": {"content": "right"}}]}}]}},
                    ]
                }
            },
            {"synced_block": {"synced_from": None, "children": [{"to_do": {"rich_text": []}}]}},
        ],
    )["results"]
    assert [b["type"] for b in made] == ["column_list", "synced_block"] and made[0]["has_children"]
    columns = client.blocks.children.list(made[0]["id"])["results"]
    assert [c["type"] for c in columns] == ["column", "column"]
    copy = client.blocks.children.append(
        page_id, children=[{"synced_block": {"synced_from": {"block_id": made[1]["id"]}}}]
    )["results"][0]
    assert copy["synced_block"] == {"synced_from": {"type": "block_id", "block_id": made[1]["id"]}}
    with pytest.raises(APIResponseError) as caught:
        client.blocks.children.append(page_id, children=[{"column_list": {"children": [{"column": {"children": []}}]}}])
    assert "at least two `column` blocks" in str(caught.value)
