"""Notion's block JSON → the neutral `sync.blocks` structure. Pure.

The reader hands over blocks with their children already read (under the key `children`). Mentions become
text: people their names, pages a link to the page, dates their text. A Notion-hosted file becomes a
`Media` with the attachment name it will have on the Confluence page (stable across runs: the block id
and the file's own name), an external one a link.
"""

from __future__ import annotations

import posixpath
import re
import urllib.parse
from typing import Any

from sync.blocks import Block, BlockKind, Body, Media, Span

# Notion's block types → the neutral kinds (types not listed become "unsupported", shown as a note).
_KINDS: dict[str, BlockKind] = {
    "paragraph": "paragraph",
    "heading_1": "heading_1",
    "heading_2": "heading_2",
    "heading_3": "heading_3",
    "bulleted_list_item": "bulleted",
    "numbered_list_item": "numbered",
    "to_do": "to_do",
    "toggle": "toggle",
    "quote": "quote",
    "callout": "callout",
    "code": "code",
    "equation": "equation",
    "divider": "divider",
    "table": "table",
    "table_row": "table_row",
    "column_list": "columns",
    "column": "column",
    "synced_block": "synced",
    "image": "image",
    "video": "video",
    "file": "file",
    "pdf": "file",
    "audio": "file",
    "bookmark": "bookmark",
    "embed": "embed",
    "link_preview": "bookmark",
    "child_page": "child_page",
}
_UNSAFE_NAME = re.compile(r"[^\w.\-]+", re.UNICODE)


def spans(items: list[dict[str, Any]] | None) -> tuple[Span, ...]:
    """Rich text → spans, keeping annotations, links and what mentions say."""
    out: list[Span] = []
    for item in items or []:
        marks = item.get("annotations") or {}
        text, href = item.get("plain_text", ""), item.get("href")
        if item.get("type") == "mention":
            text, href = _mention(item.get("mention") or {}, text, href)
        out.append(
            Span(
                text=text,
                bold=bool(marks.get("bold")),
                italic=bool(marks.get("italic")),
                strike=bool(marks.get("strikethrough")),
                underline=bool(marks.get("underline")),
                code=bool(marks.get("code")),
                color=str(marks.get("color") or "default"),
                href=href if isinstance(href, str) and href else None,
            )
        )
    return tuple(out)


def _mention(mention: dict[str, Any], plain: str, href: str | None) -> tuple[str, str | None]:
    kind = mention.get("type")
    if kind == "user":
        user = mention.get("user") or {}
        name = user.get("name") or (user.get("person") or {}).get("email")
        return (name or plain.lstrip("@") or "a former member"), None
    if kind == "date":
        when = mention.get("date") or {}
        start, end = when.get("start") or "", when.get("end")
        return (f"{start} to {end}" if end else start) or plain, None
    return plain, href  # page, database, link mentions: their title, linked


def attachment_name(block_id: str, url: str, fallback: str) -> str:
    """The file name a hosted file gets on the Confluence page: its own name, prefixed by the block id so two
    files of the same name never collide and the name stays the same from run to run."""
    own = posixpath.basename(urllib.parse.unquote(urllib.parse.urlparse(url).path)) or fallback
    safe = _UNSAFE_NAME.sub("-", own).strip("-.") or "file"
    return f"{block_id.replace('-', '')[:8]}-{safe}"[:200]


def _media(block_id: str, kind: str, content: dict[str, Any]) -> Media | None:
    source = content.get("type")
    if source == "external":
        return Media(url=(content.get("external") or {}).get("url", ""), name=content.get("name", ""))
    if source == "file":
        url = (content.get("file") or {}).get("url", "")
        own = posixpath.basename(urllib.parse.unquote(urllib.parse.urlparse(url).path))
        return Media(url=url, attachment=attachment_name(block_id, url, kind), name=content.get("name") or own)
    return None


def block(raw: dict[str, Any]) -> Block:
    kind_name = raw.get("type", "")
    content: dict[str, Any] = raw.get(kind_name) or {}
    children = tuple(block(child) for child in raw.get("children", []))
    kind = _KINDS.get(kind_name, "unsupported")
    common: dict[str, Any] = {"kind": kind, "children": children}
    if kind == "unsupported":
        shown = content.get("block_type", kind_name) if kind_name == "unsupported" else kind_name
        return Block(**common, note=f"a {shown} block (not shown here; see the Notion page)")
    if "rich_text" in content:
        common["text"] = spans(content["rich_text"])
    if "caption" in content:
        common["caption"] = spans(content["caption"])
    match kind:
        case "to_do":
            common["checked"] = bool(content.get("checked"))
        case "code":
            common["language"] = str(content.get("language") or "")
        case "callout":
            icon = content.get("icon") or {}
            common["icon"] = icon.get("emoji", "") if icon.get("type") == "emoji" else ""
        case "equation":
            common["text"] = (Span(str(content.get("expression", "")), code=True),)
        case "table":
            common["header_row"] = bool(content.get("has_column_header"))
        case "table_row":
            common["cells"] = tuple(spans(cell) for cell in content.get("cells", []))
        case "bookmark" | "embed":
            common["url"] = str(content.get("url") or "")
        case "image" | "video" | "file":
            common["media"] = _media(raw.get("id", ""), kind_name, content)
        case "child_page":
            common["text"] = (Span(str(content.get("title", ""))),)
        case "synced" if raw.get("unreadable"):
            common["note"] = "synced content from a page the integration cannot open"
    return Block(**common)


def body(raw_blocks: list[dict[str, Any]], problems: tuple[tuple[str, str], ...] = ()) -> Body:
    return Body(tuple(block(raw) for raw in raw_blocks), problems)
