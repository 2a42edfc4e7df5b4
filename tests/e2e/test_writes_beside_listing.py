"""A changed page is written while Notion's listing goes on, under the job's lease, and the run ends as if it
had been written after the listing: one write per page, the same report, a quiet run after. A run that fails
after such a write heals on the next run; another run's lease stops it; a dry run writes nothing."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import unquote_plus

import pytest

import sync.notion.reader as reader_module
import sync.run as run_module
from sync.confluence.base import MANAGED_LABEL
from sync.errors import ApiFailure, LockHeld
from sync.lock import LOCK_KEY, Lease
from sync.sandbox.faults import Fault, RequestRecord
from sync.sandbox.runtime import Sandbox
from tests.conftest import ROOT
from tests.e2e.helpers import (
    INTEGRATION,
    assert_converged,
    bookkeeping_pages,
    entry_id,
    killed_at_every_request,
    labels,
    notion_status,
    pages,
    run_with,
    set_keywords,
)
from tests.e2e.test_lock import adapter, index_page

KEYWORDS = ["integration down", "status page", "outage"]


class LastListingPage:
    """Holds Notion's answer to the listing's last page until the entry's Confluence page is written (or 10 s
    pass), then serves it, or fails it with `status` for good."""

    def __init__(self, sandbox: Sandbox, page_id: str, listing_pages: int, status: int | None = None) -> None:
        self.written = threading.Event()
        self.held = False  # the last page was asked for before the write
        self.in_time = False  # and the write came while it waited
        self.queries = 0
        self.listing_pages, self.status = listing_pages, status
        notion, confluence = sandbox.notion.traffic, sandbox.confluence.traffic
        take_fault, record = notion.take_fault, confluence.record

        def recording(entry: RequestRecord) -> None:
            record(entry)
            if entry.method == "PUT" and entry.path.endswith(f"/{page_id}"):
                self.written.set()

        def holding(method: str, path: str) -> Fault | None:
            if method == "POST" and path.endswith("/query"):
                self.queries += 1
                if self.queries >= self.listing_pages:
                    if self.queries == self.listing_pages:
                        self.held = not self.written.is_set()
                        self.in_time = self.written.wait(10)
                    if self.status is not None:
                        return Fault(kind="status", status=self.status)
            return take_fault(method, path)

        confluence.record = recording  # type: ignore[method-assign]
        notion.take_fault = holding  # type: ignore[method-assign]


@pytest.fixture
def paged(monkeypatch: pytest.MonkeyPatch) -> Callable[[Sandbox, str], int]:
    """Lists two entries per page of results, and tells how many pages the listing takes: the entry `title`
    must be on an earlier page than the last."""

    def listing(sandbox: Sandbox, title: str) -> int:
        monkeypatch.setattr(reader_module, "PAGE_SIZE", 2)
        state = sandbox.notion.state
        order = [state.title_of(p) for p in state.query(sandbox.info["data_source_id"])]
        count = -(-len(order) // 2)
        assert order.index(title) // 2 < count - 1, order
        return count

    return listing


def _entry_writes(sandbox: Sandbox, page_id: str) -> list[str]:
    return [f"{r.method} {r.path}" for r in sandbox.confluence.traffic.writes() if f"/{page_id}" in r.path]


def _published_then_changed(sandbox: Sandbox, demo_job, by_a_person: bool) -> str:
    """The demo published, then the integration entry's keywords changed and re-approved (by the integration,
    or by a person): its Confluence page id."""
    run_with(sandbox, demo_job)
    editor = sandbox.notion.state.add_user("Ana Owner", "ana@example.com").id if by_a_person else None
    set_keywords(sandbox, INTEGRATION, KEYWORDS, editor=editor)
    sandbox.confluence.traffic.clear()
    sandbox.notion.traffic.clear()
    return pages(sandbox)[INTEGRATION].id


@pytest.fixture
def changed(sandbox: Sandbox, demo_job) -> str:
    return _published_then_changed(sandbox, demo_job, by_a_person=False)


@pytest.fixture
def changed_by_owner(sandbox: Sandbox, demo_job) -> str:
    return _published_then_changed(sandbox, demo_job, by_a_person=True)


def test_a_changed_page_is_written_while_the_listing_goes_on(sandbox, demo_job, paged, changed) -> None:
    last = LastListingPage(sandbox, changed, paged(sandbox, INTEGRATION))
    version = pages(sandbox)[INTEGRATION].version

    report = run_with(sandbox, demo_job)

    assert last.held and last.in_time, "the page was not written while the listing's last page was awaited"
    rows = {row.title: row for row in report.entries}
    assert rows[INTEGRATION].outcome == "published" and rows[INTEGRATION].action == "update"
    assert not report.errors
    found = assert_converged(sandbox)
    assert found[INTEGRATION].version == version + 1  # written once, not again after the listing
    assert {"integration-down", "status-page", "outage"} <= labels(found[INTEGRATION])
    assert [w for w in _entry_writes(sandbox, changed) if w.startswith("PUT") and w.endswith(f"/{changed}")] != []
    assert notion_status(sandbox)[INTEGRATION][0] == "Published"
    lease = index_page(sandbox).properties[LOCK_KEY].value
    assert lease.get("released") is True

    sandbox.confluence.traffic.clear()
    sandbox.notion.traffic.clear()
    quiet = run_with(sandbox, demo_job)
    assert {row.outcome for row in quiet.entries if row.title == INTEGRATION} == {"unchanged"}
    assert sandbox.confluence.traffic.writes() == [] and sandbox.notion.traffic.writes() == []


def test_a_run_that_fails_after_such_a_write_heals_on_the_next(sandbox, demo_job, paged, changed) -> None:
    LastListingPage(sandbox, changed, paged(sandbox, INTEGRATION), status=503)
    version = pages(sandbox)[INTEGRATION].version

    with pytest.raises(ApiFailure, match="reading Notion"):
        run_with(sandbox, demo_job)

    # The page and its record went together; the lease was let go, so the next run need not wait for it.
    written = pages(sandbox)[INTEGRATION]
    assert written.version == version + 1
    assert {"integration-down", "status-page", "outage"} <= labels(written)
    assert index_page(sandbox).properties[LOCK_KEY].value.get("released") is True

    del sandbox.notion.traffic.take_fault  # Notion answers again
    sandbox.confluence.traffic.clear()
    healed = run_with(sandbox, demo_job)
    assert not healed.errors
    assert {row.outcome for row in healed.entries if row.title == INTEGRATION} == {"unchanged"}
    assert _entry_writes(sandbox, changed) == []  # not written twice
    assert pages(sandbox)[INTEGRATION].version == version + 1
    assert notion_status(sandbox)[INTEGRATION][0] == "Published"
    assert_converged(sandbox)

    sandbox.confluence.traffic.clear()
    run_with(sandbox, demo_job)
    assert sandbox.confluence.traffic.writes() == []


def test_another_runs_lease_stops_it_before_any_page_is_written(sandbox, demo_job, changed) -> None:
    now = datetime.now(UTC)
    Lease(adapter(sandbox), index_page(sandbox).id, lambda: now, holder="4242-cron", host="cron-2").acquire()
    sandbox.confluence.traffic.clear()

    with pytest.raises(LockHeld, match="4242-cron on cron-2"):
        run_with(sandbox, demo_job)

    own = bookkeeping_pages(sandbox)
    assert [r for r in sandbox.confluence.traffic.writes() if not any(f"/{pid}" in r.path for pid in own)] == []
    assert _entry_writes(sandbox, changed) == []


def test_a_dry_run_writes_nothing_beside_the_listing(sandbox, run_demo, changed) -> None:
    report, the_plan = run_demo(sandbox, dry_run=True)
    assert {row.outcome for row in report.entries if row.title == INTEGRATION} == {"planned"}
    assert [a.kind for a in the_plan.actions if a.title == INTEGRATION] == ["update"]
    assert sandbox.confluence.traffic.writes() == [] and sandbox.notion.traffic.writes() == []


def test_a_status_that_fails_beside_the_listing_is_reported_and_written_next_run(
    sandbox, demo_job, paged, changed
) -> None:
    last = LastListingPage(sandbox, changed, paged(sandbox, INTEGRATION))
    notion_id = entry_id(sandbox, INTEGRATION)
    sandbox.notion.traffic.add_fault(Fault(method="PATCH", path=notion_id, status=503, times=50))
    before = notion_status(sandbox)[INTEGRATION]

    report = run_with(sandbox, demo_job)

    assert last.in_time
    assert [e for e in report.errors if e.startswith(f"status write-back to '{INTEGRATION}' failed")], report.errors
    assert {row.outcome for row in report.entries if row.title == INTEGRATION} == {"published"}
    assert notion_status(sandbox)[INTEGRATION] == before  # not written: Notion kept refusing

    sandbox.notion.traffic.faults.clear()
    sandbox.confluence.traffic.clear()
    again = run_with(sandbox, demo_job)
    assert not again.errors
    status, message = notion_status(sandbox)[INTEGRATION]
    assert status == "Published" and (status, message) != before  # the new version's message
    assert _entry_writes(sandbox, changed) == []


def test_a_changed_run_killed_at_any_request_converges_without_duplicates(sandbox, demo_job, paged, changed) -> None:
    paged(sandbox, INTEGRATION)
    assert killed_at_every_request(sandbox, demo_job) > 5
    clean = run_with(sandbox, demo_job)
    assert clean.count("failed") == 0 and not clean.errors
    found = assert_converged(sandbox)
    assert {"integration-down", "status-page", "outage"} <= labels(found[INTEGRATION])
    assert notion_status(sandbox)[INTEGRATION][0] == "Published"
    sandbox.confluence.traffic.clear()
    run_with(sandbox, demo_job)
    assert sandbox.confluence.traffic.writes() == []


@pytest.mark.parametrize("policy", ["restore", "keep"])
def test_a_page_a_person_edits_just_before_its_write_is_read_and_planned_again(
    sandbox, demo_job, paged, changed, policy
) -> None:
    last = LastListingPage(sandbox, changed, paged(sandbox, INTEGRATION))
    state, traffic = sandbox.confluence.state, sandbox.confluence.traffic
    editor = state.add_user("Dana Editor", "dana@example.com", "dana")
    record = traffic.record

    def person_first(entry) -> None:  # Dana saves her edit as the run's write is on its way
        if entry.method == "PUT" and entry.path.endswith(f"/{changed}") and not person_first.done:
            person_first.done = True
            state.human_edit(changed, editor, body="<p>Dana: we will refund you today.</p>")
        record(entry)

    person_first.done = False
    traffic.record = person_first  # type: ignore[method-assign]
    edited_version = pages(sandbox)[INTEGRATION].version + 1

    report = run_with(sandbox, demo_job, manual_edits=policy)

    assert last.in_time
    row = next(r for r in report.entries if r.title == INTEGRATION)
    assert row.outcome == "published" and row.action == "restore-edit"
    assert "edited in Confluence by Dana Editor" in row.action_reason
    if policy == "keep":
        assert "the entry changed in Notion: publishing the approved text over it" in row.action_reason
    page = pages(sandbox)[INTEGRATION]
    assert page.version == edited_version + 1  # written over her version, never bumped blindly
    assert "Dana: we will" not in page.body and any("Dana: we will" in v.body for v in page.versions)
    assert len(traffic.requests(method="PUT", path=f"/{changed}$")) == 2  # refused once (409), then again
    assert_converged(sandbox)


@pytest.mark.parametrize("listing", ["beside", "after"])
def test_the_lease_is_taken_beside_the_body_of_a_published_entry_a_person_changed(
    sandbox, demo_job, changed_by_owner, paged, monkeypatch, listing
) -> None:
    """No timing: the body's first read and the run's first write (the lease) wait for each other, which only
    two in flight can do; whether the entry's page is written beside Notion's listing or after it."""
    if listing == "beside":
        paged(sandbox, INTEGRATION)
    body = f"/blocks/{entry_id(sandbox, INTEGRATION)}/children"
    met = threading.Barrier(2, timeout=10)
    first: dict[str, bool] = {}
    notion, confluence = sandbox.notion, sandbox.confluence
    real_notion, real_confluence = notion.dispatch, confluence.dispatch

    def meet(side: str) -> None:
        if side not in first:
            first[side] = False
            met.wait()
            first[side] = True

    def on_notion(endpoint, request, args):
        if request.method == "GET" and request.path.endswith(body):
            meet("body")
        return real_notion(endpoint, request, args)

    def on_confluence(endpoint, request, args):
        if confluence.is_write(request):
            meet("lease")
        return real_confluence(endpoint, request, args)

    monkeypatch.setattr(notion, "dispatch", on_notion)
    monkeypatch.setattr(confluence, "dispatch", on_confluence)
    report = run_with(sandbox, demo_job)

    assert first == {"body": True, "lease": True}
    assert {row.outcome for row in report.entries if row.title == INTEGRATION} == {"published"}
    assert not report.errors
    assert_converged(sandbox)


def _hold_confluences_listing(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, wait: float = 10
) -> tuple[list[bool], list[str]]:
    """Holds Confluence's listing of the managed pages until the changed entry's body has been asked of Notion
    and the lease written (or `wait` seconds pass); tells whether both came while it waited, and which bodies
    were read."""
    body = f"/blocks/{entry_id(sandbox, INTEGRATION)}/children"
    index_id = index_page(sandbox).id
    arrived = {"body": threading.Event(), "lease": threading.Event()}
    held: list[bool] = []
    bodies: list[str] = []
    notion, confluence = sandbox.notion, sandbox.confluence
    real_notion, real_confluence = notion.dispatch, confluence.dispatch

    def on_notion(endpoint, request, args):
        if request.method == "GET" and request.path.endswith("/children"):
            bodies.append(request.path)
            if request.path.endswith(body):
                arrived["body"].set()
        return real_notion(endpoint, request, args)

    def on_confluence(endpoint, request, args):
        if confluence.is_write(request) and f"/{index_id}/" in request.path:
            arrived["lease"].set()
        listing = MANAGED_LABEL in unquote_plus(request.query_string.decode())
        if request.method == "GET" and listing and not held:
            held.append(all([event.wait(wait) for event in arrived.values()]))
        return real_confluence(endpoint, request, args)

    monkeypatch.setattr(notion, "dispatch", on_notion)
    monkeypatch.setattr(confluence, "dispatch", on_confluence)
    return held, bodies


def test_the_body_and_the_lease_go_before_confluences_listing_is_in(
    sandbox, demo_job, changed_by_owner, monkeypatch
) -> None:
    """Notion lists a published entry a person changed, and its reviews approve the new version: its page is
    almost surely written, so its body is read at once and the lease taken as soon as the index page is found,
    not once Confluence's listing of the managed pages is in. No timing: that listing is held until both came."""
    held, bodies = _hold_confluences_listing(sandbox, monkeypatch)
    version = pages(sandbox)[INTEGRATION].version

    report = run_with(sandbox, demo_job)

    assert held == [True], "the body and the lease waited for Confluence's listing"
    assert bodies == [f"/v1/blocks/{entry_id(sandbox, INTEGRATION)}/children"]  # read once, not again after
    assert {row.outcome for row in report.entries if row.title == INTEGRATION} == {"published"}
    assert not report.errors
    found = assert_converged(sandbox)
    assert found[INTEGRATION].version == version + 1
    assert {"integration-down", "status-page", "outage"} <= labels(found[INTEGRATION])
    assert index_page(sandbox).properties[LOCK_KEY].value.get("released") is True


