"""Data source property schemas and page property values: request shapes in, stored values, JSON out.

One path for the HTTP API and the state API, so seeding is checked exactly like a request is.
"""

from __future__ import annotations

import random
import string
import urllib.parse
from typing import Any, Protocol

from sync.sandbox.notion import richtext
from sync.sandbox.notion import validate as v
from sync.sandbox.notion.errors import ValidationError
from sync.sandbox.notion.model import DataSource, Page, PropertySchema, parse_id

SELECT_COLORS = ("default", "gray", "brown", "orange", "yellow", "green", "blue", "purple", "pink", "red")
READ_ONLY = ("created_time", "created_by", "last_edited_time", "last_edited_by", "unique_id")
PLAIN = (
    "title", "rich_text", "url", "email", "phone_number", "date", "people", "checkbox", "files",
    *READ_ONLY,
)  # fmt: skip
SUPPORTED = (*PLAIN, "number", "select", "multi_select", "status", "relation")
MAX_EMAIL = 200
MAX_PHONE = 200
# Notion's default status options and the groups they fall in.
DEFAULT_STATUS = (
    ("Not started", "default", "To-do"),
    ("In progress", "blue", "In progress"),
    ("Done", "green", "Complete"),
)
STATUS_GROUPS = (("To-do", "gray"), ("In progress", "blue"), ("Complete", "green"))
_ID_CHARS = string.ascii_letters + string.digits + "!#$&()*+,-./:;<=>?@[]^_`{|}~"


class Context(Protocol):
    """What property handling needs from the state."""

    rng: random.Random

    def new_id(self) -> str: ...

    def require_user(self, user_id: str, path: str) -> Any: ...

    def mention_title(self, kind: str, object_id: str) -> str: ...

    def user_json(self, user_id: str) -> dict: ...

    def has_page(self, page_id: str) -> bool: ...

    def data_source_database(self, data_source_id: str) -> str | None: ...


# --- schema -------------------------------------------------------------------------------------------
def property_type(raw: dict, path: str) -> str:
    kind = raw.get("type") or next((k for k in raw if k not in ("name", "description", "type", "id")), None)
    if kind not in SUPPORTED:
        raise v.fail(f"{path}.type", "a property type the sandbox supports", kind)
    if kind not in raw:
        raise v.fail(f"{path}.{kind}", "defined")
    return kind


def short_id(ctx: Context, taken: set[str]) -> str:
    """Notion's property ids: four characters, URL-encoded (e.g. ``%3AUPp``)."""
    while True:
        raw = "".join(ctx.rng.choice(_ID_CHARS) for _ in range(4))
        candidate = urllib.parse.quote(raw, safe="")
        if candidate not in taken and candidate != "title":
            return candidate


def new_schema(name: str, raw: Any, path: str, ctx: Context, taken: set[str]) -> PropertySchema:
    body = v.obj(raw, path)
    kind = property_type(body, path)
    prop_id = "title" if kind == "title" else short_id(ctx, taken)
    description = body.get("description")
    if description is not None:
        v.string(description, f"{path}.description", 280)
    schema = PropertySchema(prop_id, name, kind, {}, description)
    schema.config = configure(schema, body.get(kind), f"{path}.{kind}", ctx)
    return schema


def configure(schema: PropertySchema, raw: Any, path: str, ctx: Context) -> dict:
    """The stored configuration of a property of `schema.type` (merging into what it had)."""
    body = v.obj(raw if raw is not None else {}, path)
    kind = schema.type
    if kind == "number":
        return {"format": v.string(body.get("format", schema.config.get("format", "number")), f"{path}.format")}
    if kind in ("select", "multi_select"):
        return {"options": _merge_options(schema.config.get("options", []), body.get("options"), path, ctx)}
    if kind == "status":
        return _status_config(schema.config, body.get("options"), path, ctx)
    if kind == "relation":
        return _relation_config(body, path, ctx)
    if kind == "unique_id":
        prefix = body.get("prefix", schema.config.get("prefix"))
        return {"prefix": v.string(prefix, f"{path}.prefix") if prefix is not None else None}
    return {}


