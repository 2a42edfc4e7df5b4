"""Injected faults, rate limits and simulated human edits, seen by v1 clients of both flavours."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from atlassian import Confluence
from requests import HTTPError

from sync.sandbox.confluence.app import ConfluenceEmulator
from sync.sandbox.server import LoopbackServer

BEARER = {"Authorization": "Bearer token-sync-bot"}


def test_injected_429_carries_retry_after_in_v1_shape(
    dc_server: LoopbackServer, confluence_v1_client: Any, sandbox_control: Any, v1_error: Any
) -> None:
    client = confluence_v1_client(dc_server, "datacenter", retry_with_header=False)
    sandbox_control(dc_server, "faults", {"status": 429, "retry_after": 7, "path": "/rest/api/search"})
    with pytest.raises(HTTPError) as raised:
        client.cql("type = page")
    v1_error(raised.value.response, 429, "Rate limit exceeded")
    assert raised.value.response.headers["Retry-After"] == "7"
    assert client.cql("type = page")["size"] == 1  # a fault fires once unless told otherwise


def test_rate_limit_answers_429_until_tokens_refill(
    dc_server: LoopbackServer, sandbox_control: Any, v1_error: Any
) -> None:
    sandbox_control(dc_server, "traffic", {"rate": 0.01, "burst": 2})
    url = f"{dc_server.url}/rest/api/space"
    assert [requests.get(url, headers=BEARER, timeout=5).status_code for _ in range(2)] == [200, 200]
    limited = requests.get(url, headers=BEARER, timeout=5)
    v1_error(limited, 429)
    assert int(limited.headers["Retry-After"]) >= 1


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_in_v1_shape(
    status: int, dc_server: LoopbackServer, dc_client: Any, sandbox_control: Any, v1_error: Any
) -> None:
    sandbox_control(dc_server, "faults", {"status": status, "method": "GET", "path": "/rest/api/content/\\d+$"})
    home = dc_client.get_page_id("SUP", "Support Home")
    with pytest.raises(HTTPError) as raised:
        dc_client.get_page_by_id(home)
    v1_error(raised.value.response, status)
    assert dc_client.get_page_by_id(home)["id"] == home


def test_conflict_on_the_next_page_put(
    dc_server: LoopbackServer, dc_client: Any, sandbox_control: Any, v1_error: Any
) -> None:
    page = dc_client.create_page("SUP", "Contended", "<p>a</p>")
    sandbox_control(dc_server, "faults", {"status": 409, "method": "PUT", "path": "/rest/api/content/\\d+$"})
    with pytest.raises(HTTPError) as raised:
        dc_client.update_page(page["id"], "Contended", "<p>b</p>")
    v1_error(raised.value.response, 409)
    assert dc_client.get_page_by_id(page["id"])["version"]["number"] == 1
    assert dc_client.update_page(page["id"], "Contended", "<p>b</p>")["version"]["number"] == 2


def test_slow_response_against_a_short_client_timeout(dc_server: LoopbackServer, sandbox_control: Any) -> None:
    sandbox_control(dc_server, "faults", {"kind": "slow", "delay": 0.8, "path": "/rest/api/space"})
    with pytest.raises(requests.Timeout):
        requests.get(f"{dc_server.url}/rest/api/space", headers=BEARER, timeout=0.3)
    # The library truncates its timeout to whole seconds, so it cannot express a sub-second one.
    assert Confluence(url=dc_server.url, token="token-sync-bot", cloud=False, timeout=0.5).timeout == 0
    assert requests.get(f"{dc_server.url}/rest/api/space", headers=BEARER, timeout=2).status_code == 200


def test_dropped_connection(cloud_server: LoopbackServer, cloud_client: Any, sandbox_control: Any) -> None:
    sandbox_control(cloud_server, "faults", {"kind": "drop", "path": "/wiki/rest/api/search"})
    url = f"{cloud_server.url}/wiki/rest/api/search"
    with pytest.raises(requests.ConnectionError):
        cloud_client.get(url, params={"cql": "type = page"}, absolute=True)
    assert cloud_client.get(url, params={"cql": "type = page"}, absolute=True)["size"] == 1


def test_cloud_faults_use_the_v1_shape_on_v1_paths(
    cloud_server: LoopbackServer, cloud_client: Any, sandbox_control: Any, v1_error: Any
) -> None:
    sandbox_control(cloud_server, "faults", {"status": 503, "path": "/wiki/rest/api/content/search"})
    with pytest.raises(HTTPError) as raised:
        cloud_client.get(f"{cloud_server.url}/wiki/rest/api/content/search", params={"cql": "id = 1"}, absolute=True)
    v1_error(raised.value.response, 503)


def test_a_human_edit_is_a_new_version_by_someone_else(
    dc_app: ConfluenceEmulator, dc_server: LoopbackServer, dc_client: Any, sandbox_control: Any
) -> None:
    page = dc_client.create_page("SUP", "Walkthrough", "<p>synced</p>")
    edit = sandbox_control(dc_server, "human-edit", {"page_id": page["id"], "editor": "Dana Editor"})
    assert edit == {"page_id": page["id"], "version": 2, "by": "Dana Editor"}

    current = dc_client.get_page_by_id(page["id"], expand="version,body.storage")
    assert current["version"]["number"] == 2
    assert current["version"]["by"]["displayName"] == "Dana Editor"
    assert current["version"]["by"]["username"] != "sync-bot"
    assert "Edited by hand" in current["body"]["storage"]["value"]
    history = dc_client.history(page["id"])
    assert history["lastUpdated"]["by"]["displayName"] == "Dana Editor"
    assert history["createdBy"]["displayName"] == "scenario-sync bot"
    found = dc_client.cql('contributor = "dana"', expand="content.version")
    assert [r["content"]["id"] for r in found["results"]] == [page["id"]]
