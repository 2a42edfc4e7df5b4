"""`archive.mode: native`: Confluence's own archive (Cloud) for retired or deleted entries, its long task
followed to the end; a reactivated entry is reported, never published twice."""

from __future__ import annotations

from sync.config import ArchivePolicy
from sync.confluence.base import PROPERTY_KEY
from sync.session import run_once
from tests.conftest import no_sleep
from tests.e2e.test_lifecycle import INTEGRATION, edit, page_of


def run(sandbox, job):
    return run_once(job, sandbox.credentials(), sandbox.info["data_source_id"], sleep=no_sleep)


def test_retired_entry_natively_archived_and_reactivation_reported(sandbox, demo_job) -> None:
    job = demo_job.model_copy(update={"archive": ArchivePolicy(mode="native", max_share=1)})
    run(sandbox, job)
    page = page_of(sandbox, INTEGRATION)
    edit(sandbox, INTEGRATION, {"Lifecycle": {"status": {"name": "Retired"}}})
    report, plan = run(sandbox, job)
    state = sandbox.confluence.state
    archived = state.pages[page.id]
    (action,) = plan.by_kind("archive")
    if sandbox.options.flavor == "datacenter":  # no native archive there: the reversible one instead
        assert action.mode == "move" and archived.status == "current"
        assert "Archived: not current guidance" in archived.body
        return
    assert action.mode == "native"
    assert archived.status == "archived"
    task = max(state.tasks.values(), key=lambda t: int(t.id))
    assert task.finished and task.page_ids == [page.id]  # the long task was followed to its end
    assert archived.properties[PROPERTY_KEY].value["archived"]["mode"] == "native"
    row = next(e for e in report.entries if e.title == INTEGRATION)
    assert row.outcome == "archived"

    edit(sandbox, INTEGRATION, {"Lifecycle": {"status": {"name": "Active"}}})
    report, plan = run(sandbox, job)
    row = next(e for e in report.entries if e.title == INTEGRATION)
    assert row.outcome == "held" and row.reasons == ["archived in Confluence: a space admin must restore it"]
    assert plan.by_kind("create") == [] and plan.by_kind("restore") == []
    assert sum(p.title == INTEGRATION for p in state.pages.values()) == 1
    assert state.pages[page.id].status == "archived"