def _merge_options(current: list[dict], raw: Any, path: str, ctx: Context) -> list[dict]:
    options = [dict(o) for o in current]
    for i, item in enumerate(v.array(raw, f"{path}.options") if raw is not None else []):
        given = v.obj(item, f"{path}.options[{i}]")
        found = _find_option(options, given.get("id"), given.get("name"))
        if found is None:
            name = option_name(given.get("name"), f"{path}.options[{i}].name")
            found = {"id": ctx.new_id(), "name": name, "color": "default", "description": None}
            options.append(found)
        elif "name" in given:
            found["name"] = option_name(given["name"], f"{path}.options[{i}].name")
        if "color" in given:
            found["color"] = v.one_of(given["color"], f"{path}.options[{i}].color", SELECT_COLORS)
        if "description" in given:
            found["description"] = given["description"]
    return options


def option_name(raw: Any, path: str) -> str:
    name = v.string(raw, path, 100)
    if "," in name:
        raise ValidationError(f"Invalid select option, commas not allowed: {name}")
    return name


def _find_option(options: list[dict], option_id: Any, name: Any) -> dict | None:
    if option_id is not None:
        return next((o for o in options if o["id"] == option_id), None)
    return next((o for o in options if o["name"] == name), None)


def _status_config(current: dict, raw: Any, path: str, ctx: Context) -> dict:
    if current:
        options = _merge_options(current["options"], raw, path, ctx)
        known = {i for g in current["groups"] for i in g["option_ids"]}
        groups = [dict(g, option_ids=list(g["option_ids"])) for g in current["groups"]]
        groups[0]["option_ids"] += [o["id"] for o in options if o["id"] not in known]
        return {"options": options, "groups": groups}
    if raw is None:
        made = [(ctx.new_id(), n, c, g) for n, c, g in DEFAULT_STATUS]
        options = [{"id": i, "name": n, "color": c, "description": None} for i, n, c, _ in made]
        placed = {g: [i for i, _, _, grp in made if grp == g] for g, _ in STATUS_GROUPS}
    else:
        options = _merge_options([], raw, path, ctx)
        placed = {"To-do": [o["id"] for o in options], "In progress": [], "Complete": []}
    groups = [{"id": ctx.new_id(), "name": g, "color": c, "option_ids": placed[g]} for g, c in STATUS_GROUPS]
    return {"options": options, "groups": groups}


def _relation_config(body: dict, path: str, ctx: Context) -> dict:
    target = parse_id(body.get("data_source_id"), f"{path}.data_source_id")
    database_id = ctx.data_source_database(target)
    if database_id is None:
        raise v.fail(f"{path}.data_source_id", "the id of an existing data source", target)
    return {
        "database_id": database_id,
        "data_source_id": target,
        "type": "single_property",
        "single_property": {},
    }


def schema_json(schema: PropertySchema) -> dict:
    return {
        "id": schema.id,
        "name": schema.name,
        "description": schema.description,
        "type": schema.type,
        schema.type: dict(schema.config),
    }


# --- values -------------------------------------------------------------------------------------------
def empty_value(schema: PropertySchema) -> Any:
    if schema.type in ("title", "rich_text", "multi_select", "people", "relation", "files"):
        return []
    return False if schema.type == "checkbox" else None


def write_value(schema: PropertySchema, raw: Any, path: str, ctx: Context) -> Any:
    """Check one page property value from a request and return what is stored."""
    kind = schema.type
    if kind in READ_ONLY:
        raise ValidationError(f"{schema.name} is a {kind} property, which cannot be set or updated.")
    body = v.obj(raw, path)
    if body.get("type", kind) != kind or kind not in body:
        raise ValidationError(f"{schema.name} is expected to be {kind}.")
    value, where = body[kind], f"{path}.{kind}"
    if kind in ("title", "rich_text"):
        return richtext.normalize(value, where, ctx)
    if kind == "date":
        return richtext.date_value(value, where) if value is not None else None
    if kind in ("select", "status"):
        return _select(schema, value, where, ctx) if value is not None else None
    if kind == "multi_select":
        items = v.array(value, where)
        return list(dict.fromkeys(_select(schema, o, f"{where}[{i}]", ctx) for i, o in enumerate(items)))
    return _simple(kind, value, where, ctx)