def test_a_body_read_ahead_is_read_once_when_its_page_goes_beside_the_listing(
    sandbox, demo_job, changed_by_owner, paged
) -> None:
    # Its page is written while Notion's last listing page is held: the body read ahead is the one it is
    # written from (the test above: after the listing, the run's deciding takes it).
    last = LastListingPage(sandbox, changed_by_owner, paged(sandbox, INTEGRATION))

    report = run_with(sandbox, demo_job)

    assert last.held and last.in_time
    reads = sandbox.notion.traffic.requests("GET", r"/children$")
    assert [r.path for r in reads] == [f"/v1/blocks/{entry_id(sandbox, INTEGRATION)}/children"]
    assert {row.outcome for row in report.entries if row.title == INTEGRATION} == {"published"}
    assert_converged(sandbox)


def test_an_entry_its_reviews_do_not_yet_approve_is_not_read_ahead(sandbox, demo_job, monkeypatch) -> None:
    # The owner raised the version of a published entry; the reviews still approve the old one. Its page stays
    # as it is (held for re-approval), so neither its body nor the lease goes ahead of Confluence's listing.
    run_with(sandbox, demo_job)
    owner = sandbox.notion.state.add_user("Ana Owner", "ana@example.com").id
    notion_id = entry_id(sandbox, INTEGRATION)
    sandbox.notion.state.update_page(notion_id, {"Version": {"number": 9}}, edited_by=owner)
    sandbox.confluence.traffic.clear()
    held, bodies = _hold_confluences_listing(sandbox, monkeypatch, wait=0)
    version = pages(sandbox)[INTEGRATION].version

    report = run_with(sandbox, demo_job)

    assert held == [False] and bodies == []
    assert {row.outcome for row in report.entries if row.title == INTEGRATION} == {"held"}
    assert pages(sandbox)[INTEGRATION].version == version


