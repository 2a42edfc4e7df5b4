"""A small Confluence Query Language (CQL): a parser and an evaluator over plain documents, no HTTP.

Supported, as Confluence reads them:

- fields ``id`` (alias ``content``), ``type``, ``status``, ``title``, ``text``, ``space`` (alias ``space.key``),
  ``space.id``, ``space.title``, ``label``, ``ancestor``, ``parent``, ``creator``, ``contributor``,
  ``created``, ``lastmodified``;
- operators ``=``, ``!=``, ``~``, ``!~`` (text fields), ``>``, ``>=``, ``<``, ``<=`` (dates), ``in (...)``,
  ``not in (...)``;
- ``and``, ``or``, ``not``, parentheses, single- or double-quoted strings (backslash escapes), bare words;
- functions ``currentUser()``, ``now("-4d")`` and ``startOfDay("-1d")``;
- ``order by <field> [asc|desc], ...``.

Keywords are case-insensitive. Anything else raises `CqlError` with Confluence's message
("Could not parse cql : <query>"), which the REST layer answers with a 400.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any


class CqlError(ValueError):
    def __init__(self, cql: str, detail: str = "") -> None:
        super().__init__(f"Could not parse cql : {cql}")
        self.message = str(self)
        self.detail = detail


# --- what a query runs over ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Document:
    """One searchable piece of content, flattened for CQL."""

    id: str
    type: str = "page"
    status: str = "current"
    title: str = ""
    space_key: str = ""
    space_id: str = ""
    space_name: str = ""
    labels: frozenset[str] = frozenset()
    ancestors: tuple[str, ...] = ()  # root first
    parent_id: str | None = None
    text: str = ""  # body as plain text
    created: datetime | None = None
    lastmodified: datetime | None = None
    creator: frozenset[str] = frozenset()  # every identifier of the creator (account id, user name, ...)
    contributors: frozenset[str] = frozenset()


# --- syntax tree ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Value:
    text: str
    function: str | None = None  # currentUser, now, startOfDay (text then holds the argument)


@dataclass(frozen=True)
class Clause:
    field: str
    op: str  # = != ~ !~ > >= < <= in "not in"
    values: tuple[Value, ...]


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    item: Node


Node = Clause | And | Or | Not


@dataclass(frozen=True)
class Query:
    cql: str
    where: Node | None
    order_by: tuple[tuple[str, bool], ...] = ()  # (field, descending)

    def fields(self) -> set[str]:
        """The fields the condition mentions (after aliasing)."""
        found: set[str] = set()

        def walk(node: Node | None) -> None:
            if isinstance(node, Clause):
                found.add(node.field)
            elif isinstance(node, And | Or):
                for item in node.items:
                    walk(item)
            elif isinstance(node, Not):
                walk(node.item)

        walk(self.where)
        return found


_ALIASES = {"content": "id", "space.key": "space", "space.title": "space.title", "lastModified": "lastmodified"}
_TEXT_FIELDS = {"title", "text", "space.title"}
_DATE_FIELDS = {"created", "lastmodified"}
_EQ_FIELDS = {"id", "type", "status", "space", "space.id", "label", "ancestor", "parent", "creator", "contributor"}
_FIELDS = _TEXT_FIELDS | _DATE_FIELDS | _EQ_FIELDS
_ORDER_FIELDS = {"id", "title", "created", "lastmodified", "type", "space"}
_FUNCTIONS = {"currentuser": "currentUser", "now": "now", "startofday": "startOfDay"}


# --- tokens --------------------------------------------------------------------------------------------
@dataclass
class _Token:
    kind: str  # word string op lparen rparen comma end
    text: str
    pos: int


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<op>!=|!~|>=|<=|=|~|>|<)
      | (?P<lparen>\()
      | (?P<rparen>\))
      | (?P<comma>,)
      | (?P<word>[^\s()=!~<>,"']+)
    )""",
    re.VERBOSE,
)


