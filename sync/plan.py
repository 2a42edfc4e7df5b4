"""Reconcile: the Confluence state Notion asks for, diffed against what is there. Pure.

Identity is the Notion page id (kept in our content property), never the title. Each action carries its
reason in words; a second run with nothing changed plans only no-ops.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Literal

from sync.assets import Attachment
from sync.confluence.base import MANAGED_LABEL, ManagedPage, PageMeta
from sync.incremental import Source
from sync.packing import pack, unpack

ActionKind = Literal[
    "create", "update", "retitle", "restore-edit", "noop", "keep", "keep-edit", "park", "conflict", "archive", "restore"
]
ManualEdits = Literal["restore", "keep"]
# A title to stand in while titles swap or rotate (Confluence allows each title once per space).
PARK_SUFFIX = " (retitling)"


class _Compressed:
    """A text field kept compressed (`sync.packing`), the text again when read: a first run holds every page
    it writes to its end, and their texts take a fifth of the room this way."""

    def __init__(self, name: str) -> None:
        self._key = f"_{name}"

    def __get__(self, instance: object, owner: type | None = None) -> str:
        packed = instance.__dict__[self._key]
        if packed is None:  # see `DesiredPage.let_go`
            raise ValueError("only the hash of this page's text is kept: it was written, or had nothing to write")
        return unpack(packed).decode()

    def __set__(self, instance: object, text: str) -> None:
        instance.__dict__[self._key] = pack(text.encode())


@dataclass(frozen=True)
class DesiredPage:
    notion_page_id: str
    title: str
    body: str  # the page's text (storage format), kept compressed: see below
    labels: tuple[str, ...]
    entry_version: int
    attachments: tuple[Attachment, ...] = ()
    approvals: tuple[str, ...] = ()  # who approved this version (for the version message; not content)
    approval: dict | None = field(default=None, compare=False)  # the approval record it goes live under
    source: Source | None = None  # the Notion entry as read (recorded, not compared)
    # What comes from the Notion page body: the names of the attachments it shows, and (for an entry
    # unchanged since its publish, whose body was not read) the recorded hash of body and those files.
    from_body: frozenset[str] = frozenset()
    body_hash: str | None = None

    @property
    def content_hash(self) -> str:
        """The rendered body and the files of the Notion body it shows, hashed."""
        if self.body_hash is not None:
            return self.body_hash
        shown = sorted((a.name, a.sha256) for a in self.attachments if a.name in self.from_body)
        return hashlib.sha256(json.dumps([self.body, shown]).encode()).hexdigest()

    @property
    def fingerprint(self) -> str:
        """Everything we write, hashed: equal fingerprints mean nothing to write."""
        parts: list[object] = [self.title, self.content_hash, sorted(self.labels), self.entry_version]
        others = [a for a in self.attachments if a.name not in self.from_body]
        if others:  # by content: a changed file changes the page
            parts.append(sorted((a.name, a.sha256) for a in others))
        payload = json.dumps(parts)
        return hashlib.sha256(payload.encode()).hexdigest()

    def let_go(self) -> None:
        """Drops the page's text and files once nothing will send them (the page written, or nothing to write),
        keeping their hashes, so the fingerprint stays: a run holds a desired page for every entry to its end,
        and their texts and clip plans were a tenth of a first run's memory. Whoever holds the page sees it."""
        if self.body_hash is None:
            object.__setattr__(self, "body_hash", self.content_hash)  # frozen to callers, not to itself
        self.__dict__["_body"] = None
        object.__setattr__(self, "attachments", tuple(a.hashed() for a in self.attachments))

    def meta(self, written_version: int = 0) -> PageMeta:
        source = self.source or Source()
        return PageMeta(
            self.notion_page_id,
            self.fingerprint,
            written_version,
            self.entry_version,
            notion_edited=source.notion_edited,
            source_fingerprint=source.fingerprint,
            read_at=source.read_at,
            body_hash=self.content_hash,
            approval=self.approval,
        )


