"""Cloud's REST v1 subset (`/wiki/rest/api/...`), through the v2 client's generic calls on its own session.

Labels, CQL, attachments, archive and long tasks stay on v1 on Cloud; the content endpoints answer as Cloud
does with basic auth, or 410 Gone once ``cloud_v1_content="removed"``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from requests import HTTPError

from sync.sandbox.confluence.app import ConfluenceEmulator, make_app
from sync.sandbox.confluence.state import Page
from sync.sandbox.server import LoopbackServer
from tests.support.specs import assert_matches

AUTH = ("sync-bot@example.com", "token-sync-bot")
NO_CHECK = {"X-Atlassian-Token": "no-check"}


def check(path: str, method: str, status: int, body: Any) -> None:
    assert_matches("confluence-v1", "/wiki/rest/api" + path, method, status, body)


def api(server: LoopbackServer, path: str) -> str:
    return f"{server.url}/wiki/rest/api{path}"


def seed_page(app: ConfluenceEmulator, title: str, parent: Page | None = None, body: str = "<p>x</p>") -> Page:
    home = app.state.spaces["SUP"].homepage_id
    return app.state.create_page("SUP", title, body, parent_id=parent.id if parent else home)


@pytest.fixture
def removed_server() -> Iterator[tuple[ConfluenceEmulator, LoopbackServer]]:
    app = make_app("cloud", cloud_v1_content="removed")
    app.state.add_space("SUP", "Support")
    with LoopbackServer(app) as server:
        yield app, server


# --- labels -----------------------------------------------------------------------------------------------
def test_labels_add_list_remove(cloud_app: ConfluenceEmulator, cloud_server: LoopbackServer, cloud_client: Any) -> None:
    page = seed_page(cloud_app, "Labelled")
    url = api(cloud_server, f"/content/{page.id}/label")
    added = cloud_client.post(url, data=[{"prefix": "global", "name": "scenario"}, {"name": "faq"}], absolute=True)
    check("/content/{id}/label", "post", 200, added)
    assert [lab["name"] for lab in added["results"]] == ["scenario", "faq"]
    single = cloud_client.post(url, data={"prefix": "global", "name": "billing"}, absolute=True)
    assert single["size"] == 3

    listed = cloud_client.get(url, absolute=True)
    check("/content/{id}/label", "get", 200, listed)
    assert listed["_links"]["base"] == cloud_server.url + "/wiki" and listed["_links"]["context"] == "/wiki"

    cloud_client.delete(url + "/faq", absolute=True)
    cloud_client.delete(url, params={"name": "billing"}, absolute=True)
    assert [lab["name"] for lab in cloud_client.get(url, absolute=True)["results"]] == ["scenario"]
    with pytest.raises(HTTPError) as raised:
        cloud_client.delete(url + "/faq", absolute=True)
    assert raised.value.response.status_code == 404
    with pytest.raises(HTTPError) as bad:
        cloud_client.post(url, data=[{"prefix": "nonsense", "name": "x"}], absolute=True)
    assert bad.value.response.json()["statusCode"] == 400


# --- CQL ----------------------------------------------------------------------------------------------------
def test_cql_search_with_expansions(
    cloud_app: ConfluenceEmulator, cloud_server: LoopbackServer, cloud_client: Any
) -> None:
    parent = seed_page(cloud_app, "Scenarios")
    page = seed_page(cloud_app, "Refund walkthrough", parent, "<p>Open the <strong>billing</strong> console</p>")
    cloud_app.state.add_labels(page.id, ["scenario"])
    cloud_app.state.create_property(page.id, "sync-hash", {"sha": "f00"})

    found = cloud_client.get(
        api(cloud_server, "/content/search"),
        params={
            "cql": f'type = page and label = scenario and ancestor = {parent.id} and text ~ "billing"',
            "expand": "version,metadata.labels,metadata.properties.sync-hash,ancestors,space",
        },
        absolute=True,
    )
    check("/content/search", "get", 200, found)
    (result,) = found["results"]
    assert result["version"]["by"]["accountId"].startswith("557058:") and "username" not in result["version"]["by"]
    assert result["metadata"]["labels"]["results"][0]["name"] == "scenario"
    assert result["metadata"]["properties"]["sync-hash"]["value"] == {"sha": "f00"}
    assert [a["title"] for a in result["ancestors"]] == ["Support Home", "Scenarios"]
    assert result["space"]["key"] == "SUP" and result["_links"]["webui"].startswith(f"/spaces/SUP/pages/{page.id}/")

    wrapped = cloud_client.get(
        api(cloud_server, "/search"),
        params={"cql": "label = scenario", "expand": "content.version,content.space"},
        absolute=True,
    )
    check("/search", "get", 200, wrapped)
    item = wrapped["results"][0]
    assert item["content"]["id"] == page.id and item["content"]["version"]["number"] == 1
    assert item["resultGlobalContainer"] == {"title": "Support", "displayUrl": "/spaces/SUP"}
    assert "billing" in item["excerpt"] and wrapped["totalSize"] == 1


def test_cql_cursor_pagination_and_capping(
    cloud_app: ConfluenceEmulator, cloud_server: LoopbackServer, cloud_client: Any
) -> None:
    for n in range(260):
        cloud_app.state.add_labels(seed_page(cloud_app, f"Scenario {n:03d}").id, ["bulk"])

    first = cloud_client.get(api(cloud_server, "/search"), params={"cql": "label = bulk", "limit": 1000}, absolute=True)
    assert first["limit"] == 250 and first["size"] == 250 and first["totalSize"] == 260
    next_link = first["_links"]["next"]
    assert next_link.startswith("/rest/api/search?next=true&cursor=")
    second = cloud_client.get(first["_links"]["base"] + next_link, absolute=True)
    assert second["size"] == 10 and "next" not in second["_links"]
    assert second["_links"]["prev"].startswith("/rest/api/search?prev=true&cursor=")
    assert "next=" not in second["_links"]["prev"]
    back = cloud_client.get(second["_links"]["base"] + second["_links"]["prev"], absolute=True)
    assert back["start"] == 0 and back["size"] == 250  # prev steps back one page

    seen, url = [], api(cloud_server, "/content/search?cql=label%20%3D%20bulk&limit=100")
    while url:
        page = cloud_client.get(url, absolute=True)
        check("/content/search", "get", 200, page)
        seen.extend(r["id"] for r in page["results"])
        url = page["_links"].get("next") and page["_links"]["base"] + page["_links"]["next"]
    assert len(seen) == 260 and len(set(seen)) == 260

    bodies = cloud_client.get(
        api(cloud_server, "/content/search"),
        params={"cql": "label = bulk", "limit": 200, "expand": "body.storage"},
        absolute=True,
    )
    assert bodies["limit"] == 50
    views = cloud_client.get(
        api(cloud_server, "/content/search"),
        params={"cql": "label = bulk", "limit": 200, "expand": "body.export_view"},
        absolute=True,
    )
    assert views["limit"] == 25
    offset = cloud_client.get(
        api(cloud_server, "/search"), params={"cql": "label = bulk", "start": 255, "limit": 10}, absolute=True
    )
    assert offset["size"] == 5 and offset["start"] == 255


def test_cql_leaves_out_restricted_pages_and_reports_parse_errors(
    cloud_app: ConfluenceEmulator, cloud_server: LoopbackServer, cloud_client: Any, v1_error: Any
) -> None:
    visible, hidden = seed_page(cloud_app, "Visible"), seed_page(cloud_app, "Hidden")
    cloud_app.state.add_labels(visible.id, ["s"])
    cloud_app.state.add_labels(hidden.id, ["s"])
    hidden.restricted = True
    found = cloud_client.get(api(cloud_server, "/search"), params={"cql": "label = s"}, absolute=True)
    assert [r["content"]["id"] for r in found["results"]] == [visible.id]
    with pytest.raises(HTTPError) as raised:
        cloud_client.get(api(cloud_server, "/search"), params={"cql": "label = (s"}, absolute=True)
    v1_error(raised.value.response, 400, "Could not parse cql : label = (s")
    response = requests.get(api(cloud_server, f"/content/{hidden.id}/label"), auth=AUTH, timeout=5)
    v1_error(response, 404)


# --- attachments --------------------------------------------------------------------------------------------
def test_attachments(
    cloud_app: ConfluenceEmulator, cloud_server: LoopbackServer, cloud_client: Any, v1_error: Any
) -> None:
    page = seed_page(cloud_app, "With files")
    url = api(cloud_server, f"/content/{page.id}/child/attachment")
    created = cloud_client.post(
        url,
        files={"file": ("flow.png", b"png-1", "image/png")},
        data={"minorEdit": "true", "comment": "first draft"},
        headers=NO_CHECK,
        absolute=True,
    )
    check("/content/{id}/child/attachment", "post", 200, created)
    att = created["results"][0]
    assert att["id"].startswith("att") and att["extensions"]["fileId"] and att["metadata"]["comment"] == "first draft"
    assert att["version"]["by"]["accountId"] and att["container"]["id"] == page.id

    cloud_client.put(
        url, files={"file": ("notes.txt", b"hello")}, data={"minorEdit": "true"}, headers=NO_CHECK, absolute=True
    )
    updated = cloud_client.put(
        url,
        files={"file": ("flow.png", b"png-2", "image/png")},
        data={"minorEdit": "true"},
        headers=NO_CHECK,
        absolute=True,
    )
    check("/content/{id}/child/attachment", "put", 200, updated)
    assert updated["results"][0]["id"] == att["id"] and updated["results"][0]["version"]["number"] == 2
    data = cloud_client.post(
        f"{url}/{att['id']}/data",
        files={"file": ("flow.png", b"png-3", "image/png")},
        data={"minorEdit": "true"},
        headers=NO_CHECK,
        absolute=True,
    )
    check("/content/{id}/child/attachment/{attachmentId}/data", "post", 200, data)
    assert data["version"]["number"] == 3

    listed = cloud_client.get(url, params={"filename": "flow.png"}, absolute=True)
    check("/content/{id}/child/attachment", "get", 200, listed)
    assert [a["title"] for a in listed["results"]] == ["flow.png"]
    assert [
        a["title"] for a in cloud_client.get(url, params={"mediaType": "text/plain"}, absolute=True)["results"]
    ] == ["notes.txt"]
    download = listed["results"][0]["_links"]["download"]
    assert cloud_client.get(listed["_links"]["base"] + download, not_json_response=True, absolute=True) == b"png-3"

    no_token = requests.post(url, files={"file": ("x.txt", b"x")}, data={"minorEdit": "true"}, auth=AUTH, timeout=5)
    assert no_token.status_code == 403 and "XSRF check failed" in no_token.text
    no_minor = requests.post(url, files={"file": ("x.txt", b"x")}, headers=NO_CHECK, auth=AUTH, timeout=5)
    v1_error(no_minor, 400, "minorEdit")


# --- archive and long tasks ---------------------------------------------------------------------------------
def test_archive_and_follow_the_long_task(
    cloud_app: ConfluenceEmulator, cloud_server: LoopbackServer, cloud_client: Any, v1_error: Any
) -> None:
    old, older = seed_page(cloud_app, "Old"), seed_page(cloud_app, "Older")
    submitted = cloud_client.post(
        api(cloud_server, "/content/archive"), data={"pages": [{"id": int(old.id)}, {"id": older.id}]}, absolute=True
    )
    assert set(submitted) == {"id", "links"}
    status_url = cloud_server.url + "/wiki" + submitted["links"]["status"]

    running = cloud_client.get(status_url, absolute=True)
    check("/longtask/{id}", "get", 200, running)
    assert running["finished"] is False and running["percentageComplete"] == 50 and old.status == "current"
    done = cloud_client.get(status_url, absolute=True)
    check("/longtask/{id}", "get", 200, done)
    assert done["finished"] is True and done["successful"] is True and done["percentageComplete"] == 100
    assert done["messages"] and (old.status, older.status) == ("archived", "archived")
    tasks = cloud_client.get(api(cloud_server, "/longtask"), absolute=True)
    check("/longtask", "get", 200, tasks)

    archived = cloud_client.get(api(cloud_server, "/search"), params={"cql": "status = archived"}, absolute=True)
    assert {r["content"]["id"] for r in archived["results"]} == {old.id, older.id}
    current = cloud_client.get(api(cloud_server, "/search"), params={"cql": "type = page"}, absolute=True)
    assert old.id not in {r["content"]["id"] for r in current["results"]}

    again = requests.post(api(cloud_server, "/content/archive"), json={"pages": [{"id": old.id}]}, auth=AUTH, timeout=5)
    v1_error(again, 400, "cannot be archived")
    v1_error(requests.post(api(cloud_server, "/content/archive"), json={}, auth=AUTH, timeout=5), 400)
    v1_error(requests.get(api(cloud_server, "/longtask/999"), auth=AUTH, timeout=5), 404)


# --- content endpoints: available with basic auth, or removed -----------------------------------------------------
def test_content_endpoints_answer_as_cloud_with_basic_auth(
    cloud_app: ConfluenceEmulator, cloud_server: LoopbackServer, cloud_client: Any
) -> None:
    body = {
        "type": "page",
        "title": "Created on v1",
        "space": {"key": "SUP"},
        "ancestors": [{"id": cloud_app.state.spaces["SUP"].homepage_id}],
        "body": {"storage": {"value": "<p>v1</p>", "representation": "storage"}},
    }
    created = cloud_client.post(api(cloud_server, "/content"), data=body, absolute=True)
    check("/content", "post", 200, created)
    assert created["_links"]["webui"] == f"/spaces/SUP/pages/{created['id']}/Created+on+v1"
    assert created["_links"]["editui"].endswith(created["id"]) and created["_links"]["context"] == "/wiki"

    got = cloud_client.get(api(cloud_server, f"/content/{created['id']}"), params={"expand": "version"}, absolute=True)
    check("/content/{id}", "get", 200, got)
    assert got["version"]["by"]["accountId"] == cloud_app.state.api_user.account_id
    updated = cloud_client.put(
        api(cloud_server, f"/content/{created['id']}"),
        data={
            **body,
            "version": {"number": 2},
            "body": {"storage": {"value": "<p>v2</p>", "representation": "storage"}},
        },
        absolute=True,
    )
    check("/content/{id}", "put", 200, updated)
    versions = cloud_client.get(api(cloud_server, f"/content/{created['id']}/version"), absolute=True)
    check("/content/{id}/version", "get", 200, versions)
    assert [v["number"] for v in versions["results"]] == [2, 1]
    children = cloud_client.get(
        api(cloud_server, f"/content/{cloud_app.state.spaces['SUP'].homepage_id}/child/page"), absolute=True
    )
    assert [c["id"] for c in children["results"]] == [created["id"]]
    prop = cloud_client.post(
        api(cloud_server, f"/content/{created['id']}/property"), data={"key": "k", "value": "v"}, absolute=True
    )
    check("/content/{id}/property", "post", 200, prop)
    assert prop["version"]["contentTypeModified"] is False
    found = cloud_client.get(
        api(cloud_server, "/content"), params={"spaceKey": "SUP", "title": "Created on v1"}, absolute=True
    )
    assert found["results"][0]["id"] == created["id"]
    cloud_client.delete(api(cloud_server, f"/content/{created['id']}"), absolute=True)
    assert cloud_app.state.pages[created["id"]].status == "trashed"


CONTENT_CALLS = [
    ("GET", "/content"),
    ("POST", "/content"),
    ("GET", "/content/{id}"),
    ("PUT", "/content/{id}"),
    ("DELETE", "/content/{id}"),
    ("GET", "/content/{id}/child/page"),
    ("GET", "/content/{id}/version"),
    ("GET", "/content/{id}/history"),
    ("GET", "/content/{id}/property"),
    ("GET", "/content/{id}/property/k"),
    ("GET", "/space/SUP"),
]


def test_removed_content_endpoints_answer_410_while_the_v1_subset_works(
    removed_server: tuple[ConfluenceEmulator, LoopbackServer], confluence_v1_client: Any, v1_error: Any
) -> None:
    app, server = removed_server
    page = seed_page(app, "Still here")
    for method, path in CONTENT_CALLS:
        response = requests.request(
            method, api(server, path.format(id=page.id)), json={"type": "page"}, auth=AUTH, timeout=5
        )
        body = v1_error(response, 410, "This deprecated endpoint has been removed.")
        assert body["message"].startswith("com.atlassian.confluence.api.service.exceptions.GoneException")
        assert body["data"]["authorized"] is True
        assert "CHANGE-864" in response.headers["Link"] and response.headers["Deprecation"]
    assert app.state.pages[page.id].status == "current"

    client = confluence_v1_client(server, "cloud")
    labels = client.post(
        api(server, f"/content/{page.id}/label"), data=[{"prefix": "global", "name": "kept"}], absolute=True
    )
    assert labels["size"] == 1
    assert client.get(api(server, "/search"), params={"cql": "label = kept"}, absolute=True)["totalSize"] == 1
    assert client.get(api(server, "/content/search"), params={"cql": "label = kept"}, absolute=True)["size"] == 1
    uploaded = client.post(
        api(server, f"/content/{page.id}/child/attachment"),
        files={"file": ("a.txt", b"a")},
        data={"minorEdit": "true"},
        headers=NO_CHECK,
        absolute=True,
    )
    assert uploaded["size"] == 1
    task = client.post(api(server, "/content/archive"), data={"pages": [{"id": page.id}]}, absolute=True)
    assert client.get(server.url + "/wiki" + task["links"]["status"], absolute=True)["id"] == task["id"]


def test_cloud_auth_errors(cloud_server: LoopbackServer, v1_error: Any) -> None:
    url = api(cloud_server, "/search?cql=type=page")
    body = v1_error(requests.get(url, auth=("sync-bot@example.com", "wrong"), timeout=5), 401)
    assert body["data"]["authorized"] is False
    v1_error(requests.get(url, headers={"Authorization": "Bearer token-sync-bot"}, timeout=5), 401)
    assert requests.get(url, auth=AUTH, timeout=5).status_code == 200
    v1_error(requests.get(api(cloud_server, "/nothing/here"), auth=AUTH, timeout=5), 404, "null for uri")
    v1_error(requests.patch(api(cloud_server, "/search"), auth=AUTH, timeout=5), 405)