def test_an_entry_whose_body_stays_unreadable_never_makes_a_run_write_the_lease_for_nothing(
    sandbox, demo_job, changed_by_owner
) -> None:
    # A person changed a published entry, so its lease goes beside its body's read; the body cannot be read.
    # That run says so in Notion; the runs after it write nothing anywhere while the body stays unreadable,
    # also once the person edited the entry again: its status says "Problem" already (so the run that reads
    # it again writes no status, and the entry stays last edited by the person), and it is not a published
    # entry being changed.
    unreadable = Fault(method="GET", path=f"/blocks/{entry_id(sandbox, INTEGRATION)}/children", status=404, times=1_000)
    version = pages(sandbox)[INTEGRATION].version

    def run() -> list[str]:
        sandbox.confluence.traffic.clear()
        sandbox.notion.traffic.clear()
        sandbox.notion.traffic.add_fault(unreadable)
        report = run_with(sandbox, demo_job)
        assert {row.outcome for row in report.entries if row.title == INTEGRATION} == {"problem"}
        assert pages(sandbox)[INTEGRATION].version == version
        assert index_page(sandbox).properties[LOCK_KEY].value.get("released") is True
        return [
            f"{r.method} {r.path}" for r in (*sandbox.confluence.traffic.writes(), *sandbox.notion.traffic.writes())
        ]

    assert run() != []  # the lease, and the status "Problem"
    assert notion_status(sandbox)[INTEGRATION][0] == "Problem"
    assert run() == []

    owner = next(u.id for u in sandbox.notion.state.users.values() if u.name == "Ana Owner")
    set_keywords(sandbox, INTEGRATION, [*KEYWORDS, "still down"], editor=owner)
    edited = run()  # the index lists the new keywords: written, under the lease
    assert [w for w in edited if w.startswith("PATCH")] == []  # the status stands: not written again
    assert run() == []
    assert run() == []


