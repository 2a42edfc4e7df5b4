"""The job's index page: what agents browse (the published scenarios grouped by trigger keyword, archived ones
apart) and, in its content property, the manifest of every page the job manages. Rendering is pure.

The manifest lets a page whose marker label a person removed still be known as ours, keeps the approval
records of entries not yet published, reminder state, and what restore needs.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sync.confluence.base import MANAGED_LABEL
from sync.render import _Doc, _table

MANIFEST_KEY = "scenario-sync-manifest"
# Confluence Cloud caps a content property value at 32 KB.
PROPERTY_LIMIT = 32_000


@dataclass
class Manifest:
    """Notion page id → facts about its entry; plus per-owner reminder state."""

    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)  # owner id → date of their last digest
    body_hash: str = ""  # of the index page body last written (rewrite only on change)
    index_key: str = ""  # what that body was made from (`index_key`): the same again, it is not rendered

    def to_json(self) -> dict[str, Any]:
        value = {"entries": self.entries, "digests": self.digests, "body_hash": self.body_hash}
        return value | ({"index_key": self.index_key} if self.index_key else {})

    def text(self) -> Iterator[str]:
        """`to_json` as `json.dumps(…, sort_keys=True)` writes it, an entry at a time: thousands of entries
        written in one piece would hold their 7 MB of text twice over, and again as bytes."""
        value = self.to_json()
        yield "{"
        for i, key in enumerate(sorted(value)):
            yield (", " if i else "") + json.dumps(key) + ": "
            if key != "entries":
                yield json.dumps(value[key], sort_keys=True)
                continue
            yield "{"
            for j, notion_id in enumerate(sorted(self.entries)):
                facts = json.dumps(self.entries[notion_id], sort_keys=True)
                yield (", " if j else "") + json.dumps(notion_id) + ": " + facts
            yield "}"
        yield "}"

    @classmethod
    def from_json(cls, value: Any) -> Manifest:
        if not isinstance(value, dict):
            return cls()
        return cls(
            _shared(dict(value.get("entries", {}))),
            dict(value.get("digests", {})),
            str(value.get("body_hash", "")),
            str(value.get("index_key", "")),
        )

    def entry(self, notion_id: str) -> dict[str, Any]:
        return self.entries.setdefault(notion_id, {})

    def copy(self) -> Manifest:
        """A copy whose entries can be changed without touching this one's."""
        return Manifest(
            {k: dict(v) for k, v in self.entries.items()}, dict(self.digests), self.body_hash, self.index_key
        )


def _shared(entries: dict[str, Any]) -> dict[str, Any]:
    """`entries` with equal strings held once: facts repeat across entries (dates, reviewers, keywords, hashes
    of text many entries share), and a manifest of 5,000 entries parsed takes 23 MB, 13 MB so."""
    memo: dict[str, str] = {}
    stack: list[Any] = [entries]
    while stack:
        node = stack.pop()
        for key, value in node.items() if isinstance(node, dict) else enumerate(node):
            if isinstance(value, str):
                node[key] = memo.setdefault(value, value)
            elif isinstance(value, dict | list):
                stack.append(value)
    return entries


@dataclass(frozen=True)
class Listed:
    """One row of the index."""

    title: str
    url: str
    owner: str
    version: int
    next_due: str
    keywords: tuple[str, ...]
    archived_reason: str | None = None


def index_body(rows: list[Listed], parent_id: str) -> str:
    """The index page's text, rendered a keyword at a time: a row appears under each of its keywords, and the
    whole page as one tree (5,000 entries) would take some 40 MB at once."""
    doc = _Doc()
    doc.el(doc.root, "p", "Published support scenario walkthroughs, grouped by trigger keyword. Kept by scenario-sync.")
    parts = [doc.serialise()]
    live = [r for r in rows if r.archived_reason is None]
    groups: dict[str, list[Listed]] = {}
    for row in live:
        for keyword in row.keywords or ("(no keyword)",):
            groups.setdefault(keyword, []).append(row)
    for keyword in sorted(groups, key=str.casefold):
        doc = _Doc()
        root = doc.root
        doc.el(root, "h2", keyword)
        tbody = doc.el(doc.el(root, "table"), "tbody")
        head = doc.el(tbody, "tr")
        for name in ("Scenario", "Owner", "Version", "Next revalidation"):
            doc.el(head, "th", name)
        for row in sorted(groups[keyword], key=lambda r: r.title.casefold()):
            tr = doc.el(tbody, "tr")
            doc.el(doc.el(tr, "td"), "a", row.title, href=row.url)
            doc.el(tr, "td", row.owner)
            doc.el(tr, "td", str(row.version))
            doc.el(tr, "td", row.next_due)
        parts.append(doc.serialise())
    doc = _Doc()
    root = doc.root
    doc.el(root, "h2", "All pages (page properties report)")
    doc.macro(root, "detailssummary", cql=f"label = '{MANAGED_LABEL}' and ancestor = {parent_id}", id="scenario")
    archived = sorted((r for r in rows if r.archived_reason is not None), key=lambda r: r.title.casefold())
    doc.el(root, "h2", "Archived: not current guidance")
    if archived:
        _table(doc, root, [(r.title, r.archived_reason or "") for r in archived])
    else:
        doc.el(root, "p", "None.")
    return "".join([*parts, doc.serialise()])


def index_key(rows: list[Listed], parent_id: str) -> str:
    """What the index body is made from, hashed with the renderer's own mark: equal keys make equal bodies, so
    a run learns that an unchanged index is unchanged without rendering thousands of rows, and a release that
    changes how the index looks renders it once more."""
    return digest("\n".join([_layout(), parent_id, *sorted(map(repr, rows))]))  # the body sorts them too


@functools.cache
def _layout() -> str:
    """The renderer's mark: its body for a fixed set of rows (two keywords, one without, an archived one)."""
    sample = [
        Listed("b", "https://b", "Owner B", 2, "2026-02-01", ("k1", "k2")),
        Listed("a", "https://a", "Owner A", 1, "2026-01-01", ()),
        Listed("c", "https://c", "Owner C", 3, "", ("k1",), "archived: a reason"),
    ]
    return digest(index_body(sample, "0"))


def archive_page_body() -> str:
    doc = _Doc()
    doc.el(
        doc.root, "p", "Walkthroughs taken out of use by scenario-sync. Each page says why; none is current guidance."
    )
    return doc.serialise()


def banner(reason: str, day: str) -> str:
    """The panel put at the top of an archived page."""
    doc = _Doc()
    panel = doc.macro(doc.root, "warning", title="Archived: not current guidance")
    doc.el(doc.el(panel, "ac:rich-text-body"), "p", f"{reason} (archived {day}).")
    return doc.serialise()


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
