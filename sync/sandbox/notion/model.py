"""The plain objects the Notion state is made of, and the id and time formats they share.

Objects keep what Notion stores, not what it answers: page values are keyed by property id, select values
by option id, people by user id. `render` turns them into the JSON of a given API version.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sync.sandbox.notion.errors import ValidationError
from sync.sandbox.notion.validate import fail

# Versions this emulator serves; every other one Notion knows is refused as unsupported here.
V2025 = "2025-09-03"
V2026 = "2026-03-11"
SERVED_VERSIONS = (V2025, V2026)
KNOWN_VERSIONS = ("2021-05-11", "2021-05-13", "2021-08-16", "2022-02-22", "2022-06-28", V2025, V2026)

_HEX32 = re.compile(r"^[0-9a-fA-F]{32}$")


def parse_id(raw: Any, where: str) -> str:
    """A Notion id, with or without dashes, as the dashed lowercase form used in responses."""
    text = raw if isinstance(raw, str) else ""
    compact = text.replace("-", "")
    if not _HEX32.match(compact):
        raise fail(where, "a valid uuid", raw)
    return str(uuid.UUID(compact))


def try_id(raw: Any) -> str | None:
    try:
        return parse_id(raw, "id")
    except ValidationError:
        return None


def timestamp(moment: datetime) -> str:
    """Notion's created/last-edited times: UTC, truncated to the minute, milliseconds always `.000`."""
    utc = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return utc.replace(second=0, microsecond=0).strftime("%Y-%m-%dT%H:%M:00.000Z")


def partial_user(user_id: str) -> dict:
    return {"object": "user", "id": user_id}


@dataclass
class User:
    id: str
    name: str
    type: str = "person"  # "person" or "bot"
    email: str | None = None
    avatar_url: str | None = None


@dataclass
class PropertySchema:
    id: str
    name: str
    type: str
    config: dict = field(default_factory=dict)
    description: str | None = None


@dataclass
class DataSource:
    id: str
    database_id: str
    title: list
    properties: dict[str, PropertySchema]  # by property id, in schema order
    created_time: str
    last_edited_time: str
    created_by: str
    last_edited_by: str
    description: list = field(default_factory=list)
    in_trash: bool = False
    icon: dict | None = None
    next_unique: dict[str, int] = field(default_factory=dict)  # unique_id counters by property id

    def find(self, key: str) -> PropertySchema | None:
        """A property by id or by name, as Notion resolves request keys."""
        if key in self.properties:
            return self.properties[key]
        return next((p for p in self.properties.values() if p.name == key), None)

    def title_property(self) -> PropertySchema:
        return next(p for p in self.properties.values() if p.type == "title")


@dataclass
class Database:
    id: str
    parent: dict
    title: list
    data_source_ids: list[str]
    created_time: str
    last_edited_time: str
    created_by: str
    last_edited_by: str
    description: list = field(default_factory=list)
    is_inline: bool = False
    in_trash: bool = False
    is_locked: bool = False
    icon: dict | None = None
    cover: dict | None = None


@dataclass
class Page:
    id: str
    parent: dict  # {"type": "data_source_id", ...}, {"type": "page_id", ...} or {"type": "workspace", ...}
    values: dict[str, Any]  # stored property values by property id ("title" for a page under a page)
    created_time: str
    last_edited_time: str
    created_by: str
    last_edited_by: str
    in_trash: bool = False
    is_locked: bool = False
    icon: dict | None = None
    cover: dict | None = None
    is_archived: bool = False

    @property
    def data_source_id(self) -> str | None:
        return self.parent.get("data_source_id")


@dataclass
class Block:
    id: str
    parent: dict  # {"type": "page_id", "page_id"} or {"type": "block_id", "block_id"}
    type: str
    content: dict
    created_time: str
    last_edited_time: str
    created_by: str
    last_edited_by: str
    in_trash: bool = False


@dataclass
class HostedFile:
    """A file uploaded to Notion; answered as a signed link that expires after an hour."""

    id: str
    name: str
    media_type: str
    data: str  # base64, so the state dumps as JSON


@dataclass
class Comment:
    id: str
    parent: dict
    discussion_id: str
    rich_text: list
    created_time: str
    last_edited_time: str
    created_by: str
