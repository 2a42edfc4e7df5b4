"""Seed the two emulators: the demo scenario database in Notion (laid out as any mapping expects it, the
way `notion bootstrap` creates one), and the Support space in Confluence."""

from __future__ import annotations

from dataclasses import dataclass

from sync.mapping import Mapping
from sync.notion.schema import entry_body, entry_properties, notion_schema
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
    today = notion.clock().date()
    for entry in entries:
        properties = entry_properties(entry, mapping, owners[entry.owner], today, reviewers)
        notion.create_page({"data_source_id": data_source.id}, properties, entry_body(entry, mapping))
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
