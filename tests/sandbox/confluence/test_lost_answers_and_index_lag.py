"""New emulator behaviour, seen by the official clients: a write applied whose answer is lost, Cloud's search
index lag, and who-am-I on Cloud after the v1 content endpoints are gone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import requests
from atlassian import Confluence

from sync.sandbox.confluence.app import make_app
from sync.sandbox.server import LoopbackServer

API_EMAIL, API_TOKEN = "sync-bot@example.com", "token-sync-bot"


def _cloud_client(server: LoopbackServer) -> Confluence:
    return Confluence(url=server.url + "/wiki", username=API_EMAIL, password=API_TOKEN, api_version=2)


def test_a_lost_answer_applies_the_create_then_drops_the_connection(
    cloud_app: Any, cloud_server: LoopbackServer, sandbox_control: Any
) -> None:
    client = _cloud_client(cloud_server)
    space_id = cloud_app.state.spaces["SUP"].id
    sandbox_control(cloud_server, "faults", {"kind": "lost", "method": "POST", "path": "/api/v2/pages$"})
    with pytest.raises(requests.ConnectionError):
        client.create_page(space_id=space_id, title="Applied anyway", body="<p>x</p>")
    assert cloud_app.state.find_by_title("SUP", "Applied anyway") is not None  # the server did it
    (record,) = cloud_app.traffic.requests(method="POST", path="/api/v2/pages$")
    assert record.fault == "lost" and record.write
    with pytest.raises(requests.HTTPError) as again:  # a blind repeat is refused: the title is taken
        client.create_page(space_id=space_id, title="Applied anyway", body="<p>x</p>")
    assert again.value.response.status_code == 400


def test_a_lost_answer_on_a_versioned_update_makes_the_repeat_a_409(
    dc_app: Any, dc_server: LoopbackServer, sandbox_control: Any
) -> None:
    page = dc_app.state.create_page("SUP", "Versioned", "<p>1</p>")
    client = Confluence(url=dc_server.url, token=API_TOKEN, cloud=False)
    sandbox_control(dc_server, "faults", {"kind": "lost", "method": "PUT", "path": f"/content/{page.id}$"})
    body = {"type": "page", "title": "Versioned", "version": {"number": 2}, "body": {"storage": {"value": "<p>2</p>"}}}
    with pytest.raises(requests.ConnectionError):
        client.put(f"rest/api/content/{page.id}", data=body)
    assert dc_app.state.pages[page.id].version == 2
    with pytest.raises(requests.HTTPError) as repeat:
        client.put(f"rest/api/content/{page.id}", data=body)
    assert repeat.value.response.status_code == 409


def test_a_lost_answer_with_a_delay_answers_after_the_client_gave_up(
    dc_app: Any, dc_server: LoopbackServer, sandbox_control: Any
) -> None:
    page = dc_app.state.create_page("SUP", "Slow", "<p>1</p>")
    dc_app.traffic.sleep = lambda seconds: __import__("time").sleep(min(seconds, 0.6))
    sandbox_control(dc_server, "faults", {"kind": "lost", "delay": 5, "method": "POST", "path": "/label$"})
    with pytest.raises(requests.Timeout):
        requests.post(
            f"{dc_server.url}/rest/api/content/{page.id}/label",
            json=[{"prefix": "global", "name": "late"}],
            headers={"Authorization": f"Bearer {API_TOKEN}"},
            timeout=0.3,
        )
    assert [label.name for label in dc_app.state.pages[page.id].labels] == ["late"]


@pytest.mark.parametrize("flavor", ["cloud", "datacenter"])
def test_search_misses_pages_created_within_the_index_lag(flavor: str, sandbox_control: Any) -> None:
    app = make_app(flavor)
    now = [app.state.clock()]
    app.state.clock = lambda: now[0]
    app.state.add_space("SUP", "Support")
    now[0] += timedelta(minutes=5)
    with LoopbackServer(app) as server:
        sandbox_control(server, "index-lag", {"seconds": 30})
        app.state.create_page("SUP", "Fresh", "<p>x</p>")
        prefix = "/wiki/rest/api" if flavor == "cloud" else "/rest/api"
        auth = (API_EMAIL, API_TOKEN) if flavor == "cloud" else ("sync-bot", API_TOKEN)

        def titles() -> list[str]:
            response = requests.get(
                f"{server.url}{prefix}/content/search", params={"cql": "type = page"}, auth=auth, timeout=5
            )
            assert response.status_code == 200, response.text
            return [r["title"] for r in response.json()["results"]]

        assert "Fresh" not in titles()  # the home page, created before the lag window started, is found
        assert titles() == ["Support Home"]
        now[0] += timedelta(seconds=31)
        assert "Fresh" in titles()


def test_cloud_keeps_current_user_and_user_lookup_once_v1_content_is_gone(sandbox_control: Any) -> None:
    app = make_app("cloud", cloud_v1_content="removed")
    app.state.add_space("SUP", "Support")
    with LoopbackServer(app) as server:
        client = _cloud_client(server)
        me = client.get("rest/api/user/current")
        assert me["accountId"] == app.state.api_user.account_id and "username" not in me
        user = client.get("rest/api/user", params={"accountId": me["accountId"]})
        assert user["displayName"] == "scenario-sync bot"
        gone = requests.get(f"{server.url}/wiki/rest/api/content", auth=(API_EMAIL, API_TOKEN), timeout=5)
        assert gone.status_code == 410


def test_data_center_looks_users_up_by_user_name(dc_app: Any, dc_server: LoopbackServer) -> None:
    client = Confluence(url=dc_server.url, token=API_TOKEN, cloud=False)
    assert client.get("rest/api/user/current")["username"] == "sync-bot"
    assert client.get("rest/api/user", params={"username": "sync-bot"})["displayName"] == "scenario-sync bot"
    with pytest.raises(requests.HTTPError) as missing:
        client.get("rest/api/user", params={"username": "nobody"})
    assert missing.value.response.status_code == 404
