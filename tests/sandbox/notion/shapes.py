"""Strict response shapes, transcribed from Notion's TypeScript types (makenotion/notion-sdk-js,
``src/api-endpoints/{common,pages,blocks,databases,data-sources,comments,users}.ts``).

The OpenAPI description answers most responses with a bare ``{"type": "object"}``; these schemas pin the
keys and value types the SDK declares, under 2025-09-03 (with the deprecated ``archived``) or 2026-03-11.
"""

from __future__ import annotations

from typing import Any

import jsonschema

ID = {"type": "string", "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"}
TIME = {"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z$"}
NULL_STR = {"type": ["string", "null"]}
COLOR = {"type": "string"}
OPTION_COLOR = {"enum": ["default", "gray", "brown", "orange", "yellow", "green", "blue", "purple", "pink", "red"]}


def closed(required: dict[str, Any], optional: dict[str, Any] | None = None) -> dict:
    props = dict(required) | dict(optional or {})
    return {"type": "object", "required": list(required), "properties": props, "additionalProperties": False}


PARTIAL_USER = closed({"object": {"const": "user"}, "id": ID})
PERSON = closed(
    {
        "object": {"const": "user"},
        "id": ID,
        "name": NULL_STR,
        "avatar_url": NULL_STR,
        "type": {"const": "person"},
        "person": closed({}, {"email": {"type": "string"}}),
    }
)
BOT = closed(
    {
        "object": {"const": "user"},
        "id": ID,
        "name": NULL_STR,
        "avatar_url": NULL_STR,
        "type": {"const": "bot"},
        "bot": {"type": "object"},
    }
)
SELF_BOT = closed(
    BOT["properties"]
    | {
        "bot": closed(
            {
                "owner": closed({"type": {"const": "workspace"}, "workspace": {"const": True}}),
                "workspace_name": NULL_STR,
                "workspace_id": {"type": "string"},
                "workspace_limits": closed({"max_file_upload_size_in_bytes": {"type": "integer"}}),
            }
        )
    }
)
USER = {"oneOf": [PERSON, BOT]}
ANNOTATIONS = closed(
    {k: {"type": "boolean"} for k in ("bold", "italic", "strikethrough", "underline", "code")} | {"color": COLOR}
)
DATE = closed({"start": {"type": "string"}, "end": NULL_STR, "time_zone": NULL_STR})
_COMMON_RT = {"annotations": ANNOTATIONS, "plain_text": {"type": "string"}, "href": NULL_STR}
TEXT_ITEM = closed(
    {
        "type": {"const": "text"},
        "text": closed(
            {"content": {"type": "string"}, "link": {"oneOf": [{"type": "null"}, closed({"url": {"type": "string"}})]}}
        ),
    }
    | _COMMON_RT
)
MENTION = {
    "oneOf": [
        closed({"type": {"const": "user"}, "user": {"oneOf": [PARTIAL_USER, PERSON, BOT]}}),
        closed({"type": {"const": "date"}, "date": DATE}),
        closed({"type": {"const": "page"}, "page": closed({"id": ID})}),
        closed({"type": {"const": "database"}, "database": closed({"id": ID})}),
    ]
}
MENTION_ITEM = closed({"type": {"const": "mention"}, "mention": MENTION} | _COMMON_RT)
EQUATION_ITEM = closed(
    {"type": {"const": "equation"}, "equation": closed({"expression": {"type": "string"}})} | _COMMON_RT
)
RICH_TEXT = {"type": "array", "items": {"oneOf": [TEXT_ITEM, MENTION_ITEM, EQUATION_ITEM]}}
SELECT_VALUE = closed({"id": {"type": "string"}, "name": {"type": "string"}, "color": OPTION_COLOR})


def _value(kind: str, schema: Any, extra: dict | None = None) -> dict:
    return closed({"id": {"type": "string"}, "type": {"const": kind}, kind: schema} | (extra or {}))