def test_without_a_status_write_back_the_lease_waits_for_the_body(
    sandbox, demo_job, changed_by_owner, tmp_path
) -> None:
    # With no status column to say an entry is broken, a person's last edit stands run after run: the lease is
    # taken only once a body read shows a page to write, so an unreadable body never makes a run write.
    text = (ROOT / "mappings" / "default.yaml").read_text()
    assert "\nwriteback:" in text
    mapping = tmp_path / "no-writeback.yaml"
    mapping.write_text(text.split("\nwriteback:")[0] + "\n")
    job = demo_job.model_copy(update={"mapping": mapping})
    unreadable = Fault(method="GET", path=f"/blocks/{entry_id(sandbox, INTEGRATION)}/children", status=404, times=1_000)
    sandbox.notion.traffic.add_fault(unreadable)
    run_with(sandbox, job)  # the index lists the entry's new keywords: written once
    for _ in range(2):
        sandbox.confluence.traffic.clear()
        sandbox.notion.traffic.add_fault(unreadable)
        report = run_with(sandbox, job)
        assert {row.outcome for row in report.entries if row.title == INTEGRATION} == {"problem"}
        assert sandbox.confluence.traffic.writes() == []


def test_the_library_is_planned_while_the_pages_written_beside_the_listing_are_on_their_way(
    sandbox, demo_job, paged, changed, monkeypatch
) -> None:
    """No timing: the changed page's text waits until the whole library is planned (the plan of every entry,
    not the one page's), which can only happen if planning does not wait for that page."""
    paged(sandbox, INTEGRATION)
    planned = threading.Event()
    real_plan, confluence, real = run_module.plan, sandbox.confluence, sandbox.confluence.dispatch

    def plan(desired, *args, **kwargs):
        result = real_plan(desired, *args, **kwargs)
        if len(desired) > 1:
            planned.set()
        return result

    waited: list[bool] = []

    def on_confluence(endpoint, request, args):
        if request.method == "PUT" and request.path.endswith(f"/{changed}"):
            waited.append(planned.wait(10))
        return real(endpoint, request, args)

    monkeypatch.setattr(run_module, "plan", plan)
    monkeypatch.setattr(confluence, "dispatch", on_confluence)
    report = run_with(sandbox, demo_job)

    assert waited == [True]
    assert {row.outcome for row in report.entries if row.title == INTEGRATION} == {"published"}
    assert not report.errors
    found = assert_converged(sandbox)
    assert {"integration-down", "status-page", "outage"} <= labels(found[INTEGRATION])
