"""Map a team's Notion columns onto the Scenario model (mappings/*.yaml).

Pure: takes the page JSON the Notion API returned and yields a `Scenario`, or the list of `EntryProblem`s
that stop it, each naming the property, what was found and what is expected.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sync.errors import ConfigError
from sync.model import EntryProblem, Lifecycle, Person, QuickReference, Review, ReviewState, Scenario, Steps

PropertyType = Literal[
    "title", "rich_text", "number", "select", "multi_select", "status", "date", "people", "checkbox", "url", "email"
]

# What a support lead should do when a property has the wrong kind of value.
_EXPECTED = {
    "title": "a title",
    "rich_text": "some text",
    "number": "a whole number of 1 or more",
    "select": "one of the options",
    "multi_select": "one or more options",
    "status": "one of the status options",
    "date": "a date",
    "people": "a person",
    "checkbox": "ticked or not",
    "url": "a link",
    "email": "an email address",
}


class Column(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    property: str
    type: PropertyType
    required: bool = True


class ReviewColumns(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    state: Column
    approved_version: Column | None = None
    approver: Column | None = None  # people
    approved_on: Column | None = None  # date


class Fields(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: Column
    keywords: Column
    audience: Column
    tone: Column
    visual_style: Column
    goal: Column
    outcome: Column
    owner: Column
    version: Column
    last_revalidated: Column | None = None
    lifecycle: Column


class StepColumns(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    acknowledge: Column
    immediate_action: Column
    expectation: Column
    escalation_rule: Column
    close: Column


class QuickReferenceColumns(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    de_escalation_phrase: Column
    immediate_action: Column
    escalation_rule: Column
    timeline_expectation: Column
    tone_control: Column


class Values(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    review: dict[str, ReviewState]
    lifecycle: dict[str, Lifecycle]


class Writeback(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    status: Column
    message: Column
    page: Column


class Mapping(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str = ""
    fields: Fields
    steps: StepColumns
    quick_reference: QuickReferenceColumns
    reviews: dict[str, ReviewColumns] = Field(min_length=1)
    values: Values
    writeback: Writeback | None = None

    def columns(self) -> list[Column]:
        """Every column the mapping reads (the query asks Notion for these only)."""
        cols: list[Column] = []
        for group in (self.fields, self.steps, self.quick_reference):
            cols.extend(c for c in group.__dict__.values() if isinstance(c, Column))
        for review in self.reviews.values():
            cols.extend(c for c in (review.state, review.approved_version) if c is not None)
            cols.extend(c for c in (review.approver, review.approved_on) if c is not None)
        return cols

    def has_version_columns(self) -> bool:
        """Whether every review has an approved-version column (re-approval can then raise it)."""
        return all(review.approved_version is not None for review in self.reviews.values())

    def writeback_columns(self) -> list[Column]:
        """The columns the sync writes each entry's status to (none when the mapping has no `writeback`)."""
        wb = self.writeback
        return [wb.status, wb.message, wb.page] if wb else []

    @classmethod
    def load(cls, path: Path) -> Mapping:
        try:
            return cls.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        except FileNotFoundError as error:
            raise ConfigError(f"mapping file {path} does not exist", "check the job's `mapping:` path") from error
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ConfigError(f"mapping {path}: {where}: {first['msg']}", "fix the mapping file") from error


# --- reading Notion property values ----------------------------------------------------------------------
def plain_text(items: list[dict[str, Any]]) -> str:
    return "".join(item.get("plain_text", "") for item in items)


class _Problems:
    """Collects an entry's problems while its fields are read, so all are reported at once."""

    def __init__(self, page: dict[str, Any], title: str) -> None:
        self.page, self.title = page, title
        self.list: list[EntryProblem] = []

    def add(self, column: Column, found: str, expected: str) -> None:
        self.list.append(
            EntryProblem(
                page_id=self.page["id"],
                title=self.title,
                url=self.page.get("url", ""),
                property=column.property,
                found=found,
                expected=expected,
            )
        )


