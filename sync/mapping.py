"""Map a team's Notion columns onto the Scenario model (mappings/*.yaml).

Pure: takes the page JSON the Notion API returned and yields a `Scenario`, or the list of `EntryProblem`s
that stop it, each naming the property, what was found and what is expected.
"""

from __future__ import annotations

import functools
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator

from sync import limits
from sync.blocks import HEADINGS, Block, Body, text_of
from sync.model import EntryProblem, Lifecycle, Person, QuickReference, Review, ReviewState, Scenario, Steps
from sync.yamlfile import load_model

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


STEP_NAMES = ("acknowledge", "immediate_action", "expectation", "escalation_rule", "close")


class BodySteps(BaseModel):
    """The steps are written in the page body: as one numbered list (one item per step, in order), or under
    headings named after the steps (`headings`: step → heading text, matched ignoring case)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: Literal["body"]
    style: Literal["numbered_list", "headings"]
    headings: dict[Literal[STEP_NAMES], str] | None = None  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _headings_named(self) -> BodySteps:
        if self.style == "headings" and set(self.headings or {}) != set(STEP_NAMES):
            raise ValueError("style `headings` needs `headings` naming all five steps: " + ", ".join(STEP_NAMES))
        return self


class Approvals(BaseModel):
    """Reviews kept as one multi-select: an option per review present means that review approved."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    property: str
    type: Literal["multi_select"] = "multi_select"
    options: dict[str, str]  # review name (legal, ops, product) → the option meaning it approved
    approved_version: Column | None = None  # one "approved for version" number for all of them

    def as_column(self) -> Column:
        return Column(property=self.property, type=self.type, required=False)


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
    steps: StepColumns | BodySteps
    quick_reference: QuickReferenceColumns
    reviews: dict[str, ReviewColumns] = {}
    approvals: Approvals | None = None
    values: Values
    writeback: Writeback | None = None

    @model_validator(mode="after")
    def _one_way_of_reviewing(self) -> Mapping:
        if bool(self.reviews) == (self.approvals is not None):
            raise ValueError("give either `reviews` (a column per review) or `approvals` (one multi-select)")
        return self

    @property
    def steps_in_body(self) -> BodySteps | None:
        return self.steps if isinstance(self.steps, BodySteps) else None

    def columns(self) -> list[Column]:
        """Every column the mapping reads (the query asks Notion for these only)."""
        cols: list[Column] = []
        for group in (self.fields, self.steps, self.quick_reference):
            cols.extend(c for c in group.__dict__.values() if isinstance(c, Column))
        for review in self.reviews.values():
            cols.extend(c for c in (review.state, review.approved_version) if c is not None)
            cols.extend(c for c in (review.approver, review.approved_on) if c is not None)
        if self.approvals is not None:
            cols.extend(c for c in (self.approvals.as_column(), self.approvals.approved_version) if c is not None)
        return cols

    def options_for(self, column: Column) -> list[str] | None:
        """The option names a select, status or multi-select column must offer (None: any, or not a choice)."""
        if column == self.fields.lifecycle:
            return list(self.values.lifecycle)
        if any(column == review.state for review in self.reviews.values()):
            return list(self.values.review)
        if self.approvals is not None and column == self.approvals.as_column():
            return list(self.approvals.options.values())
        if self.writeback is not None and column == self.writeback.status:
            return list(STATUS_OPTIONS)
        return None

    def has_version_columns(self) -> bool:
        """Whether every review has an approved-version column (re-approval can then raise it)."""
        return all(review.approved_version is not None for review in self.reviews.values())

    def writeback_columns(self) -> list[Column]:
        """The columns the sync writes each entry's status to (none when the mapping has no `writeback`)."""
        wb = self.writeback
        return [wb.status, wb.message, wb.page] if wb else []

    @classmethod
    def load(cls, path: Path) -> Mapping:
        return load_model(path, cls, "check the job's `mapping:` path", "fix the mapping file (see README, Mappings)")


# The status values the sync writes back (`sync.run` chooses among them).
STATUS_OPTIONS = ("Published", "Held", "Problem")


# --- reading Notion property values ----------------------------------------------------------------------
def plain_text(items: list[dict[str, Any]]) -> str:
    return "".join(item.get("plain_text", "") for item in items)


