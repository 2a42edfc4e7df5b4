"""Reconcile planning: identity by Notion page id, no-ops when nothing changed, reasons for every action."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace

import pytest

from sync.assets import Attachment
from sync.confluence.base import MANAGED_LABEL, ManagedPage
from sync.plan import DesiredPage, label_for, labels_for, plan


def desired(entry: str = "e1", title: str = "Refund outside window", body: str = "<p>v</p>", version: int = 2):
    return DesiredPage(entry, title, body, ("refund", MANAGED_LABEL), version)


def published(page: DesiredPage, version: int = 1, editor: str = "scenario-sync bot", written: int | None = None):
    return ManagedPage(
        id="100",
        title=page.title,
        version=version,
        last_editor=editor,
        labels=frozenset(page.labels),
        meta=page.meta(written_version=written if written is not None else version),
    )


def test_new_entry_is_created() -> None:
    result = plan([desired()], [], set())
    assert [(a.kind, a.reason) for a in result.actions] == [("create", "approved, not yet published")]


def test_unchanged_entry_is_a_noop() -> None:
    page = desired()
    result = plan([page], [published(page)], set())
    assert [a.kind for a in result.actions] == ["noop"]
    assert result.writes == []


def test_renamed_entry_is_retitled_in_place() -> None:
    old = desired(title="Refund outside the window")
    new = desired(title="Refund requested after 30 days")
    (action,) = plan([new], [published(old)], set()).actions
    assert action.kind == "retitle"
    assert action.current is not None and action.current.id == "100"
    assert action.reason == "renamed from 'Refund outside the window'"


def test_content_change_is_an_update_naming_versions() -> None:
    old, new = desired(version=2), desired(body="<p>new</p>", version=3)
    (action,) = plan([new], [published(old)], set()).actions
    assert (action.kind, action.reason) == ("update", "content changed (version 2 → 3)")


def test_human_edit_in_confluence_is_restored_and_named() -> None:
    page = desired()
    current = published(page, version=3, editor="Dana Editor", written=2)
    (action,) = plan([page], [current], set()).actions
    assert action.kind == "restore-edit"
    assert "edited in Confluence by Dana Editor (version 3, we wrote 2)" in action.reason


def test_held_entry_keeps_its_last_approved_page() -> None:
    page = desired()
    (action,) = plan([], [published(page)], {"e1"}).actions
    assert (action.kind, action.reason) == ("keep", "held in Notion: the last approved version stays live")
    assert not action.writes


def test_identity_is_the_notion_id_not_the_title() -> None:
    mine, other = desired("e1", title="Same title"), desired("e2", title="Same title")
    kinds = {a.notion_page_id: a.kind for a in plan([mine, other], [published(mine)], set()).actions}
    assert kinds == {"e1": "noop", "e2": "conflict"}


def test_labels_follow_confluence_rules() -> None:
    assert label_for("Refund outside window") == "refund-outside-window"
    assert label_for("  Billing: dispute (EU)! ") == "billing-dispute-eu"
    assert label_for("???") is None
    assert labels_for(("Refund", "refund", "Outage")) == ("outage", "refund", MANAGED_LABEL)


def test_a_desired_page_keeps_its_text_compressed_and_gives_it_back_whole() -> None:
    text = "<p>Acknowledge the urgency; never quote a fix time. ☎️ مرحبا</p>" * 200
    page = DesiredPage("entry", "Refund outside window", text, ("refund", MANAGED_LABEL), 2)
    assert page.body == text and replace(page, title="Other").body == text
    assert len(page.__dict__["_body"]) * 5 < len(text.encode())  # what a run holds of it
    assert page == DesiredPage("entry", "Refund outside window", text, ("refund", MANAGED_LABEL), 2)
    assert page != replace(page, body=text + " ")
    assert page.fingerprint == replace(page, body=text).fingerprint != replace(page, body="<p>other</p>").fingerprint
    with pytest.raises(FrozenInstanceError):
        page.body = "changed"  # type: ignore[misc]
    standing = replace(page, body="", body_hash="recorded")  # a page standing as published: nothing to keep
    assert standing.body == "" and standing.__dict__["_body"] == b""


def test_a_page_let_go_keeps_its_hashes_and_refuses_to_give_a_text_it_no_longer_has() -> None:
    """Once written (or with nothing to write) a page keeps what names it, never an empty text to send."""
    clip_plan = Attachment.compressed("clip-plan.json", "application/json", b'{"clips": []}' * 50)
    video = Attachment("intro.mp4", "video/mp4", b"\x00video" * 100)
    text = "<p>Acknowledge the urgency. مرحبا 🚨</p>" * 50
    page = DesiredPage("e", "Refund", text, ("refund",), 3, (clip_plan, video), from_body=frozenset({"intro.mp4"}))
    before = (page.fingerprint, page.content_hash, page.meta(7))
    page.let_go()
    assert (page.fingerprint, page.content_hash, page.meta(7)) == before
    assert [(a.name, a.media_type, a.sha256) for a in page.attachments] == [
        (a.name, a.media_type, a.sha256) for a in (clip_plan, video)
    ]
    assert page.__dict__["_body"] is None and all(a.stored is None for a in page.attachments)
    with pytest.raises(ValueError, match="only the hash of this page's text is kept"):
        _ = page.body
    with pytest.raises(ValueError, match="only its hash is kept"):
        _ = page.attachments[0].data
    page.let_go()  # twice: the same
    assert page.fingerprint == before[0]