# Set once the class is made: the dataclass sees a plain field, and its __init__ stores it through this.
DesiredPage.body = _Compressed("body")  # type: ignore[assignment]


@dataclass(frozen=True)
class Action:
    kind: ActionKind
    notion_page_id: str
    title: str
    reason: str
    desired: DesiredPage | None = None
    current: ManagedPage | None = None
    serial: bool = False  # part of a title swap or chain: applied one by one, in plan order, before the rest
    mode: str = "move"  # archive: move under "Archived scenarios", or Confluence's own (native)

    @property
    def writes(self) -> bool:
        return self.kind in ("create", "update", "retitle", "restore-edit", "park", "archive", "restore")


@dataclass(frozen=True)
class Copy:
    """A page that carries the same Notion entry as the managed page (a person copied it): left alone, reported."""

    page: ManagedPage
    original: ManagedPage

    def __str__(self) -> str:
        return (
            f"page {self.page.id} '{self.page.title}' carries the same Notion entry as the managed page"
            f" {self.original.id} (a copy?): it is left untouched; delete it, or remove its content property"
        )


@dataclass
class Plan:
    actions: list[Action] = field(default_factory=list)
    copies: list[Copy] = field(default_factory=list)

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


def _originals(current: list[ManagedPage]) -> tuple[dict[str, ManagedPage], list[Copy]]:
    """One managed page per entry. Two pages naming one entry means a person copied one: the original is the
    page still at the version we wrote, else the older one (Confluence ids grow)."""
    by_entry: dict[str, list[ManagedPage]] = {}
    for page in current:
        if page.meta is not None:
            by_entry.setdefault(page.meta.notion_page_id, []).append(page)
    originals: dict[str, ManagedPage] = {}
    copies: list[Copy] = []
    for entry_id, pages in by_entry.items():
        pages.sort(key=lambda p: (p.meta is not None and p.version != p.meta.written_version, int(p.id)))
        originals[entry_id] = pages[0]
        copies.extend(Copy(page, pages[0]) for page in pages[1:])
    return originals, copies


def _same_titles(desired: list[DesiredPage], by_entry: dict[str, ManagedPage]) -> dict[str, Action]:
    """Entries that share a title: the one whose page has it already keeps it (else the first); the others
    get a problem naming both."""
    groups: dict[str, list[DesiredPage]] = {}
    for page in desired:
        groups.setdefault(page.title.casefold(), []).append(page)
    conflicts = {}
    for pages in groups.values():
        if len(pages) < 2:
            continue
        holder = next(
            (p for p in pages if (e := by_entry.get(p.notion_page_id)) and e.title.casefold() == p.title.casefold()),
            pages[0],
        )
        for page in pages:
            if page is not holder:
                reason = (
                    f"entries {page.notion_page_id} and {holder.notion_page_id} both have the title '{page.title}'"
                    f" and a title is unique in the space; {holder.notion_page_id} keeps it: rename this one in Notion"
                )
                conflicts[page.notion_page_id] = Action("conflict", page.notion_page_id, page.title, reason, page)
    return conflicts


def _edited(existing: ManagedPage) -> str:
    when = existing.edited_at[:16].replace("T", " ")
    return f"edited in Confluence by {existing.last_editor}" + (f" on {when} UTC" if when else "")