def _value(page: dict[str, Any], column: Column, problems: _Problems) -> Any:
    """The column's value in the page, or None (with a problem recorded when the column is required)."""
    prop = page.get("properties", {}).get(column.property)
    if prop is None:
        if column.required:
            problems.add(column, "the property is missing from the database", f"add a {column.type} property")
        return None
    if prop.get("type") != column.type:
        problems.add(column, f"the property is a {prop.get('type')} property", f"make it a {column.type} property")
        return None
    raw = prop.get(column.type)
    value: Any
    match column.type:
        case "title" | "rich_text":
            value = plain_text(raw or []).strip() or None
        case "select" | "status":
            value = raw["name"] if raw else None
        case "multi_select":
            value = [option["name"] for option in raw or []] or None
        case "people":
            value = raw or None
        case "date":
            value = raw["start"] if raw else None
        case _:
            value = raw
    if value is None and column.required:
        problems.add(column, "it is empty", f"set {_EXPECTED[column.type]}")
    return value


def _positive_int(value: Any, column: Column, problems: _Problems) -> int | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        problems.add(column, f"'{value}' is not a whole number of 1 or more", "use 1, 2, 3…")
        return None
    return value


def _option(value: str | None, table: dict[str, Any], column: Column, problems: _Problems) -> Any:
    if value is None:
        return None
    if value not in table:
        problems.add(column, f"'{value}' is not a known option", "use one of: " + ", ".join(table))
        return None
    return table[value]


def map_page(page: dict[str, Any], mapping: Mapping) -> Scenario | list[EntryProblem]:
    """One Notion page → a Scenario, or every problem that stops it."""
    f = mapping.fields
    title_prop = page.get("properties", {}).get(f.title.property, {})
    title = plain_text(title_prop.get("title", [])).strip() or "(untitled)"
    problems = _Problems(page, title)
    read = lambda column: _value(page, column, problems)  # noqa: E731

    texts = {name: read(getattr(f, name)) for name in ("title", "audience", "tone", "visual_style", "goal", "outcome")}
    steps = {name: read(col) for name, col in mapping.steps.__dict__.items()}
    quick = {name: read(col) for name, col in mapping.quick_reference.__dict__.items()}
    keywords = read(f.keywords) or []
    owner = _person(read(f.owner))
    version = _positive_int(read(f.version), f.version, problems)
    lifecycle = _option(read(f.lifecycle), mapping.values.lifecycle, f.lifecycle, problems)
    revalidated = read(f.last_revalidated) if f.last_revalidated else None

    reviews: dict[str, Review] = {}
    for name, cols in mapping.reviews.items():
        state = _option(read(cols.state), mapping.values.review, cols.state, problems)
        approved_for = None
        if cols.approved_version is not None:
            approved_for = _positive_int(read(cols.approved_version), cols.approved_version, problems)
        approver = _person(read(cols.approver)) if cols.approver is not None else None
        approved_on = read(cols.approved_on) if cols.approved_on is not None else None
        reviews[name] = Review(
            state=state or ReviewState.NOT_STARTED,
            approved_version=approved_for,
            approver=approver.name if approver else None,
            approved_on=date.fromisoformat(approved_on[:10]) if approved_on else None,
        )

    if problems.list:
        return problems.list
    # Every required field was read (or a problem recorded above), so these are set.
    assert owner is not None and version is not None and lifecycle is not None
    return Scenario(
        page_id=page["id"],
        url=page.get("url", ""),
        last_edited=datetime.fromisoformat(page["last_edited_time"].replace("Z", "+00:00")),
        keywords=tuple(keywords),
        steps=Steps(**steps),
        quick_reference=QuickReference(**quick),
        owner=owner,
        version=version,
        reviews=reviews,
        last_revalidated=date.fromisoformat(revalidated[:10]) if revalidated else None,
        lifecycle=lifecycle,
        **texts,
    )


def _person(people: list[dict[str, Any]] | None) -> Person | None:
    if not people:
        return None
    first = people[0]
    email = (first.get("person") or {}).get("email")
    return Person(id=first["id"], name=first.get("name") or email or first["id"], email=email)
