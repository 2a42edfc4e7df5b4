"""Whether an entry's page body must be read again: cheap runs when nothing changed. Pure.

A published page records (in its content property) the entry as the sync read it: its `last_edited_time`,
a fingerprint of its mapped properties and gate verdict, and when the read happened. The body is read
again when any of these says the entry may have changed since. Notion gives `last_edited_time` to the
minute, so an edit made in the same minute as the read, after it, looks identical: a read made less than a
minute after the entry's last edit does not count as having seen it. The integration's own status
write-back also moves `last_edited_time`; an edit by the integration after a publish is not a content change.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sync.confluence.base import ManagedPage

# Notion's last_edited_time is cut to the minute.
RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class Source:
    """The Notion entry behind a page, as read: recorded on the page, compared by the next run."""

    notion_edited: str | None = None
    fingerprint: str | None = None
    read_at: str | None = None


def fingerprint(page: dict[str, Any], property_names: list[str], verdict: tuple[str, ...]) -> str:
    """The mapped properties (as Notion answered them) and the gate's verdict, hashed."""
    return fingerprint_of(properties_json(page, property_names), verdict)


def properties_json(page: dict[str, Any], property_names: list[str]) -> str:
    """The mapped properties as Notion answered them, as the fingerprint encodes them: a page that keeps only
    this text (and not the parsed properties) can still be fingerprinted, and mapped again."""
    props = page.get("properties", {})
    return json.dumps([[name, props.get(name)] for name in sorted(set(property_names))], sort_keys=True, default=str)


def fingerprint_of(properties: str, verdict: tuple[str, ...]) -> str:
    return fingerprint_from(fed(properties), verdict)


def fed(properties: str) -> Any:
    """The fingerprint's hash fed with the properties: finished for any verdict without the text again."""
    # The same text as encoding [properties, verdict] in one go.
    return hashlib.sha256(f"[{properties}, ".encode())


def fingerprint_from(hashed: Any, verdict: tuple[str, ...]) -> str:
    finished = hashed.copy()
    finished.update(f"{json.dumps(list(verdict), sort_keys=True, default=str)}]".encode())
    return str(finished.hexdigest())


def seen_body_stands(page: dict[str, Any], seen: dict[str, Any], properties: str, bot_id: str) -> bool:
    """True when the body an earlier run read (`seen`: the entry's last edit and properties then, and when the
    read was) is still the entry's body: nobody but the integration has edited the entry since that read."""
    if seen.get("properties") != properties or not seen.get("edited") or not seen.get("at"):
        return False
    edited, then = parse_time(page["last_edited_time"]), parse_time(str(seen["edited"]))
    if parse_time(str(seen["at"])) < then + RESOLUTION:  # read in the same minute as the edit: maybe before it
        return False
    if (page.get("last_edited_by") or {}).get("id") == bot_id:  # its own status write-back since
        return edited >= then
    return edited == then


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def body_unchanged(page: dict[str, Any], source_fingerprint: str, current: ManagedPage | None, ours: bool) -> bool:
    """True when the body read for the published page is still the entry's body.

    `ours` says the entry's last edit was the integration's own status write-back after a publish.
    """
    if current is None or current.meta is None:
        return False
    meta = current.meta
    if current.version != meta.written_version:  # edited in Confluence: restoring it needs the body
        return False
    if meta.source_fingerprint != source_fingerprint or meta.body_hash is None:
        return False
    if meta.notion_edited is None or meta.read_at is None:  # written before incremental reads
        return False
    edited, recorded = parse_time(page["last_edited_time"]), parse_time(meta.notion_edited)
    if ours:
        return edited >= recorded
    if edited != recorded:
        return False
    return parse_time(meta.read_at) >= edited + RESOLUTION
