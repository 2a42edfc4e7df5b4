"""Confluence emulator fixtures for both flavours: apps, loopback servers, and the official client.

- ``cloud_app`` / ``dc_app``: a fresh emulator with the space SUP ("Support", with its home page);
- ``cloud_server`` / ``dc_server``: that app on a loopback port (``server.url``);
- ``confluence_v1_client(server, flavor)``: the atlassian-python-api client a tool would build — Data Center's
  v1 Server client with a personal access token, or Cloud's v2 client (email + API token) whose generic
  ``get``/``post``/``put``/``delete`` reach the v1 endpoints Cloud keeps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from atlassian import Confluence

from sync.sandbox.confluence.app import ConfluenceEmulator, make_app
from sync.sandbox.server import LoopbackServer

API_EMAIL = "sync-bot@example.com"
API_TOKEN = "token-sync-bot"


def _seeded(flavor: str, **kwargs: Any) -> ConfluenceEmulator:
    app = make_app(flavor, **kwargs)  # type: ignore[arg-type]
    app.state.add_space("SUP", "Support")
    return app


@pytest.fixture
def cloud_app() -> ConfluenceEmulator:
    return _seeded("cloud")


@pytest.fixture
def dc_app() -> ConfluenceEmulator:
    return _seeded("datacenter")


@pytest.fixture
def cloud_server(cloud_app: ConfluenceEmulator) -> Iterator[LoopbackServer]:
    with LoopbackServer(cloud_app) as server:
        yield server


@pytest.fixture
def dc_server(dc_app: ConfluenceEmulator) -> Iterator[LoopbackServer]:
    with LoopbackServer(dc_app) as server:
        yield server


@pytest.fixture
def confluence_v1_client() -> Callable[..., Any]:
    def make(server: LoopbackServer, flavor: str = "datacenter", **kwargs: Any) -> Any:
        if flavor == "datacenter":
            return Confluence(url=server.url, token=API_TOKEN, cloud=False, **kwargs)
        return Confluence(url=server.url + "/wiki", username=API_EMAIL, password=API_TOKEN, api_version=2, **kwargs)

    return make


@pytest.fixture
def dc_client(dc_server: LoopbackServer, confluence_v1_client: Callable[..., Any]) -> Any:
    return confluence_v1_client(dc_server, "datacenter")


@pytest.fixture
def cloud_client(cloud_server: LoopbackServer, confluence_v1_client: Callable[..., Any]) -> Any:
    return confluence_v1_client(cloud_server, "cloud")


def _control(server: LoopbackServer, action: str, body: dict[str, Any]) -> dict[str, Any]:
    response = requests.post(f"{server.url}/_sandbox/{action}", json=body, timeout=5)
    assert response.status_code < 300, response.text
    return response.json()


def _assert_v1_error(response: requests.Response, status: int, message_part: str = "") -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["statusCode"] == status
    assert set(body["data"]) == {"authorized", "valid", "errors", "successful"}
    assert body["data"]["successful"] is False
    assert message_part in body["message"], body["message"]
    return body


@pytest.fixture
def sandbox_control() -> Callable[[LoopbackServer, str, dict[str, Any]], dict[str, Any]]:
    """``sandbox_control(server, "faults", {...})``: the emulator's control API (faults, traffic, human edits)."""
    return _control


@pytest.fixture
def v1_error() -> Callable[..., dict[str, Any]]:
    """``v1_error(response, status, message_part)``: assert a v1 error body (statusCode, message, data)."""
    return _assert_v1_error
