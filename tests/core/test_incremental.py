"""The incremental rule: a body is read again only when the entry may have changed since its publish."""

from __future__ import annotations

import pytest

from sync.confluence.base import ManagedPage, PageMeta
from sync.incremental import body_unchanged, fingerprint

FP = "f" * 64


def managed(
    edited: str | None = "2026-11-20T10:31:00.000Z",
    read_at: str | None = "2026-11-20T10:35:12+00:00",
    version: int = 3,
    fp: str | None = FP,
) -> ManagedPage:
    meta = PageMeta("e1", "c" * 64, 3, 2, notion_edited=edited, source_fingerprint=fp, read_at=read_at, body_hash="b")
    return ManagedPage("9", "T", version, "sync", frozenset(), meta)


def entry(edited: str = "2026-11-20T10:31:00.000Z") -> dict:
    return {"id": "e1", "last_edited_time": edited, "properties": {}}


@pytest.mark.parametrize(
    ("page", "current", "ours", "unchanged"),
    [
        (entry(), managed(), False, True),  # same edit, read minutes later
        (entry("2026-11-20T10:40:00.000Z"), managed(), False, False),  # edited since by a person
        (entry("2026-11-20T10:40:00.000Z"), managed(), True, True),  # our status write-back since
        (entry(), managed(read_at="2026-11-20T10:31:40+00:00"), False, False),  # read in the minute of the edit
        (entry(), managed(read_at="2026-11-20T10:32:00+00:00"), False, True),  # a whole minute later
        (entry(), managed(version=4), False, False),  # a person edited the Confluence page: restore needs it
        (entry(), managed(fp="0" * 64), False, False),  # properties or verdict changed
        (entry(), managed(edited=None, read_at=None, fp=None), False, False),  # written before this was recorded
        (entry(), None, False, False),  # never published
    ],
)  # fmt: skip
def test_body_unchanged(page: dict, current: ManagedPage | None, ours: bool, unchanged: bool) -> None:
    assert body_unchanged(page, FP, current, ours) is unchanged


def test_fingerprint_covers_mapped_properties_and_the_verdict_only() -> None:
    page = {"properties": {"Goal": {"rich_text": [{"plain_text": "a"}]}, "Sync status": {"select": {"name": "Held"}}}}
    base = fingerprint(page, ["Goal"], ("held",))
    other = {"properties": {**page["properties"], "Sync status": {"select": {"name": "Published"}}}}
    assert fingerprint(other, ["Goal"], ("held",)) == base  # write-back columns are not content
    assert fingerprint(page, ["Goal"], ("publish",)) != base
    edited = {"properties": {**page["properties"], "Goal": {"rich_text": [{"plain_text": "b"}]}}}
    assert fingerprint(edited, ["Goal"], ("held",)) != base


def test_old_content_properties_still_read() -> None:
    old = {"notion_page_id": "e1", "fingerprint": "c", "written_version": 2, "entry_version": 1}
    meta = PageMeta.from_json(old)
    assert meta is not None and meta.notion_edited is None and meta.read_at is None
    new = PageMeta.from_json(old | {"notion_edited": "t", "source_fingerprint": "s", "read_at": "r", "body_hash": "b"})
    assert new is not None and (new.notion_edited, new.source_fingerprint, new.read_at, new.body_hash) == (
        "t",
        "s",
        "r",
        "b",
    )
    assert PageMeta.from_json(new.to_json()) == new
