"""The lifecycle of a published walkthrough, on all three Confluence surfaces: overdue → archived (moved,
banner, labels) → revalidated → restored, retired and trashed entries, the safety checks, reminders."""

from __future__ import annotations

import gzip
import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest

from sync.confluence.base import ARCHIVED_LABEL, MANAGED_LABEL, PROPERTY_KEY
from sync.sandbox.faults import Fault
from tests.e2e.helpers import entry_id, reapprove

INTEGRATION = "Customer says a critical integration is down right now"
ESCALATION = "Customer escalates after an incomplete first answer"  # due in 10 days in the seed
NOW = datetime.now(UTC)
LATER = NOW + timedelta(days=15)  # the escalation entry is then overdue by 5 days


def at(when: datetime):
    return lambda: when


def notion_id(sandbox, title: str) -> str:
    state = sandbox.notion.state
    return next(pid for pid, page in state.pages.items() if state.title_of(page) == title)


def page_of(sandbox, title: str):
    return next(
        p
        for p in sandbox.confluence.state.pages.values()
        if p.title == title and PROPERTY_KEY in p.properties and p.status == "current"
    )


def role_page(sandbox, role: str):
    return next(
        p
        for p in sandbox.confluence.state.pages.values()
        if p.properties.get("scenario-sync-role", None) and p.properties["scenario-sync-role"].value["role"] == role
    )


def labels(page) -> set[str]:
    return {label.name for label in page.labels}


def status(sandbox, title: str) -> tuple[str, str]:
    page = sandbox.notion.state.pages[notion_id(sandbox, title)]
    source = sandbox.notion.state.data_sources[page.data_source_id]
    props = {schema.name: schema for schema in source.properties.values()}
    option = page.values.get(props["Sync status"].id)
    options = {o["id"]: o["name"] for o in props["Sync status"].config["options"]}
    message = "".join(t.get("text", {}).get("content", "") for t in page.values.get(props["Sync message"].id, []))
    return options.get(option, ""), message


def edit(sandbox, title: str, properties: dict) -> None:
    sandbox.notion.state.update_page(notion_id(sandbox, title), properties)


def quiet_run(sandbox, run_demo, **kwargs) -> None:
    """A run with nothing new: zero writes to either system."""
    sandbox.notion.traffic.clear()
    sandbox.confluence.traffic.clear()
    report, _ = run_demo(sandbox, **kwargs)
    assert sandbox.confluence.traffic.writes() == [], sandbox.confluence.traffic.writes()
    assert sandbox.notion.traffic.writes() == [], sandbox.notion.traffic.writes()
    assert report.confluence.writes == report.notion.writes == 0


def test_overdue_is_archived_then_restored_when_revalidated(sandbox, run_demo) -> None:
    run_demo(sandbox)
    parent = sandbox.info["parent_page_id"]
    page = page_of(sandbox, ESCALATION)
    keyword_labels = labels(page) - {MANAGED_LABEL}
    assert page.parent_id == parent and keyword_labels
    quiet_run(sandbox, run_demo)

    report, _ = run_demo(sandbox, clock=at(LATER))
    row = next(e for e in report.entries if e.title == ESCALATION)
    assert row.outcome == "archived" and row.action == "archive"
    assert row.action_reason.startswith("owner revalidation overdue by 5 days (window 90 days, last revalidated")
    assert row.reasons[0].startswith("archive: owner revalidation overdue since")  # in dates: stable in Notion
    archived = sandbox.confluence.state.pages[page.id]
    archive_page = role_page(sandbox, "archive")
    assert archived.parent_id == archive_page.id and archive_page.parent_id == parent
    assert "Archived: not current guidance" in archived.body and "overdue by 5 days" in archived.body
    assert labels(archived) == {MANAGED_LABEL, ARCHIVED_LABEL}
    restore_info = archived.properties[PROPERTY_KEY].value["archived"]
    assert restore_info["former_parent"] == parent and set(restore_info["labels"]) == keyword_labels
    assert status(sandbox, ESCALATION)[0] == "Archived"
    assert report.exit_code == 1  # the seed's problem entry; the archive itself is not an error
    quiet_run(sandbox, run_demo, clock=at(LATER))

    edit(sandbox, ESCALATION, {"Last revalidated": {"date": {"start": LATER.date().isoformat()}}})
    report, _ = run_demo(sandbox, clock=at(LATER))
    row = next(e for e in report.entries if e.title == ESCALATION)
    assert row.action == "restore" and row.outcome == "published"
    restored = sandbox.confluence.state.pages[page.id]
    assert restored.parent_id == parent
    assert "Archived: not current guidance" not in restored.body
    assert labels(restored) == keyword_labels | {MANAGED_LABEL}
    assert restored.properties[PROPERTY_KEY].value.get("archived") is None
    assert "restored from the archive" in restored.current.message
    assert status(sandbox, ESCALATION)[0] == "Published"
    quiet_run(sandbox, run_demo, clock=at(LATER))


