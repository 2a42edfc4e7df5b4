"""Data Center's REST v1 (`/rest/api/...`) driven through atlassian-python-api's Server client, unchanged.

Every successful body is checked against Atlassian's published v1 description (the Cloud v1 spec's
`/wiki/rest/api/...` paths, the closest published description of Data Center's `/rest/api`).
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
from atlassian.errors import ApiError, ApiValueError
from requests import HTTPError

from sync.sandbox.confluence.app import ConfluenceEmulator
from sync.sandbox.server import LoopbackServer
from tests.support.specs import assert_matches

BEARER = {"Authorization": "Bearer token-sync-bot"}


def check(path: str, method: str, status: int, body: Any) -> None:
    assert_matches("confluence-v1", "/wiki/rest/api" + path, method, status, body)


def home_id(app: ConfluenceEmulator) -> str:
    return app.state.spaces["SUP"].homepage_id or ""


# --- spaces ----------------------------------------------------------------------------------------------
def test_spaces_list_and_get(dc_app: ConfluenceEmulator, dc_client: Any) -> None:
    dc_app.state.add_space("OPS", "Operations")
    spaces = dc_client.get_all_spaces(expand="description.plain,homepage")
    check("/space", "get", 200, spaces)
    assert [s["key"] for s in spaces["results"]] == ["OPS", "SUP"]
    assert spaces["results"][1]["homepage"]["title"] == "Support Home"

    space = dc_client.get_space("SUP", expand="homepage")
    check("/space/{spaceKey}", "get", 200, space)
    assert space["name"] == "Support" and space["_links"]["webui"] == "/display/SUP"
    assert space["homepage"]["id"] == home_id(dc_app)

    with pytest.raises(ApiError):
        dc_client.get_space("NOPE")


# --- pages: create, find, read with expansions, update, move, delete ------------------------------------------
def test_create_find_and_read_a_page_with_every_expansion(dc_app: ConfluenceEmulator, dc_client: Any) -> None:
    created = dc_client.create_page("SUP", "Password reset", "<p>Step 1</p>", parent_id=home_id(dc_app))
    check("/content", "post", 200, created)
    assert created["type"] == "page" and created["status"] == "current"
    assert created["space"]["key"] == "SUP" and created["body"]["storage"]["value"] == "<p>Step 1</p>"
    assert [a["id"] for a in created["ancestors"]] == [home_id(dc_app)]
    assert created["version"]["number"] == 1
    assert created["version"]["by"]["username"] == "sync-bot" and "accountId" not in created["version"]["by"]
    assert created["_links"]["webui"] == "/display/SUP/Password+reset"
    assert created["_links"]["base"] == dc_client.url and created["_links"]["context"] == ""

    found = dc_client.get_page_by_title("SUP", "Password reset", expand="version,body.storage")
    check("/content", "get", 200, found)
    assert found["size"] == 1 and found["results"][0]["id"] == created["id"]
    assert dc_client.get_page_by_title("SUP", "No such page")["results"] == []
    assert dc_client.get_page_id("SUP", "Password reset") == created["id"]

    page_id = created["id"]
    dc_client.set_page_label(page_id, "scenario")
    dc_client.set_page_property(page_id, {"key": "sync-hash", "value": {"sha": "abc"}})
    dc_client.create_page("SUP", "Child", "<p>c</p>", parent_id=page_id)
    expand = (
        "body.storage,version,ancestors,space,history,metadata.labels,"
        "metadata.properties.sync-hash,children.page,container"
    )
    page = dc_client.get_page_by_id(page_id, expand=expand)
    check("/content/{id}", "get", 200, page)
    assert page["metadata"]["labels"]["results"][0]["name"] == "scenario"
    assert page["metadata"]["properties"]["sync-hash"]["value"] == {"sha": "abc"}
    assert page["metadata"]["properties"]["sync-hash"]["version"]["number"] == 1
    assert [c["title"] for c in page["children"]["page"]["results"]] == ["Child"]
    assert page["container"]["key"] == "SUP" and page["space"]["key"] == "SUP"
    assert page["history"]["createdBy"]["displayName"] == "scenario-sync bot"
    assert page["history"]["latest"] is True
    assert "body" not in page["_expandable"] and "restrictions" in page["_expandable"]

    default = dc_client.get_page_by_id(page_id)  # Confluence's defaults: space, history, version
    assert {"space", "history", "version"} <= set(default) and "body" not in default
    assert dc_client.get_page_space(page_id) == "SUP"
    assert dc_client.get_parent_content_id(page_id) == home_id(dc_app)
    assert dc_client.get_page_child_count(page_id) == 1


def test_create_with_metadata_labels_version_message_and_draft(dc_client: Any, v1_error: Any) -> None:
    body = {
        "type": "page",
        "title": "Raw create",
        "space": {"key": "SUP"},
        "body": {"storage": {"value": "<p>raw</p>", "representation": "storage"}},
        "version": {"message": "Created by sync"},
        "metadata": {"labels": [{"prefix": "global", "name": "scenario"}], "properties": {"owner": {"value": "bot"}}},
    }
    created = dc_client.post("rest/api/content", data=body, params={"expand": "version,metadata.labels"})
    check("/content", "post", 200, created)
    assert created["version"]["message"] == "Created by sync"
    assert [lab["name"] for lab in created["metadata"]["labels"]["results"]] == ["scenario"]
    assert dc_client.get_page_property(created["id"], "owner")["value"] == "bot"
    draft = dc_client.post("rest/api/content", data={**body, "title": "A draft", "status": "draft", "metadata": {}})
    assert draft["status"] == "draft"
    assert dc_client.get_page_by_title("SUP", "A draft")["size"] == 0
    assert dc_client.get_page_by_title("SUP", "A draft", status="draft")["size"] == 1

    for bad, message in (
        ({**body, "type": "blogpost"}, "only pages"),
        ({**body, "space": {}}, "space key was null"),
        ({**body, "title": "Wiki", "body": {"wiki": {"value": "h1. x", "representation": "wiki"}}}, "body.storage"),
        ({**body, "title": "Orphan", "ancestors": [{"id": "999999"}]}, "No content found"),
    ):
        with pytest.raises(HTTPError) as raised:
            dc_client.post("rest/api/content", data=bad)
        v1_error(raised.value.response, 404 if "ancestors" in bad else 400, message)


def test_find_by_status_type_and_pagination(dc_app: ConfluenceEmulator, dc_client: Any) -> None:
    for n in range(30):
        dc_client.create_page("SUP", f"Scenario {n:02d}", "<p>x</p>")
    first = dc_client.get("rest/api/content", params={"spaceKey": "SUP", "type": "page", "limit": 10})
    check("/content", "get", 200, first)
    assert first["size"] == 10 and first["limit"] == 10
    assert first["_links"]["next"].startswith("/rest/api/content?")
    everything = list(dc_client.get_all_pages_from_space("SUP", limit=7))  # follows _links.next
    assert len(everything) == 31 and len({p["id"] for p in everything}) == 31
    assert dc_client.get("rest/api/content", params={"spaceKey": "SUP", "type": "blogpost"})["size"] == 0
    capped = dc_client.get("rest/api/content", params={"spaceKey": "SUP", "limit": 5000})
    assert capped["limit"] == 200

    trashed = dc_client.get_page_id("SUP", "Scenario 00")
    dc_client.remove_page(trashed)
    assert dc_client.get_page_by_title("SUP", "Scenario 00")["size"] == 0
    in_trash = dc_client.get_page_by_title("SUP", "Scenario 00", status="trashed")
    assert in_trash["results"][0]["status"] == "trashed"
    assert dc_client.get_page_by_title("SUP", "Scenario 00", status="any")["size"] == 1


def test_update_with_version_message_minor_edit_and_move(dc_app: ConfluenceEmulator, dc_client: Any) -> None:
    a = dc_client.create_page("SUP", "Section A", "<p>a</p>")
    b = dc_client.create_page("SUP", "Section B", "<p>b</p>")
    page = dc_client.create_page("SUP", "Walkthrough", "<p>v1</p>", parent_id=a["id"])

    updated = dc_client.update_page(
        page["id"], "Walkthrough", "<p>v2</p>", parent_id=b["id"], minor_edit=True, version_comment="Synced"
    )
    check("/content/{id}", "put", 200, updated)
    assert updated["version"]["number"] == 2
    assert updated["version"]["message"] == "Synced" and updated["version"]["minorEdit"] is True
    assert [x["id"] for x in updated["ancestors"]] == [b["id"]]
    assert dc_client.get_page_child_by_type(a["id"], limit=10) == []
    assert [c["id"] for c in dc_client.get_page_child_by_type(b["id"], limit=10)] == [page["id"]]

    # Unchanged content: the library reads first and sends nothing.
    same = dc_client.update_page(page["id"], "Walkthrough", "<p>v2</p>")
    assert same["version"]["number"] == 2
    renamed = dc_client.update_page(page["id"], "Walkthrough (renamed)", "<p>v3</p>")
    assert renamed["title"] == "Walkthrough (renamed)" and renamed["version"]["number"] == 3


def test_stale_version_conflicts_in_v1_shape(dc_server: LoopbackServer, dc_client: Any, v1_error: Any) -> None:
    page = dc_client.create_page("SUP", "Conflict", "<p>a</p>")
    body = {"type": "page", "title": "Conflict", "version": {"number": 1}, "body": {"storage": {"value": "<p>b</p>"}}}
    response = requests.put(f"{dc_server.url}/rest/api/content/{page['id']}", json=body, headers=BEARER, timeout=5)
    v1_error(response, 409, "Version must be incremented on update. Current version is: 1")
    body["version"] = {"number": 5}
    response = requests.put(f"{dc_server.url}/rest/api/content/{page['id']}", json=body, headers=BEARER, timeout=5)
    v1_error(response, 409)
    del body["version"]
    response = requests.put(f"{dc_server.url}/rest/api/content/{page['id']}", json=body, headers=BEARER, timeout=5)
    v1_error(response, 400, "No version supplied")
    with pytest.raises(HTTPError) as raised:
        dc_client.put(f"rest/api/content/{page['id']}", data={**body, "version": {"number": 1}})
    assert raised.value.response.status_code == 409


def test_malformed_storage_is_rejected(dc_client: Any, v1_error: Any) -> None:
    with pytest.raises(HTTPError) as raised:
        dc_client.create_page("SUP", "Broken", "<p>unclosed <b>bold</p>")
    v1_error(raised.value.response, 400, "Error parsing xhtml")
    page = dc_client.create_page("SUP", "Fine", "<p>fine &nbsp; <ac:structured-macro ac:name='info'/></p>")
    with pytest.raises(ApiValueError) as rejected:
        dc_client.update_page(page["id"], "Fine", "<p>a & b</p>")
    assert rejected.value.reason.response.status_code == 400
    assert dc_client.get_page_by_id(page["id"])["version"]["number"] == 1


def test_duplicate_title_is_rejected(dc_client: Any, v1_error: Any) -> None:
    dc_client.create_page("SUP", "Unique", "<p>x</p>")
    with pytest.raises(HTTPError) as raised:
        dc_client.create_page("SUP", "unique", "<p>y</p>")
    v1_error(raised.value.response, 400, "A page with this title already exists")


def test_delete_trashes_then_purges(dc_client: Any) -> None:
    page = dc_client.create_page("SUP", "Obsolete", "<p>x</p>")
    assert dc_client.remove_page(page["id"]) == 204
    with pytest.raises(ApiError):
        dc_client.get_page_by_id(page["id"])
    trashed = dc_client.get_page_by_id(page["id"], status="trashed")
    check("/content/{id}", "get", 200, trashed)
    assert trashed["status"] == "trashed"
    assert dc_client.remove_page(page["id"], status="trashed") == 204
    with pytest.raises(ApiError):
        dc_client.get_page_by_id(page["id"], status="any")


# --- history and versions ---------------------------------------------------------------------------------
def test_history_versions_and_historical_reads(dc_server: LoopbackServer, dc_client: Any, sandbox_control: Any) -> None:
    page = dc_client.create_page("SUP", "Versioned", "<p>one</p>")
    dc_client.update_page(page["id"], "Versioned", "<p>two</p>", version_comment="second")
    sandbox_control(dc_server, "human-edit", {"page_id": page["id"], "editor": "Dana Editor"})

    history = dc_client.history(page["id"])
    check("/content/{id}/history", "get", 200, history)
    assert history["lastUpdated"]["number"] == 3
    assert history["lastUpdated"]["by"]["displayName"] == "Dana Editor"
    assert history["createdBy"]["username"] == "sync-bot"
    full = dc_client.get(f"rest/api/content/{page['id']}/history", params={"expand": "previousVersion,contributors"})
    check("/content/{id}/history", "get", 200, full)
    assert full["previousVersion"]["message"] == "second"
    names = [u["displayName"] for u in full["contributors"]["publishers"]["users"]]
    assert names == ["scenario-sync bot", "Dana Editor"]

    versions = dc_client.get(f"rest/api/content/{page['id']}/version")
    check("/content/{id}/version", "get", 200, versions)
    assert [v["number"] for v in versions["results"]] == [3, 2, 1]
    assert [v["number"] for v in dc_client.get_all_page_versions(page["id"], limit=1)] == [3, 2, 1]

    second = dc_client.get_content_history_by_version_number(page["id"], 2, expand="content.body.storage")
    check("/content/{id}/version/{versionNumber}", "get", 200, second)
    assert second["message"] == "second"
    assert second["content"]["body"]["storage"]["value"] == "<p>two</p>"
    assert second["content"]["status"] == "historical"
    contributors = dc_client.get_page_version_contributors(page["id"], 3)
    assert [u["displayName"] for u in contributors] == ["Dana Editor"]

    old = dc_client.get_page_by_id(page["id"], expand="body.storage,version", status="historical", version=1)
    check("/content/{id}", "get", 200, old)
    assert old["status"] == "historical" and old["version"]["number"] == 1
    assert old["body"]["storage"]["value"] == "<p>one</p>"
    with pytest.raises(HTTPError):
        dc_client.get_content_history_by_version_number(page["id"], 9)
    with pytest.raises(ApiError):  # an old version is only there for status=historical (or any)
        dc_client.get_page_by_id(page["id"], status="current", version=1)

    # The library reads the version from history, so its next update lands on top of the human edit.
    assert dc_client.update_page(page["id"], "Versioned", "<p>four</p>")["version"]["number"] == 4


# --- children and descendants -----------------------------------------------------------------------------
def test_children_and_descendants(dc_app: ConfluenceEmulator, dc_client: Any) -> None:
    parent = dc_client.create_page("SUP", "Parent", "<p>p</p>")
    kids = [dc_client.create_page("SUP", f"Kid {n:02d}", "<p>k</p>", parent_id=parent["id"]) for n in range(30)]
    grandchild = dc_client.create_page("SUP", "Grandchild", "<p>g</p>", parent_id=kids[0]["id"])

    listing = dc_client.get(f"rest/api/content/{parent['id']}/child/page", params={"expand": "version"})
    check("/content/{id}/child/{type}", "get", 200, listing)
    assert listing["size"] == 25 and "next" in listing["_links"]
    all_kids = list(dc_client.get_page_child_by_type(parent["id"]))  # a generator following _links.next
    assert [k["id"] for k in all_kids] == [k["id"] for k in kids]
    assert dc_client.get_child_title_list(parent["id"], limit=3) == ["Kid 00", "Kid 01", "Kid 02"]

    children = dc_client.get_content_children(parent["id"], expand="page")
    check("/content/{id}/child", "get", 200, children)
    assert children["page"]["size"] == 25 and "attachment" in children["_expandable"]

    descendants = dc_client.get_descendant_pages(parent["id"], params={"limit": 100})
    check("/content/{id}/descendant/{type}", "get", 200, descendants)
    assert descendants["size"] == 31 and grandchild["id"] in [d["id"] for d in descendants["results"]]
    tree = dc_client.get_content_descendants(parent["id"], expand="page")
    check("/content/{id}/descendant", "get", 200, tree)
    assert dc_client.get(f"rest/api/content/{parent['id']}/child/comment")["results"] == []


# --- labels -----------------------------------------------------------------------------------------------
def test_labels_add_list_remove(dc_client: Any, v1_error: Any) -> None:
    page = dc_client.create_page("SUP", "Labelled", "<p>x</p>")
    added = dc_client.set_page_label(page["id"], "scenario")
    check("/content/{id}/label", "post", 200, added)
    many = dc_client.add_content_labels(page["id"], [{"prefix": "global", "name": "Support"}, {"name": "faq"}])
    check("/content/{id}/label", "post", 200, many)
    assert [lab["name"] for lab in many["results"]] == ["scenario", "support", "faq"]

    labels = dc_client.get_page_labels(page["id"])
    check("/content/{id}/label", "get", 200, labels)
    assert labels["size"] == 3 and labels["results"][0]["label"] == "scenario"

    assert dc_client.remove_page_label(page["id"], "scenario") is None  # DELETE .../label?name=
    dc_client.remove_content_label(page["id"], "faq")  # DELETE .../label/{label}
    assert [lab["name"] for lab in dc_client.get_page_labels(page["id"])["results"]] == ["support"]
    with pytest.raises(ApiError):
        dc_client.remove_page_label(page["id"], "scenario")
    with pytest.raises(HTTPError) as raised:
        dc_client.set_page_label(page["id"], "two words")
    v1_error(raised.value.response, 400, "is not valid")


def test_get_all_pages_by_label_sends_a_filter_confluence_ignores(dc_client: Any) -> None:
    """`GET /rest/api/content` takes no `label` parameter: the library's filter matches every page."""
    tagged = dc_client.create_page("SUP", "Tagged", "<p>x</p>")
    dc_client.set_page_label(tagged["id"], "scenario")
    dc_client.create_page("SUP", "Untagged", "<p>y</p>")
    titles = {p["title"] for p in dc_client.get_all_pages_by_label("scenario")}
    assert titles == {"Support Home", "Tagged", "Untagged"}
    assert [r["content"]["title"] for r in dc_client.cql("label = scenario")["results"]] == ["Tagged"]


