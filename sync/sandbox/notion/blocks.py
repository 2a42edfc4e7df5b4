"""Blocks: request block objects checked against Notion's rules, and stored content in response shape.

A request is checked as a whole before anything is stored, so a rejected append changes nothing. Notion
takes up to 100 children per array and two levels of nesting below the top-level blocks of one request.
"""

from __future__ import annotations

import posixpath
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from sync.sandbox.notion import richtext
from sync.sandbox.notion import validate as v
from sync.sandbox.notion.model import parse_id

TEXT_BLOCKS = ("paragraph", "bulleted_list_item", "numbered_list_item", "quote", "toggle", "to_do", "callout")
HEADINGS = ("heading_1", "heading_2", "heading_3")
MEDIA = ("image", "video", "file", "pdf", "audio")
URL_BLOCKS = ("bookmark", "embed")
LAYOUT = ("column_list", "column", "synced_block")
CREATABLE = (
    *TEXT_BLOCKS, *HEADINGS, *MEDIA, *URL_BLOCKS, *LAYOUT, "code", "divider", "table", "table_row", "equation"
)  # fmt: skip
NESTING = (*TEXT_BLOCKS, *HEADINGS, "table", *LAYOUT)
MAX_BLOCKS = 1000  # block elements in one request payload
MAX_LEVELS = 2  # nested levels below the top-level blocks of one request
LANGUAGES = (
    "abap", "abc", "agda", "arduino", "ascii art", "assembly", "bash", "basic", "bnf", "c", "c#", "c++",
    "clojure", "coffeescript", "coq", "css", "dart", "dhall", "diff", "docker", "ebnf", "elixir", "elm",
    "erlang", "f#", "flow", "fortran", "gherkin", "glsl", "go", "graphql", "groovy", "haskell", "hcl",
    "html", "idris", "java", "javascript", "json", "julia", "kotlin", "latex", "less", "lisp",
    "livescript", "llvm ir", "lua", "makefile", "markdown", "markup", "matlab", "mathematica", "mermaid",
    "nix", "notion formula", "objective-c", "ocaml", "pascal", "perl", "php", "plain text", "powershell",
    "prolog", "protobuf", "purescript", "python", "r", "racket", "reason", "ruby", "rust", "sass",
    "scala", "scheme", "scss", "shell", "smalltalk", "solidity", "sql", "swift", "toml", "typescript",
    "vb.net", "verilog", "vhdl", "visual basic", "webassembly", "xml", "yaml", "java/c/c++/c#",
)  # fmt: skip
DEFAULT_CALLOUT_ICON = {"type": "emoji", "emoji": "💡"}
# Block types renamed between versions: stored (latest) name -> name under 2025-09-03.
OLD_NAMES = {"meeting_notes": "transcription"}
KNOWN_READ_ONLY = ("child_page", "child_database", *OLD_NAMES)


@dataclass
class Draft:
    """A checked block not yet stored: its type, response-shaped content and nested drafts."""

    type: str
    content: dict
    children: list[Draft] = field(default_factory=list)

    def count(self) -> int:
        return 1 + sum(child.count() for child in self.children)


def drafts(raw: Any, path: str, resolver: richtext.Resolver, strict: bool = True) -> list[Draft]:
    """Check a request's ``children`` array; `strict` False lets seeding store types the API cannot."""
    items = [draft(b, f"{path}[{i}]", 0, resolver, strict) for i, b in enumerate(v.array(raw, path))]
    total = sum(d.count() for d in items)
    if total > MAX_BLOCKS:
        raise v.fail(f"{path}", f"at most `{MAX_BLOCKS}` block elements", raw=str(total))
    return items


def draft(raw: Any, path: str, level: int, resolver: richtext.Resolver, strict: bool) -> Draft:
    body = v.obj(raw, path)
    kind = body.get("type") or next((k for k in body if k not in ("object", "type", "children")), None)
    if kind not in CREATABLE:
        if strict or not isinstance(kind, str):
            raise v.fail(f"{path}.type", "a block type that can be created", kind)
        stored = {new: old for old, new in OLD_NAMES.items()}.get(kind, kind)
        return Draft(stored, dict(v.obj(body.get(kind, {}), f"{path}.{kind}")))
    where = f"{path}.{kind}"
    spec = v.obj(body.get(kind), where)
    content = _content(kind, spec, where, resolver)
    nested = spec.get("children")
    if nested is None:
        if kind == "table":
            raise v.fail(f"{where}.children", "defined")
        return Draft(kind, content)
    if kind not in NESTING:
        raise v.fail(f"{where}.children", "not present", nested)
    if level >= MAX_LEVELS:
        raise v.fail(f"{where}.children", "not present", nested)
    children = [
        draft(c, f"{where}.children[{i}]", level + 1, resolver, strict)
        for i, c in enumerate(v.array(nested, f"{where}.children"))
    ]
    if kind == "table":
        _check_rows(children, content["table_width"], f"{where}.children")
    if kind == "column_list" and (len(children) < 2 or any(c.type != "column" for c in children)):
        raise v.fail(f"{where}.children", "at least two `column` blocks")
    return Draft(kind, content, children)