def test_retired_and_trashed_entries_are_archived(sandbox, run_demo, demo_job) -> None:
    run_demo(sandbox)
    integration, escalation = page_of(sandbox, INTEGRATION), page_of(sandbox, ESCALATION)
    edit(sandbox, INTEGRATION, {"Lifecycle": {"status": {"name": "Retired"}}})
    sandbox.notion.state.update_page(notion_id(sandbox, ESCALATION), in_trash=True)

    report, _ = run_demo(sandbox, allow_mass_archive=True)  # two of two pages: past the job's share
    archive_page = role_page(sandbox, "archive")
    for page in (integration, escalation):
        assert sandbox.confluence.state.pages[page.id].parent_id == archive_page.id
    row = next(e for e in report.entries if e.title == INTEGRATION)
    assert row.outcome == "archived" and row.action_reason == "the entry's lifecycle is Retired"
    reason = sandbox.confluence.state.pages[escalation.id].properties[PROPERTY_KEY].value["archived"]["reason"]
    assert reason == "the entry was trashed or deleted in Notion, or left the data source"
    quiet_run(sandbox, run_demo)


def test_mass_archive_guard(sandbox, run_demo) -> None:
    run_demo(sandbox)
    edit(sandbox, INTEGRATION, {"Lifecycle": {"status": {"name": "Retired"}}})
    edit(sandbox, ESCALATION, {"Lifecycle": {"status": {"name": "Retired"}}})
    report, plan = run_demo(sandbox)
    assert plan.by_kind("archive") == []
    assert report.exit_code == 3
    assert "would archive 2 of 2 managed pages, more than archive.max_share (50%): nothing archived" in report.errors[0]
    assert page_of(sandbox, INTEGRATION).parent_id == sandbox.info["parent_page_id"]

    report, plan = run_demo(sandbox, allow_mass_archive=True)
    assert len(plan.by_kind("archive")) == 2 and report.errors == []


@pytest.mark.parametrize("fault", ["empty", "failed"])
def test_a_failed_or_empty_notion_read_archives_nothing(make_sandbox, run_demo, fault) -> None:
    sandbox = make_sandbox()
    run_demo(sandbox)
    if fault == "empty":
        for pid in list(sandbox.notion.state.pages):
            if sandbox.notion.state.pages[pid].data_source_id:
                sandbox.notion.state.update_page(pid, in_trash=True)
        report, plan = run_demo(sandbox, allow_mass_archive=True)
        assert plan.by_kind("archive") == []
        assert "the Notion read returned no entries: nothing archived" in report.warnings[0]
    else:
        sandbox.notion.traffic.add_fault(Fault(status=503, method="POST", path="/query$", times=10))
        with pytest.raises(Exception, match="reading Notion failed"):
            run_demo(sandbox, allow_mass_archive=True)
    assert ARCHIVED_LABEL not in labels(page_of(sandbox, INTEGRATION))
    assert not any(p.title.startswith("Archived scenarios") for p in sandbox.confluence.state.pages.values())


def test_a_page_with_children_we_do_not_manage_is_not_archived(sandbox, run_demo) -> None:
    run_demo(sandbox)
    page = page_of(sandbox, INTEGRATION)
    sandbox.confluence.state.create_page("SUP", "Notes an agent hung below it", "<p>mine</p>", parent_id=page.id)
    edit(sandbox, INTEGRATION, {"Lifecycle": {"status": {"name": "Retired"}}})
    report, plan = run_demo(sandbox)
    assert plan.by_kind("archive") == []
    assert "child pages scenario-sync does not manage" in report.errors[0]
    assert sandbox.confluence.state.pages[page.id].parent_id == sandbox.info["parent_page_id"]


