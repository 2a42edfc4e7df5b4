"""Users endpoints, authentication and the Notion-Version header."""

from __future__ import annotations

import httpx
import pytest
from notion_client import APIResponseError, Client

from sync.sandbox.notion import NotionState
from tests.sandbox.notion import shapes
from tests.support.specs import assert_matches


def test_users_me_is_the_bot(client: Client, state: NotionState) -> None:
    me = client.users.me()
    assert_matches("notion", "/v1/users/me", "get", 200, me)
    shapes.check(shapes.SELF_BOT, me)
    assert me["id"] == state.bot_id
    assert me["bot"]["owner"] == {"type": "workspace", "workspace": True}


def test_users_retrieve_and_list_paginate(client: Client, state: NotionState) -> None:
    people = [state.add_user(f"Person {i}", f"p{i}@example.com") for i in range(4)]
    one = client.users.retrieve(people[0].id.replace("-", ""))  # ids are accepted without dashes
    shapes.check(shapes.PERSON, one)
    assert shapes.content(one) == {
        "object": "user",
        "id": people[0].id,
        "name": "Person 0",
        "avatar_url": None,
        "type": "person",
        "person": {"email": "p0@example.com"},
    }
    first = client.users.list(page_size=3)
    assert_matches("notion", "/v1/users", "get", 200, first)
    shapes.check(shapes.listing("user", shapes.USER), first)
    assert first["has_more"] is True and len(first["results"]) == 3
    rest = client.users.list(page_size=3, start_cursor=first["next_cursor"])
    assert rest["has_more"] is False and rest["next_cursor"] is None
    ids = [u["id"] for u in first["results"] + rest["results"]]
    assert ids == [state.bot_id, *(p.id for p in people)]


def test_unknown_user_is_object_not_found(client: Client) -> None:
    with pytest.raises(APIResponseError) as caught:
        client.users.retrieve("6f1c2d58-0c5a-4a53-9f5e-1b2a3c4d5e6f")
    assert caught.value.status == 404 and caught.value.code == "object_not_found"


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", "secret_sandbox_token"])
def test_bad_or_missing_token_is_unauthorized(http: httpx.Client, authorization: str | None) -> None:
    headers = {"Notion-Version": "2025-09-03"}
    request = http.build_request("GET", "/v1/users/me", headers=headers)
    del request.headers["Authorization"]
    if authorization:
        request.headers["Authorization"] = authorization
    response = http.send(request)
    assert response.status_code == 401
    body = response.json()
    shapes.check(shapes.ERROR, body)
    assert body["code"] == "unauthorized" and body["message"] == "API token is invalid."


def test_client_with_wrong_token_raises_unauthorized(server) -> None:
    import logging

    notion = Client(auth="secret_other", base_url=server.url, retry=False, logger=logging.getLogger("test"))
    try:
        with pytest.raises(APIResponseError) as caught:
            notion.users.me()
        assert caught.value.code == "unauthorized"
    finally:
        notion.close()


def test_missing_version_header(http: httpx.Client) -> None:
    request = http.build_request("GET", "/v1/users/me")
    del request.headers["Notion-Version"]
    response = http.send(request)
    body = response.json()
    assert_matches("notion", "/v1/users/me", "get", 400, body)
    assert response.status_code == 400 and body["code"] == "missing_version"
    assert body["message"] == (
        "Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`."
    )


def test_unknown_version_lists_the_valid_ones(http: httpx.Client) -> None:
    response = http.get("/v1/users/me", headers={"Notion-Version": "2024-01-01"})
    body = response.json()
    assert response.status_code == 400 and body["code"] == "missing_version"
    assert body["message"].startswith('Notion-Version header failed validation: Notion-Version header should be "2021')
    assert '"2025-09-03", or "2026-03-11", instead was "2024-01-01".' in body["message"]


def test_older_known_version_is_refused_as_unsupported(http: httpx.Client) -> None:
    response = http.get("/v1/users/me", headers={"Notion-Version": "2022-06-28"})
    assert response.status_code == 400 and response.json()["code"] == "invalid_request"


def test_latest_version_is_served(client_latest: Client, state: NotionState) -> None:
    assert client_latest.users.me()["id"] == state.bot_id


def test_unknown_route_is_invalid_request_url(http: httpx.Client) -> None:
    for method, path in (("GET", "/v1/nothing"), ("DELETE", "/v1/pages/6f1c2d58-0c5a-4a53-9f5e-1b2a3c4d5e6f")):
        response = http.request(method, path)
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_request_url"