def plan(
    desired: list[DesiredPage],
    current: list[ManagedPage],
    held: set[str],
    manual_edits: ManualEdits = "restore",
    archive: dict[str, tuple[str, str]] | None = None,
) -> Plan:
    """Actions that bring Confluence to `desired`. `held` entries keep their last approved page as is.
    With `manual_edits="keep"`, a page a person edited stays as they left it until its entry changes.
    `archive` maps entries to take out of use to (reason, mode)."""
    archive = archive or {}
    by_entry, copies = _originals(current)
    conflicts = _same_titles(desired, by_entry)
    result = Plan(copies=copies)
    for page in desired:
        if page.notion_page_id in conflicts:
            result.actions.append(conflicts[page.notion_page_id])
            continue
        existing = by_entry.get(page.notion_page_id)
        if existing is None:
            result.actions.append(
                Action("create", page.notion_page_id, page.title, "approved, not yet published", page)
            )
            continue
        meta = existing.meta
        assert meta is not None
        if meta.archived is not None:
            reason = f"revalidated or re-approved: restored from the archive ({meta.archived.get('reason', '')})"
            result.actions.append(Action("restore", page.notion_page_id, page.title, reason, page, existing))
            continue
        if existing.version != meta.written_version and existing.own_edit:
            # Our own write whose record failed to save: finish it; it is no human edit.
            reason = "completing an interrupted write"
            result.actions.append(Action("update", page.notion_page_id, page.title, reason, page, existing))
        elif existing.version != meta.written_version:
            edited = f"{_edited(existing)} (version {existing.version}, we wrote {meta.written_version})"
            if manual_edits == "keep" and meta.fingerprint == page.fingerprint:
                reason = f"{edited}: kept as they left it until the entry changes in Notion"
                result.actions.append(Action("keep-edit", page.notion_page_id, page.title, reason, page, existing))
                continue
            reason = f"{edited}: restoring the approved text"
            if manual_edits == "keep":
                reason = f"{edited}; the entry changed in Notion: publishing the approved text over it"
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
        assert existing.meta is not None
        if existing.meta.archived is not None:
            reason = "archived: " + str(existing.meta.archived.get("reason", ""))
            result.actions.append(Action("keep", entry_id, existing.title, reason, None, existing))
        elif entry_id in archive:
            reason, mode = archive[entry_id]
            result.actions.append(Action("archive", entry_id, existing.title, reason, None, existing, mode=mode))
        else:
            reason = "held in Notion: the last approved version stays live" if entry_id in held else "not in this run"
            result.actions.append(Action("keep", entry_id, existing.title, reason, None, existing))
    result.actions = _order_titles(result.actions, current)
    return result


def _order_titles(actions: list[Action], current: list[ManagedPage]) -> list[Action]:
    """Writes that take a title another managed page is giving up go after it; a swap or rotation goes
    through a temporary title. Everything else keeps its order."""
    moving = {
        a.current.id: a
        for a in actions
        if a.writes and a.current is not None and a.desired is not None and a.current.title != a.desired.title
    }
    holders = {p.title.casefold(): p.id for p in current if p.id in moving}

    def blocker(action: Action) -> Action | None:
        if not action.writes or action.desired is None:
            return None
        holder = holders.get(action.desired.title.casefold())
        if holder is None or (action.current is not None and action.current.id == holder):
            return None
        return moving[holder]

    chained = {id(a) for a in actions if blocker(a) is not None}
    chained |= {id(b) for a in actions if (b := blocker(a)) is not None}
    if not chained:
        return actions
    pending = [a for a in actions if id(a) in chained]
    ordered: list[Action] = []
    freed: set[str] = set()
    while pending:
        ready = [a for a in pending if (b := blocker(a)) is None or (b.current is not None and b.current.id in freed)]
        if not ready:  # a cycle: park its first page under a temporary title, which frees its old one
            first = next(a for a in pending if a.current is not None and a.current.id not in freed)
            assert first.desired is not None and first.current is not None
            parked = replace(first.desired, title=first.desired.title[: 255 - len(PARK_SUFFIX)] + PARK_SUFFIX)
            reason = f"titles swap: '{first.current.title}' moves aside first"
            ordered.append(
                Action("park", first.notion_page_id, parked.title, reason, parked, first.current, serial=True)
            )
            freed.add(first.current.id)
            continue
        for action in ready:
            ordered.append(replace(action, serial=True))
            pending.remove(action)
            if action.current is not None:
                freed.add(action.current.id)
    rest = [a for a in actions if id(a) not in chained]
    return ordered + rest