# --- content properties -----------------------------------------------------------------------------------
def test_content_properties_crud_and_conflicts(dc_server: LoopbackServer, dc_client: Any, v1_error: Any) -> None:
    page = dc_client.create_page("SUP", "With properties", "<p>x</p>")
    pid = page["id"]
    created = dc_client.set_page_property(pid, {"key": "sync-state", "value": {"hash": "a1", "run": 1}})
    check("/content/{id}/property", "post", 200, created)
    assert created["version"]["number"] == 1

    got = dc_client.get_page_property(pid, "sync-state")
    check("/content/{id}/property/{key}", "get", 200, got)
    assert got["value"] == {"hash": "a1", "run": 1}

    updated = dc_client.update_page_property(
        pid, {"key": "sync-state", "value": {"hash": "b2", "run": 2}, "version": {"number": 2, "minorEdit": True}}
    )
    check("/content/{id}/property/{key}", "put", 200, updated)
    assert updated["version"]["number"] == 2 and updated["version"]["minorEdit"] is True

    with pytest.raises(Exception) as stale:  # the library maps 409 to ApiConflictError
        dc_client.update_page_property(pid, {"key": "sync-state", "value": {}, "version": {"number": 2}})
    assert stale.value.reason.response.status_code == 409
    response = requests.put(
        f"{dc_server.url}/rest/api/content/{pid}/property/sync-state",
        json={"key": "sync-state", "value": {}, "version": {"number": 7}},
        headers=BEARER,
        timeout=5,
    )
    v1_error(response, 409, "Current version is: 2")
    with pytest.raises(ApiValueError):  # an existing key cannot be created again
        dc_client.set_page_property(pid, {"key": "sync-state", "value": 1})

    # PUT creates a missing property at version 1, as Confluence does.
    made = dc_client.update_page_property(pid, {"key": "flag", "value": True, "version": {"number": 1}})
    assert made["value"] is True
    listed = dc_client.get(f"rest/api/content/{pid}/property", params={"limit": 2})
    check("/content/{id}/property", "get", 200, listed)
    # content-appearance-* came with create_page's metadata, as on a real site
    keys = [p["key"] for p in dc_client.get_page_properties(pid, limit=2)]
    assert keys == ["content-appearance-draft", "content-appearance-published", "sync-state", "flag"]

    assert dc_client.delete_page_property(pid, "sync-state") is None
    with pytest.raises(ApiError):
        dc_client.get_page_property(pid, "sync-state")


