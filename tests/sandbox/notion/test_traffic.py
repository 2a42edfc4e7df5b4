"""Rate limiting, injected faults through the control API, and the request log."""

from __future__ import annotations

import json

import httpx
import pytest
from notion_client import APIResponseError, Client
from notion_client.errors import RequestTimeoutError

from sync.sandbox.faults import Fault, Traffic
from sync.sandbox.notion import NotionState
from sync.sandbox.server import LoopbackServer
from tests.sandbox.notion import shapes
from tests.sandbox.notion.conftest import Monotonic, make_client
from tests.support.specs import assert_matches


def _control(server: LoopbackServer, method: str, action: str, body: dict | None = None) -> dict:
    response = httpx.request(method, f"{server.url}/_sandbox/{action}", json=body, timeout=5)
    assert response.status_code < 300, response.text
    return response.json()


def test_rate_limit_answers_429_with_retry_after(client: Client, server: LoopbackServer, monotonic: Monotonic) -> None:
    _control(server, "POST", "traffic", {"rate": 0.4, "burst": 2})
    client.users.me()
    client.users.me()
    with pytest.raises(APIResponseError) as caught:
        client.users.me()
    error = caught.value
    assert error.status == 429 and error.code == "rate_limited"
    assert error.headers["retry-after"] == "3"  # 1 token at 0.4/s is 2.5 s away, rounded up
    body = json.loads(error.body)
    shapes.check(shapes.ERROR, body)
    assert_matches("notion", "/v1/pages/{page_id}/markdown", "get", 429, body)
    monotonic.t += 2.5
    assert client.users.me()["object"] == "user"
    log = _control(server, "GET", "requests")["requests"]
    assert [r["fault"] for r in log] == [None, None, "rate_limit", None]


def test_injected_503(client: Client, server: LoopbackServer, scenarios: str) -> None:
    _control(server, "POST", "faults", {"kind": "status", "status": 503, "path": "/query$"})
    with pytest.raises(APIResponseError) as caught:
        client.data_sources.query(scenarios)
    assert caught.value.status == 503 and caught.value.code == "service_unavailable"
    assert client.data_sources.query(scenarios)["object"] == "list"  # the fault fired once


def test_injected_429_with_retry_after(client: Client, server: LoopbackServer) -> None:
    _control(server, "POST", "faults", {"kind": "status", "status": 429, "retry_after": 1.5, "times": 2})
    for _ in range(2):
        with pytest.raises(APIResponseError) as caught:
            client.users.list()
        assert caught.value.code == "rate_limited" and caught.value.headers["retry-after"] == "2"
    assert client.users.list()["object"] == "list"


def test_injected_502_is_notions_gateway_error(http: httpx.Client, server: LoopbackServer) -> None:
    _control(server, "POST", "faults", {"kind": "status", "status": 502})
    response = http.get("/v1/users/me")
    assert response.status_code == 502 and response.json()["code"] == "bad_gateway"


def test_slow_response_against_client_timeout(server: LoopbackServer) -> None:
    _control(server, "POST", "faults", {"kind": "slow", "delay": 0.1})
    patient = make_client(server, timeout_ms=2000)
    impatient = make_client(server, timeout_ms=150)
    try:
        assert patient.users.me()["object"] == "user"
        _control(server, "POST", "faults", {"kind": "slow", "delay": 0.4})
        with pytest.raises(RequestTimeoutError):
            impatient.users.me()
    finally:
        patient.close()
        impatient.close()


def test_dropped_connection(client: Client, server: LoopbackServer) -> None:
    _control(server, "POST", "faults", {"kind": "drop", "path": "/v1/users/me"})
    with pytest.raises(httpx.TransportError):
        client.users.me()
    assert client.users.me()["object"] == "user"


def test_request_log_counts_queries_as_reads(
    client: Client, server: LoopbackServer, scenarios: str, traffic: Traffic
) -> None:
    client.data_sources.query(scenarios)
    client.search(query="x")
    page = client.pages.create(parent={"data_source_id": scenarios}, properties={})
    client.pages.update(page["id"], properties={"Score": {"number": 1}})
    client.blocks.children.list(page["id"])
    log = _control(server, "GET", "requests")["requests"]
    assert [(r["method"], r["write"]) for r in log] == [
        ("POST", False),
        ("POST", False),
        ("POST", True),
        ("PATCH", True),
        ("GET", False),
    ]
    assert [r.path for r in traffic.writes()] == ["/v1/pages", f"/v1/pages/{page['id']}"]


def test_control_state_dump_load_and_human_edit(
    server: LoopbackServer, client: Client, state: NotionState, scenarios: str, person
) -> None:
    page = client.pages.create(parent={"data_source_id": scenarios}, properties={})
    _control(
        server, "POST", "edit", {"page_id": page["id"], "user_id": person.id, "properties": {"Score": {"number": 42}}}
    )
    edited = client.pages.retrieve(page["id"])
    assert edited["last_edited_by"]["id"] == person.id and edited["properties"]["Score"]["number"] == 42
    dumped = _control(server, "GET", "state")
    _control(server, "POST", "state", dumped)
    assert shapes.content(client.pages.retrieve(page["id"])) == shapes.content(edited)
    _control(server, "POST", "share", {"object_id": page["id"], "shared": False})
    with pytest.raises(APIResponseError):
        client.pages.retrieve(page["id"])


@pytest.mark.parametrize(("status", "code"), [(409, "conflict_error"), (500, "internal_server_error")])
def test_injected_conflict_and_server_error(client: Client, server: LoopbackServer, status: int, code: str) -> None:
    _control(server, "POST", "faults", {"kind": "status", "status": status, "method": "PATCH"})
    page_id = client.search(query="Sandbox")["results"][0]["id"]
    with pytest.raises(APIResponseError) as caught:
        client.pages.update(page_id, properties={})
    assert caught.value.status == status and caught.value.code == code
    shapes.check(shapes.ERROR, json.loads(caught.value.body))


def test_latency_is_the_time_to_answer_the_emulators_own_work_included(
    client: Client, traffic: Traffic, monotonic: Monotonic
) -> None:
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(round(seconds, 6))
        monotonic.t += seconds

    traffic.latency_ms, traffic.sleep = 100, sleep
    client.users.me()
    assert slept == [0.1]  # nothing else took time: the whole latency is waited
    slept.clear()
    traffic.add_fault(Fault(kind="slow", delay=0.03, path="/users/me$"))
    client.users.me()
    assert slept == [0.03, 0.07]  # the slow work counts towards the latency: the answer comes after 0.1 s
    slept.clear()
    traffic.add_fault(Fault(kind="slow", delay=0.25, path="/users/me$"))
    client.users.me()
    assert slept == [0.25, 0.0]  # work longer than the latency is not padded further
