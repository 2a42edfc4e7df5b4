"""Publishing on every surface: titles that swap or clash, labels that follow keywords, copies, the manual-edit
policy, a version conflict during apply, and attachments."""

from __future__ import annotations

import json
import re
import threading

import pytest

from sync.confluence.base import MANAGED_LABEL, PROPERTY_KEY
from sync.errors import ConfigError
from sync.sandbox.faults import Fault
from tests.e2e.helpers import (
    ESCALATION,
    INTEGRATION,
    PUBLISHED,
    assert_converged,
    attach,
    entry_id,
    labels,
    notion_status,
    pages,
    reapprove,
    run_with,
    set_keywords,
    set_title,
)

REFUND = "Refund asked for outside the refund window"
CREATE = r"(/api/v2/pages|/rest/api/content)$"


def _row(report, title):
    return next(e for e in report.entries if e.title == title)


def test_two_entries_swap_titles(sandbox, demo_job) -> None:
    run_with(sandbox, demo_job)
    before = pages(sandbox)
    set_title(sandbox, INTEGRATION, "swapping")
    set_title(sandbox, ESCALATION, INTEGRATION)
    set_title(sandbox, "swapping", ESCALATION)

    report = run_with(sandbox, demo_job)
    assert report.count("failed") == 0
    after = assert_converged(sandbox)
    assert after[INTEGRATION].id == before[ESCALATION].id and after[ESCALATION].id == before[INTEGRATION].id
    assert any(v.title.endswith("(retitling)") for p in after.values() for v in p.versions)
    assert run_with(sandbox, demo_job).confluence.writes == 0


def test_three_entries_rotate_titles(sandbox, demo_job) -> None:
    approved = {f"{review} approved version": {"number": 3} for review in ("Legal", "Ops", "Product")}
    sandbox.notion.state.update_page(entry_id(sandbox, REFUND), approved)
    run_with(sandbox, demo_job)
    titles = [INTEGRATION, ESCALATION, REFUND]
    before = assert_converged(sandbox, set(titles))
    ids = [entry_id(sandbox, t) for t in titles]
    for index, notion_id in enumerate(ids):  # each takes the next one's title
        sandbox.notion.state.update_page(
            notion_id, {"Scenario": {"title": [{"text": {"content": titles[(index + 1) % 3]}}]}}
        )
        reapprove(sandbox, notion_id)
    report = run_with(sandbox, demo_job)
    assert report.count("failed") == 0
    after = assert_converged(sandbox, set(titles))
    for index, title in enumerate(titles):
        assert after[titles[(index + 1) % 3]].id == before[title].id


def test_two_entries_with_one_title_get_a_problem_naming_both(sandbox, demo_job) -> None:
    run_with(sandbox, demo_job)
    set_title(sandbox, ESCALATION, INTEGRATION)
    report = run_with(sandbox, demo_job)
    rows = [e for e in report.entries if e.title == INTEGRATION]
    clash = next(e for e in rows if e.outcome == "problem")
    other = next(e for e in rows if e is not clash)
    assert other.outcome == "unchanged"
    assert clash.page_id in clash.problems[-1] and other.page_id in clash.problems[-1]
    assert "not managed by scenario-sync" not in clash.problems[-1]
    assert set(pages(sandbox)) == PUBLISHED  # the clashing entry's page stays as it was
    assert notion_status(sandbox)[INTEGRATION][0] in ("Problem", "Published")


def test_a_removed_keyword_removes_its_label_and_keeps_a_persons_labels(sandbox, demo_job) -> None:
    run_with(sandbox, demo_job)
    page = pages(sandbox)[INTEGRATION]
    sandbox.confluence.state.add_labels(page.id, ["team-favourite"])
    assert {"integration-broken", "churn-threat"} <= labels(page)

    set_keywords(sandbox, INTEGRATION, ["outage", "production down", "vip"])
    report = run_with(sandbox, demo_job)
    assert _row(report, INTEGRATION).outcome == "published"
    now = labels(pages(sandbox)[INTEGRATION])
    assert now == {"outage", "production-down", "vip", "team-favourite", MANAGED_LABEL}
    recorded = pages(sandbox)[INTEGRATION].properties[PROPERTY_KEY].value["labels"]
    assert "team-favourite" not in recorded and "vip" in recorded
    assert run_with(sandbox, demo_job).confluence.writes == 0


