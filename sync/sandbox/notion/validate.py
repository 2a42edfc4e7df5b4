"""Request checks that fail the way Notion's schema validation does.

Messages read like Notion's: ``body failed validation: body.children.length should be ≤ `100`, instead
was `101`.`` — the first segment of the path names the part of the request (body, query, path).
"""

from __future__ import annotations

import json
from typing import Any

from sync.sandbox.notion.errors import ValidationError

MAX_ARRAY = 100
MAX_TEXT = 2000


def shown(value: Any) -> str:
    if value is None:
        return "undefined"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."


def fail(path: str, expectation: str, value: Any = None, *, raw: str | None = None) -> ValidationError:
    part = path.split(".", 1)[0].split("[", 1)[0]
    got = raw if raw is not None else shown(value)
    return ValidationError(f"{part} failed validation: {path} should be {expectation}, instead was `{got}`.")


def obj(value: Any, path: str) -> dict:
    if not isinstance(value, dict):
        raise fail(path, "an object", value)
    return value


def array(value: Any, path: str, limit: int = MAX_ARRAY) -> list:
    if not isinstance(value, list):
        raise fail(path, "an array", value)
    if len(value) > limit:
        raise fail(f"{path}.length", f"≤ `{limit}`", raw=str(len(value)))
    return value


def string(value: Any, path: str, limit: int | None = None) -> str:
    if not isinstance(value, str):
        raise fail(path, "a string", value)
    if limit is not None and len(value) > limit:
        raise fail(f"{path}.length", f"≤ `{limit}`", raw=str(len(value)))
    return value


def boolean(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise fail(path, "a boolean", value)
    return value


def number(value: Any, path: str) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fail(path, "a number", value)
    return value


def one_of(value: Any, path: str, choices: tuple[str, ...] | list[str]) -> str:
    if value not in choices:
        listed = ", ".join(f"`{c}`" for c in choices)
        raise fail(path, f"one of {listed}" if len(choices) < 12 else "a supported value", value)
    return value


def absent(body: dict, key: str, path: str) -> None:
    if key in body:
        raise fail(f"{path}.{key}", "not present", body[key])


def only_keys(body: dict, allowed: set[str], path: str = "body") -> None:
    for key in body:
        if key not in allowed:
            raise fail(f"{path}.{key}", "not present", body[key])


def page_size(raw: Any, path: str) -> int:
    """page_size: 1 to 100, default 100; query-string values arrive as text."""
    if raw is None:
        return MAX_ARRAY
    if isinstance(raw, str):
        if not raw.strip().lstrip("-").isdigit():
            raise fail(path, "a number", raw)
        raw = int(raw)
    size = number(raw, path)
    if size != int(size):
        raise fail(path, "an integer", raw)
    if size > MAX_ARRAY:
        raise fail(path, f"≤ `{MAX_ARRAY}`", raw=str(raw))
    if size < 1:
        raise fail(path, "≥ `1`", raw=str(raw))
    return int(size)