# --- attachments ------------------------------------------------------------------------------------------
def test_attachments_upload_list_update_download(
    dc_server: LoopbackServer, dc_client: Any, v1_error: Any, tmp_path: Any
) -> None:
    page = dc_client.create_page("SUP", "With files", "<p>x</p>")
    pid = page["id"]
    uploaded = dc_client.attach_content(b"first", "flow.png", content_type="image/png", page_id=pid)
    check("/content/{id}/child/attachment", "post", 200, uploaded)
    att = uploaded["results"][0]
    assert att["type"] == "attachment" and att["title"] == "flow.png"
    assert att["extensions"]["fileSize"] == 5 and att["metadata"]["mediaType"] == "image/png"
    assert att["_links"]["download"].startswith(f"/download/attachments/{pid}/flow.png?version=1")
    dc_client.attach_content(b"%PDF", "guide.pdf", content_type="application/pdf", page_id=pid)
    (tmp_path / "steps.gif").write_bytes(b"GIF89a")
    from_file = dc_client.attach_file(str(tmp_path / "steps.gif"), space="SUP", title="With files")
    assert from_file["results"][0]["metadata"]["mediaType"] == "image/gif"

    listed = dc_client.get_attachments_from_content(pid)
    check("/content/{id}/child/attachment", "get", 200, listed)
    assert [a["title"] for a in listed["results"]] == ["flow.png", "guide.pdf", "steps.gif"]
    assert [a["title"] for a in dc_client.get_attachments_from_content(pid, filename="guide.pdf")["results"]] == [
        "guide.pdf"
    ]
    by_type = dc_client.get_attachments_from_content(pid, media_type="image/png")["results"]
    assert [a["title"] for a in by_type] == ["flow.png"]
    files = dc_client.download_attachments_from_page(pid, to_memory=True)
    assert {name: f.read() for name, f in files.items()} == {
        "flow.png": b"first",
        "guide.pdf": b"%PDF",
        "steps.gif": b"GIF89a",
    }
    assert dc_client.get_attachment(att["id"])["title"] == "flow.png"

    # Re-uploading: the library PUTs multipart to /content/{attachmentId}, which Confluence does not accept.
    with pytest.raises(HTTPError) as raised:
        dc_client.attach_content(b"second", "flow.png", content_type="image/png", page_id=pid)
    assert raised.value.response.status_code == 415

    # What Confluence does accept: POST .../data, and PUT on the collection (create or update).
    headers = {"X-Atlassian-Token": "no-check"}
    newer = dc_client.post(
        f"rest/api/content/{pid}/child/attachment/{att['id']}/data",
        files={"file": ("flow.png", b"second", "image/png")},
        data={"comment": "redrawn", "minorEdit": "true"},
        headers=headers,
    )
    check("/content/{id}/child/attachment/{attachmentId}/data", "post", 200, newer)
    assert newer["version"]["number"] == 2 and newer["metadata"]["comment"] == "redrawn"
    put = dc_client.put(
        f"rest/api/content/{pid}/child/attachment",
        files={"file": ("flow.png", b"third", "image/png")},
        data={"minorEdit": "true"},
        headers=headers,
    )
    check("/content/{id}/child/attachment", "put", 200, put)
    assert put["results"][0]["id"] == att["id"] and put["results"][0]["version"]["number"] == 3
    created = dc_client.put(
        f"rest/api/content/{pid}/child/attachment", files={"file": ("notes.txt", b"n")}, headers=headers
    )
    assert created["results"][0]["metadata"]["mediaType"] == "text/plain"
    assert dc_client.download_attachments_from_page(pid, filename="flow.png", to_memory=True)["flow.png"].read() == (
        b"third"
    )
    redirect = requests.get(
        f"{dc_server.url}/rest/api/content/{pid}/child/attachment/{att['id']}/download", headers=BEARER, timeout=5
    )
    assert redirect.content == b"third" and redirect.history[0].status_code == 302

    # A second POST of the same file name is refused; uploads need the XSRF header.
    with pytest.raises(HTTPError) as duplicate:
        dc_client.post(f"rest/api/content/{pid}/child/attachment", files={"file": ("guide.pdf", b"x")}, headers=headers)
    v1_error(duplicate.value.response, 400, "same file name")
    no_token = requests.post(
        f"{dc_server.url}/rest/api/content/{pid}/child/attachment",
        files={"file": ("other.txt", b"x")},
        headers=BEARER,
        timeout=5,
    )
    assert no_token.status_code == 403 and no_token.text == "XSRF check failed"