def test_a_copy_of_a_managed_page_is_reported_and_left_alone(sandbox, demo_job) -> None:
    run_with(sandbox, demo_job)
    state = sandbox.confluence.state
    original = pages(sandbox)[INTEGRATION]
    person = state.add_user("Dana Editor", "dana@example.com", "dana")
    # What Confluence's "Copy" makes: same body, labels and content properties, a new page by the person.
    copy = state.create_page(
        "SUP", f"Copy of {INTEGRATION}", original.body, parent_id=original.parent_id, author=person
    )
    state.add_labels(copy.id, labels(original))
    state.create_property(copy.id, PROPERTY_KEY, dict(original.properties[PROPERTY_KEY].value), author=person)

    set_keywords(sandbox, INTEGRATION, ["outage"])
    report = run_with(sandbox, demo_job)
    assert _row(report, INTEGRATION).confluence_page_id == original.id
    assert state.pages[original.id].version == 2 and labels(state.pages[original.id]) >= {"outage"}
    assert state.pages[copy.id].version == 1 and "integration-broken" in labels(state.pages[copy.id])
    assert any(copy.id in w and original.id in w for w in report.warnings)
    again = run_with(sandbox, demo_job)
    assert again.confluence.writes == 0 and any(copy.id in w for w in again.warnings)


def test_keep_policy_leaves_a_persons_edit_until_the_entry_changes(sandbox, demo_job) -> None:
    run_with(sandbox, demo_job)
    state = sandbox.confluence.state
    page = pages(sandbox)[INTEGRATION]
    approved = page.body
    dana = state.add_user("Dana Editor", "dana@example.com", "dana")
    state.human_edit(page.id, dana, body="<p>Dana's wording.</p>")

    report = run_with(sandbox, demo_job, manual_edits="keep")
    row = _row(report, INTEGRATION)
    assert row.action == "keep-edit" and row.outcome == "unchanged"
    assert "edited in Confluence by Dana Editor on " in row.action_reason
    assert state.pages[page.id].body == "<p>Dana's wording.</p>"
    status, message = notion_status(sandbox)[INTEGRATION]
    assert status == "Published" and "edited in Confluence by Dana Editor" in message
    again = run_with(sandbox, demo_job, manual_edits="keep")
    assert again.confluence.writes == 0 and again.notion.writes == 0

    set_keywords(sandbox, INTEGRATION, ["outage"])  # the entry changes in Notion: its text goes live again
    third = run_with(sandbox, demo_job, manual_edits="keep")
    row = _row(third, INTEGRATION)
    assert row.action == "restore-edit" and "the entry changed in Notion" in row.action_reason
    assert "Dana's wording" not in state.pages[page.id].body and approved != state.pages[page.id].body
    assert "<td>outage</td>" in state.pages[page.id].body


def test_restore_policy_restores_and_says_who_and_when(sandbox, demo_job) -> None:
    run_with(sandbox, demo_job)
    state = sandbox.confluence.state
    page = pages(sandbox)[INTEGRATION]
    approved = page.body
    state.human_edit(page.id, state.add_user("Dana Editor", "dana@example.com", "dana"), body="<p>x</p>")
    row = _row(run_with(sandbox, demo_job), INTEGRATION)
    assert row.action == "restore-edit" and "by Dana Editor on " in row.action_reason
    assert state.pages[page.id].body == approved
    version = state.pages[page.id].current
    assert version.message.startswith("scenario-sync: Notion version")
    assert "approved by legal (version" in version.message and "fingerprint" in version.message


def test_a_409_during_apply_rereads_and_replans_the_page(sandbox, demo_job, monkeypatch) -> None:
    run_with(sandbox, demo_job)
    state = sandbox.confluence.state
    page = pages(sandbox)[INTEGRATION]
    dana = state.add_user("Dana Editor", "dana@example.com", "dana")
    emulator = sandbox.confluence
    original = emulator.dispatch

    def dispatch(endpoint, request, args):  # Dana saves just before our write arrives
        if request.method == "PUT" and request.path.endswith(f"/{page.id}") and state.pages[page.id].version == 1:
            state.human_edit(page.id, dana, body="<p>Dana's wording.</p>")
        return original(endpoint, request, args)

    monkeypatch.setattr(emulator, "dispatch", dispatch)
    set_keywords(sandbox, INTEGRATION, ["outage"])
    report = run_with(sandbox, demo_job)
    row = _row(report, INTEGRATION)
    assert row.outcome == "published" and row.action == "restore-edit"
    assert "Dana Editor" in row.action_reason
    puts = [r for r in emulator.traffic.requests(method="PUT") if r.path.endswith(f"/{page.id}")]
    assert [r.status for r in puts] == [409, 200]  # one conflict, then one write planned from a fresh read
    assert [v.number for v in state.pages[page.id].versions] == [1, 2, 3]
    assert state.pages[page.id].versions[1].body == "<p>Dana's wording.</p>"  # kept in the history
    assert run_with(sandbox, demo_job).confluence.writes == 0


PAGE_PUT = r"/(pages|content)/\d+$"
UPLOAD = r"/child/attachment$"


