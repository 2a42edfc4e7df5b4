"""Contract of the Confluence Cloud REST v2 emulator, driven through atlassian-python-api's v2 client.

Every 200 body is checked against Atlassian's published v2 description (../shared/specs). Two shapes are not in
that January-2025 snapshot and are checked against the live API reference instead:

- ``GET /pages/{id}/direct-children`` answers ``MultiEntityResult<ChildrenResponse>`` (`CHILDREN_RESPONSE`);
- error bodies: the snapshot documents 4xx/5xx responses without a body; v2's error envelope is
  ``{"errors": [{"status", "code", "title", "detail"}]}`` (`V2_ERROR`).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
import requests
from atlassian import Confluence
from requests import HTTPError

from sync.sandbox.confluence.app import ConfluenceEmulator, make_app
from sync.sandbox.confluence.state import Page, Space
from sync.sandbox.server import LoopbackServer
from tests.support.mount import Mount, serving, shared_server
from tests.support.specs import assert_matches

V2 = "confluence-v2"
PREFIX = "/wiki/api/v2"

V2_ERROR = {
    "type": "object",
    "required": ["errors"],
    "properties": {
        "errors": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["status", "code", "title"],
                "properties": {
                    "status": {"type": "integer"},
                    "code": {"type": "string"},
                    "title": {"type": "string"},
                    "detail": {"type": ["string", "null"]},
                },
            },
        }
    },
}

CHILDREN_RESPONSE = {
    "type": "object",
    "properties": {
        "results": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "type"],
                "properties": {
                    "id": {"type": "string"},
                    "status": {"enum": ["current", "archived"]},
                    "title": {"type": "string"},
                    "type": {"type": "string"},
                    "spaceId": {"type": "string"},
                    "childPosition": {"type": ["integer", "null"]},
                },
            },
        },
        "_links": {"type": "object", "properties": {"next": {"type": "string"}, "base": {"type": "string"}}},
    },
}


# --- fixtures -------------------------------------------------------------------------------------------
@pytest.fixture
def app() -> ConfluenceEmulator:
    emulator = make_app("cloud")
    emulator.state.add_space("SUP", "Support")
    return emulator


@pytest.fixture
def space(app: ConfluenceEmulator) -> Space:
    return app.state.spaces["SUP"]


@pytest.fixture(scope="module")
def loopback() -> Iterator[tuple[LoopbackServer, Mount]]:
    with shared_server() as pair:
        yield pair


@pytest.fixture
def server(app: ConfluenceEmulator, loopback: tuple[LoopbackServer, Mount]) -> Iterator[LoopbackServer]:
    with serving(loopback, app) as running:
        yield running


def make_client(server: LoopbackServer, password: str = "token-sync-bot", **options: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return Confluence(
            url=server.url + "/wiki", username="sync-bot@example.com", password=password, api_version=2, **options
        )


@pytest.fixture
def client(server: LoopbackServer) -> Any:
    return make_client(server)


def seed(app: ConfluenceEmulator, title: str, parent: Page | str | None = None, body: str = "<p>x</p>") -> Page:
    state = app.state
    parent_id = parent.id if isinstance(parent, Page) else parent
    if parent_id is None:
        parent_id = state.spaces["SUP"].homepage_id
    return state.create_page("SUP", title, body, parent_id=parent_id)


def raw(client: Any, method: str, path: str, **kwargs: Any) -> requests.Response:
    """A request on the client's session that returns the response whatever its status."""
    return client.request(method, path.removeprefix("/wiki/").lstrip("/"), advanced_mode=True, **kwargs)


