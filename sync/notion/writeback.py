"""Write each entry's sync status back to its Notion page, only where it changed (a second run with
nothing new writes nothing)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from notion_client import Client

from sync.mapping import Writeback, plain_text
from sync.retry import ApiCaller

# Notion refuses rich-text content over 2,000 characters.
MAX_TEXT = 2000


@dataclass(frozen=True)
class EntryStatus:
    status: str  # Published | Held | Archived | Problem | Not published
    message: str
    page_url: str | None


def current_status(page: dict[str, Any], writeback: Writeback) -> EntryStatus:
    props = page.get("properties", {})
    status = (props.get(writeback.status.property, {}).get("select") or {}).get("name", "")
    message = plain_text(props.get(writeback.message.property, {}).get("rich_text", []))
    url = props.get(writeback.page.property, {}).get("url")
    return EntryStatus(status, message, url)


def properties_for(status: EntryStatus, writeback: Writeback) -> dict[str, Any]:
    message = status.message
    return {
        writeback.status.property: {"select": {"name": status.status}},
        writeback.message.property: {"rich_text": [{"type": "text", "text": {"content": message}}] if message else []},
        writeback.page.property: {"url": status.page_url},
    }


class NotionWriter:
    def __init__(self, client: Client, caller: ApiCaller) -> None:
        self.client, self.caller = client, caller

    def write_status(self, page_id: str, status: EntryStatus, writeback: Writeback) -> None:
        properties = properties_for(status, writeback)
        # Setting the same properties twice leaves the same page: safe to retry.
        self.caller.call(
            lambda: self.client.pages.update(page_id, properties=properties), idempotent=True, kind="write"
        )

    def reset_reviews(self, page_id: str, columns: Sequence[tuple[str, str, str]]) -> None:
        """Set review columns (property, select|status, option) back to the team's "in review" option."""
        body = {prop: {kind: {"name": option}} for prop, kind, option in columns}
        self.caller.call(lambda: self.client.pages.update(page_id, properties=body), idempotent=True, kind="write")