def _content(kind: str, spec: dict, where: str, resolver: richtext.Resolver) -> dict:
    if kind in TEXT_BLOCKS or kind in HEADINGS or kind == "code":
        return _text_content(kind, spec, where, resolver)
    if kind in MEDIA:
        return _media(kind, spec, where, resolver)
    if kind in URL_BLOCKS:
        url = v.string(spec.get("url"), f"{where}.url", v.MAX_TEXT)
        return {"caption": richtext.normalize(spec.get("caption", []), f"{where}.caption", resolver), "url": url}
    if kind == "table":
        width = v.number(spec.get("table_width"), f"{where}.table_width")
        return {
            "table_width": int(width),
            "has_column_header": v.boolean(spec.get("has_column_header", False), f"{where}.has_column_header"),
            "has_row_header": v.boolean(spec.get("has_row_header", False), f"{where}.has_row_header"),
        }
    if kind == "table_row":
        cells = v.array(spec.get("cells"), f"{where}.cells")
        return {"cells": [richtext.normalize(c, f"{where}.cells[{i}]", resolver) for i, c in enumerate(cells)]}
    if kind == "equation":
        return {"expression": v.string(spec.get("expression"), f"{where}.expression", richtext.MAX_EQUATION)}
    if kind == "synced_block":
        source = spec.get("synced_from")
        if source is None:
            return {"synced_from": None}
        block_id = parse_id(v.obj(source, f"{where}.synced_from").get("block_id"), f"{where}.synced_from.block_id")
        return {"synced_from": {"type": "block_id", "block_id": block_id}}
    return {}  # divider, column_list, column


def _text_content(kind: str, spec: dict, where: str, resolver: richtext.Resolver) -> dict:
    rich = richtext.normalize(spec.get("rich_text"), f"{where}.rich_text", resolver)
    if kind == "code":
        language = v.one_of(spec.get("language"), f"{where}.language", LANGUAGES)
        caption = richtext.normalize(spec.get("caption", []), f"{where}.caption", resolver)
        return {"caption": caption, "rich_text": rich, "language": language}
    color = v.one_of(spec.get("color", "default"), f"{where}.color", richtext.COLORS)
    content: dict = {"rich_text": rich}
    if kind in HEADINGS:
        content["is_toggleable"] = v.boolean(spec.get("is_toggleable", False), f"{where}.is_toggleable")
    if kind == "to_do":
        content["checked"] = v.boolean(spec.get("checked", False), f"{where}.checked")
    if kind == "callout":
        content["icon"] = icon(spec.get("icon"), f"{where}.icon")
    content["color"] = color
    return content


def icon(raw: Any, path: str) -> dict:
    if raw is None:
        return dict(DEFAULT_CALLOUT_ICON)
    icon = v.obj(raw, path)
    if "emoji" in icon:
        return {"type": "emoji", "emoji": v.string(icon["emoji"], f"{path}.emoji")}
    url = v.string(v.obj(icon.get("external"), f"{path}.external").get("url"), f"{path}.external.url")
    return {"type": "external", "external": {"url": url}}


def _media(kind: str, spec: dict, where: str, resolver: richtext.Resolver) -> dict:
    caption = richtext.normalize(spec.get("caption", []), f"{where}.caption", resolver)
    if "file_upload" in spec:  # a file uploaded to Notion: stored by id, answered as an expiring link
        file_id = parse_id(v.obj(spec["file_upload"], f"{where}.file_upload").get("id"), f"{where}.file_upload.id")
        if not resolver.has_file(file_id):
            raise v.fail(f"{where}.file_upload.id", "the id of an uploaded file", file_id)
        content: dict = {"caption": caption, "type": "file", "file": {"file_id": file_id}}
        if kind == "file":
            content["name"] = v.string(spec.get("name", resolver.file_name(file_id)), f"{where}.name")
        return content
    if "external" not in spec:
        raise v.fail(f"{where}.external", "defined (or `file_upload`)")
    url = v.string(v.obj(spec["external"], f"{where}.external").get("url"), f"{where}.external.url", v.MAX_TEXT)
    content = {"caption": caption, "type": "external", "external": {"url": url}}
    if kind == "file":
        default = posixpath.basename(urllib.parse.urlparse(url).path) or url
        content["name"] = v.string(spec.get("name", default), f"{where}.name")
    return content


def _check_rows(rows: list[Draft], width: int, path: str) -> None:
    for i, row in enumerate(rows):
        if row.type != "table_row":
            raise v.fail(f"{path}[{i}].type", "`table_row`", row.type)
        if len(row.content["cells"]) != width:
            raise v.fail(
                f"{path}[{i}].table_row.cells.length",
                f"`{width}` (the table width)",
                raw=str(len(row.content["cells"])),
            )


def render_content(kind: str, content: dict, resolver: richtext.Resolver) -> dict:
    """Stored content as answered: rich text arrays get their user mentions expanded."""
    out: dict = {}
    for key, value in content.items():
        if key in ("rich_text", "caption"):
            out[key] = richtext.render(value, resolver)
        elif key == "cells":
            out[key] = [richtext.render(cell, resolver) for cell in value]
        else:
            out[key] = value
    return out


def api_type(kind: str, old: bool) -> str:
    """The name a stored block type has in answers (`old` is True under 2025-09-03)."""
    if kind in OLD_NAMES:
        return OLD_NAMES[kind] if old else kind
    return kind if kind in CREATABLE or kind in KNOWN_READ_ONLY else "unsupported"