# --- CQL search -------------------------------------------------------------------------------------------
def test_cql_search_endpoints_and_expansions(dc_app: ConfluenceEmulator, dc_client: Any) -> None:
    parent = dc_client.create_page("SUP", "Scenarios", "<p>index</p>")
    page = dc_client.create_page("SUP", "Login help", "<p>Reset the password</p>", parent_id=parent["id"])
    dc_client.set_page_label(page["id"], "scenario")
    dc_client.set_page_property(page["id"], {"key": "sync", "value": {"v": 1}})

    found = dc_client.cql(
        f'space = SUP and label = "scenario" and ancestor = {parent["id"]}',
        expand="content.version,content.metadata.labels,content.metadata.properties.sync,content.ancestors,content.space",
    )
    check("/search", "get", 200, found)
    assert found["totalSize"] == 1 and found["cqlQuery"].startswith("space = SUP")
    item = found["results"][0]
    assert item["entityType"] == "content" and item["title"] == "Login help"
    content = item["content"]
    assert content["version"]["number"] == 1 and content["space"]["key"] == "SUP"
    assert content["metadata"]["labels"]["results"][0]["name"] == "scenario"
    assert content["metadata"]["properties"]["sync"]["value"] == {"v": 1}
    assert [a["title"] for a in content["ancestors"]] == ["Scenarios"]

    direct = dc_client.get(
        "rest/api/content/search",
        params={"cql": f"parent = {parent['id']} or title ~ scenarios", "expand": "version,body.storage"},
    )
    check("/content/search", "get", 200, direct)
    assert [r["title"] for r in direct["results"]] == ["Scenarios", "Login help"]
    assert direct["results"][1]["body"]["storage"]["value"] == "<p>Reset the password</p>"
    assert direct["totalSize"] == 2

    # /search expands the result's `content`; an unprefixed expansion is not the content's.
    plain = dc_client.cql("label = scenario", expand="version")
    assert "version" not in plain["results"][0]["content"]