def test_attachments_are_uploaded_once_and_again_only_when_changed(sandbox, demo_job, monkeypatch) -> None:
    log = sandbox.confluence.traffic
    attach(monkeypatch, {"clip-plan.json": b'{"clips": 4}', "still.png": b"\x89PNG one"})
    run_with(sandbox, demo_job)
    for page in pages(sandbox).values():
        assert sorted((a.title, a.version) for a in page.attachments) == [("clip-plan.json", 1), ("still.png", 1)]
    uploads = len(log.requests(method="PUT", path=UPLOAD))
    assert uploads == 2  # one request per page, both files in it

    run_with(sandbox, demo_job)
    assert len(log.requests(method="PUT", path=UPLOAD)) == uploads  # unchanged: not sent again

    attach(monkeypatch, {"clip-plan.json": b'{"clips": 5}', "still.png": b"\x89PNG one"})
    report = run_with(sandbox, demo_job)
    assert report.count("published") == 2
    for page in pages(sandbox).values():
        by_name = {a.title: a for a in page.attachments}
        assert len(page.attachments) == 2
        assert by_name["clip-plan.json"].version == 2 and by_name["clip-plan.json"].data == b'{"clips": 5}'
        assert by_name["still.png"].version == 1  # the unchanged file was not uploaded again
    assert run_with(sandbox, demo_job).confluence.writes == 0


def test_a_changed_page_sends_its_text_and_its_file_side_by_side(sandbox, demo_job, monkeypatch) -> None:
    """No timing: the text's PUT and the file's upload wait for each other, which only two in flight can do;
    the record goes last, once both are there."""
    attach(monkeypatch, {"clip-plan.json": b'{"clips": 4}'})
    run_with(sandbox, demo_job)
    attach(monkeypatch, {"clip-plan.json": b'{"clips": 5}'})
    confluence, real = sandbox.confluence, sandbox.confluence.dispatch
    entry_pages = {p.id for p in pages(sandbox).values()}
    met = threading.Barrier(2, timeout=10)
    order: list[str] = []

    def on_confluence(endpoint, request, args):
        page_id = next(iter(re.findall(r"/(?:pages|content)/(\d+)", request.path)), None)
        if request.method == "PUT" and page_id in entry_pages and page_id == min(entry_pages):
            kind = "record"
            if re.search(UPLOAD, request.path) or re.search(PAGE_PUT, request.path):
                kind = "file" if re.search(UPLOAD, request.path) else "text"
            order.append(kind)
            if kind in ("text", "file"):
                met.wait()
        return real(endpoint, request, args)

    monkeypatch.setattr(confluence, "dispatch", on_confluence)
    report = run_with(sandbox, demo_job)
    assert report.count("published") == 2 and not report.errors
    assert sorted(order[:2]) == ["file", "text"]
    if sandbox.options.flavor != "datacenter":  # Data Center's record is a PUT to .../property/<key>
        assert order[2:] == ["record"]
    assert_converged(sandbox)


def test_a_file_sent_beside_a_refused_text_is_not_sent_again(sandbox, demo_job, monkeypatch) -> None:
    # The text's PUT is refused (409): the page is read and planned again, and written once more; its file,
    # uploaded beside the refused text, is not uploaded a second time.
    attach(monkeypatch, {"clip-plan.json": b'{"clips": 4}'})
    run_with(sandbox, demo_job)
    attach(monkeypatch, {"clip-plan.json": b'{"clips": 5}'})
    log = sandbox.confluence.traffic
    log.add_fault(Fault(status=409, method="PUT", path=PAGE_PUT, times=1))
    before = len(log.requests(method="PUT", path=UPLOAD))
    report = run_with(sandbox, demo_job)
    assert report.count("published") == 2 and not report.errors
    assert [r.status for r in log.requests(method="PUT", path=PAGE_PUT)].count(409) == 1
    assert len(log.requests(method="PUT", path=UPLOAD)) - before == 2  # one per page
    for page in assert_converged(sandbox).values():
        (plan,) = page.attachments
        assert (plan.version, plan.data) == (2, b'{"clips": 5}')
    assert run_with(sandbox, demo_job).confluence.writes == 0


