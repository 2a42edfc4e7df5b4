"""The one interface the sync has to Confluence, whichever surface (Cloud or Data Center) is behind it.

Managed pages carry our content property (`PROPERTY_KEY`) and the marker label (`MANAGED_LABEL`); they
are found with one CQL listing, never one GET per page.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, Protocol

from sync.assets import Attachment

if TYPE_CHECKING:
    from sync.retry import ApiCaller

PROPERTY_KEY = "scenario-sync"
MANAGED_LABEL = "scenario-sync-managed"
ARCHIVED_LABEL = "scenario-sync-archived"
ROLE_KEY = "scenario-sync-role"  # marks the sync's own pages that are not entries (index, archive)


@dataclass(frozen=True, slots=True)
class PageMeta:
    """What we record on each page we write (its content property)."""

    notion_page_id: str
    fingerprint: str
    written_version: int
    entry_version: int
    # Labels the sync itself added (a person's own labels are never removed); None on pages written before.
    labels: tuple[str, ...] | None = None
    # The attachments the sync uploaded, by file name: their SHA-256, so an unchanged file is never sent again.
    attachments: dict[str, str] | None = None
    # The Notion entry as read for this version, so a later run reads the body only if it changed:
    # its last_edited_time, its properties and gate verdict hashed, and when the sync read it (ISO, UTC).
    notion_edited: str | None = None
    source_fingerprint: str | None = None
    read_at: str | None = None
    body_hash: str | None = None  # the body and the files it shows, so an unread body still compares
    approval: dict[str, Any] | None = None  # the approval record the content went live under
    archived: dict[str, Any] | None = None  # set while archived: reason, date, mode, what restore needs

    def to_json(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        if data["labels"] is not None:
            data["labels"] = list(data["labels"])
        return data

    @classmethod
    def from_json(cls, value: Any) -> PageMeta | None:
        try:
            optional = {
                k: str(value[k])
                for k in ("notion_edited", "source_fingerprint", "read_at", "body_hash")
                if value.get(k)
            }
            return cls(
                notion_page_id=str(value["notion_page_id"]),
                fingerprint=str(value["fingerprint"]),
                written_version=int(value["written_version"]),
                entry_version=int(value["entry_version"]),
                labels=tuple(sys.intern(str(x)) for x in value["labels"]) if value.get("labels") is not None else None,
                attachments={str(k): str(v) for k, v in value["attachments"].items()}
                if isinstance(value.get("attachments"), dict)
                else None,
                approval=value.get("approval"),
                archived=value.get("archived"),
                **optional,  # absent from pages written before incremental reads
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return None


@dataclass(frozen=True, slots=True)
class ManagedPage:
    id: str
    title: str
    version: int
    last_editor: str
    labels: frozenset[str]
    meta: PageMeta | None
    property_id: str | None = None
    property_version: int | None = None
    last_editor_id: str = ""  # account id (Cloud) or user name (Data Center) of the current version's author
    edited_at: str = ""  # when the current version was written (ISO 8601, as Confluence gives it)
    own_edit: bool = False  # the current version was written by the sync's own account


@dataclass(frozen=True)
class Property:
    """A content property as read, with the version its next write must raise (Confluence's version check)."""

    key: str
    value: Any
    version: int
    id: str | None = None


@dataclass(frozen=True)
class PageVersion:
    """One version in a page's history: who wrote it, when, and the version message."""

    number: int
    when: str
    message: str
    by: str


@dataclass(frozen=True)
class Titled:
    """A page found by its title, with the content properties asked for (by key; a missing one is absent)."""

    page_id: str
    properties: dict[str, Property]


@dataclass(frozen=True)
class Target:
    space_key: str
    space_id: str
    parent_id: str


# Hears a page's record (the last of its writes) to write beside what the run does next: the page's id, the
# record's version once written, and the write (it raises `PartialWrite`).
Later = Callable[[str, int, Callable[[], ManagedPage]], None]


class ConfluenceAdapter(Protocol):
    flavor: str
    caller: ApiCaller  # every request goes through it; its `sleep` is the run's (tests inject theirs)

    def resolve_target(self, space_key: str, parent_id: str | None, parent_title: str | None) -> Target: ...

    def space(self, space_key: str) -> Target:
        """The space, as a target with no parent yet (an error that says what to fix if there is none)."""
        ...

    def parent_page(self, space_key: str, parent_id: str | None, parent_title: str | None) -> str:
        """The configured parent page's id (by id or by title), checked to exist; no space id needed, so it is
        looked up beside the space."""
        ...

    def titled(self, space_key: str, title: str, keys: tuple[str, ...] = ()) -> Titled | None:
        """The page with exactly this title in the space and its properties `keys`, in one request where the
        surface allows; None when there is none. Needs no space id, so it goes beside the space's lookup."""
        ...

    def find_managed(self, target: Target) -> list[ManagedPage]: ...

    def title_taken(self, target: Target, title: str) -> str | None: ...

    def create_page(
        self,
        target: Target,
        title: str,
        body: str,
        labels: list[str],
        meta: PageMeta,
        message: str,
        attachments: tuple[Attachment, ...] = (),
    ) -> ManagedPage: ...

    def update_page(
        self,
        page: ManagedPage,
        title: str,
        body: str,
        labels: list[str],
        meta: PageMeta,
        message: str,
        attachments: tuple[Attachment, ...] = (),
        *,
        later: Later | None = None,
    ) -> ManagedPage:
        """Write the page's text, labels and files, then its record; with `later`, the record is handed to it
        (where the page already has one) and the page returned as it will be once the record has landed."""
        ...

    def get_managed(self, page_id: str) -> ManagedPage: ...

    def page_url(self, page_id: str) -> str: ...

    # --- the page lifecycle: index and archive pages, content properties, moves, history ------------------
    def get_property(self, page_id: str, key: str) -> Property | None: ...

    def get_properties(self, page_id: str) -> dict[str, Property]: ...

    def set_property(self, page_id: str, key: str, value: Any, current: Property | None) -> Property:
        """Create (`current` None) or raise the version of a property; `PropertyConflict` when someone else
        wrote it first (409)."""
        ...

    def ensure_page(self, target: Target, title: str, body: str, role: str) -> str:
        """The id of the sync's own `role` page (index, archive) below the job's parent, created if missing."""
        ...

    def get_body(self, page_id: str) -> tuple[str, int, str]:
        """Title, version and storage body of a page."""
        ...

    def update_body(self, page_id: str, title: str, body: str, message: str) -> None: ...

    def children(self, page_id: str) -> list[str]:
        """Ids of a page's direct child pages."""
        ...

    def archive_page(
        self, page: ManagedPage, archive_parent_id: str, body: str, meta: PageMeta, message: str
    ) -> ManagedPage: ...

    def restore_page(
        self, page: ManagedPage, parent_id: str, title: str, body: str, labels: list[str], meta: PageMeta, message: str
    ) -> ManagedPage: ...

    def archive_native(self, page: ManagedPage, meta: PageMeta) -> ManagedPage: ...

    def history(self, page_id: str) -> list[PageVersion]: ...

    def add_labels(self, page_id: str, labels: list[str]) -> None: ...

    def put_attachment(self, page_id: str, name: str, data: bytes, media_type: str) -> None: ...

    def get_attachment(self, page_id: str, name: str) -> bytes | None: ...
