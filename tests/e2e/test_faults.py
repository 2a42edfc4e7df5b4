"""Faults during a run: what is retried, what is not, and that a clean rerun always converges."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from sync.errors import ApiFailure, AuthError
from sync.sandbox.faults import Fault

CREATE = r"(/api/v2/pages|/rest/api/content)$"


def managed_children(sandbox):
    """Entry pages (not the sync's own index page)."""
    pages = sandbox.confluence.state.children(sandbox.info["parent_page_id"])
    return [p for p in pages if "scenario-sync-role" not in p.properties]


def test_notion_429_waits_what_retry_after_says(make_sandbox, run_demo) -> None:
    sandbox = make_sandbox()
    sandbox.notion.traffic.add_fault(Fault(status=429, retry_after=7, method="POST", path="/query$"))
    sleeps: list[float] = []
    report, _ = run_demo(sandbox, sleep=sleeps.append)
    assert report.count("published") == 2
    assert report.notion.retries == 1
    assert 7.0 in sleeps


def test_confluence_503_on_the_listing_is_retried(sandbox, run_demo) -> None:
    sandbox.confluence.traffic.add_fault(Fault(status=503, path="content/search", times=2))
    report, _ = run_demo(sandbox)
    assert report.count("published") == 2
    assert report.confluence.retries == 2
    assert [r.fault for r in sandbox.confluence.traffic.requests(path="content/search")][:2] == ["503", "503"]


def test_failed_create_is_not_retried_and_a_rerun_creates_no_duplicate(sandbox, run_demo) -> None:
    # The first create is the job's index page; the fault hits the first entry page.
    sandbox.confluence.traffic.add_fault(Fault(status=500, method="POST", path=CREATE, skip=1))
    report, _ = run_demo(sandbox)
    assert report.count("failed") == 1 and report.count("published") == 1
    assert report.exit_code == 3
    failed = next(e for e in report.entries if e.outcome == "failed")
    assert "HTTP 500" in failed.problems[-1]
    # The index page, then one per entry, no retry.
    assert len(sandbox.confluence.traffic.requests(method="POST", path=CREATE)) == 3

    again, _ = run_demo(sandbox)
    assert again.count("published") == 1 and again.count("unchanged") == 1
    titles = [p.title for p in managed_children(sandbox)]
    assert len(titles) == len(set(titles)) == 2


def test_dropped_connection_on_a_read_is_retried(make_sandbox, run_demo) -> None:
    sandbox = make_sandbox()
    sandbox.notion.traffic.add_fault(Fault(kind="drop", method="POST", path="/query$"))
    report, _ = run_demo(sandbox)
    assert report.count("published") == 2
    assert report.notion.retries == 1


def test_read_timeout_is_retried(make_sandbox, run_demo) -> None:
    sandbox = make_sandbox()
    sandbox.notion.traffic.add_fault(Fault(kind="slow", delay=1.5, method="POST", path="/query$"))
    report, _ = run_demo(sandbox, timeout_s=0.5)
    assert report.count("published") == 2
    assert report.notion.retries == 1


def test_an_api_that_keeps_failing_stops_the_run_before_any_write(make_sandbox, run_demo) -> None:
    sandbox = make_sandbox()
    sandbox.notion.traffic.add_fault(Fault(status=503, method="POST", path="/query$", times=100))
    with pytest.raises(ApiFailure) as failure:
        run_demo(sandbox)
    assert failure.value.exit_code == 3
    assert "reading Notion failed" in failure.value.message
    assert sandbox.confluence.traffic.writes() == [] and sandbox.notion.traffic.writes() == []
    assert managed_children(sandbox) == []


def test_human_edit_is_restored_and_reported(sandbox, run_demo) -> None:
    run_demo(sandbox)
    page = managed_children(sandbox)[0]
    approved = page.body
    editor = sandbox.confluence.state.add_user("Dana Editor", "dana@example.com", "dana")
    sandbox.confluence.state.human_edit(page.id, editor, body="<p>We will refund you today, promise.</p>")

    report, _ = run_demo(sandbox)
    entry = next(e for e in report.entries if e.confluence_page_id == page.id)
    assert entry.action == "restore-edit"
    assert "edited in Confluence by Dana Editor" in entry.action_reason
    restored = sandbox.confluence.state.pages[page.id]
    assert restored.body == approved
    assert any("promise" in v.body for v in restored.versions)  # the edit stays in the page history


def test_409s_that_persist_fail_that_entry_after_one_replan_and_the_next_run_converges(sandbox, run_demo) -> None:
    run_demo(sandbox)
    page = managed_children(sandbox)[0]
    editor = sandbox.confluence.state.add_user("Dana Editor", "dana@example.com", "dana")
    sandbox.confluence.state.human_edit(page.id, editor)
    sandbox.confluence.traffic.add_fault(Fault(status=409, method="PUT", path=f"/{page.id}$", times=100))

    report, _ = run_demo(sandbox)
    entry = next(e for e in report.entries if e.confluence_page_id == page.id)
    assert entry.outcome == "failed" and "changed in Confluence during the run" in entry.problems[-1]
    # Each 409 is answered by reading the page again; the write is planned again once, never bumped blindly.
    assert len(sandbox.confluence.traffic.requests(method="PUT", path=f"/{page.id}$")) == 2
    sandbox.confluence.traffic.faults.clear()

    again, _ = run_demo(sandbox)
    assert next(e for e in again.entries if e.confluence_page_id == page.id).outcome == "published"
    third, _ = run_demo(sandbox)
    assert third.confluence.writes == 0


def test_refused_credentials_are_a_configuration_error_without_the_token(make_sandbox, run_demo) -> None:
    sandbox = make_sandbox()
    with pytest.raises(AuthError) as refused:
        run_demo(sandbox, credentials={"notion_token": SecretStr("secret_wrong_token_123")})
    assert refused.value.exit_code == 2
    assert "secret_wrong_token_123" not in refused.value.message + refused.value.fix


def test_the_sync_runs_on_notion_2026_03_11_too(make_sandbox, run_demo) -> None:
    sandbox = make_sandbox()
    report, _ = run_demo(sandbox, credentials={"notion_version": "2026-03-11"})
    assert report.totals == {"published": 2, "held": 2, "problem": 1}