def test_index_page_lists_archived_apart_and_is_rewritten_only_on_change(sandbox, run_demo) -> None:
    run_demo(sandbox)
    index = role_page(sandbox, "index")
    assert index.parent_id == sandbox.info["parent_page_id"]
    first = index.version
    assert INTEGRATION in index.body and "outage" in index.body and "detailssummary" in index.body
    assert "Archived: not current guidance</h2><p>None.</p>" in index.body
    quiet_run(sandbox, run_demo)
    assert sandbox.confluence.state.pages[index.id].version == first

    run_demo(sandbox, clock=at(LATER))
    body = sandbox.confluence.state.pages[index.id].body
    archived_part = body.split("Archived: not current guidance</h2>")[1]
    assert ESCALATION in archived_part and "overdue by 5 days" in archived_part
    assert ESCALATION not in body.split("Archived: not current guidance</h2>")[0]


def test_a_page_whose_marker_label_was_removed_is_found_through_the_manifest(sandbox, run_demo) -> None:
    run_demo(sandbox)
    page = page_of(sandbox, INTEGRATION)
    sandbox.confluence.state.remove_label(page.id, MANAGED_LABEL)
    report, _ = run_demo(sandbox)
    assert any("had lost its scenario-sync-managed label: found again" in w for w in report.warnings)
    row = next(e for e in report.entries if e.title == INTEGRATION)
    assert row.confluence_page_id == page.id and row.outcome == "unchanged"
    assert MANAGED_LABEL in labels(sandbox.confluence.state.pages[page.id])
    assert sum(p.title == INTEGRATION for p in sandbox.confluence.state.pages.values()) == 1
    quiet_run(sandbox, run_demo)


def test_an_edit_after_approval_holds_and_the_approved_page_stays(sandbox, run_demo) -> None:
    run_demo(sandbox)
    page = page_of(sandbox, INTEGRATION)
    body = page.body
    edit(sandbox, INTEGRATION, {"5 Close": {"rich_text": [{"text": {"content": "We will fix it in an hour."}}]}})
    report, _ = run_demo(sandbox)
    row = next(e for e in report.entries if e.title == INTEGRATION)
    assert row.outcome == "held"
    assert row.reasons[0].startswith("changed since approval on ") and row.reasons[0].endswith("re-approve to publish")
    assert "changed since approval: steps.close" in row.reasons
    assert any(r.startswith("content changed without a new Version number") for r in row.reasons)
    assert sandbox.confluence.state.pages[page.id].body == body
    assert status(sandbox, INTEGRATION)[0] == "Held"

    # Re-approval: version raised, every approved-version column raised with it.
    raised = {"Version": {"number": 3}}
    raised |= {f"{n} approved version": {"number": 3} for n in ("Legal", "Ops", "Product")}
    edit(sandbox, INTEGRATION, raised)
    report, _ = run_demo(sandbox)
    row = next(e for e in report.entries if e.title == INTEGRATION)
    assert row.outcome == "published" and "fix it in an hour" in sandbox.confluence.state.pages[page.id].body
    quiet_run(sandbox, run_demo)


def test_a_manifest_past_the_property_limit_is_kept_as_an_attachment(sandbox, run_demo, monkeypatch) -> None:
    monkeypatch.setattr("sync.upkeep.PROPERTY_LIMIT", 200)  # as if the job managed hundreds of pages
    run_demo(sandbox)
    index = role_page(sandbox, "index")
    pointer = index.properties["scenario-sync-manifest"].value
    assert pointer["attachment"] == "scenario-sync-manifest.json.gz"
    (attachment,) = index.attachments
    assert attachment.media_type == "application/gzip"
    page = page_of(sandbox, INTEGRATION)
    assert page.id in gzip.decompress(attachment.data).decode()
    assert pointer == {"attachment": attachment.title}  # the pointer names this file, and no more
    quiet_run(sandbox, run_demo)

    sandbox.confluence.state.remove_label(page.id, MANAGED_LABEL)  # found again through the attached manifest
    report, _ = run_demo(sandbox)
    assert any(f"page {page.id}" in w and "found again" in w for w in report.warnings)


