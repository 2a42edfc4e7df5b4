"""Create a scenario database laid out as a mapping expects it, optionally with two example entries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any, cast

from notion_client import Client

from sync.mapping import Mapping
from sync.notion.schema import entry_body, entry_properties, notion_schema, rich_text
from sync.retry import ApiCaller
from sync.sandbox.demo_content import DEMO_ENTRIES

DEFAULT_TITLE = "Support scenario walkthroughs"
# One entry ready to publish once someone owns it, one still waiting for legal review.
EXAMPLES = (DEMO_ENTRIES[0], DEMO_ENTRIES[2])


@dataclass
class Bootstrapped:
    database_id: str
    data_source_id: str
    url: str
    examples: list[str] = field(default_factory=list)  # page urls


def bootstrap(
    client: Client, caller: ApiCaller, parent_page_id: str, mapping: Mapping, today: date, *,
    title: str = DEFAULT_TITLE, with_examples: bool = False,
) -> Bootstrapped:  # fmt: skip
    # Creating is not idempotent: a 5xx is not retried (a second database would be the result).
    create = partial(
        client.databases.create,
        parent={"type": "page_id", "page_id": parent_page_id},
        title=rich_text(title),
        initial_data_source={"properties": notion_schema(mapping)},
    )
    database = cast(dict[str, Any], caller.call(create, idempotent=False, kind="write"))
    made = Bootstrapped(database["id"], database["data_sources"][0]["id"], database.get("url", ""))
    if with_examples:
        for entry in EXAMPLES:
            add = partial(
                client.pages.create,
                parent={"type": "data_source_id", "data_source_id": made.data_source_id},
                properties=entry_properties(entry, mapping, None, today),
                children=entry_body(entry, mapping),
            )
            page = cast(dict[str, Any], caller.call(add, idempotent=False, kind="write"))
            made.examples.append(page.get("url", page["id"]))
    return made
