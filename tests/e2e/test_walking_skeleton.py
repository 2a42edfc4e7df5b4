"""The whole path, against both Confluence surfaces: read Notion, map, gate, render, plan, publish, write back."""

from __future__ import annotations

import httpx

from sync.confluence.base import MANAGED_LABEL, PROPERTY_KEY
from tests.e2e.helpers import written_back as notion_status

PUBLISHED = {
    "Customer says a critical integration is down right now",
    "Customer escalates after an incomplete first answer",
}


def children(sandbox):
    """The entry pages under the job's parent (not the sync's own index page)."""
    state = sandbox.confluence.state
    pages = state.children(sandbox.info["parent_page_id"])
    return {p.title: p for p in pages if "scenario-sync-role" not in p.properties}


def test_first_run_publishes_approved_entries_and_second_run_writes_nothing(sandbox, run_demo) -> None:
    report, _ = run_demo(sandbox)

    pages = children(sandbox)
    assert set(pages) == PUBLISHED
    for page in pages.values():
        assert {label.name for label in page.labels} >= {MANAGED_LABEL}
        assert page.properties[PROPERTY_KEY].value["written_version"] == page.version
    assert report.totals == {"published": 2, "held": 2, "problem": 1}
    assert report.exit_code == 1  # one entry has a problem

    sandbox.notion.traffic.clear()
    sandbox.confluence.traffic.clear()
    second, _ = run_demo(sandbox)
    assert second.totals == {"unchanged": 2, "held": 2, "problem": 1}
    assert sandbox.confluence.traffic.writes() == []
    assert sandbox.notion.traffic.writes() == []
    assert second.confluence.writes == second.notion.writes == 0


def test_held_and_broken_entries_say_why_in_the_report(sandbox, run_demo) -> None:
    report, _ = run_demo(sandbox)
    by_title = {e.title: e for e in report.entries}
    refund = by_title["Refund asked for outside the refund window"]
    assert refund.outcome == "held"
    assert "held: changed since legal approved version 2 (entry is version 3)" in refund.reasons
    feature = by_title["Customer asks for a feature we do not have"]
    assert feature.reasons == ["held: legal review is 'In review' for version 1"]
    access = by_title["Customer asks for account access or data the agent may not share"]
    assert access.outcome == "problem"
    assert access.problems == ["4 Escalation rule: it is empty; set some text"]


def test_dry_run_plans_without_writing(sandbox, run_demo) -> None:
    report, plan = run_demo(sandbox, dry_run=True)
    assert [a.kind for a in plan.writes] == ["create", "create"]
    assert report.count("planned") == 2
    assert sandbox.confluence.traffic.writes() == []
    assert sandbox.notion.traffic.writes() == []


def test_status_is_written_back_to_each_notion_entry(sandbox, run_demo) -> None:
    run_demo(sandbox)
    status = notion_status(sandbox)
    pages = children(sandbox)
    integration = status["Customer says a critical integration is down right now"]
    assert integration[0] == "Published"
    assert integration[2].endswith(f"pageId={pages['Customer says a critical integration is down right now'].id}")
    opened = httpx.get(integration[2])  # the link in Notion opens the page (the sandbox serves a view)
    assert opened.status_code == 200 and "Escalation rule" in opened.text
    assert status["Customer asks for a feature we do not have"][:2] == (
        "Held",
        "held: legal review is 'In review' for version 1",
    )
    assert status["Customer asks for account access or data the agent may not share"][:2] == (
        "Problem",
        "4 Escalation rule: it is empty; set some text",
    )


def test_a_database_without_status_columns_is_published_with_a_warning(make_sandbox, run_demo) -> None:
    sandbox = make_sandbox()
    sandbox.notion.state.update_data_source(sandbox.info["data_source_id"], {"Sync status": None})
    report, _ = run_demo(sandbox)
    assert report.count("published") == 2
    assert report.warnings == [
        "status not written back: the database has no select property 'Sync status'"
        " (add it, or remove `writeback` from the mapping)"
    ]
    # Only the reminder to the owner whose entry is due soon: no property is written.
    assert report.exit_code == 1
    assert [w.path for w in sandbox.notion.traffic.writes()] == ["/v1/comments"]


def test_the_report_says_where_the_time_went(sandbox, run_demo) -> None:
    first, _ = run_demo(sandbox)
    again, _ = run_demo(sandbox)
    assert {"read", "bodies", "decide", "write"} <= set(first.seconds)
    assert "write" not in again.seconds  # nothing to write: no lease, no write part
    for report in (first, again):
        assert all(seconds >= 0 for seconds in report.seconds.values())
        elapsed = (report.finished_at - report.started_at).total_seconds()
        assert sum(report.seconds.values()) >= elapsed * 0.5  # the parts cover the run, not a sliver of it
