"""Permissions the control API takes away (`/_sandbox/deny`): the permitted-operations answers (checked
against the published v1 and v2 descriptions) leave them out, and the writes that need them are refused in
each surface's error shape."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from sync.sandbox.confluence.app import ConfluenceEmulator
from sync.sandbox.server import LoopbackServer
from tests.sandbox.confluence.conftest import API_EMAIL, API_TOKEN
from tests.support.specs import assert_matches

BASIC = (API_EMAIL, API_TOKEN)
BEARER = {"Authorization": f"Bearer {API_TOKEN}"}


def deny(server: LoopbackServer, permission: str, denied: bool = True) -> httpx.Response:
    return httpx.post(f"{server.url}/_sandbox/deny", json={"permission": permission, "denied": denied})


def ops(body: dict[str, Any]) -> set[tuple[str, str]]:
    return {(o["operation"], o["targetType"]) for o in body["operations"]}


def test_cloud_v2_operations_follow_the_denied_permissions(cloud_app: ConfluenceEmulator, cloud_server) -> None:
    space = cloud_app.state.spaces["SUP"]
    home = space.homepage_id
    v2 = f"{cloud_server.url}/wiki/api/v2"

    space_ops = httpx.get(f"{v2}/spaces/{space.id}/operations", auth=BASIC).json()
    assert_matches("confluence-v2", "/spaces/{id}/operations", "get", 200, space_ops)
    assert {("read", "space"), ("create", "page"), ("archive", "page")} <= ops(space_ops)
    page_ops = httpx.get(f"{v2}/pages/{home}/operations", auth=BASIC).json()
    assert_matches("confluence-v2", "/pages/{id}/operations", "get", 200, page_ops)
    assert ("update", "page") in ops(page_ops)

    for permission in ("create:page", "archive:page", "update:page"):
        assert deny(cloud_server, permission).status_code == 200
    assert ("create", "page") not in ops(httpx.get(f"{v2}/spaces/{space.id}/operations", auth=BASIC).json())
    assert ("update", "page") not in ops(httpx.get(f"{v2}/pages/{home}/operations", auth=BASIC).json())

    created = httpx.post(
        f"{v2}/pages",
        auth=BASIC,
        json={"spaceId": space.id, "title": "New", "body": {"representation": "storage", "value": "<p>x</p>"}},
    )
    assert created.status_code == 403 and created.json()["errors"][0]["code"] == "FORBIDDEN"
    labelled = httpx.post(
        f"{cloud_server.url}/wiki/rest/api/content/{home}/label", auth=BASIC, json=[{"name": "x", "prefix": "global"}]
    )
    assert labelled.status_code == 403 and labelled.json()["statusCode"] == 403  # v1's error shape
    archived = httpx.post(
        f"{cloud_server.url}/wiki/rest/api/content/archive", auth=BASIC, json={"pages": [{"id": home}]}
    )
    assert archived.status_code == 403

    assert deny(cloud_server, "create:page", denied=False).json()["denied"] == ["archive:page", "update:page"]
    assert httpx.delete(f"{cloud_server.url}/_sandbox/deny").json()["denied"] == []
    assert ("update", "page") in ops(httpx.get(f"{v2}/pages/{home}/operations", auth=BASIC).json())


def test_a_space_the_user_may_not_view_is_not_there(cloud_app: ConfluenceEmulator, cloud_server) -> None:
    deny(cloud_server, "read:space")
    v2 = f"{cloud_server.url}/wiki/api/v2"
    assert httpx.get(f"{v2}/spaces", params={"keys": "SUP"}, auth=BASIC).json()["results"] == []
    assert httpx.get(f"{v2}/spaces/{cloud_app.state.spaces['SUP'].id}", auth=BASIC).status_code == 404


def test_data_center_operations_through_the_v1_expansion(dc_app: ConfluenceEmulator, dc_server) -> None:
    v1 = f"{dc_server.url}/rest/api"
    home = dc_app.state.spaces["SUP"].homepage_id
    space = httpx.get(f"{v1}/space/SUP", params={"expand": "operations"}, headers=BEARER).json()
    assert_matches("confluence-v1", "/wiki/rest/api/space/{spaceKey}", "get", 200, space)
    assert ("create", "page") in ops(space) and ("archive", "page") not in ops(space)  # no archive on DC
    page = httpx.get(f"{v1}/content/{home}", params={"expand": "operations"}, headers=BEARER).json()
    assert_matches("confluence-v1", "/wiki/rest/api/content/{id}", "get", 200, page)
    assert ("update", "page") in ops(page)

    deny(dc_server, "update:page")
    page = httpx.get(f"{v1}/content/{home}", params={"expand": "operations"}, headers=BEARER).json()
    assert ("update", "page") not in ops(page)
    prop = httpx.post(f"{v1}/content/{home}/property", headers=BEARER, json={"key": "k", "value": {"a": 1}})
    assert prop.status_code == 403 and prop.json()["statusCode"] == 403


@pytest.mark.parametrize("body", [{"permission": "delete:everything"}, {}])
def test_unknown_permissions_are_refused_with_the_known_ones(dc_server, body) -> None:
    response = httpx.post(f"{dc_server.url}/_sandbox/deny", json=body)
    assert response.status_code == 400 and "update:page" in response.json()["known"]
