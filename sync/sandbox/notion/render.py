"""State objects as the JSON Notion answers, per API version.

Shapes follow Notion's TypeScript types (makenotion/notion-sdk-js ``src/api-endpoints/*.ts``). Under
2025-09-03 every trashable object carries the deprecated ``archived`` beside ``in_trash``; 2026-03-11 drops
it and renames ``transcription`` blocks to ``meeting_notes``.
"""

from __future__ import annotations

import re
import urllib.parse
from typing import TYPE_CHECKING, Any

from sync.sandbox.notion import blocks, properties, richtext
from sync.sandbox.notion.model import V2025, Block, Comment, Database, DataSource, Page, User, partial_user

if TYPE_CHECKING:
    from sync.sandbox.notion.state import NotionState

WORKSPACE_NAME = "Sandbox Workspace"
MAX_UPLOAD = 5 * 1024 * 1024


def _trash(in_trash: bool, version: str) -> dict:
    return {"archived": in_trash, "in_trash": in_trash} if version == V2025 else {"in_trash": in_trash}


def _page_trash(item: Page, version: str) -> dict:
    # 2026-03-11 answers pages with `is_archived` (Notion's archive, apart from the trash) beside `in_trash`.
    return _trash(item.in_trash, version) | ({} if version == V2025 else {"is_archived": item.is_archived})


def page_url(object_id: str, title: str = "") -> str:
    slug = "-".join(re.findall(r"[A-Za-z0-9]+", title))
    hexid = object_id.replace("-", "")
    return f"https://www.notion.so/{slug}-{hexid}" if slug else f"https://www.notion.so/{hexid}"


def user(state: NotionState, item: User) -> dict:
    out: dict[str, Any] = {"object": "user", "id": item.id, "name": item.name, "avatar_url": item.avatar_url}
    if item.type == "person":
        return out | {"type": "person", "person": {"email": item.email} if item.email else {}}
    if item.id != state.bot_id:
        return out | {"type": "bot", "bot": {}}
    owner = {"type": "workspace", "workspace": True}
    bot = {
        "owner": owner,
        "workspace_name": WORKSPACE_NAME,
        "workspace_id": state.workspace_id,
        "workspace_limits": {"max_file_upload_size_in_bytes": MAX_UPLOAD},
    }
    return out | {"type": "bot", "bot": bot}


def page(state: NotionState, item: Page, version: str, only: list[str] | None = None) -> dict:
    source = state.data_sources.get(item.data_source_id or "")
    schemas = list(source.properties.values()) if source else [state.page_title_schema]
    if only is not None:
        wanted = set(only) | {urllib.parse.quote(key, safe="") for key in only}
        schemas = [s for s in schemas if s.id in wanted or s.name in wanted]
    props = {s.name: properties.render_value(s, item, source, state) for s in schemas}
    return {
        "object": "page",
        "id": item.id,
        "created_time": item.created_time,
        "last_edited_time": item.last_edited_time,
        "created_by": partial_user(item.created_by),
        "last_edited_by": partial_user(item.last_edited_by),
        "cover": item.cover,
        "icon": item.icon,
        "parent": dict(item.parent),
        **_page_trash(item, version),
        "is_locked": item.is_locked,
        "properties": props,
        "url": page_url(item.id, state.title_of(item)),
        "public_url": None,
    }


def database(state: NotionState, item: Database, version: str) -> dict:
    refs = [{"id": i, "name": richtext.plain_text(state.data_sources[i].title)} for i in item.data_source_ids]
    return {
        "object": "database",
        "id": item.id,
        "title": richtext.render(item.title, state),
        "description": richtext.render(item.description, state),
        "parent": dict(item.parent),
        "is_inline": item.is_inline,
        **_trash(item.in_trash, version),
        "is_locked": item.is_locked,
        "created_time": item.created_time,
        "last_edited_time": item.last_edited_time,
        "data_sources": refs,
        "icon": item.icon,
        "cover": item.cover,
        "url": page_url(item.id),
        "public_url": None,
    }


def data_source(state: NotionState, item: DataSource, version: str) -> dict:
    db = state.databases[item.database_id]
    return {
        "object": "data_source",
        "id": item.id,
        "created_time": item.created_time,
        "last_edited_time": item.last_edited_time,
        "created_by": partial_user(item.created_by),
        "last_edited_by": partial_user(item.last_edited_by),
        "title": richtext.render(item.title, state),
        "description": richtext.render(item.description, state),
        "parent": {"type": "database_id", "database_id": db.id},
        "database_parent": dict(db.parent),
        "is_inline": db.is_inline,
        **_trash(item.in_trash, version),
        "icon": item.icon,
        "cover": None,
        "properties": {p.name: properties.schema_json(p) for p in item.properties.values()},
        "url": f"collection://{item.id}",
        "public_url": None,
    }


def block(state: NotionState, item: Block, version: str) -> dict:
    kind = blocks.api_type(item.type, version == V2025)
    if kind == "unsupported":
        content: dict = {"block_type": item.type}
    else:
        content = blocks.render_content(item.type, item.content, state)
        if content.get("type") == "file":  # a Notion-hosted file: a signed link that expires
            content = content | {"file": state.file_link(content["file"]["file_id"])}
    return _block_frame(state, item.id, item.parent, item, version) | {"type": kind, kind: content}


def page_block(state: NotionState, item: Page | Database, version: str) -> dict:
    """A page or database seen as a block of its parent (``child_page`` / ``child_database``)."""
    kind = "child_page" if isinstance(item, Page) else "child_database"
    title = state.title_of(item) if isinstance(item, Page) else richtext.plain_text(item.title)
    return _block_frame(state, item.id, item.parent, item, version) | {"type": kind, kind: {"title": title}}


def _block_frame(state: NotionState, block_id: str, parent: dict, item: Any, version: str) -> dict:
    return {
        "object": "block",
        "id": block_id,
        "parent": dict(parent),
        "created_time": item.created_time,
        "last_edited_time": item.last_edited_time,
        "created_by": partial_user(item.created_by),
        "last_edited_by": partial_user(item.last_edited_by),
        "has_children": state.has_children(block_id),
        **_trash(item.in_trash, version),
    }


def comment(state: NotionState, item: Comment) -> dict:
    author = state.users[item.created_by]
    kind = "integration" if author.type == "bot" else "user"
    return {
        "object": "comment",
        "id": item.id,
        "parent": dict(item.parent),
        "discussion_id": item.discussion_id,
        "created_time": item.created_time,
        "last_edited_time": item.last_edited_time,
        "created_by": partial_user(item.created_by),
        "rich_text": richtext.render(item.rich_text, state),
        "display_name": {"type": kind, "resolved_name": author.name},
    }


def listing(results: list[dict], next_cursor: str | None, kind: str) -> dict:
    """Notion's paginated list envelope; `kind` is block, page_or_data_source, user or comment."""
    return {
        "object": "list",
        "results": results,
        "next_cursor": next_cursor,
        "has_more": next_cursor is not None,
        "type": kind,
        kind: {},
    }