def test_a_manifest_file_written_as_plain_json_is_read_and_replaced_when_it_changes(
    sandbox, run_demo, monkeypatch
) -> None:
    # A site whose manifest file was written as plain JSON (`scenario-sync-manifest.json`): runs read it as it
    # is; a run with nothing new writes nothing; the first change writes the gzipped file and points to it.
    monkeypatch.setattr("sync.upkeep.PROPERTY_LIMIT", 200)
    run_demo(sandbox)
    state = sandbox.confluence.state
    index = role_page(sandbox, "index")
    (gzipped,) = index.attachments
    plain = gzip.decompress(gzipped.data)
    index.attachments.clear()
    state.add_attachment(index.id, "scenario-sync-manifest.json", plain, "application/json")
    prop = index.properties["scenario-sync-manifest"]
    pointer = {"attachment": "scenario-sync-manifest.json", "sha256": hashlib.sha256(plain).hexdigest()}
    state.update_property(index.id, prop.key, pointer, prop.version + 1)
    lock = index.properties["scenario-sync-lock"]  # as that release let it go: naming nothing still landing
    state.update_property(index.id, lock.key, {k: v for k, v in lock.value.items() if k != "landing"}, lock.version + 1)
    quiet_run(sandbox, run_demo)
    assert [a.title for a in role_page(sandbox, "index").attachments] == ["scenario-sync-manifest.json"]

    edit(sandbox, INTEGRATION, {"Trigger keywords": {"multi_select": [{"name": "outage"}]}})
    reapprove(sandbox, entry_id(sandbox, INTEGRATION))
    report, _ = run_demo(sandbox)
    assert not report.errors and report.count("published") == 1
    index = role_page(sandbox, "index")
    now = index.properties["scenario-sync-manifest"].value
    assert now == {"attachment": "scenario-sync-manifest.json.gz"}  # the older pointer named its SHA-256 too
    (kept,) = [a for a in index.attachments if a.title == now["attachment"]]
    assert json.loads(gzip.decompress(kept.data))["entries"].keys() == json.loads(plain)["entries"].keys()
    quiet_run(sandbox, run_demo)


def test_an_index_made_of_the_same_rows_is_not_rendered_again(sandbox, run_demo, monkeypatch) -> None:
    """The manifest keeps what the index was made from: a run with the same rows renders nothing. A new row
    value renders it (and writes it); a manifest from before the key renders it once and keeps the key."""
    from sync import upkeep

    rendered: list[int] = []
    real = upkeep.index_body

    def counted(rows, parent_id):
        rendered.append(len(rows))
        return real(rows, parent_id)

    monkeypatch.setattr(upkeep, "index_body", counted)
    run_demo(sandbox)
    index = role_page(sandbox, "index")
    first_key = index.properties["scenario-sync-manifest"].value["index_key"]
    assert rendered and first_key

    rendered.clear()
    quiet_run(sandbox, run_demo)
    assert rendered == []

    # A manifest written before the key existed: the index is rendered, found unchanged, and only the
    # manifest is written (with the key), under the lease; the next run is quiet again.
    prop = index.properties["scenario-sync-manifest"]
    older = {k: v for k, v in prop.value.items() if k != "index_key"}
    sandbox.confluence.state.update_property(index.id, prop.key, older, prop.version + 1)
    sandbox.confluence.traffic.clear()
    run_demo(sandbox)
    assert len(rendered) == 1
    writes = sandbox.confluence.traffic.writes()
    assert writes and all("/propert" in w.path for w in writes), writes  # the lease, the manifest: no page
    assert index.properties["scenario-sync-manifest"].value["index_key"] == first_key
    quiet_run(sandbox, run_demo)

    # A row changes (the overdue entry is archived): rendered, and the page rewritten.
    rendered.clear()
    run_demo(sandbox, clock=at(LATER))
    assert len(rendered) == 1
    archived_part = role_page(sandbox, "index").body.split("Archived: not current guidance")[1]
    assert ESCALATION in archived_part