def _tokens(cql: str) -> list[_Token]:
    out: list[_Token] = []
    pos = 0
    while pos < len(cql):
        if cql[pos:].strip() == "":
            break
        match = _TOKEN.match(cql, pos)
        if match is None or match.end() == pos:
            raise CqlError(cql, f"unexpected character at {pos}")
        kind = match.lastgroup or ""
        text = match.group(kind)
        if kind == "string":
            text = re.sub(r"\\(.)", r"\1", text[1:-1])
        out.append(_Token(kind, text, match.start(kind)))
        pos = match.end()
    out.append(_Token("end", "", len(cql)))
    return out


# --- parser --------------------------------------------------------------------------------------------
class _Parser:
    def __init__(self, cql: str) -> None:
        self.cql = cql
        self.tokens = _tokens(cql)
        self.i = 0

    @property
    def tok(self) -> _Token:
        return self.tokens[self.i]

    def fail(self, detail: str) -> CqlError:
        return CqlError(self.cql, detail)

    def keyword(self, *words: str) -> bool:
        """True (and consumed) when the next tokens are these bare keywords."""
        for offset, word in enumerate(words):
            tok = self.tokens[min(self.i + offset, len(self.tokens) - 1)]
            if tok.kind != "word" or tok.text.lower() != word:
                return False
        self.i += len(words)
        return True

    def expect(self, kind: str) -> _Token:
        tok = self.tok
        if tok.kind != kind:
            raise self.fail(f"expected {kind} at {tok.pos}")
        self.i += 1
        return tok

    def query(self) -> Query:
        where = None
        if not (self.tok.kind == "word" and self.tok.text.lower() == "order"):
            if self.tok.kind == "end":
                raise self.fail("empty query")
            where = self.or_expr()
        order: list[tuple[str, bool]] = []
        if self.keyword("order", "by"):
            while True:
                name = self.expect("word").text
                field_name = _ALIASES.get(name, name.lower())
                if field_name not in _ORDER_FIELDS:
                    raise self.fail(f"cannot order by {name}")
                descending = False
                if self.keyword("desc"):
                    descending = True
                else:
                    self.keyword("asc")
                order.append((field_name, descending))
                if self.tok.kind != "comma":
                    break
                self.i += 1
        if self.tok.kind != "end":
            raise self.fail(f"unexpected {self.tok.text!r} at {self.tok.pos}")
        return Query(self.cql, where, tuple(order))

    def or_expr(self) -> Node:
        items = [self.and_expr()]
        while self.keyword("or"):
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_expr(self) -> Node:
        items = [self.unary()]
        while self.keyword("and"):
            items.append(self.unary())
        return items[0] if len(items) == 1 else And(tuple(items))

    def unary(self) -> Node:
        if self.keyword("not"):
            return Not(self.unary())
        if self.tok.kind == "lparen":
            self.i += 1
            node = self.or_expr()
            self.expect("rparen")
            return node
        return self.clause()

    def clause(self) -> Clause:
        name_tok = self.expect("word")
        name = name_tok.text
        field_name = _ALIASES.get(name, name.lower() if name.lower() in _FIELDS else name)
        if field_name not in _FIELDS:
            raise self.fail(f"unknown field {name}")
        if self.keyword("not", "in"):
            op = "not in"
        elif self.keyword("in"):
            op = "in"
        elif self.tok.kind == "op":
            op = self.tok.text
            self.i += 1
        else:
            raise self.fail(f"expected an operator after {name}")
        if op in ("in", "not in"):
            self.expect("lparen")
            values = [self.value()]
            while self.tok.kind == "comma":
                self.i += 1
                values.append(self.value())
            self.expect("rparen")
        else:
            values = [self.value()]
        self._check(field_name, op)
        self._check_values(field_name, values)
        return Clause(field_name, op, tuple(values))

    def _check_values(self, field_name: str, values: list[Value]) -> None:
        for value in values:
            if field_name in _DATE_FIELDS:
                _date_range(value, Context(), self.cql)  # raises on what is not a date
            elif value.function == "currentUser" and field_name not in ("creator", "contributor"):
                raise self.fail(f"currentUser() cannot be compared with {field_name}")
            elif value.function not in (None, "currentUser"):
                raise self.fail(f"{value.function}() cannot be compared with {field_name}")

    def _check(self, field_name: str, op: str) -> None:
        allowed = {"=", "!=", "in", "not in"}
        if field_name in _TEXT_FIELDS:
            allowed |= {"~", "!~"}
        if field_name == "text":
            allowed = {"~", "!~"}
        if field_name in _DATE_FIELDS:
            allowed |= {">", ">=", "<", "<="}
        if op not in allowed:
            raise self.fail(f"operator {op} is not supported for {field_name}")

    def value(self) -> Value:
        tok = self.tok
        if tok.kind == "string":
            self.i += 1
            return Value(tok.text)
        if tok.kind != "word":
            raise self.fail(f"expected a value at {tok.pos}")
        self.i += 1
        function = _FUNCTIONS.get(tok.text.lower())
        if function is not None and self.tok.kind == "lparen":
            self.i += 1
            argument = ""
            if self.tok.kind in ("string", "word"):
                argument = self.tok.text
                self.i += 1
            self.expect("rparen")
            return Value(argument, function)
        return Value(tok.text)


