"""Data source query filters and sorts, compiled once (so a bad filter fails even on an empty source).

Follows https://developers.notion.com/reference/filter-data-source-entries: property filters by type,
timestamp filters, and ``and``/``or`` compounds nested up to two levels.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sync.sandbox.notion import validate as v
from sync.sandbox.notion.errors import ValidationError
from sync.sandbox.notion.model import DataSource, Page, try_id
from sync.sandbox.notion.properties import comparable

Predicate = Callable[[Page], bool]
MAX_NESTING = 2
TEXT = ("title", "rich_text", "url", "email", "phone_number")
NUMBER = ("number", "unique_id")
OPTION = ("select", "status")
LISTS = ("multi_select", "people", "relation", "created_by", "last_edited_by")
DATES = ("date", "created_time", "last_edited_time")
TEXT_OPS = ("equals", "does_not_equal", "contains", "does_not_contain", "starts_with", "ends_with")
NUMBER_OPS = (
    "equals",
    "does_not_equal",
    "greater_than",
    "less_than",
    "greater_than_or_equal_to",
    "less_than_or_equal_to",
)
DATE_OPS = ("equals", "before", "after", "on_or_before", "on_or_after")
RELATIVE = ("past_week", "past_month", "past_year", "this_week", "next_week", "next_month", "next_year")
EXISTENCE = ("is_empty", "is_not_empty")


def compile_filter(raw: Any, source: DataSource, now: datetime, path: str = "body.filter") -> Predicate:
    return _compile(v.obj(raw, path), source, now, path, 0)


def _compile(node: dict, source: DataSource, now: datetime, path: str, depth: int) -> Predicate:
    for joiner, combine in (("and", all), ("or", any)):
        if joiner in node:
            if depth > MAX_NESTING:
                raise v.fail(path, f"nested at most {MAX_NESTING} levels deep", raw="deeper")
            parts = v.array(node[joiner], f"{path}.{joiner}")
            compiled = [
                _compile(v.obj(p, f"{path}.{joiner}[{i}]"), source, now, f"{path}.{joiner}[{i}]", depth + 1)
                for i, p in enumerate(parts)
            ]
            return lambda page, c=compiled, f=combine: f(test(page) for test in c)
    if "timestamp" in node:
        return _timestamp(node, now, path)
    if "property" in node:
        return _property(node, source, now, path)
    raise v.fail(path, "a property filter, a timestamp filter or a compound filter", node)


def _timestamp(node: dict, now: datetime, path: str) -> Predicate:
    kind = v.one_of(node["timestamp"], f"{path}.timestamp", ("created_time", "last_edited_time"))
    condition = _date_condition(v.obj(node.get(kind), f"{path}.{kind}"), now, f"{path}.{kind}")
    return lambda page: condition(getattr(page, kind))


def _property(node: dict, source: DataSource, now: datetime, path: str) -> Predicate:
    key = v.string(node["property"], f"{path}.property")
    schema = source.find(key)
    if schema is None:
        raise ValidationError(f"Could not find property with name or id: {key}")
    kind = schema.type
    aliases = ("title", "rich_text") if kind in ("title", "rich_text") else (kind,)
    given = next((a for a in aliases if a in node), None)
    if given is None:
        shape = next((k for k in node if k not in ("property", "type")), "nothing")
        raise ValidationError(
            f"body failed validation: {path} is a {shape} filter, but property {schema.name} is a {kind} property."
        )
    spec = v.obj(node[given], f"{path}.{given}")
    condition = _condition(kind, spec, now, f"{path}.{given}", option_names(source))
    return lambda page: condition(comparable(schema, page))


def _operator(spec: dict, path: str, allowed: tuple[str, ...]) -> tuple[str, Any]:
    if len(spec) != 1:
        raise v.fail(path, "an object with exactly one condition", spec)
    ((op, operand),) = spec.items()
    v.one_of(op, f"{path}.{op}", allowed)
    if op in EXISTENCE and operand is not True:
        raise v.fail(f"{path}.{op}", "`true`", operand)
    return op, operand


def _condition(kind: str, spec: dict, now: datetime, path: str, names: dict[str, str]) -> Callable[[Any], bool]:
    if kind in TEXT:
        return _text_condition(*_operator(spec, path, (*TEXT_OPS, *EXISTENCE)), path)
    if kind in NUMBER:
        return _number_condition(*_operator(spec, path, (*NUMBER_OPS, *EXISTENCE)), path)
    if kind == "checkbox":
        op, operand = _operator(spec, path, ("equals", "does_not_equal"))
        wanted = v.boolean(operand, f"{path}.{op}")
        return lambda value: (bool(value) == wanted) == (op == "equals")
    if kind in OPTION:
        return _option_condition(*_operator(spec, path, ("equals", "does_not_equal", *EXISTENCE)), path, names)
    if kind in LISTS:
        op, operand = _operator(spec, path, ("contains", "does_not_contain", *EXISTENCE))
        return _list_condition(kind, op, operand, path, names)
    if kind in DATES:
        return _date_condition(spec, now, path)
    if kind == "files":
        op, _ = _operator(spec, path, EXISTENCE)
        return lambda value: (not value) == (op == "is_empty")
    raise v.fail(path, "a filter on a property type the sandbox can filter", kind)


def _text_condition(op: str, operand: Any, path: str) -> Callable[[Any], bool]:
    if op in EXISTENCE:
        return lambda value: (not value) == (op == "is_empty")
    wanted = v.string(operand, f"{path}.{op}")
    folded = wanted.casefold()
    tests: dict[str, Callable[[str], bool]] = {
        "equals": lambda s: s == wanted,
        "does_not_equal": lambda s: s != wanted,
        "contains": lambda s: folded in s.casefold(),
        "does_not_contain": lambda s: folded not in s.casefold(),
        "starts_with": lambda s: s.casefold().startswith(folded),
        "ends_with": lambda s: s.casefold().endswith(folded),
    }
    return lambda value: tests[op](value or "")


def _number_condition(op: str, operand: Any, path: str) -> Callable[[Any], bool]:
    if op in EXISTENCE:
        return lambda value: (value is None) == (op == "is_empty")
    wanted = v.number(operand, f"{path}.{op}")
    tests: dict[str, Callable[[float], bool]] = {
        "equals": lambda n: n == wanted,
        "does_not_equal": lambda n: n != wanted,
        "greater_than": lambda n: n > wanted,
        "less_than": lambda n: n < wanted,
        "greater_than_or_equal_to": lambda n: n >= wanted,
        "less_than_or_equal_to": lambda n: n <= wanted,
    }
    return lambda value: (op == "does_not_equal") if value is None else tests[op](value)


def _option_condition(op: str, operand: Any, path: str, names: dict[str, str]) -> Callable[[Any], bool]:
    if op in EXISTENCE:
        return lambda value: (value is None) == (op == "is_empty")
    wanted = v.string(operand, f"{path}.{op}")
    # Stored values are option ids; filters name the option.
    return lambda value: (names.get(value) == wanted) == (op == "equals")


def _list_condition(kind: str, op: str, operand: Any, path: str, names: dict[str, str]) -> Callable[[Any], bool]:
    if op in EXISTENCE:
        return lambda value: (not value) == (op == "is_empty")
    if kind == "multi_select":
        wanted = v.string(operand, f"{path}.{op}")
        return lambda value: (wanted in {names.get(i) for i in value}) == (op == "contains")
    wanted = try_id(operand) or v.string(operand, f"{path}.{op}")
    return lambda value: ((wanted in value) if isinstance(value, list) else value == wanted) == (op == "contains")


def option_names(source: DataSource) -> dict[str, str]:
    return {o["id"]: o["name"] for p in source.properties.values() for o in p.config.get("options", [])}


def _date_condition(spec: dict, now: datetime, path: str) -> Callable[[Any], bool]:
    op, operand = _operator(spec, path, (*DATE_OPS, *RELATIVE, *EXISTENCE))
    if op in EXISTENCE:
        return lambda value: (value is None) == (op == "is_empty")
    if op in RELATIVE:
        low, high = _window(op, now)
        return lambda value: value is not None and low <= _instant(_start(value)) < high
    bound = v.string(operand, f"{path}.{op}")
    try:
        day_only = len(bound) == 10
        limit: Any = date.fromisoformat(bound) if day_only else _instant(bound)
    except ValueError:
        raise v.fail(f"{path}.{op}", "a valid ISO 8601 date string", bound) from None
    compare = _DATE_TESTS[op]

    def check(value: Any) -> bool:
        if value is None:
            return False
        moment = _instant(_start(value))
        return compare(moment.date() if day_only else moment, limit)

    return check


_DATE_TESTS: dict[str, Callable[[Any, Any], bool]] = {
    "equals": lambda a, b: a == b,
    "before": lambda a, b: a < b,
    "after": lambda a, b: a > b,
    "on_or_before": lambda a, b: a <= b,
    "on_or_after": lambda a, b: a >= b,
}


def _start(value: Any) -> str:
    return value["start"] if isinstance(value, dict) else value


def _instant(text: str) -> datetime:
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _window(op: str, now: datetime) -> tuple[datetime, datetime]:
    now = now if now.tzinfo else now.replace(tzinfo=UTC)
    if op == "this_week":
        monday = datetime.combine((now - timedelta(days=now.weekday())).date(), datetime.min.time(), UTC)
        return monday, monday + timedelta(days=7)
    span = {"week": 7, "month": 30, "year": 365}[op.split("_")[1]]
    return (now - timedelta(days=span), now) if op.startswith("past") else (now, now + timedelta(days=span))


# --- sorts --------------------------------------------------------------------------------------------
def sort_pages(pages: list[Page], raw: Any, source: DataSource, path: str = "body.sorts") -> list[Page]:
    """Apply Notion's sorts: the first sort decides first; empty values always come last."""
    keys = [_sort_key(v.obj(s, f"{path}[{i}]"), source, f"{path}[{i}]") for i, s in enumerate(v.array(raw, path))]
    ordered = list(pages)
    for key, descending in reversed(keys):
        present = [p for p in ordered if key(p) is not None]
        missing = [p for p in ordered if key(p) is None]
        ordered = sorted(present, key=key, reverse=descending) + missing  # type: ignore[arg-type]
    return ordered


def _sort_key(spec: dict, source: DataSource, path: str) -> tuple[Callable[[Page], Any], bool]:
    direction = v.one_of(spec.get("direction"), f"{path}.direction", ("ascending", "descending"))
    if "timestamp" in spec:
        kind = v.one_of(spec["timestamp"], f"{path}.timestamp", ("created_time", "last_edited_time"))
        return (lambda page: getattr(page, kind)), direction == "descending"
    key = v.string(spec.get("property"), f"{path}.property")
    schema = source.find(key)
    if schema is None:
        raise ValidationError(f"Could not find sort property with name or id: {key}")
    order = {o["id"]: i for i, o in enumerate(schema.config.get("options", []))}

    def value(page: Page) -> Any:
        raw = comparable(schema, page)
        if raw in (None, "", []):
            return None
        if schema.type in OPTION:
            return order.get(raw, len(order))
        if schema.type == "multi_select":
            return tuple(order.get(i, len(order)) for i in raw)
        if schema.type == "date":
            return _instant(raw["start"])
        if isinstance(raw, str):
            return raw.casefold()
        return tuple(raw) if isinstance(raw, list) else raw

    return value, direction == "descending"
