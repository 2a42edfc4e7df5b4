"""A write the Notion emulator applied whose answer was lost: the client sees a failure, the state changed."""

from __future__ import annotations

import httpx
import pytest
from notion_client import Client

from sync.sandbox.notion import NotionState
from sync.sandbox.server import LoopbackServer


def test_a_lost_answer_applies_the_update_then_drops_the_connection(
    client: Client, server: LoopbackServer, scenarios: str, state: NotionState
) -> None:
    page = client.pages.create(parent={"data_source_id": scenarios}, properties={})
    response = httpx.post(
        f"{server.url}/_sandbox/faults", json={"kind": "lost", "method": "PATCH", "path": "/v1/pages/"}, timeout=5
    )
    assert response.status_code == 201
    with pytest.raises(httpx.TransportError):
        client.pages.update(page["id"], properties={"Score": {"number": 7}})
    assert client.pages.retrieve(page["id"])["properties"]["Score"]["number"] == 7  # applied all the same
    log = httpx.get(f"{server.url}/_sandbox/requests", timeout=5).json()["requests"]
    (lost,) = [r for r in log if r["fault"] == "lost"]
    assert lost["method"] == "PATCH" and lost["write"] is True