def parse(cql: str) -> Query:
    if cql is None or not cql.strip():
        raise CqlError(cql or "", "empty query")
    return _Parser(cql).query()


# --- evaluation ----------------------------------------------------------------------------------------
@dataclass
class Context:
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    current_user: frozenset[str] = frozenset()


_OFFSET = re.compile(r"^\s*([+-]?)\s*(\d+)\s*([yMwdhm])\s*$")
_DATE_FORMATS = ("%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d")


def _offset(text: str, cql: str) -> timedelta:
    if not text.strip():
        return timedelta()
    match = _OFFSET.match(text)
    if match is None:
        raise CqlError(cql, f"bad date offset {text!r}")
    sign = -1 if match.group(1) == "-" else 1
    amount = int(match.group(2)) * sign
    unit = match.group(3)
    days = {"y": 365, "M": 30, "w": 7, "d": 1}.get(unit)
    if days is not None:
        return timedelta(days=amount * days)
    return timedelta(hours=amount) if unit == "h" else timedelta(minutes=amount)


def _date_range(value: Value, ctx: Context, cql: str) -> tuple[datetime, datetime]:
    """The instant (start == end) or the day [start, end) a date value stands for."""
    if value.function == "now":
        when = ctx.now + _offset(value.text, cql)
        return when, when
    if value.function == "startOfDay":
        day = ctx.now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        start = day + _offset(value.text, cql)
        return start, start
    if value.function is not None:
        raise CqlError(cql, f"{value.function}() is not a date")
    for fmt in _DATE_FORMATS:
        try:
            when = datetime.strptime(value.text.strip(), fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
        if "%H" in fmt:
            return when, when
        return when, when + timedelta(days=1)
    raise CqlError(cql, f"bad date {value.text!r}")


def _compare_date(when: datetime | None, op: str, value: Value, ctx: Context, cql: str) -> bool:
    if when is None:
        return False
    start, end = _date_range(value, ctx, cql)
    point = start == end
    if op == "=":
        return when == start if point else start <= when < end
    if op == "!=":
        return when != start if point else not (start <= when < end)
    if op == ">":
        return when > start if point else when >= end
    if op == ">=":
        return when >= start
    if op == "<":
        return when < start
    if op == "<=":
        return when <= start if point else when < end
    raise CqlError(cql, f"operator {op} on a date")


_WORD = re.compile(r"[\w]+", re.UNICODE)


def _text_match(haystack: str, needle: str) -> bool:
    """Confluence's `~`: every term of the needle appears as a word (``*`` and ``?`` are wildcards)."""
    words = [w.lower() for w in _WORD.findall(haystack)]
    terms = [t for t in re.split(r"\s+", needle.lower().strip()) if t]
    if not terms:
        return False
    for term in terms:
        pattern = re.compile("^" + "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in term) + "$")
        if not any(pattern.match(w) for w in words):
            return False
    return True


def _scalar(doc: Document, field_name: str) -> set[str]:
    """The values a document has for an equality field (compared case-insensitively)."""
    if field_name == "id":
        return {doc.id}
    if field_name == "type":
        return {doc.type}
    if field_name == "status":
        return {doc.status}
    if field_name == "space":
        return {doc.space_key}
    if field_name == "space.id":
        return {doc.space_id}
    if field_name == "label":
        return set(doc.labels)
    if field_name == "ancestor":
        return set(doc.ancestors)
    if field_name == "parent":
        return {doc.parent_id} if doc.parent_id else set()
    if field_name == "creator":
        return set(doc.creator)
    if field_name == "contributor":
        return set(doc.contributors)
    if field_name == "title":
        return {doc.title}
    if field_name == "space.title":
        return {doc.space_name}
    return set()


def _wanted(values: Iterable[Value], ctx: Context, cql: str) -> set[str]:
    out: set[str] = set()
    for value in values:
        if value.function == "currentUser":
            out |= {v.lower() for v in ctx.current_user}
        elif value.function is not None:
            raise CqlError(cql, f"{value.function}() cannot be compared here")
        else:
            out.add(value.text.lower())
    return out


def _eval_clause(clause: Clause, doc: Document, ctx: Context, cql: str) -> bool:
    name, op = clause.field, clause.op
    if name in _DATE_FIELDS and op not in ("in", "not in"):
        return _compare_date(getattr(doc, name), op, clause.values[0], ctx, cql)
    if op in ("~", "!~"):
        haystack = {"title": doc.title, "space.title": doc.space_name}.get(name)
        if haystack is None:  # text: title, body and labels
            haystack = " ".join([doc.title, doc.text, *sorted(doc.labels)])
        found = _text_match(haystack, clause.values[0].text)
        return found if op == "~" else not found
    have = {v.lower() for v in _scalar(doc, name)}
    wanted = _wanted(clause.values, ctx, cql)
    hit = bool(have & wanted)
    return hit if op in ("=", "in") else not hit


def _eval(node: Node, doc: Document, ctx: Context, cql: str) -> bool:
    if isinstance(node, Clause):
        return _eval_clause(node, doc, ctx, cql)
    if isinstance(node, And):
        return all(_eval(item, doc, ctx, cql) for item in node.items)
    if isinstance(node, Or):
        return any(_eval(item, doc, ctx, cql) for item in node.items)
    return not _eval(node.item, doc, ctx, cql)


def matches(query: Query, doc: Document, ctx: Context | None = None) -> bool:
    if query.where is None:
        return True
    return _eval(query.where, doc, ctx or Context(), query.cql)


def _sort_key(doc: Document, field_name: str) -> Any:
    if field_name == "id":
        return int(doc.id) if doc.id.isdigit() else doc.id
    if field_name == "title":
        return doc.title.lower()
    if field_name == "space":
        return doc.space_key
    if field_name == "type":
        return doc.type
    value = getattr(doc, field_name)
    return value or datetime.min.replace(tzinfo=UTC)


def run(query: Query, docs: Iterable[Document], ctx: Context | None = None) -> list[Document]:
    """The matching documents, in the query's order (by id when it gives none)."""
    ctx = ctx or Context()
    hits = [doc for doc in docs if matches(query, doc, ctx)]
    hits.sort(key=lambda d: _sort_key(d, "id"))
    for field_name, descending in reversed(query.order_by):
        hits.sort(key=lambda d, f=field_name: _sort_key(d, f), reverse=descending)
    return hits


def search(cql: str, docs: Iterable[Document], ctx: Context | None = None) -> list[Document]:
    return run(parse(cql), docs, ctx)