def _simple(kind: str, value: Any, where: str, ctx: Context) -> Any:
    if kind == "checkbox":
        return v.boolean(value, where)
    if value is None and kind in ("number", "url", "email", "phone_number"):
        return None
    if kind == "number":
        return v.number(value, where)
    if kind in ("url", "email", "phone_number"):
        return v.string(value, where, {"url": v.MAX_TEXT, "email": MAX_EMAIL}.get(kind, MAX_PHONE))
    if kind == "people":
        return [_person(p, f"{where}[{i}]", ctx) for i, p in enumerate(v.array(value, where))]
    if kind == "relation":
        return [_related(r, f"{where}[{i}]", ctx) for i, r in enumerate(v.array(value, where))]
    return [_file(f, f"{where}[{i}]") for i, f in enumerate(v.array(value, where))]


def _select(schema: PropertySchema, raw: Any, path: str, ctx: Context) -> str:
    given = v.obj(raw, path)
    options = schema.config["options"]
    found = _find_option(options, given.get("id"), given.get("name"))
    if found is not None:
        return found["id"]
    if schema.type == "status" or given.get("id") is not None:
        missing = given.get("name", given.get("id"))
        raise ValidationError(
            f'Invalid {schema.type} option. {schema.type.capitalize()} option "{missing}" does not exist.'
        )
    name = option_name(given.get("name"), f"{path}.name")
    color = given.get("color") or SELECT_COLORS[(len(options) + 1) % len(SELECT_COLORS)]
    option = {"id": ctx.new_id(), "name": name, "color": v.one_of(color, f"{path}.color", SELECT_COLORS)}
    options.append(option | {"description": None})
    return option["id"]


def _person(raw: Any, path: str, ctx: Context) -> str:
    user_id = parse_id(v.obj(raw, path).get("id"), f"{path}.id")
    ctx.require_user(user_id, f"{path}.id")
    return user_id


def _related(raw: Any, path: str, ctx: Context) -> str:
    page_id = parse_id(v.obj(raw, path).get("id"), f"{path}.id")
    if not ctx.has_page(page_id):
        raise v.fail(f"{path}.id", "the id of an existing page", page_id)
    return page_id


def _file(raw: Any, path: str) -> dict:
    body = v.obj(raw, path)
    name = v.string(body.get("name"), f"{path}.name", 100)
    external = v.obj(body.get("external"), f"{path}.external")
    url = v.string(external.get("url"), f"{path}.external.url", v.MAX_TEXT)
    return {"name": name, "type": "external", "external": {"url": url}}


def render_value(schema: PropertySchema, page: Page, source: DataSource | None, ctx: Context) -> dict:
    """One page property value as Notion answers it: ``{"id", "type", <type>: value}``."""
    kind, stored = schema.type, page.values.get(schema.id, empty_value(schema))
    if kind in ("title", "rich_text"):
        value: Any = richtext.render(stored, ctx)
    elif kind in ("select", "status", "multi_select"):
        options = {o["id"]: {k: o[k] for k in ("id", "name", "color")} for o in schema.config["options"]}
        value = [options[i] for i in stored if i in options] if kind == "multi_select" else options.get(stored)
    elif kind == "people":
        value = [ctx.user_json(u) for u in stored]
    elif kind == "relation":
        return {"id": schema.id, "type": kind, kind: [{"id": p} for p in stored], "has_more": False}
    elif kind in READ_ONLY:
        value = _computed(schema, page, ctx)
    else:
        value = stored
    return {"id": schema.id, "type": kind, kind: value}


def _computed(schema: PropertySchema, page: Page, ctx: Context) -> Any:
    kind = schema.type
    if kind == "unique_id":
        return {"prefix": schema.config.get("prefix"), "number": page.values.get(schema.id)}
    if kind in ("created_time", "last_edited_time"):
        return getattr(page, kind)
    return ctx.user_json(getattr(page, kind))


def comparable(schema: PropertySchema, page: Page) -> Any:
    """The value filters and sorts look at (plain text, option ids, user ids, timestamps...)."""
    kind = schema.type
    if kind in ("created_time", "last_edited_time", "created_by", "last_edited_by"):
        return getattr(page, kind)
    stored = page.values.get(schema.id, empty_value(schema))
    if kind in ("title", "rich_text"):
        return richtext.plain_text(stored)
    return stored
