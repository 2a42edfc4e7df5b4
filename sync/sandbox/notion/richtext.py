"""Rich text: request items checked against Notion's limits and stored in Notion's response shape.

A stored item is what Notion answers: ``type``, the type's object, all six ``annotations``,
``plain_text`` and ``href``. User mentions keep the user id and are expanded when rendered.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Protocol

from sync.sandbox.notion import validate as v
from sync.sandbox.notion.model import parse_id

COLORS = (
    "default", "gray", "brown", "orange", "yellow", "green", "blue", "purple", "pink", "red",
    "default_background", "gray_background", "brown_background", "orange_background",
    "yellow_background", "green_background", "blue_background", "purple_background",
    "pink_background", "red_background",
)  # fmt: skip
ANNOTATIONS = ("bold", "italic", "strikethrough", "underline", "code")
MAX_EQUATION = 1000


class Resolver(Protocol):
    """What rich text and blocks need from the state: users and titles for mentions, uploaded files."""

    def require_user(self, user_id: str, path: str) -> Any: ...

    def mention_title(self, kind: str, object_id: str) -> str: ...

    def user_json(self, user_id: str) -> dict: ...

    def has_file(self, file_id: str) -> bool: ...

    def file_name(self, file_id: str) -> str: ...


def annotations(raw: Any, path: str) -> dict:
    given = v.obj(raw if raw is not None else {}, path)
    out = {name: v.boolean(given.get(name, False), f"{path}.{name}") for name in ANNOTATIONS}
    out["color"] = v.one_of(given.get("color", "default"), f"{path}.color", COLORS)
    return out


def normalize(items: Any, path: str, resolver: Resolver) -> list[dict]:
    """Check a request rich-text array and return its stored form."""
    return [_item(item, f"{path}[{i}]", resolver) for i, item in enumerate(v.array(items, path))]


def _item(raw: Any, path: str, resolver: Resolver) -> dict:
    item = v.obj(raw, path)
    kind = item.get("type") or next((k for k in ("text", "mention", "equation") if k in item), None)
    kind = v.one_of(kind, f"{path}.type", ("text", "mention", "equation"))
    marks = annotations(item.get("annotations"), f"{path}.annotations")
    if kind == "text":
        text, href = _text(item.get("text"), f"{path}.text")
        return _stored("text", text, marks, text["content"], href)
    if kind == "equation":
        equation = v.obj(item.get("equation"), f"{path}.equation")
        expression = v.string(equation.get("expression"), f"{path}.equation.expression", MAX_EQUATION)
        return _stored("equation", {"expression": expression}, marks, expression, None)
    mention, plain, href = _mention(item.get("mention"), f"{path}.mention", resolver)
    return _stored("mention", mention, marks, plain, href)


def _stored(kind: str, body: dict, marks: dict, plain: str, href: str | None) -> dict:
    return {"type": kind, kind: body, "annotations": marks, "plain_text": plain, "href": href}


def _text(raw: Any, path: str) -> tuple[dict, str | None]:
    text = v.obj(raw, path)
    content = v.string(text.get("content"), f"{path}.content", v.MAX_TEXT)
    link = text.get("link")
    if link is None:
        return {"content": content, "link": None}, None
    url = v.string(v.obj(link, f"{path}.link").get("url"), f"{path}.link.url", v.MAX_TEXT)
    return {"content": content, "link": {"url": url}}, url


def _mention(raw: Any, path: str, resolver: Resolver) -> tuple[dict, str, str | None]:
    mention = v.obj(raw, path)
    kinds = ("user", "page", "database", "date")
    kind = mention.get("type") or next((k for k in kinds if k in mention), None)
    kind = v.one_of(kind, f"{path}.type", kinds)
    body = v.obj(mention.get(kind), f"{path}.{kind}")
    if kind == "date":
        when = date_value(body, f"{path}.date")
        plain = when["start"] + (f" → {when['end']}" if when["end"] else "")
        return {"type": "date", "date": when}, plain, None
    object_id = parse_id(body.get("id"), f"{path}.{kind}.id")
    if kind == "user":
        user = resolver.require_user(object_id, f"{path}.user.id")
        return {"type": "user", "user": {"id": object_id}}, f"@{user.name}", None
    title = resolver.mention_title(kind, object_id)
    href = f"https://www.notion.so/{object_id.replace('-', '')}"
    return {"type": kind, kind: {"id": object_id}}, title, href


def date_value(raw: Any, path: str) -> dict:
    """A date object ``{start, end, time_zone}``, with datetimes written as Notion answers them."""
    body = v.obj(raw, path)
    zone = body.get("time_zone")
    if zone is not None:
        v.string(zone, f"{path}.time_zone")
    start = iso_date(body.get("start"), f"{path}.start", keep_offset=zone is None)
    end = body.get("end")
    end = iso_date(end, f"{path}.end", keep_offset=zone is None) if end is not None else None
    return {"start": start, "end": end, "time_zone": zone}


def iso_date(raw: Any, path: str, keep_offset: bool = True) -> str:
    """``2024-05-01`` stays a date; a datetime becomes ``2024-05-01T09:30:00.000+00:00``."""
    text = v.string(raw, path)
    try:
        if len(text) == 10:
            return date.fromisoformat(text).isoformat()
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise v.fail(path, "a valid ISO 8601 date string", text) from None
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"
    if not keep_offset or moment.tzinfo is None:
        return stamp
    offset = moment.strftime("%z") or "+0000"
    return f"{stamp}{offset[:3]}:{offset[3:]}"


def render(items: list[dict], resolver: Resolver) -> list[dict]:
    """Stored rich text as Notion answers it: user mentions carry the full user object."""
    return [_render_item(item, resolver) for item in items]


def _render_item(item: dict, resolver: Resolver) -> dict:
    mention = item.get("mention")
    if not mention or mention.get("type") != "user":
        return item
    user = resolver.user_json(mention["user"]["id"])
    return {**item, "mention": {"type": "user", "user": user}}


def plain_text(items: list[dict]) -> str:
    return "".join(item.get("plain_text", "") for item in items)


def text(content: str, link: str | None = None) -> dict:
    """A stored plain text item (for titles built by the state API)."""
    body = {"content": content, "link": {"url": link} if link else None}
    marks = {name: False for name in ANNOTATIONS} | {"color": "default"}
    return _stored("text", body, marks, content, link)