PROPERTY_VALUE = {
    "oneOf": [
        _value("title", RICH_TEXT),
        _value("rich_text", RICH_TEXT),
        _value("number", {"type": ["number", "null"]}),
        _value("select", {"oneOf": [{"type": "null"}, SELECT_VALUE]}),
        _value("status", {"oneOf": [{"type": "null"}, SELECT_VALUE]}),
        _value("multi_select", {"type": "array", "items": SELECT_VALUE}),
        _value("date", {"oneOf": [{"type": "null"}, DATE]}),
        _value("people", {"type": "array", "items": USER}),
        _value("checkbox", {"type": "boolean"}),
        _value("url", NULL_STR),
        _value("email", NULL_STR),
        _value("phone_number", NULL_STR),
        _value("files", {"type": "array"}),
        _value("relation", {"type": "array", "items": closed({"id": ID})}, {"has_more": {"type": "boolean"}}),
        _value("unique_id", closed({"prefix": NULL_STR, "number": {"type": ["integer", "null"]}})),
        _value("created_time", {"type": "string"}),
        _value("last_edited_time", {"type": "string"}),
        _value("created_by", {"oneOf": [PARTIAL_USER, PERSON, BOT]}),
        _value("last_edited_by", {"oneOf": [PARTIAL_USER, PERSON, BOT]}),
    ]
}
PAGE_PARENT = {
    "oneOf": [
        closed({"type": {"const": "data_source_id"}, "data_source_id": ID, "database_id": ID}),
        closed({"type": {"const": "database_id"}, "database_id": ID}),
        closed({"type": {"const": "page_id"}, "page_id": ID}),
        closed({"type": {"const": "block_id"}, "block_id": ID}),
        closed({"type": {"const": "workspace"}, "workspace": {"const": True}}),
    ]
}


def _trash(version: str) -> dict:
    base = {"in_trash": {"type": "boolean"}}
    return base | ({"archived": {"type": "boolean"}} if version == "2025-09-03" else {})


def _page_trash(version: str) -> dict:
    return _trash(version) | ({} if version == "2025-09-03" else {"is_archived": {"type": "boolean"}})


def page(version: str) -> dict:
    return closed(
        {
            "object": {"const": "page"},
            "id": ID,
            "created_time": TIME,
            "last_edited_time": TIME,
            "created_by": PARTIAL_USER,
            "last_edited_by": PARTIAL_USER,
            "cover": {"type": ["object", "null"]},
            "icon": {"type": ["object", "null"]},
            "parent": PAGE_PARENT,
            "is_locked": {"type": "boolean"},
            "properties": {"type": "object", "additionalProperties": PROPERTY_VALUE},
            "url": {"type": "string", "pattern": "^https://www.notion.so/"},
            "public_url": NULL_STR,
        }
        | _page_trash(version)
    )


def block(version: str) -> dict:
    frame = {
        "object": {"const": "block"},
        "id": ID,
        "parent": PAGE_PARENT,
        "created_time": TIME,
        "last_edited_time": TIME,
        "created_by": PARTIAL_USER,
        "last_edited_by": PARTIAL_USER,
        "has_children": {"type": "boolean"},
        "type": {"type": "string"},
    } | _trash(version)
    return {
        **closed(frame),
        "additionalProperties": True,
        "minProperties": len(frame) + 1,
        "maxProperties": len(frame) + 1,
    }


TEXT_CONTENT = closed({"rich_text": RICH_TEXT, "color": COLOR})
BLOCK_CONTENT = {
    "paragraph": TEXT_CONTENT,
    "bulleted_list_item": TEXT_CONTENT,
    "numbered_list_item": TEXT_CONTENT,
    "quote": TEXT_CONTENT,
    "toggle": TEXT_CONTENT,
    "heading_1": closed({"rich_text": RICH_TEXT, "color": COLOR, "is_toggleable": {"type": "boolean"}}),
    "to_do": closed({"rich_text": RICH_TEXT, "color": COLOR, "checked": {"type": "boolean"}}),
    "callout": closed({"rich_text": RICH_TEXT, "color": COLOR, "icon": {"type": ["object", "null"]}}),
    "code": closed({"rich_text": RICH_TEXT, "caption": RICH_TEXT, "language": {"type": "string"}}),
    "divider": closed({}),
    "table": closed(
        {
            "table_width": {"type": "integer"},
            "has_column_header": {"type": "boolean"},
            "has_row_header": {"type": "boolean"},
        }
    ),
    "table_row": closed({"cells": {"type": "array", "items": RICH_TEXT}}),
    "image": closed(
        {"type": {"const": "external"}, "external": closed({"url": {"type": "string"}}), "caption": RICH_TEXT}
    ),
    "file": closed(
        {
            "type": {"const": "external"},
            "external": closed({"url": {"type": "string"}}),
            "caption": RICH_TEXT,
            "name": {"type": "string"},
        }
    ),
    "bookmark": closed({"url": {"type": "string"}, "caption": RICH_TEXT}),
    "child_page": closed({"title": {"type": "string"}}),
    "child_database": closed({"title": {"type": "string"}}),
    "unsupported": closed({"block_type": {"type": "string"}}),
}
BLOCK_CONTENT |= {"heading_2": BLOCK_CONTENT["heading_1"], "heading_3": BLOCK_CONTENT["heading_1"]}
BLOCK_CONTENT |= {"video": BLOCK_CONTENT["image"], "embed": BLOCK_CONTENT["bookmark"]}