class _Problems:
    """Collects an entry's problems while its fields are read, so all are reported at once."""

    def __init__(self, page: dict[str, Any], title: str) -> None:
        self.page, self.title = page, title
        self.list: list[EntryProblem] = []

    def add(self, column: Column | str, found: str, expected: str) -> None:
        """A problem with a property (a Column) or a part of the page body (its name, e.g. "body")."""
        self.list.append(
            EntryProblem(
                page_id=self.page["id"],
                title=self.title,
                url=self.page.get("url", ""),
                property=column.property if isinstance(column, Column) else column,
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


def map_page(page: dict[str, Any], mapping: Mapping, body: Body | None = None) -> Scenario | list[EntryProblem]:
    """One Notion page (and its body, when read) → a Scenario, or every problem that stops it.

    Without a body, steps the mapping takes from the body are left empty and unchecked: enough for the
    gate, never rendered (the run reads the body of every entry it publishes).
    """
    f = mapping.fields
    title_prop = page.get("properties", {}).get(f.title.property, {})
    title = plain_text(title_prop.get("title", [])).strip() or "(untitled)"
    problems = _Problems(page, title)
    read = lambda column: _value(page, column, problems)  # noqa: E731

    texts = {name: read(getattr(f, name)) for name in ("title", "audience", "tone", "visual_style", "goal", "outcome")}
    guidance: tuple[Block, ...] = body.blocks if body is not None else ()
    if isinstance(mapping.steps, StepColumns):
        steps = {name: read(col) for name, col in mapping.steps.__dict__.items()}
    elif body is None:
        steps = dict.fromkeys(STEP_NAMES, "")
    else:
        steps, guidance = _body_steps(body, mapping.steps, problems)
    quick = {name: read(col) for name, col in mapping.quick_reference.__dict__.items()}
    keywords = read(f.keywords) or []
    owner = _owner(read(f.owner), f.owner, problems)
    version = _positive_int(read(f.version), f.version, problems)
    lifecycle = _option(read(f.lifecycle), mapping.values.lifecycle, f.lifecycle, problems)
    revalidated = read(f.last_revalidated) if f.last_revalidated else None
    reviews = _reviews(mapping, read, problems)
    _check_limits(mapping, texts, steps, quick, keywords, problems)
    if body is not None:
        for found, fix in body.problems:
            problems.add("body", found, fix)

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
        guidance=guidance,
        **texts,
    )


def _reviews(mapping: Mapping, read: Any, problems: _Problems) -> dict[str, Review]:
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
    approvals = mapping.approvals
    if approvals is not None:
        given = read(approvals.as_column()) or []
        known = list(approvals.options.values())
        for option in given:
            if option not in known:
                problems.add(
                    approvals.as_column(), f"'{option}' is not a known option", "use one of: " + ", ".join(known)
                )
        approved_for = None
        if approvals.approved_version is not None:
            approved_for = _positive_int(read(approvals.approved_version), approvals.approved_version, problems)
        for name, option in approvals.options.items():
            state = ReviewState.APPROVED if option in given else ReviewState.NOT_STARTED
            reviews[name] = Review(state=state, approved_version=approved_for if option in given else None)
    return reviews


def _person(people: list[dict[str, Any]] | None) -> Person | None:
    """The first person named (an approver: named as Notion gives them, whoever they are)."""
    if not people:
        return None
    first = people[0]
    email = (first.get("person") or {}).get("email")
    return _person_named(first["id"], first.get("name") or email or first["id"], email)


@functools.lru_cache(maxsize=4096)
def _person_named(person_id: str, name: str, email: str | None) -> Person:
    """One object for each person however many entries name them (a library has thousands of entries and a
    few dozen owners and approvers; a run holds every entry's owner). A `Person` never changes."""
    return Person(id=person_id, name=name, email=email)


def _owner(people: list[dict[str, Any]] | None, column: Column, problems: _Problems) -> Person | None:
    """The first person named. A bot cannot revalidate an entry: a problem. A member who has left still owns
    the approved content; the job's fallback owner hears what they cannot (see reminders)."""
    if people and people[0].get("type") == "bot":
        name = people[0].get("name") or "an integration"
        problems.add(column, f"the owner is a bot ({name})", "set a person who can revalidate the entry")
        return None
    return _person(people)


def _step_label(name: str) -> str:
    return name.replace("_", " ")


def _body_steps(body: Body, spec: BodySteps, problems: _Problems) -> tuple[dict[str, str | None], tuple[Block, ...]]:
    """The five steps from the body, and the rest of the body (the extra guidance)."""
    blocks = body.blocks
    if spec.style == "numbered_list":
        start = next((i for i, b in enumerate(blocks) if b.kind == "numbered"), None)
        end = start
        while end is not None and end < len(blocks) and blocks[end].kind == "numbered":
            end += 1
        items = blocks[start:end] if start is not None and end is not None else ()
        if len(items) != len(STEP_NAMES):
            found = f"{len(items)} numbered steps" if items else "no numbered list"
            problems.add(
                "body: numbered list",
                found,
                f"write the {len(STEP_NAMES)} steps as one numbered list, in order: "
                + ", ".join(_step_label(n) for n in STEP_NAMES),
            )
            return dict.fromkeys(STEP_NAMES, None), blocks
        steps = {name: text_of((item,)) or None for name, item in zip(STEP_NAMES, items, strict=True)}
        for name, text in steps.items():
            if text is None:
                problems.add(
                    f"body: step {STEP_NAMES.index(name) + 1}", "it is empty", f"write the {_step_label(name)} step"
                )
        return steps, (*blocks[:start], *blocks[end:])
    return _heading_steps(blocks, spec.headings or {}, problems)


def _norm(text: str) -> str:
    return " ".join(text.casefold().strip(" .:#0123456789").split())


def _heading_steps(
    blocks: tuple[Block, ...], headings: dict[str, str], problems: _Problems
) -> tuple[dict[str, str | None], tuple[Block, ...]]:
    wanted = {_norm(text): name for name, text in headings.items()}
    sections: dict[str, list[Block]] = {}
    rest: list[Block] = []
    current: list[Block] | None = None
    level = 0
    for block in blocks:
        if block.kind in HEADINGS:
            name = wanted.get(_norm(block.plain))
            this_level = HEADINGS.index(block.kind)
            if name is not None and name not in sections:
                sections[name], level = [*block.children], this_level
                current = sections[name]
                continue
            if current is not None and this_level <= level:
                current = None  # a heading of the same or a higher level ends the section
        (current if current is not None else rest).append(block)
    steps: dict[str, str | None] = {}
    for name in STEP_NAMES:
        section = f"body: section '{headings[name]}'"
        if name not in sections:
            problems.add(
                section, "there is no such heading", f"add a heading '{headings[name]}' with the step under it"
            )
            steps[name] = None
            continue
        steps[name] = text_of(tuple(sections[name])) or None
        if steps[name] is None:
            problems.add(section, "it is empty", f"write the {_step_label(name)} step under the heading")
    return steps, tuple(rest)


def _check_limits(
    mapping: Mapping,
    texts: dict[str, Any],
    steps: dict[str, Any],
    quick: dict[str, Any],
    keywords: list[str],
    problems: _Problems,
) -> None:
    """The limits later stages need: Confluence titles and labels, one clip per step."""
    f = mapping.fields
    title = texts.get("title")
    if title and len(title) > limits.MAX_TITLE:
        problems.add(
            f.title, f"the title is {len(title)} characters", f"keep it to {limits.MAX_TITLE} (Confluence's limit)"
        )
    if len(keywords) > limits.MAX_KEYWORDS:
        problems.add(
            f.keywords, f"{len(keywords)} keywords", f"keep to {limits.MAX_KEYWORDS} (each becomes a page label)"
        )
    for keyword in keywords:
        if len(keyword) > limits.MAX_KEYWORD:
            problems.add(f.keywords, f"a keyword of {len(keyword)} characters", f"keep each to {limits.MAX_KEYWORD}")
            break
    where = (
        {name: getattr(mapping.steps, name) for name in STEP_NAMES} if isinstance(mapping.steps, StepColumns) else {}
    )
    for name, text in steps.items():
        if text and len(text) > limits.MAX_STEP:
            column = where.get(name) or f"body: step '{_step_label(name)}'"
            problems.add(
                column,
                f"the step is {len(text)} characters",
                f"keep it to {limits.MAX_STEP}: each step is narrated in one 15-20 s clip",
            )
    for name, text in [*((n, texts[n]) for n in texts if n != "title"), *quick.items()]:
        if text and len(text) > limits.MAX_FIELD:
            column = getattr(f, name, None) or getattr(mapping.quick_reference, name)
            problems.add(column, f"the text is {len(text)} characters", f"keep it to {limits.MAX_FIELD}")