def assert_v2_error(response: requests.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    jsonschema.validate(body, V2_ERROR)
    assert body["errors"][0]["status"] == status
    return body["errors"][0]


def http_error(call: Any, *args: Any, **kwargs: Any) -> requests.Response:
    with pytest.raises(HTTPError) as caught:
        call(*args, **kwargs)
    return caught.value.response


def add_fault(server: LoopbackServer, **fault: Any) -> None:
    requests.post(f"{server.url}/_sandbox/faults", json=fault, timeout=5).raise_for_status()


# --- spaces ---------------------------------------------------------------------------------------------
def test_spaces_by_key_and_by_id(client: Any, app: ConfluenceEmulator, space: Space) -> None:
    app.state.add_space("OPS", "Operations")

    by_key = client.get_space_by_key("SUP")
    assert (by_key["id"], by_key["key"], by_key["homepageId"]) == (space.id, "SUP", space.homepage_id)
    assert_matches(V2, "/spaces", "get", 200, {"results": client.get_spaces()})
    assert [s["key"] for s in client.get_spaces()] == ["SUP", "OPS"]
    assert [s["key"] for s in client.get_spaces(ids=[space.id])] == ["SUP"]
    assert client.get_spaces(keys=["NOPE"]) == []

    single = client.get_space(space.id)
    assert_matches(V2, "/spaces/{id}", "get", 200, single)
    assert single["name"] == "Support" and single["_links"]["base"] == client.url

    assert_v2_error(raw(client, "GET", "api/v2/spaces/999999"), 404)
    assert_v2_error(raw(client, "GET", "api/v2/spaces", params={"ids": "SUP"}), 400)


# --- pages: create, read ---------------------------------------------------------------------------------
def test_create_page_nested_body_goes_under_the_homepage(client: Any, space: Space) -> None:
    page = client.create_page(space_id=space.id, title="Reset a password", body="<p>Step one</p>")

    assert_matches(V2, "/pages", "post", 200, page)
    assert page["parentId"] == space.homepage_id and page["parentType"] == "page"
    assert page["version"]["number"] == 1 and page["status"] == "current"
    assert page["body"]["storage"] == {"representation": "storage", "value": "<p>Step one</p>"}
    assert page["_links"]["webui"] == f"/spaces/SUP/pages/{page['id']}/Reset+a+password"


def test_create_page_flat_body_root_level_and_explicit_parent(client: Any, space: Space) -> None:
    flat = {"representation": "storage", "value": "<p>root</p>"}
    root = client.post(
        "api/v2/pages", data={"spaceId": space.id, "title": "Root", "body": flat}, params={"root-level": "true"}
    )
    assert_matches(V2, "/pages", "post", 200, root)
    assert "parentId" not in root

    child = client.create_page(space_id=space.id, title="Child", body="<p/>", parent_id=root["id"])
    assert child["parentId"] == root["id"]

    clash = raw(
        client,
        "POST",
        "api/v2/pages",
        data={"spaceId": space.id, "title": "X", "parentId": root["id"]},
        params={"root-level": "true"},
    )
    assert "root-level" in assert_v2_error(clash, 400)["detail"]


def test_create_page_rejects_bad_requests(client: Any, space: Space) -> None:
    assert "spaceId" in assert_v2_error(raw(client, "POST", "api/v2/pages", data={"title": "T"}), 400)["detail"]
    assert_v2_error(raw(client, "POST", "api/v2/pages", data={"spaceId": "424242", "title": "T"}), 404)
    bad_json = client.session.post(
        f"{client.url}/api/v2/pages", data=b'{"spaceId": ', headers={"Content-Type": "application/json"}
    )
    assert "JSON" in assert_v2_error(bad_json, 400)["detail"]
    wiki = {"spaceId": space.id, "title": "T", "body": {"wiki": {"representation": "wiki", "value": "h1. x"}}}
    assert_v2_error(raw(client, "POST", "api/v2/pages", data=wiki), 400)


def test_malformed_storage_body_is_rejected(client: Any, app: ConfluenceEmulator, space: Space) -> None:
    response = http_error(client.create_page, space_id=space.id, title="Broken", body="<p>unclosed <b>bold</p>")
    assert "xhtml" in assert_v2_error(response, 400)["detail"].lower()
    assert app.state.find_by_title("SUP", "Broken") is None

    page = client.create_page(space_id=space.id, title="Fine", body="<p>ok &nbsp; fine</p>")
    response = http_error(client.update_page, page["id"], title="Fine", body="<ac:x>", status="current")
    assert_v2_error(response, 400)
    assert app.state.pages[page["id"]].version == 1


def test_get_page_body_formats_and_includes(client: Any, app: ConfluenceEmulator) -> None:
    page = seed(app, "Walkthrough", body='<p>Hi</p><ac:structured-macro ac:name="info"/>')
    app.state.add_labels(page.id, ["scenario", "support"])
    app.state.create_property(page.id, "sync.source", {"notion": "abc"})

    storage = client.get_page_by_id(page.id, body_format="storage")
    assert_matches(V2, "/pages/{id}", "get", 200, storage)
    assert storage["body"]["storage"]["value"] == page.body
    assert "labels" not in storage and storage["version"]["number"] == 1

    view = client.get_page_by_id(page.id, body_format="view")
    assert view["body"]["view"]["value"] == "<p>Hi</p>"
    assert client.get_page_by_id(page.id)["body"] == {}

    params = {"include-labels": "true", "include-properties": "true", "include-versions": "true"}
    full = client.get(f"api/v2/pages/{page.id}", params={**params, "include-version": "false"})
    assert_matches(V2, "/pages/{id}", "get", 200, full)
    assert "version" not in full
    assert [lab["name"] for lab in full["labels"]["results"]] == ["scenario", "support"]
    assert full["labels"]["meta"] == {"hasMore": False}
    assert full["properties"]["results"][0]["value"] == {"notion": "abc"}
    assert [v["number"] for v in full["versions"]["results"]] == [1]

    adf = raw(client, "GET", f"api/v2/pages/{page.id}", params={"body-format": "atlas_doc_format"})
    assert_v2_error(adf, 400)
    assert_v2_error(raw(client, "GET", f"api/v2/pages/{page.id}", params={"body-format": "pdf"}), 400)
    assert_v2_error(raw(client, "GET", "api/v2/pages/not-a-number"), 400)
    assert_v2_error(raw(client, "GET", "api/v2/pages/99999999"), 404)


def test_get_an_older_version(client: Any, app: ConfluenceEmulator) -> None:
    page = seed(app, "Versioned", body="<p>one</p>")
    app.state.update_page(page.id, 2, title="Versioned v2", body="<p>two</p>")

    old = client.get(f"api/v2/pages/{page.id}", params={"version": 1, "body-format": "storage"})
    assert_matches(V2, "/pages/{id}", "get", 200, old)
    assert (old["title"], old["version"]["number"], old["status"]) == ("Versioned", 1, "historical")
    assert old["body"]["storage"]["value"] == "<p>one</p>"
    assert client.get_page_by_id(page.id)["title"] == "Versioned v2"
    assert_v2_error(raw(client, "GET", f"api/v2/pages/{page.id}", params={"version": 9}), 404)


def test_restricted_page_is_not_found_anywhere(client: Any, app: ConfluenceEmulator, server: LoopbackServer) -> None:
    parent = seed(app, "Parent")
    hidden = seed(app, "Hidden", parent)
    requests.post(f"{server.url}/_sandbox/restrict", json={"page_id": hidden.id}, timeout=5).raise_for_status()

    assert_v2_error(raw(client, "GET", f"api/v2/pages/{hidden.id}"), 404)
    assert_v2_error(raw(client, "GET", f"api/v2/pages/{hidden.id}/versions"), 404)
    assert client.get_child_pages(parent.id) == []
    assert client.get_page_by_title("SUP", "Hidden") == {"results": []}


def test_drafts_need_get_draft(client: Any, app: ConfluenceEmulator, space: Space) -> None:
    draft = client.create_page(space_id=space.id, title="Work in progress", body="<p>wip</p>", status="draft")
    assert draft["status"] == "draft"

    assert_v2_error(raw(client, "GET", f"api/v2/pages/{draft['id']}"), 404)
    fetched = client.get(f"api/v2/pages/{draft['id']}", params={"get-draft": "true"})
    assert_matches(V2, "/pages/{id}", "get", 200, fetched)
    assert fetched["status"] == "draft"
    assert client.get_pages(space_id=space.id, title="Work in progress") == []

    assert_v2_error(raw(client, "DELETE", f"api/v2/pages/{draft['id']}"), 400)
    assert raw(client, "DELETE", f"api/v2/pages/{draft['id']}", params={"draft": "true"}).status_code == 204
    assert draft["id"] not in app.state.pages


# --- pages: update, move, trash ---------------------------------------------------------------------------
def test_update_page_new_version(client: Any, app: ConfluenceEmulator) -> None:
    page = seed(app, "Guide", body="<p>v1</p>")

    updated = client.update_page(page.id, title="Guide", body="<p>v2</p>", status="current", version=1)
    assert_matches(V2, "/pages/{id}", "put", 200, updated)
    assert updated["version"]["number"] == 2
    assert updated["version"]["message"] == "Updated via Python API"
    assert updated["body"]["storage"]["value"] == "<p>v2</p>"
    assert app.state.pages[page.id].body == "<p>v2</p>"

    again = client.put(
        f"api/v2/pages/{page.id}",
        data={
            "id": page.id,
            "status": "current",
            "title": "Guide renamed",
            "body": {"representation": "storage", "value": "<p>v3</p>"},
            "version": {"number": 3, "message": "rename", "minorEdit": True},
        },
    )
    assert (again["title"], again["version"]["message"], again["version"]["minorEdit"]) == (
        "Guide renamed",
        "rename",
        True,
    )


def test_update_page_version_conflict(client: Any, app: ConfluenceEmulator, server: LoopbackServer) -> None:
    page = seed(app, "Contested", body="<p>v1</p>")
    seen = client.get_page_by_id(page.id)["version"]["number"]
    requests.post(f"{server.url}/_sandbox/human-edit", json={"page_id": page.id}, timeout=5).raise_for_status()

    response = http_error(
        client.update_page, page.id, title="Contested", body="<p>mine</p>", status="current", version=seen
    )
    error = assert_v2_error(response, 409)
    assert error["code"] == "CONFLICT" and "Current version is: 2" in error["detail"]
    assert app.state.pages[page.id].body.endswith("<p>Edited by hand.</p>")

    ahead = http_error(client.update_page, page.id, title="Contested", body="<p>x</p>", status="current", version=5)
    assert_v2_error(ahead, 409)


def test_update_page_requires_the_documented_fields(client: Any, app: ConfluenceEmulator) -> None:
    page = seed(app, "Strict")
    no_status = http_error(client.update_page, page.id, title="Strict", body="<p>y</p>", version=1)
    assert "status" in assert_v2_error(no_status, 400)["detail"]
    no_body = raw(
        client,
        "PUT",
        f"api/v2/pages/{page.id}",
        data={"id": page.id, "status": "current", "title": "Strict", "version": {"number": 2}},
    )
    assert "body" in assert_v2_error(no_body, 400)["detail"]
    wrong_id = {"id": "1", "status": "current", "title": "Strict", "body": {}, "version": {"number": 2}}
    assert_v2_error(raw(client, "PUT", f"api/v2/pages/{page.id}", data=wrong_id), 400)
    assert app.state.pages[page.id].version == 1


def test_title_collision_in_the_space(client: Any, app: ConfluenceEmulator, space: Space) -> None:
    seed(app, "Taken")
    other = seed(app, "Other")

    created = http_error(client.create_page, space_id=space.id, title="taken", body="<p/>")
    assert "already exists" in assert_v2_error(created, 400)["detail"]
    renamed = http_error(client.update_page, other.id, title="Taken", body="<p/>", status="current", version=1)
    assert_v2_error(renamed, 400)
    assert app.state.pages[other.id].title == "Other"


def test_move_page_with_parent_id(client: Any, app: ConfluenceEmulator) -> None:
    a, b = seed(app, "A"), seed(app, "B")
    leaf = seed(app, "Leaf", a)
    body = {"representation": "storage", "value": leaf.body}
    moved = client.put(
        f"api/v2/pages/{leaf.id}",
        data={
            "id": leaf.id,
            "status": "current",
            "title": "Leaf",
            "parentId": b.id,
            "body": body,
            "version": {"number": 2},
        },
    )
    assert moved["parentId"] == b.id
    assert [c["id"] for c in client.get_child_pages(b.id)] == [leaf.id]
    assert client.get_child_pages(a.id) == []

    cycle = {"id": b.id, "status": "current", "title": "B", "parentId": leaf.id, "body": body, "version": {"number": 2}}
    assert "under itself" in assert_v2_error(raw(client, "PUT", f"api/v2/pages/{b.id}", data=cycle), 400)["detail"]


def test_trash_restore_and_purge(client: Any, app: ConfluenceEmulator) -> None:
    page = seed(app, "Old walkthrough")

    assert client.delete_page(page.id) is True
    assert_v2_error(raw(client, "GET", f"api/v2/pages/{page.id}"), 404)
    trashed = client.get(f"api/v2/pages/{page.id}", params={"status": "trashed"})
    assert trashed["status"] == "trashed"
    assert client.get_pages(status="trashed")[0]["id"] == page.id

    restored = client.update_page(page.id, title=page.title, status="current", version=1)
    assert (restored["status"], restored["version"]["number"]) == ("current", 1)

    assert_v2_error(raw(client, "DELETE", f"api/v2/pages/{page.id}", params={"purge": "true"}), 400)
    client.delete_page(page.id)
    assert raw(client, "DELETE", f"api/v2/pages/{page.id}", params={"purge": "true"}).status_code == 204
    assert_v2_error(raw(client, "GET", f"api/v2/pages/{page.id}", params={"status": "trashed"}), 404)


def test_current_status_unarchives(client: Any, app: ConfluenceEmulator) -> None:
    page = seed(app, "Archived walkthrough")
    app.state.pages[page.id].status = "archived"
    assert client.get_page_by_id(page.id)["status"] == "archived"

    restored = client.update_page(page.id, title=page.title, status="current", version=1)
    assert restored["status"] == "current" and app.state.pages[page.id].version == 1


# --- listings ---------------------------------------------------------------------------------------------
def test_get_pages_filters_and_by_title(client: Any, app: ConfluenceEmulator, space: Space) -> None:
    beta, alpha = seed(app, "Beta"), seed(app, "Alpha", body="<p>alpha</p>")
    app.state.add_space("OPS", "Operations")

    found = client.get_page_by_title("SUP", "Alpha")
    assert [p["id"] for p in found["results"]] == [alpha.id]
    assert found["results"][0]["body"]["storage"]["value"] == "<p>alpha</p>"
    assert_matches(V2, "/pages", "get", 200, found)

    in_space = client.get_pages(space_id=space.id, sort="-title")
    assert [p["title"] for p in in_space] == ["Support Home", "Beta", "Alpha"]
    assert all(p["body"] == {} for p in in_space)
    assert len(client.get_pages()) == 4  # both spaces' pages

    listing = client.get("api/v2/pages", params={"id": f"{alpha.id},{beta.id}", "body-format": "storage"})
    assert_matches(V2, "/pages", "get", 200, listing)
    assert {p["id"] for p in listing["results"]} == {alpha.id, beta.id}
    assert_v2_error(raw(client, "GET", "api/v2/pages", params={"sort": "size"}), 400)
    assert_v2_error(raw(client, "GET", "api/v2/pages", params={"status": "any"}), 400)


def test_space_pages_depth_and_title(client: Any, app: ConfluenceEmulator, space: Space) -> None:
    nested = seed(app, "Nested")
    root = app.state.create_page("SUP", "Root level", "<p/>", parent_id=None)

    everything = client.get(f"api/v2/spaces/{space.id}/pages")
    assert_matches(V2, "/spaces/{id}/pages", "get", 200, everything)
    assert {p["id"] for p in everything["results"]} == {space.homepage_id, nested.id, root.id}
    roots = client.get(f"api/v2/spaces/{space.id}/pages", params={"depth": "root"})
    assert {p["id"] for p in roots["results"]} == {space.homepage_id, root.id}
    titled = client.get(f"api/v2/spaces/{space.id}/pages", params={"title": "Nested"})
    assert [p["id"] for p in titled["results"]] == [nested.id]
    assert_v2_error(raw(client, "GET", f"api/v2/spaces/{space.id}/pages", params={"depth": "deep"}), 400)


def test_children_pagination_past_250(client: Any, app: ConfluenceEmulator, space: Space) -> None:
    parent = seed(app, "Scenarios")
    children = [seed(app, f"Scenario {n:03d}", parent) for n in range(260)]
    expected = [c.id for c in children]

    # The client follows the cursor links; limit above 250 is capped at 250.
    assert [c["id"] for c in client.get_child_pages(parent.id, limit=100)] == expected
    capped = raw(client, "GET", f"api/v2/pages/{parent.id}/children", params={"limit": 1000})
    assert len(capped.json()["results"]) == 250
    assert len(client.get(f"api/v2/pages/{parent.id}/children")["results"]) == 25

    # Follow `_links.next` and the Link header by hand, creating and trashing pages on the way.
    seen: list[str] = []
    response = raw(client, "GET", f"api/v2/pages/{parent.id}/children", params={"limit": 100})
    while True:
        body = response.json()
        assert_matches(V2, "/pages/{id}/children", "get", 200, body)
        seen += [c["id"] for c in body["results"]]
        next_url = body["_links"].get("next")
        if next_url is None:
            assert "Link" not in response.headers
            break
        assert next_url.startswith(f"{PREFIX}/pages/{parent.id}/children?") and "limit=100" in next_url
        assert response.headers["Link"].startswith(f'<{next_url}>; rel="next"')
        assert body["_links"]["base"] == client.url
        if len(seen) == 100:
            late = seed(app, "Late scenario", parent)
            app.state.trash_page(children[5].id)
        response = requests.get(server_root(client) + next_url, auth=client.session.auth, timeout=5)
    assert seen == [*expected, late.id]

    direct = client.get(f"api/v2/pages/{parent.id}/direct-children", params={"limit": 250})
    jsonschema.validate(direct, CHILDREN_RESPONSE)
    assert {c["type"] for c in direct["results"]} == {"page"}
    assert [c["childPosition"] for c in direct["results"][:3]] == [0, 1, 2]

    assert len(client.get_pages(space_id=space.id, limit=100)) == 262  # one child is in the trash
    assert_v2_error(raw(client, "GET", f"api/v2/pages/{parent.id}/children", params={"limit": 0}), 400)
    assert_v2_error(raw(client, "GET", f"api/v2/pages/{parent.id}/children", params={"cursor": "garbage"}), 400)
    foreign = capped.json()["_links"]["next"].split("cursor=")[1].split("&")[0]
    assert_v2_error(raw(client, "GET", "api/v2/pages", params={"cursor": foreign}), 400)


def server_root(client: Any) -> str:
    return client.url.removesuffix("/wiki")


def test_ancestors_top_to_bottom(client: Any, app: ConfluenceEmulator, space: Space) -> None:
    a = seed(app, "A")
    b = seed(app, "B", a)
    leaf = seed(app, "Leaf", b)

    chain = client.get(f"api/v2/pages/{leaf.id}/ancestors")
    assert_matches(V2, "/pages/{id}/ancestors", "get", 200, chain)
    assert chain["results"] == [{"id": i, "type": "page"} for i in (space.homepage_id, a.id, b.id)]
    nearest = client.get(f"api/v2/pages/{leaf.id}/ancestors", params={"limit": 1})
    assert nearest["results"] == [{"id": b.id, "type": "page"}]


# --- versions, labels, properties, attachments -----------------------------------------------------------
def test_versions_show_a_human_edit(client: Any, app: ConfluenceEmulator, server: LoopbackServer) -> None:
    page = seed(app, "Edited", body="<p>bot</p>")
    edit = requests.post(
        f"{server.url}/_sandbox/human-edit", json={"page_id": page.id, "editor": "Dana Editor"}, timeout=5
    )
    assert edit.json()["version"] == 2
    dana = next(u for u in app.state.users.values() if u.display_name == "Dana Editor")

    versions = client.get_page_versions(page.id, body_format="storage")
    assert_matches(V2, "/pages/{id}/versions", "get", 200, versions)
    latest, first = versions["results"]
    assert (latest["number"], latest["authorId"]) == (2, dana.account_id)
    assert first["authorId"] == app.state.api_user.account_id
    assert first["page"]["body"]["storage"]["value"] == "<p>bot</p>"
    oldest_first = client.get_page_versions(page.id, sort="modified-date")
    assert [v["number"] for v in oldest_first["results"]] == [1, 2]

    detail = client.get_page_version(page.id, 2)
    assert_matches(V2, "/pages/{page-id}/versions/{version-number}", "get", 200, detail)
    assert (detail["authorId"], detail["prevVersion"]) == (dana.account_id, 1) and "nextVersion" not in detail
    assert_v2_error(raw(client, "GET", f"api/v2/pages/{page.id}/versions/3"), 404)
    assert client.get_page_by_id(page.id)["version"]["authorId"] == dana.account_id


def test_labels_with_prefix(client: Any, app: ConfluenceEmulator) -> None:
    page = seed(app, "Labelled")
    app.state.add_labels(page.id, ["scenario", "billing"])
    app.state.add_labels(page.id, ["triage"], prefix="team")

    labels = client.get_page_labels(page.id)
    assert_matches(V2, "/pages/{id}/labels", "get", 200, {"results": labels})
    assert [lab["name"] for lab in labels] == ["scenario", "billing", "triage"]
    assert [lab["name"] for lab in client.get_page_labels(page.id, prefix="team")] == ["triage"]
    by_name = client.get(f"api/v2/pages/{page.id}/labels", params={"sort": "-name", "limit": 2})
    assert [lab["name"] for lab in by_name["results"]] == ["triage", "scenario"] and "next" in by_name["_links"]


def test_content_properties(client: Any, app: ConfluenceEmulator) -> None:
    page = seed(app, "With properties")

    created = client.create_page_property(page.id, "sync.source", {"notion_id": "abc", "hash": "1"})
    assert_matches(V2, "/pages/{page-id}/properties", "post", 200, created)
    assert created["version"]["number"] == 1
    duplicate = http_error(client.create_page_property, page.id, "sync.source", {})
    assert_v2_error(duplicate, 409)
    client.create_page_property(page.id, "another.key", 7)

    listed = client.get_page_properties(page.id)
    assert_matches(V2, "/pages/{page-id}/properties", "get", 200, {"results": listed})
    assert [p["key"] for p in listed] == ["another.key", "sync.source"]
    by_key = client.get(f"api/v2/pages/{page.id}/properties", params={"key": "sync.source"})["results"]
    assert [p["id"] for p in by_key] == [created["id"]]

    one = client.get_v2_content_property("page", page.id, created["id"])
    assert_matches(V2, "/pages/{page-id}/properties/{property-id}", "get", 200, one)
    change = {"key": "sync.source", "value": {"hash": "2"}, "version": {"number": 2, "message": "resynced"}}
    updated = client.update_v2_content_property("page", page.id, created["id"], change)
    assert_matches(V2, "/pages/{page-id}/properties/{property-id}", "put", 200, updated)
    assert (updated["value"], updated["version"]["number"]) == ({"hash": "2"}, 2)
    stale = http_error(client.update_v2_content_property, "page", page.id, created["id"], change)
    assert "Current version is: 2" in assert_v2_error(stale, 409)["detail"]
    rekey = {**change, "key": "renamed", "version": {"number": 3}}
    assert_v2_error(raw(client, "PUT", f"api/v2/pages/{page.id}/properties/{created['id']}", data=rekey), 400)

    # The client's by-key helpers put the key where v2 takes the property's numeric id: answered 400.
    assert_v2_error(http_error(client.get_page_property_by_key, page.id, "sync.source"), 400)
    assert_v2_error(http_error(client.delete_page_property, page.id, "sync.source"), 400)
    with pytest.raises(ValueError, match="doesn't exist"):
        client.update_page_property(page.id, "sync.source", {"hash": "3"})

    client.delete_v2_content_property("page", page.id, created["id"])
    assert_v2_error(raw(client, "GET", f"api/v2/pages/{page.id}/properties/{created['id']}"), 404)
    assert "sync.source" not in app.state.pages[page.id].properties


def test_attachments_read(client: Any, app: ConfluenceEmulator) -> None:
    page = seed(app, "With files")
    att = app.state.add_attachment(page.id, "flow.png", b"\x89PNG....", "image/png", comment="diagram")
    app.state.add_attachment(page.id, "notes.txt", b"hello", "text/plain")

    listing = client.get(f"api/v2/pages/{page.id}/attachments")
    assert_matches(V2, "/pages/{id}/attachments", "get", 200, listing)
    assert [a["title"] for a in listing["results"]] == ["flow.png", "notes.txt"]
    first = listing["results"][0]
    assert (first["id"], first["pageId"], first["fileSize"], first["mediaType"]) == (
        f"att{att.id}",
        page.id,
        8,
        "image/png",
    )
    pngs = client.get(f"api/v2/pages/{page.id}/attachments", params={"mediaType": "image/png"})
    assert [a["title"] for a in pngs["results"]] == ["flow.png"]

    single = client.get(f"api/v2/attachments/att{att.id}", params={"include-versions": "true"})
    assert_matches(V2, "/attachments/{id}", "get", 200, single)
    assert single["versions"]["results"][0]["number"] == 1 and single["comment"] == "diagram"
    assert_v2_error(raw(client, "GET", "api/v2/attachments/att999999"), 404)


# --- auth and injected faults ------------------------------------------------------------------------------
def test_bad_credentials_401(server: LoopbackServer) -> None:
    intruder = make_client(server, password="wrong-token")
    response = http_error(intruder.get_page_by_id, "65538")
    assert assert_v2_error(response, 401)["code"] == "UNAUTHORIZED"
    anonymous = requests.get(f"{server.url}{PREFIX}/pages", timeout=5)
    assert_v2_error(anonymous, 401)


def test_rate_limit_fault_carries_retry_after(
    client: Any, app: ConfluenceEmulator, server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = seed(app, "Busy")
    add_fault(server, kind="status", status=429, retry_after=2, path=f"{PREFIX}/pages")
    no_retry = make_client(server, retry_with_header=False)
    limited = raw(no_retry, "GET", f"api/v2/pages/{page.id}")
    assert limited.headers["Retry-After"] == "2"
    assert assert_v2_error(limited, 429)["code"] == "TOO_MANY_REQUESTS"

    # The client waits as told, once, then gets through.
    slept: list[float] = []
    monkeypatch.setattr("atlassian.rest_client.time.sleep", slept.append)
    add_fault(server, kind="status", status=429, retry_after=2, path=f"{PREFIX}/pages")
    assert client.get_page_by_id(page.id)["id"] == page.id
    assert slept == [2.0]
    assert [r.fault for r in app.traffic.requests(path=f"/pages/{page.id}$")] == ["429", "429", None]


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_error_faults(client: Any, app: ConfluenceEmulator, server: LoopbackServer, status: int) -> None:
    page = seed(app, "Flaky")
    add_fault(server, kind="status", status=status, path=f"{PREFIX}/pages")
    assert_v2_error(http_error(client.get_page_by_id, page.id), status)
    assert client.get_page_by_id(page.id)["id"] == page.id  # the fault fired once


def test_conflict_fault_on_the_next_put(client: Any, app: ConfluenceEmulator, server: LoopbackServer) -> None:
    page = seed(app, "Guarded")
    add_fault(server, kind="status", status=409, method="PUT", path=f"/pages/{page.id}")

    assert client.get_page_by_id(page.id)["version"]["number"] == 1  # reads pass
    conflict = http_error(client.update_page, page.id, title="Guarded", body="<p>2</p>", status="current", version=1)
    assert_v2_error(conflict, 409)
    assert app.state.pages[page.id].version == 1
    retried = client.update_page(page.id, title="Guarded", body="<p>2</p>", status="current", version=1)
    assert retried["version"]["number"] == 2


def test_slow_response_times_out(client: Any, app: ConfluenceEmulator, server: LoopbackServer) -> None:
    page = seed(app, "Slow")
    add_fault(server, kind="slow", delay=0.5, path=f"/pages/{page.id}")
    url = f"{client.url}/api/v2/pages/{page.id}"
    # The client rounds its own timeout down to whole seconds, so a short one is set on its session.
    with pytest.raises(requests.exceptions.Timeout):
        client.session.get(url, timeout=0.2)
    assert client.session.get(url, timeout=2).json()["id"] == page.id


def test_dropped_connection(client: Any, app: ConfluenceEmulator, server: LoopbackServer) -> None:
    page = seed(app, "Dropped")
    add_fault(server, kind="drop", path=f"/pages/{page.id}")
    with pytest.raises(requests.exceptions.ConnectionError):
        client.get_page_by_id(page.id)
    assert client.get_page_by_id(page.id)["id"] == page.id