def test_cql_errors(dc_server: LoopbackServer, dc_client: Any, v1_error: Any) -> None:
    with pytest.raises(ApiValueError) as raised:
        dc_client.cql("space = SUP and")
    v1_error(raised.value.reason.response, 400, "Could not parse cql : space = SUP and")
    response = requests.get(
        f"{dc_server.url}/rest/api/content/search", params={"cql": "colour = red"}, headers=BEARER, timeout=5
    )
    v1_error(response, 400, "Could not parse cql : colour = red")
    response = requests.get(f"{dc_server.url}/rest/api/search", headers=BEARER, timeout=5)
    v1_error(response, 400, "CQL query parameter is required")


def test_cql_pagination_past_a_hundred_and_limit_capping(dc_app: ConfluenceEmulator, dc_client: Any) -> None:
    state = dc_app.state
    for n in range(260):
        state.add_labels(state.create_page("SUP", f"Scenario {n:03d}", "<p>x</p>").id, ["bulk"])
    state.create_page("SUP", "Unlabelled", "<p>x</p>")

    first = dc_client.cql("label = bulk", limit=100)
    assert first["size"] == 100 and first["totalSize"] == 260
    assert first["_links"]["next"].startswith("/rest/api/search?")
    every = dc_client.cql_all("label = bulk", limit=100)  # follows _links.next to the end
    assert len(every) == 260 and len({r["content"]["id"] for r in every}) == 260

    # Confluence caps a page by what it must expand: 1000 bare, 200 with expansions, 50 with a body.
    assert dc_client.cql("label = bulk", limit=5000)["limit"] == 1000
    expanded = dc_client.cql("label = bulk", limit=5000, expand="content.version")
    assert expanded["limit"] == 200 and expanded["size"] == 200 and "next" in expanded["_links"]
    bodies = dc_client.get(
        "rest/api/content/search", params={"cql": "label = bulk", "limit": 500, "expand": "body.storage"}
    )
    assert bodies["limit"] == 50 and bodies["size"] == 50
    walked, url, params = [], "rest/api/content/search", {"cql": "label = bulk", "limit": 80}
    while url:
        page = dc_client.get(url, params=params, absolute=url.startswith("http"))
        walked.extend(r["id"] for r in page["results"])
        url, params = page["_links"].get("next") and dc_client.url + page["_links"]["next"], None
    assert len(walked) == 260
    tail = dc_client.cql("label = bulk", start=250, limit=100)
    assert tail["size"] == 10 and "next" not in tail["_links"] and "prev" in tail["_links"]


