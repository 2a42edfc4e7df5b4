"""Error shapes and codes, request limits, and objects the integration may not see."""

from __future__ import annotations

import json

import httpx
import pytest
from notion_client import APIResponseError, Client

from sync.sandbox.notion import NotionState
from sync.sandbox.notion.errors import error_for_status
from tests.sandbox.notion import shapes
from tests.support.specs import assert_matches

MISSING = "6f1c2d58-0c5a-4a53-9f5e-1b2a3c4d5e6f"
HINT = "Make sure the relevant pages and databases are shared with your integration."


def test_object_not_found_message(client: Client) -> None:
    with pytest.raises(APIResponseError) as caught:
        client.pages.retrieve(MISSING.replace("-", ""))
    error = caught.value
    assert error.status == 404 and error.code == "object_not_found"
    assert str(error) == f"Could not find page with ID: {MISSING}. {HINT}"
    body = json.loads(error.body)
    shapes.check(shapes.ERROR, body)
    assert_matches("notion", "/v1/pages/{page_id}/markdown", "get", 404, body)
    assert error.request_id == body["request_id"]


def test_invalid_json(http: httpx.Client, scenarios: str) -> None:
    response = http.post(
        f"/v1/data_sources/{scenarios}/query", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    body = response.json()
    assert response.status_code == 400
    assert_matches("notion", "/v1/data_sources/{data_source_id}/query", "post", 400, body)
    assert body == body | {
        "object": "error",
        "status": 400,
        "code": "invalid_json",
        "message": "Error parsing JSON body.",
    }


def test_body_must_be_an_object(http: httpx.Client) -> None:
    response = http.post("/v1/pages", json=[1, 2])
    assert response.status_code == 400 and response.json()["code"] == "validation_error"


def test_oversized_payload(http: httpx.Client, state: NotionState) -> None:
    body = {"children": [{"paragraph": {"rich_text": [{"text": {"content": "x" * 2000}}] * 100}}] * 3}
    response = http.patch(f"/v1/blocks/{state.root_page_id}/children", json=body)
    assert response.status_code == 413
    assert response.json()["code"] == "validation_error" and "500KB" in response.json()["message"]
    assert http.get("/v1/users/me").status_code == 200  # the connection is still usable


def test_unknown_body_parameter(http: httpx.Client) -> None:
    response = http.post("/v1/pages", json={"parent": {"page_id": MISSING}, "colour": "red"})
    assert (
        response.json()["message"] == 'body failed validation: body.colour should be not present, instead was `"red"`.'
    )


def test_missing_required_body_field(http: httpx.Client, state: NotionState) -> None:
    response = http.patch(f"/v1/blocks/{state.root_page_id}/children", json={})
    assert (
        response.json()["message"]
        == "body failed validation: body.children should be defined, instead was `undefined`."
    )


def test_unshared_page_is_not_found(client: Client, state: NotionState, scenarios: str) -> None:
    page = state.create_page({"data_source_id": scenarios}, {})
    other = state.create_page({"data_source_id": scenarios}, {})
    state.set_shared(page.id, False)
    with pytest.raises(APIResponseError) as caught:
        client.pages.retrieve(page.id)
    assert caught.value.status == 404 and str(caught.value) == f"Could not find page with ID: {page.id}. {HINT}"
    assert [r["id"] for r in client.data_sources.query(scenarios)["results"]] == [other.id]


def test_unshared_database_hides_what_is_inside(client: Client, state: NotionState, scenarios: str) -> None:
    page = state.create_page({"data_source_id": scenarios}, {})
    state.set_shared(state.data_sources[scenarios].database_id, False)
    for call in (
        lambda: client.data_sources.query(scenarios),
        lambda: client.pages.retrieve(page.id),
        lambda: client.blocks.children.list(page.id),
    ):
        with pytest.raises(APIResponseError) as caught:
            call()
        assert caught.value.code == "object_not_found"
    state.set_shared(state.data_sources[scenarios].database_id, True)
    assert client.pages.retrieve(page.id)["id"] == page.id


def test_restricted_page_in_shared_source(client: Client, state: NotionState, scenarios: str) -> None:
    page = state.create_page({"data_source_id": scenarios}, {}, children=[{"paragraph": {"rich_text": []}}])
    state.set_restricted(page.id)
    assert [r["id"] for r in client.data_sources.query(scenarios)["results"]] == [page.id]
    for call in (
        lambda: client.pages.retrieve(page.id),
        lambda: client.blocks.children.list(page.id),
        lambda: client.comments.list(block_id=page.id),
    ):
        with pytest.raises(APIResponseError) as caught:
            call()
        assert caught.value.status == 403 and caught.value.code == "restricted_resource"
        assert str(caught.value) == "API token does not have access to this resource."
        assert_matches("notion", "/v1/pages/{page_id}/markdown", "get", 403, json.loads(caught.value.body))


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, "validation_error"),
        (401, "unauthorized"),
        (403, "restricted_resource"),
        (404, "object_not_found"),
        (409, "conflict_error"),
        (429, "rate_limited"),
        (500, "internal_server_error"),
        (502, "bad_gateway"),
        (503, "service_unavailable"),
        (504, "gateway_timeout"),
    ],
)
def test_every_error_code_renders_notions_shape(status: int, code: str) -> None:
    error = error_for_status(status, retry_after=2.2 if status == 429 else None)
    body = error.body()
    shapes.check(shapes.ERROR, body)
    assert body["status"] == status and body["code"] == code and body["message"]
    response = error.response()
    assert response.status_code == status and response.mimetype == "application/json"
    if status == 429:
        assert response.headers["Retry-After"] == "3"


def test_multi_select_over_100_options(client: Client, scenarios: str) -> None:
    values = {"Tags": {"multi_select": [{"name": f"t{i}"} for i in range(101)]}}
    with pytest.raises(APIResponseError) as caught:
        client.pages.create(parent={"data_source_id": scenarios}, properties=values)
    assert "body.properties.Tags.multi_select.length should be ≤ `100`" in str(caught.value)
