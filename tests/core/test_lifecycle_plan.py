"""Planning the lifecycle actions (archive, restore) and rendering the index page. Pure."""

from __future__ import annotations

from dataclasses import replace

from lxml import etree

from sync import index_page
from sync.index_page import Listed, banner, index_body, index_key
from sync.plan import plan
from tests.core.test_plan import desired, published


def archived(page):
    meta = replace(page.meta, archived={"reason": "overdue by 3 days", "date": "2026-11-01", "mode": "move"})
    return replace(page, meta=meta)


def test_an_entry_to_archive_is_archived_once() -> None:
    page = published(desired())
    (action,) = plan([], [page], set(), archive={"e1": ("overdue by 3 days", "move")}).actions
    assert (action.kind, action.reason, action.mode, action.writes) == ("archive", "overdue by 3 days", "move", True)
    (again,) = plan([], [archived(page)], set(), archive={"e1": ("overdue by 4 days", "move")}).actions
    assert (again.kind, again.reason, again.writes) == ("keep", "archived: overdue by 3 days", False)


def test_an_archived_entry_wanted_again_is_restored() -> None:
    page = desired()
    (action,) = plan([page], [archived(published(page))], set()).actions
    assert action.kind == "restore"
    assert action.reason == "revalidated or re-approved: restored from the archive (overdue by 3 days)"


def test_a_held_entry_keeps_its_page_and_is_not_archived_without_a_reason() -> None:
    (action,) = plan([], [published(desired())], {"e1"}).actions
    assert action.kind == "keep" and not action.writes


HOSTILE = 'Refund ]]><ac:structured-macro ac:name="html"><x/></ac:structured-macro> & <script>'


def test_index_groups_by_keyword_lists_archived_apart_and_escapes_text() -> None:
    rows = [
        Listed(HOSTILE, "https://x/p?a=1&b=2", "Ana", 3, "2027-01-01", ("refund", "billing")),
        Listed("Outage", "https://x/o", "Bo", 1, "2027-02-01", ("outage",)),
        Listed("Old one", "https://x/old", "Cy", 2, "2026-01-01", ("refund",), "overdue by 5 days (2026-11-01)"),
    ]
    body = index_body(rows, "42")
    root = etree.fromstring(
        f'<r xmlns:ac="http://atlassian.com/content" xmlns:ri="http://atlassian.com/resource/identifier">{body}</r>'
    )
    headings = [h.text for h in root.iter("h2")]
    assert headings == [
        "billing",
        "outage",
        "refund",
        "All pages (page properties report)",
        "Archived: not current guidance",
    ]
    macros = [
        m.get("{http://atlassian.com/content}name") for m in root.iter("{http://atlassian.com/content}structured-macro")
    ]
    assert macros == ["detailssummary"]  # the hostile title stays text
    assert HOSTILE in "".join(root.itertext())
    archived_part = body.split("Archived: not current guidance</h2>")[1]
    assert "Old one" in archived_part and "Old one" not in body.split("Archived: not current guidance</h2>")[0]


def test_banner_is_a_warning_panel_with_reason_and_date() -> None:
    assert 'ac:name="warning"' in banner("overdue by 5 days", "2026-11-01")
    assert "overdue by 5 days (archived 2026-11-01)." in banner("overdue by 5 days", "2026-11-01")


def test_the_index_key_follows_the_rows_not_their_order_and_the_renderer(monkeypatch) -> None:
    rows = [
        Listed("Refund", "https://w/1", "Ana", 2, "2026-03-01", ("refund",)),
        Listed("Outage", "https://w/2", "Bo", 1, "2026-04-01", ("outage", "integration")),
    ]
    key = index_key(rows, "10")
    assert index_key(rows[::-1], "10") == key  # the body sorts its rows: so does the key
    assert index_key([rows[0], replace(rows[1], owner="Cy")], "10") != key
    assert index_key(rows, "11") != key
    assert index_key(rows[:1], "10") != key

    # A release that renders the index differently has another mark: the same rows get another key.
    real = index_page.index_body
    monkeypatch.setattr(index_page, "index_body", lambda rows, parent: real(rows, parent) + "<p>new footer</p>")
    index_page._layout.cache_clear()
    try:
        assert index_key(rows, "10") != key
    finally:
        monkeypatch.undo()
        index_page._layout.cache_clear()
    assert index_key(rows, "10") == key
