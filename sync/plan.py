"""Reconcile: the Confluence state Notion asks for, diffed against what is there. Pure.

Identity is the Notion page id (kept in our content property), never the title. Each action carries its
reason in words; a second run with nothing changed plans only no-ops.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

from sync.assets import Attachment
from sync.confluence.base import MANAGED_LABEL, ManagedPage, PageMeta

ActionKind = Literal["create", "update", "retitle", "restore-edit", "noop", "keep"]


@dataclass(frozen=True)
class DesiredPage:
    notion_page_id: str
    title: str
    body: str
    labels: tuple[str, ...]
    entry_version: int
    attachments: tuple[Attachment, ...] = ()

    @property
    def fingerprint(self) -> str:
        """Everything we write, hashed: equal fingerprints mean nothing to write."""
        parts: list[object] = [self.title, self.body, sorted(self.labels), self.entry_version]
        if self.attachments:  # by content: a changed file changes the page
            parts.append(sorted((a.name, a.sha256) for a in self.attachments))
        payload = json.dumps(parts)
        return hashlib.sha256(payload.encode()).hexdigest()

    def meta(self, written_version: int = 0) -> PageMeta:
        return PageMeta(self.notion_page_id, self.fingerprint, written_version, self.entry_version)


@dataclass(frozen=True)
class Action:
    kind: ActionKind
    notion_page_id: str
    title: str
    reason: str
    desired: DesiredPage | None = None
    current: ManagedPage | None = None

    @property
    def writes(self) -> bool:
        return self.kind in ("create", "update", "retitle", "restore-edit")


@dataclass
class Plan:
    actions: list[Action] = field(default_factory=list)

    def by_kind(self, kind: ActionKind) -> list[Action]:
        return [a for a in self.actions if a.kind == kind]

    @property
    def writes(self) -> list[Action]:
        return [a for a in self.actions if a.writes]


_LABEL_SPACE = re.compile(r"[\s:;,.?&\[\]()#^*@!/\\'\"<>|=+~`{}%$]+")


def label_for(keyword: str) -> str | None:
    """A trigger keyword as a Confluence label: lower case, no spaces or reserved characters."""
    text = unicodedata.normalize("NFKC", keyword).strip().lower()
    text = _LABEL_SPACE.sub("-", text).strip("-")
    return text[:255] or None


def labels_for(keywords: tuple[str, ...]) -> tuple[str, ...]:
    labels = {label for k in keywords if (label := label_for(k))}
    return (*sorted(labels), MANAGED_LABEL)


def plan(desired: list[DesiredPage], current: list[ManagedPage], held: set[str]) -> Plan:
    """Actions that bring Confluence to `desired`. `held` entries keep their last approved page as is."""
    by_entry = {page.meta.notion_page_id: page for page in current if page.meta is not None}
    result = Plan()
    for page in desired:
        existing = by_entry.get(page.notion_page_id)
        if existing is None:
            result.actions.append(
                Action("create", page.notion_page_id, page.title, "approved, not yet published", page)
            )
            continue
        meta = existing.meta
        assert meta is not None
        if existing.version != meta.written_version:
            reason = (
                f"edited in Confluence by {existing.last_editor} (version {existing.version}, "
                f"we wrote {meta.written_version}): restoring the approved text"
            )
            result.actions.append(Action("restore-edit", page.notion_page_id, page.title, reason, page, existing))
        elif meta.fingerprint != page.fingerprint:
            if existing.title != page.title:
                reason = f"renamed from '{existing.title}'"
                result.actions.append(Action("retitle", page.notion_page_id, page.title, reason, page, existing))
            else:
                reason = f"content changed (version {meta.entry_version} → {page.entry_version})"
                if meta.entry_version == page.entry_version:
                    reason = "rendering changed"
                result.actions.append(Action("update", page.notion_page_id, page.title, reason, page, existing))
        else:
            result.actions.append(Action("noop", page.notion_page_id, page.title, "unchanged", page, existing))
    wanted = {page.notion_page_id for page in desired}
    for entry_id, existing in by_entry.items():
        if entry_id in wanted:
            continue
        reason = "held in Notion: the last approved version stays live" if entry_id in held else "not in this run"
        result.actions.append(Action("keep", entry_id, existing.title, reason, None, existing))
    return result