# --- restricted pages, auth, archive ----------------------------------------------------------------------
def test_restricted_pages_are_not_found_and_absent_from_results(
    dc_app: ConfluenceEmulator, dc_server: LoopbackServer, dc_client: Any, sandbox_control: Any, v1_error: Any
) -> None:
    parent = dc_client.create_page("SUP", "Open parent", "<p>x</p>")
    secret = dc_client.create_page("SUP", "Secret", "<p>x</p>", parent_id=parent["id"])
    dc_client.set_page_label(secret["id"], "scenario")
    sandbox_control(dc_server, "restrict", {"page_id": secret["id"]})

    with pytest.raises(ApiError) as raised:
        dc_client.get_page_by_id(secret["id"])
    v1_error(raised.value.reason.response, 404, f"No content found with id : {secret['id']}")
    assert dc_client.cql("label = scenario")["results"] == []
    assert dc_client.get_page_by_title("SUP", "Secret")["results"] == []
    assert dc_client.get_page_child_by_type(parent["id"], limit=10) == []
    for path in ("label", "property", "child/attachment", "history", "version"):
        response = requests.get(f"{dc_server.url}/rest/api/content/{secret['id']}/{path}", headers=BEARER, timeout=5)
        v1_error(response, 404)


def test_bad_credentials_answer_401(dc_server: LoopbackServer, confluence_v1_client: Any, v1_error: Any) -> None:
    wrong = confluence_v1_client(dc_server, "datacenter")
    wrong._update_header("Authorization", "Bearer not-a-token")
    with pytest.raises(HTTPError) as raised:
        wrong.get_space("SUP")
    body = v1_error(raised.value.response, 401)
    assert body["data"]["authorized"] is False
    response = requests.get(f"{dc_server.url}/rest/api/space", auth=("sync-bot", "token-sync-bot"), timeout=5)
    assert response.status_code == 200  # basic auth with user name + token also works on Data Center
    response = requests.get(f"{dc_server.url}/rest/api/space", timeout=5)
    v1_error(response, 401)


def test_data_center_has_no_archive_call(dc_server: LoopbackServer, v1_error: Any) -> None:
    response = requests.post(
        f"{dc_server.url}/rest/api/content/archive", json={"pages": [{"id": 1}]}, headers=BEARER, timeout=5
    )
    v1_error(response, 404, "null for uri")
    assert requests.get(f"{dc_server.url}/rest/api/longtask/123", headers=BEARER, timeout=5).status_code == 404


def test_current_user(dc_client: Any) -> None:
    me = dc_client.get("rest/api/user/current")
    assert me["username"] == "sync-bot" and me["displayName"] == "scenario-sync bot"
