"""Run both emulators on loopback: seeded, optionally persisted to a state file, with traffic settings.

`Sandbox.coordinates()` is what `scenario-sync sandbox up` prints: everything a client needs to connect.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import SecretStr

from sync.config import Credentials
from sync.limits import NOTION_PER_MINUTE, SANDBOX_CONFLUENCE_BURST, SANDBOX_CONFLUENCE_RATE
from sync.mapping import Mapping
from sync.sandbox.confluence.app import ConfluenceEmulator
from sync.sandbox.confluence.state import ConfluenceState
from sync.sandbox.faults import Traffic
from sync.sandbox.notion.app import NotionEmulator
from sync.sandbox.notion.state import NotionState
from sync.sandbox.seed import PARENT_TITLE, SPACE_KEY, seed_confluence, seed_notion
from sync.sandbox.server import LoopbackServer
from sync.starter import default_mapping

NOTION_TOKEN = "secret_sandbox_notion_token"


@dataclass(frozen=True)
class SandboxOptions:
    seed: Literal["demo", "empty"] = "demo"
    flavor: Literal["cloud", "datacenter"] = "cloud"
    cloud_v1_content: Literal["available", "removed"] = "available"
    state_file: Path | None = None
    latency_ms: float = 0.0
    rate_limit: bool = True
    notion_per_minute: int = NOTION_PER_MINUTE  # the plan's budget per connection (180 or 600)
    mapping: Path = field(default_factory=default_mapping)
    # Fixed ids and time for recorded HTTP: a seed for the Notion ids, a clock for both emulators.
    random_seed: int | None = None
    clock: Callable[[], datetime] | None = None


def _server(app: object, port: int) -> LoopbackServer:
    try:
        return LoopbackServer(app, port=port)
    except OSError:  # taken since: any free port will do
        return LoopbackServer(app)


class Sandbox:
    def __init__(self, options: SandboxOptions = SandboxOptions()) -> None:
        self.options = options
        self.info: dict[str, Any] = {}
        notion_state, confluence_state = self._load_or_seed()
        notion_traffic = Traffic(latency_ms=options.latency_ms)
        if options.rate_limit:
            notion_traffic.set_budget(options.notion_per_minute)
        self.notion = NotionEmulator(notion_state, notion_traffic, token=NOTION_TOKEN)
        self.confluence = ConfluenceEmulator(
            confluence_state,
            self._traffic(SANDBOX_CONFLUENCE_RATE, SANDBOX_CONFLUENCE_BURST),
            options.cloud_v1_content,
        )
        # A sandbox kept in a state file comes back on the same ports where it can, so the links the sync
        # wrote (Confluence page URLs in Notion) stay valid from one run to the next.
        ports = self.info.get("ports", {})
        self.notion_server = _server(self.notion, ports.get("notion", 0))
        self.confluence_server = _server(self.confluence, ports.get("confluence", 0))
        self.info["ports"] = {"notion": self.notion_server.port, "confluence": self.confluence_server.port}

    def _traffic(self, rate: float, burst: int) -> Traffic:
        limited = self.options.rate_limit
        return Traffic(latency_ms=self.options.latency_ms, rate=rate if limited else None, burst=burst)

    def _load_or_seed(self) -> tuple[NotionState, ConfluenceState]:
        path = self.options.state_file
        if path is not None and path.exists():
            saved = json.loads(path.read_text(encoding="utf-8"))
            confluence = ConfluenceState.load(saved["confluence"])
            if confluence.flavor != self.options.flavor:
                raise ValueError(f"{path} holds a {confluence.flavor} site; use another state file")
            self.info = saved["info"]
            return NotionState.load(saved["notion"]), confluence
        clock = self.options.clock
        notion = NotionState(seed=self.options.random_seed, **({"clock": clock} if clock else {}))
        confluence = ConfluenceState(self.options.flavor, **({"clock": clock} if clock else {}))
        database_id = data_source_id = None
        if self.options.seed == "demo":
            database_id, data_source_id = seed_notion(notion, Mapping.load(self.options.mapping))
        space_id, parent_id = seed_confluence(confluence)
        self.info = {
            "database_id": database_id,
            "data_source_id": data_source_id,
            "space_id": space_id,
            "parent_page_id": parent_id,
        }
        return notion, confluence

    def save(self) -> None:
        if self.options.state_file is None:
            return
        self.options.state_file.parent.mkdir(parents=True, exist_ok=True)
        data = {"info": self.info, "notion": self.notion.state.dump(), "confluence": self.confluence.state.dump()}
        self.options.state_file.write_text(json.dumps(data), encoding="utf-8")

    def start(self) -> Sandbox:
        self.notion_server.start()
        self.confluence_server.start()
        return self

    def stop(self) -> None:
        self.notion_server.stop()
        self.confluence_server.stop()
        self.save()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def confluence_base_url(self) -> str:
        return self.confluence_server.url + self.confluence.base_path

    def coordinates(self) -> dict[str, Any]:
        api_user = self.confluence.state.api_user
        cloud = self.options.flavor == "cloud"
        return {
            "notion": {
                "base_url": self.notion_server.url,
                "token": NOTION_TOKEN,
                "root_page_id": self.notion.state.root_page_id,
                "database_id": self.info["database_id"],
                "data_source_id": self.info["data_source_id"],
            },
            "confluence": {
                "base_url": self.confluence_base_url,
                "flavor": self.options.flavor,
                "user": api_user.email if cloud else None,
                "token": api_user.api_token,
                "space_key": SPACE_KEY,
                "space_id": self.info["space_id"],
                "parent_page_id": self.info["parent_page_id"],
                "parent_title": PARENT_TITLE,
            },
        }

    def credentials(self) -> Credentials:
        coords = self.coordinates()
        return Credentials(
            notion_token=SecretStr(NOTION_TOKEN),
            notion_base_url=coords["notion"]["base_url"],
            confluence_url=coords["confluence"]["base_url"],
            confluence_user=coords["confluence"]["user"],
            confluence_token=SecretStr(coords["confluence"]["token"]),
            confluence_flavor=self.options.flavor,
        )
