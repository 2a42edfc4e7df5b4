"""Seed the two emulators: the demo scenario database in Notion, and the Support space in Confluence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sync.mapping import Column, Mapping
from sync.sandbox.confluence.state import ConfluenceState
from sync.sandbox.demo_content import DEMO_ENTRIES, DemoEntry
from sync.sandbox.notion.state import NotionState

SPACE_KEY = "SUP"
PARENT_TITLE = "Support scenario walkthroughs"
DATABASE_TITLE = "Support scenario walkthroughs"


@dataclass(frozen=True)
class Seeded:
    database_id: str | None
    data_source_id: str | None
    space_key: str
    space_id: str
    parent_page_id: str


def _property_schema(column: Column, mapping: Mapping) -> dict[str, Any]:
    if column.type == "select":
        review_states = {review.state.property for review in mapping.reviews.values()}
        names = list(mapping.values.review) if column.property in review_states else []
        return {"select": {"options": [{"name": n} for n in names]}}
    if column.type == "status":
        return {"status": {"options": [{"name": n} for n in mapping.values.lifecycle]}}
    if column.type == "number":
        return {"number": {"format": "number"}}
    return {column.type: {}}


def notion_schema(mapping: Mapping) -> dict[str, dict[str, Any]]:
    """Every column the mapping expects, as Notion's property schema (used to create the database)."""
    columns = [*mapping.columns(), *mapping.writeback_columns()]
    return {c.property: _property_schema(c, mapping) for c in columns}


def _text(value: str) -> list[dict[str, Any]]:
    if not value:
        return []
    # Notion caps one rich-text item at 2,000 characters.
    return [{"type": "text", "text": {"content": value[i : i + 2000]}} for i in range(0, len(value), 2000)]


def _entry_properties(
    entry: DemoEntry, mapping: Mapping, owners: dict[str, str], today: datetime, reviewers: dict[str, str]
) -> dict:
    f, s, q = mapping.fields, mapping.steps, mapping.quick_reference
    props: dict[str, Any] = {
        f.title.property: {"title": _text(entry.title)},
        f.keywords.property: {"multi_select": [{"name": k} for k in entry.keywords]},
        f.audience.property: {"rich_text": _text(entry.audience)},
        f.tone.property: {"rich_text": _text(entry.tone)},
        f.visual_style.property: {"rich_text": _text(entry.visual_style)},
        f.goal.property: {"rich_text": _text(entry.goal)},
        f.outcome.property: {"rich_text": _text(entry.outcome)},
        f.owner.property: {"people": [{"object": "user", "id": owners[entry.owner]}]},
        f.version.property: {"number": entry.version},
        f.lifecycle.property: {"status": {"name": entry.lifecycle}},
    }
    if f.last_revalidated is not None:
        day = (today - timedelta(days=entry.revalidated_days_ago)).date().isoformat()
        props[f.last_revalidated.property] = {"date": {"start": day}}
    step_columns = [s.acknowledge, s.immediate_action, s.expectation, s.escalation_rule, s.close]
    for column, text in zip(step_columns, entry.steps, strict=True):
        props[column.property] = {"rich_text": _text(text)}
    for name, text in entry.quick.items():
        props[getattr(q, name).property] = {"rich_text": _text(text)}
    for review, (state, approved_for) in entry.reviews.items():
        cols = mapping.reviews[review]
        props[cols.state.property] = {"select": {"name": state}}
        if cols.approved_version is not None and approved_for is not None:
            props[cols.approved_version.property] = {"number": approved_for}
        if approved_for is not None and cols.approver is not None and review in reviewers:
            props[cols.approver.property] = {"people": [{"object": "user", "id": reviewers[review]}]}
        if approved_for is not None and cols.approved_on is not None:
            props[cols.approved_on.property] = {"date": {"start": (today - timedelta(days=25)).date().isoformat()}}
    return props


# Who gives each review in the demo team.
REVIEWERS = {"legal": ("Grace Okafor", "grace@example.com"), "ops": ("Dev Patel", "dev@example.com")}


def seed_notion(notion: NotionState, mapping: Mapping, entries: list[DemoEntry] | None = None) -> tuple[str, str]:
    """Create the scenario database under the shared root page and fill it; return (database, data source)."""
    entries = DEMO_ENTRIES if entries is None else entries
    owners: dict[str, str] = {}
    for entry in entries:
        if entry.owner not in owners:
            email = entry.owner.split()[0].lower().replace("á", "a") + "@example.com"
            owners[entry.owner] = notion.add_user(entry.owner, email).id
    notion.add_user("Lena Lead", "lead@example.com")  # the demo job's fallback owner for reminders
    # Product reviews have no approver in the demo: the approval record says so.
    reviewers = {review: notion.add_user(name, email).id for review, (name, email) in REVIEWERS.items()}
    database, data_source = notion.create_database(notion.root_page_id, DATABASE_TITLE, notion_schema(mapping))
    today = notion.clock()
    for entry in entries:
        notion.create_page(
            {"data_source_id": data_source.id}, _entry_properties(entry, mapping, owners, today, reviewers)
        )
    return database.id, data_source.id


def seed_confluence(confluence: ConfluenceState) -> tuple[str, str]:
    """The Support space with the job's parent page and one page nobody syncs; return (space id, parent id)."""
    space = confluence.add_space(SPACE_KEY, "Support")
    parent = confluence.create_page(
        SPACE_KEY,
        PARENT_TITLE,
        "<p>Approved walkthroughs for live-chat panic scenarios. Each child page is kept in step with Notion.</p>",
        parent_id=space.homepage_id,
    )
    confluence.create_page(
        SPACE_KEY, "Shift handover checklist", "<p>Written by hand; not managed by any sync.</p>", space.homepage_id
    )
    return space.id, parent.id
