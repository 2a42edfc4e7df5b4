"""Reminders in Notion: a comment mentioning the owner, once per owner per period, never repeated on a rerun,
the fallback owner for a deactivated owner, and a comment whose answer was lost is not posted twice."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from tests.e2e.helpers import bulk_sandbox
from tests.e2e.test_lifecycle import ESCALATION, LATER, at, notion_id, quiet_run


def comments(sandbox, title: str):
    return sandbox.notion.state.list_comments(notion_id(sandbox, title))


def mentions(comment) -> list[str]:
    return [item["mention"]["user"]["id"] for item in comment.rich_text if item.get("type") == "mention"]


def user_id(sandbox, name: str) -> str:
    return next(u.id for u in sandbox.notion.state.users.values() if u.name == name)


def text(comment) -> str:
    return "".join(item.get("plain_text", "") or item.get("text", {}).get("content", "") for item in comment.rich_text)


def test_the_owner_is_reminded_once_and_not_again_on_a_rerun(sandbox, run_demo) -> None:
    report, _ = run_demo(sandbox)
    (comment,) = comments(sandbox, ESCALATION)
    assert mentions(comment) == [user_id(sandbox, "Tomás Herrera")]
    assert "revalidation due in 10 days" in text(comment)
    assert any("Tomás Herrera" in line for line in report.reminders)
    quiet_run(sandbox, run_demo)
    # Later the same week nothing new; the archive, once overdue, is told at once, to the fallback owner too.
    quiet_run(sandbox, run_demo, clock=at(datetime.now(UTC) + timedelta(days=1)))
    run_demo(sandbox, clock=at(LATER))
    archived = comments(sandbox, ESCALATION)[-1]
    assert len(comments(sandbox, ESCALATION)) == 2
    assert mentions(archived) == [user_id(sandbox, "Tomás Herrera"), user_id(sandbox, "Lena Lead")]
    assert "archive: owner revalidation overdue by 5 days" in text(archived)
    quiet_run(sandbox, run_demo, clock=at(LATER))


def test_a_deactivated_owner_goes_to_the_fallback_owner(sandbox, run_demo) -> None:
    gone = user_id(sandbox, "Tomás Herrera")
    del sandbox.notion.state.users[gone]  # no longer in GET /v1/users (the page shows only the id)
    run_demo(sandbox)
    (comment,) = comments(sandbox, ESCALATION)
    assert mentions(comment) == [user_id(sandbox, "Lena Lead")]
    assert f"sent to the fallback owner: {gone} cannot be reached in Notion" in text(comment)


def test_a_comment_applied_but_whose_answer_was_lost_is_not_doubled(sandbox, run_demo, monkeypatch) -> None:
    emulator = sandbox.notion
    real = emulator.dispatch
    lost: list[str] = []

    def answer_lost(endpoint, request, args):
        response = real(endpoint, request, args)
        if endpoint == "create_comment" and not lost:
            lost.append(endpoint)  # the comment is stored; the client sees a 502
            return emulator.error_response(502)
        return response

    monkeypatch.setattr(emulator, "dispatch", answer_lost)
    report, _ = run_demo(sandbox)
    assert lost and len(comments(sandbox, ESCALATION)) == 1
    assert report.reminders and not report.errors
    run_demo(sandbox)
    assert len(comments(sandbox, ESCALATION)) == 1


def test_a_run_killed_after_posting_does_not_post_again(make_sandbox, run_demo) -> None:
    sandbox = make_sandbox()
    run_demo(sandbox)
    (comment,) = comments(sandbox, ESCALATION)
    # The next run starts from Confluence state that never heard of the comment (the manifest write was lost).
    index = next(p for p in sandbox.confluence.state.pages.values() if "scenario-sync-manifest" in p.properties)
    manifest = index.properties["scenario-sync-manifest"].value
    for facts in manifest["entries"].values():
        facts.pop("reminded", None)
    manifest["digests"] = {}
    run_demo(sandbox)
    assert comments(sandbox, ESCALATION) == [comment]


def test_reminders_and_archive_on_notion_2026_03_11(make_sandbox, run_demo) -> None:
    sandbox = make_sandbox()
    newer = {"notion_version": "2026-03-11"}
    run_demo(sandbox, credentials=newer)
    assert len(comments(sandbox, ESCALATION)) == 1
    report, _ = run_demo(sandbox, credentials=newer, clock=at(LATER))
    assert next(e for e in report.entries if e.title == ESCALATION).outcome == "archived"
    assert len(comments(sandbox, ESCALATION)) == 2


def test_a_status_still_waiting_its_turn_is_the_outcome_not_the_reminder(sandbox, run_demo, monkeypatch) -> None:
    # Statuses go one at a time, each slow, so most are still queued when the reminders are sent; what they
    # write is the entry's outcome, and a rerun finds every status as it should be.
    from sync import run as run_module
    from sync.sandbox.faults import Fault
    from sync.sandbox.notion import richtext

    monkeypatch.setattr(run_module, "NOTION_IN_FLIGHT", 1)
    sandbox.notion.traffic.add_fault(Fault(kind="slow", delay=0.2, method="PATCH", path=r"/v1/pages/", times=20))
    report, _ = run_demo(sandbox)
    assert any("Tomás Herrera" in line for line in report.reminders)
    state = sandbox.notion.state
    page = state.pages[notion_id(sandbox, ESCALATION)]
    source = state.data_sources[page.data_source_id or ""]
    key = next(p.id for p in source.properties.values() if p.name == "Sync message")
    message = richtext.plain_text(page.values.get(key, []))
    assert message.startswith("approved by") and "reminder sent" not in message
    quiet_run(sandbox, run_demo)


def test_notions_users_are_asked_for_beside_the_listing_once_a_listed_entry_is_due(make_sandbox, run_demo, monkeypatch):
    """No timing: the listing's last page waits for the users request, which comes only if a due reminder,
    seen on an earlier page, started it (it used to come after the listing, on the run's last stretch)."""
    sandbox = bulk_sandbox(make_sandbox, 250)  # three pages of results
    first, _ = run_demo(sandbox)
    assert first.reminders  # some entries are due
    emulator, real = sandbox.notion, sandbox.notion.dispatch
    users_asked, queries, waited = threading.Event(), [], []

    def last_page_waits(endpoint, request, args):
        if endpoint == "list_users":
            users_asked.set()
        elif endpoint == "query_data_source":
            queries.append(request.path)
            if len(queries) == 3:
                waited.append(users_asked.wait(10))
        return real(endpoint, request, args)

    monkeypatch.setattr(emulator, "dispatch", last_page_waits)
    report, _ = run_demo(sandbox)
    assert len(queries) == 3 and waited == [True], "the users were asked for only after the listing"
    assert report.count("unchanged") == first.count("published") and not report.reminders  # sent already
    assert len(emulator.traffic.requests("GET", "/v1/users$")) == 2  # once a run, as before


def test_without_the_comment_capability_reminders_are_reported_and_the_rest_goes_on(sandbox, run_demo) -> None:
    sandbox.notion.denied.add("insert_comments")
    report, _ = run_demo(sandbox)
    assert report.count("published") == 2  # the pages go out regardless
    assert any("not sent" in e and "403" in e for e in report.errors), report.errors
    assert comments(sandbox, ESCALATION) == []
    sandbox.notion.denied.clear()  # granted: the next run sends what is due
    again, _ = run_demo(sandbox)
    assert len(comments(sandbox, ESCALATION)) == 1 and not again.errors