def database(version: str) -> dict:
    return closed(
        {
            "object": {"const": "database"},
            "id": ID,
            "title": RICH_TEXT,
            "description": RICH_TEXT,
            "parent": PAGE_PARENT,
            "is_inline": {"type": "boolean"},
            "is_locked": {"type": "boolean"},
            "created_time": TIME,
            "last_edited_time": TIME,
            "data_sources": {"type": "array", "items": closed({"id": ID, "name": {"type": "string"}})},
            "icon": {"type": ["object", "null"]},
            "cover": {"type": ["object", "null"]},
            "url": {"type": "string"},
            "public_url": NULL_STR,
        }
        | _trash(version)
    )


SCHEMA_ENTRY = {
    "type": "object",
    "required": ["id", "name", "description", "type"],
    "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "description": NULL_STR},
    "minProperties": 5,
    "maxProperties": 5,
}


def data_source(version: str) -> dict:
    return closed(
        {
            "object": {"const": "data_source"},
            "id": ID,
            "title": RICH_TEXT,
            "description": RICH_TEXT,
            "parent": closed({"type": {"const": "database_id"}, "database_id": ID}),
            "database_parent": PAGE_PARENT,
            "is_inline": {"type": "boolean"},
            "created_time": TIME,
            "last_edited_time": TIME,
            "created_by": PARTIAL_USER,
            "last_edited_by": PARTIAL_USER,
            "properties": {"type": "object", "additionalProperties": SCHEMA_ENTRY},
            "icon": {"type": ["object", "null"]},
            "cover": {"type": ["object", "null"]},
            "url": {"type": "string"},
            "public_url": NULL_STR,
        }
        | _trash(version)
    )


COMMENT = closed(
    {
        "object": {"const": "comment"},
        "id": ID,
        "parent": {
            "oneOf": [
                closed({"type": {"const": "page_id"}, "page_id": ID}),
                closed({"type": {"const": "block_id"}, "block_id": ID}),
            ]
        },
        "discussion_id": ID,
        "created_time": TIME,
        "last_edited_time": TIME,
        "created_by": PARTIAL_USER,
        "rich_text": RICH_TEXT,
        "display_name": closed({"type": {"enum": ["custom", "user", "integration"]}, "resolved_name": NULL_STR}),
    }
)
REQUEST_ID = {"type": "string", "pattern": ID["pattern"]}
ERROR = closed(
    {
        "object": {"const": "error"},
        "status": {"type": "integer"},
        "code": {"type": "string"},
        "message": {"type": "string"},
        "request_id": REQUEST_ID,
    },
    {"additional_data": closed({"rate_limit_reason": {"type": "string"}})},
)


def listing(kind: str, item: dict) -> dict:
    return closed(
        {
            "object": {"const": "list"},
            "results": {"type": "array", "items": item},
            "next_cursor": NULL_STR,
            "has_more": {"type": "boolean"},
            "type": {"const": kind},
            kind: closed({}),
        }
    )


def content(body: dict) -> dict:
    """A response without its `request_id` (unique per response), to compare two answers about one object."""
    return {k: val for k, val in body.items() if k != "request_id"}


def check(schema: dict, body: Any) -> None:
    """Fail with the first violation, naming where it is. A whole response's `request_id` (Notion puts one in
    every body; `test_fidelity` checks it everywhere) is set aside so nested objects share the shapes."""
    if isinstance(body, dict) and "request_id" in body and "request_id" not in schema.get("properties", {}):
        check(REQUEST_ID, body["request_id"])
        body = {k: val for k, val in body.items() if k != "request_id"}
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(body), key=lambda e: list(e.path))
    if errors:
        where = "/".join(str(p) for p in errors[0].absolute_path) or "<root>"
        raise AssertionError(f"at {where}: {errors[0].message}")


def check_block(body: dict, version: str) -> None:
    check(block(version), body)
    kind = body["type"]
    if kind in BLOCK_CONTENT:
        check(BLOCK_CONTENT[kind], body[kind])
