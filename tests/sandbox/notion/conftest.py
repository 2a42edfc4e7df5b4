"""Fixtures: a fresh Notion workspace per test, served on loopback, driven by the official client."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from notion_client import Client

from sync.sandbox.faults import Traffic
from sync.sandbox.notion import DEFAULT_TOKEN, NotionEmulator, NotionState
from sync.sandbox.server import LoopbackServer
from tests.support.mount import Mount, serving, shared_server

START = datetime(2025, 10, 1, 9, 0, 30, tzinfo=UTC)
SCHEMA = {
    "Name": {"title": {}},
    "Summary": {"rich_text": {}},
    "Score": {"number": {"format": "number"}},
    "Product": {"select": {"options": [{"name": "Billing", "color": "blue"}, {"name": "Login"}]}},
    "Tags": {"multi_select": {"options": [{"name": "urgent"}, {"name": "mobile"}]}},
    "Review": {"status": {}},
    "Due": {"date": {}},
    "Owner": {"people": {}},
    "Published": {"checkbox": {}},
    "Link": {"url": {}},
    "Contact": {"email": {}},
    "Key": {"unique_id": {"prefix": "SC"}},
    "Created": {"created_time": {}},
    "Edited": {"last_edited_time": {}},
    "Editor": {"last_edited_by": {}},
}


class FakeClock:
    """A wall clock tests move by hand."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class Monotonic:
    """A monotonic clock for the rate limiter, moved by hand."""

    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def state(clock: FakeClock) -> NotionState:
    return NotionState(clock=clock, seed=7)


@pytest.fixture
def monotonic() -> Monotonic:
    return Monotonic()


@pytest.fixture
def traffic(monotonic: Monotonic) -> Traffic:
    """Latency, limits and faults on a clock the test moves by hand."""
    return Traffic(clock=monotonic)


@pytest.fixture
def emulator(state: NotionState, traffic: Traffic) -> NotionEmulator:
    return NotionEmulator(state, traffic)


@pytest.fixture(scope="session")
def loopback() -> Iterator[tuple[LoopbackServer, Mount]]:
    with shared_server() as pair:  # one server for the session; tests mount their own emulator on it
        yield pair


@pytest.fixture
def server(loopback: tuple[LoopbackServer, Mount], emulator: NotionEmulator) -> Iterator[LoopbackServer]:
    with serving(loopback, emulator) as running:
        yield running


def make_client(server: LoopbackServer, version: str | None = None, **options: object) -> Client:
    extra = {"notion_version": version} if version else {}
    return Client(
        auth=DEFAULT_TOKEN, base_url=server.url, retry=False, logger=logging.getLogger("test"), **extra, **options
    )


# Clients live for the session (building one loads the TLS trust store, ~50 ms); the server they talk to
# is the session's one loopback server, which serves each test's own emulator.
@pytest.fixture(scope="session")
def session_clients(loopback: tuple[LoopbackServer, Mount]) -> Iterator[dict[str, Client]]:
    running, _ = loopback
    clients = {"default": make_client(running), "latest": make_client(running, "2026-03-11")}
    yield clients
    for notion in clients.values():
        notion.close()


@pytest.fixture
def client(server: LoopbackServer, session_clients: dict[str, Client]) -> Client:
    """The official client with its default Notion-Version (2025-09-03)."""
    return session_clients["default"]


@pytest.fixture
def client_latest(server: LoopbackServer, session_clients: dict[str, Client]) -> Client:
    """The official client on Notion-Version 2026-03-11."""
    return session_clients["latest"]


@pytest.fixture(scope="session")
def raw_http(loopback: tuple[LoopbackServer, Mount]) -> Iterator[httpx.Client]:
    running, _ = loopback
    headers = {"Authorization": f"Bearer {DEFAULT_TOKEN}", "Notion-Version": "2025-09-03"}
    with httpx.Client(base_url=running.url, headers=headers, timeout=5) as raw:
        yield raw


@pytest.fixture
def http(server: LoopbackServer, raw_http: httpx.Client) -> httpx.Client:
    """Raw HTTP for what the official client cannot send."""
    return raw_http


@pytest.fixture
def scenarios(state: NotionState) -> str:
    """A data source with every supported property type; returns its id."""
    _, source = state.create_database(state.root_page_id, "Scenarios", SCHEMA)
    return source.id


@pytest.fixture
def person(state: NotionState):
    return state.add_user("Ada Lovelace", "ada@example.com")
