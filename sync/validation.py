"""Check every entry of a data source without touching Confluence: properties, page body, the limits the
later stages need. Reads all bodies (validation is the full check; runs read only what changed)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sync.config import Job
from sync.mapping import Mapping
from sync.model import EntryProblem
from sync.notion.reader import NotionReader
from sync.run import Entry, evaluate, read_bodies


@dataclass
class EntryCheck:
    page_id: str
    title: str
    url: str
    problems: list[EntryProblem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "page_id": self.page_id,
            "title": self.title,
            "url": self.url,
            "valid": self.valid,
            "problems": [{"property": p.property, "found": p.found, "expected": p.expected} for p in self.problems],
        }


def validate(
    reader: NotionReader, mapping: Mapping, job: Job, data_source_id: str, now: Callable[[], datetime]
) -> list[EntryCheck]:
    schema = reader.schema(data_source_id)
    ids = [schema[c.property]["id"] for c in mapping.columns() if c.property in schema]
    entries = [Entry(page) for page in reader.entries(data_source_id, list(dict.fromkeys(ids)))]
    read_bodies(reader, entries, now)
    evaluate(entries, mapping, job)
    checks = []
    for entry in entries:
        title = entry.scenario.title if entry.scenario else (entry.problems[0].title if entry.problems else "")
        checks.append(EntryCheck(entry.page_id, title, entry.page.get("url", ""), list(entry.problems or [])))
    return checks