def test_pages_are_written_side_by_side_and_notion_hears_before_confluence_is_done(sandbox, demo_job, monkeypatch):
    """No timing: the escalation page's create waits until the integration entry's Notion status arrives: only if
    write-back overlaps the Confluence writes; both creates meet at a barrier, which needs two in flight."""
    notion_heard = threading.Event()
    both_creating = threading.Barrier(2, timeout=10)
    confluence, notion = sandbox.confluence, sandbox.notion
    confluence_dispatch, notion_dispatch = confluence.dispatch, notion.dispatch

    def on_confluence(endpoint, request, args):
        # Entry pages only: the job's index page is created alone, before them.
        entry_create = "Scenario index (" not in request.get_data(as_text=True)
        if request.method == "POST" and re.search(CREATE, request.path) and entry_create:
            both_creating.wait()
            if ESCALATION in request.get_data(as_text=True):
                assert notion_heard.wait(10), "the Notion status waited for every Confluence write"
        return confluence_dispatch(endpoint, request, args)

    integration = entry_id(sandbox, INTEGRATION)

    def on_notion(endpoint, request, args):
        if request.method == "PATCH" and integration in request.path:  # the status of a page just written
            notion_heard.set()
        return notion_dispatch(endpoint, request, args)

    monkeypatch.setattr(confluence, "dispatch", on_confluence)
    monkeypatch.setattr(notion, "dispatch", on_notion)
    report = run_with(sandbox, demo_job)
    assert report.count("published") == 2
    assert [e.title for e in report.entries] == [e.title for e in run_with(sandbox, demo_job).entries]


def test_more_pages_than_request_slots_are_on_their_way_and_requests_stay_four_at_once(
    make_sandbox, demo_job, monkeypatch
):
    """No timing: every page's record (its content property, written last) waits until eight pages have been
    created. Pages written four at a time, each to its end, would never get there; with a run's requests
    queued for four slots in turn, the later pages' creates go before the first pages' records."""
    from tests.e2e.helpers import bulk_sandbox

    sandbox = bulk_sandbox(make_sandbox, 16)
    confluence, real = sandbox.confluence, sandbox.confluence.dispatch
    lock, created, enough = threading.Lock(), [0], threading.Event()
    now, most = [0], [0]

    def on_confluence(endpoint, request, args):
        with lock:
            now[0] += 1
            most[0] = max(most[0], now[0])
        try:
            body = request.get_data(as_text=True)
            if request.method == "POST" and re.search(CREATE, request.path) and "Scenario index (" not in body:
                with lock:
                    created[0] += 1
                    if created[0] >= 8:
                        enough.set()
            elif (
                request.method in ("POST", "PUT")
                and re.search(r"/propert(y|ies)(/[^/]+)?$", request.path)
                and json.loads(body).get("key") == PROPERTY_KEY  # an entry page's record, not the index page's
            ):
                assert enough.wait(10), "each page was written to its end before the next one started"
            return real(endpoint, request, args)
        finally:
            with lock:
                now[0] -= 1

    monkeypatch.setattr(confluence, "dispatch", on_confluence)
    report = run_with(sandbox, demo_job)
    assert report.count("published") >= 8 and not report.errors
    assert most[0] <= 4  # never more than four requests to Confluence at once


def _looked_up(request) -> str:
    """What a Confluence read asks for: the space, or the title it looks a page up by (itself, or in CQL)."""
    if "/space" in request.path:
        return "space"
    if "title" in request.args:
        return request.args["title"]
    found = re.search(r'title = "([^"]*)"', request.args.get("cql", ""))
    return found.group(1) if found else request.path


def test_the_reads_before_the_listing_take_one_round_trip(sandbox, demo_job, monkeypatch) -> None:
    """No timing: the first three reads (the space, the parent page and the index page, found by title with
    its properties) wait for each other, which only three requests in flight can do; then the listing."""
    run_with(sandbox, demo_job)
    confluence, real = sandbox.confluence, sandbox.confluence.dispatch
    together = threading.Barrier(3, timeout=10)
    reads: list[str] = []

    def on_confluence(endpoint, request, args):
        if request.method == "GET":
            reads.append(_looked_up(request))
            if len(reads) <= 3:
                together.wait()
        return real(endpoint, request, args)

    monkeypatch.setattr(confluence, "dispatch", on_confluence)
    report = run_with(sandbox, demo_job)
    assert not report.errors and report.confluence.writes == 0
    first = sorted(reads[:3])
    assert first == sorted(["space", demo_job.confluence.parent_title, f"Scenario index ({demo_job.name})"])
    # The index page's properties (lease, manifest) came with it: never read apart.
    assert not any(r.endswith(("/properties", "/property")) for r in reads)


def test_a_missing_space_is_what_the_run_reports_whatever_the_lookups_in_it_answered(sandbox, demo_job) -> None:
    # The space, the parent page and the index page are looked up side by side; the space is what to fix.
    job = demo_job.model_copy(update={"confluence": demo_job.confluence.model_copy(update={"space_key": "NOPE"})})
    sandbox.confluence.traffic.add_fault(Fault(status=400, method="GET", path="/search$", times=5))
    with pytest.raises(ConfigError, match="Confluence space NOPE does not exist"):
        run_with(sandbox, job)
